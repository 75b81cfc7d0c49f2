package dev.daskrelay.watcher.janitor;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RetentionPolicyTest {

    private static final Instant END = Instant.parse("2026-01-01T10:00:00Z");
    private final RetentionPolicy hour = new RetentionPolicy(Duration.ofHours(1));

    @Test
    void terminalOlderThanRetentionExpires() {
        assertTrue(hour.expired("Successful", "2026-01-01T10:00:00Z", false, END.plus(Duration.ofHours(1))));
        assertTrue(hour.expired("Failed", "2026-01-01T10:00:00Z", false, END.plus(Duration.ofHours(2))));
    }

    @Test
    void terminalYoungerThanRetentionIsKept() {
        assertFalse(hour.expired("Successful", "2026-01-01T10:00:00Z", false, END.plus(Duration.ofMinutes(59))));
    }

    @Test
    void nonTerminalIsNeverExpiredHoweverOld() {
        Instant muchLater = END.plus(Duration.ofDays(30));
        for (String s : new String[] {null, "", "JobCreated", "ClusterCreated", "Running", "Unknown"}) {
            assertFalse(hour.expired(s, "2026-01-01T10:00:00Z", false, muchLater), String.valueOf(s));
        }
    }

    @Test
    void terminalWithoutReadableEndTimeIsKept() {
        Instant muchLater = END.plus(Duration.ofDays(30));
        assertFalse(hour.expired("Successful", null, false, muchLater));
        assertFalse(hour.expired("Successful", "yesterday", false, muchLater));
    }

    @Test
    void zeroDeletesAtOnceAndNeverNeverDeletes() {
        assertTrue(new RetentionPolicy(Duration.ZERO).expired("Failed", "2026-01-01T10:00:00Z", false, END));
        assertFalse(RetentionPolicy.NEVER.expired("Failed", "2026-01-01T10:00:00Z", false, END.plus(Duration.ofDays(365))));
    }

    @Test
    void alreadyDeletingIsLeftAlone() {
        assertFalse(hour.expired("Successful", "2026-01-01T10:00:00Z", true, END.plus(Duration.ofDays(1))));
    }

    @Test
    void negativeRetentionIsRejected() {
        var e = assertThrows(IllegalArgumentException.class, () -> new RetentionPolicy(Duration.ofSeconds(-5)));
        assertTrue(e.getMessage().startsWith("watcher.retainFinished"));
    }
}
