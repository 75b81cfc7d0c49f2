package dev.daskrelay.watcher.status;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RecentObservationsTest {

    /** The fingerprint is part of the stored format: a store written today must read the same tomorrow. */
    @Test
    void theFingerprintIsPinned() {
        assertEquals(-1166397803181037274L, RecentObservations.fingerprint(""));
        assertEquals(-1505070265996727958L, RecentObservations.fingerprint("0d3c2a52-7a5e-4c1e-9d7a-1f6f3b1c2e4d"));
        assertEquals(RecentObservations.fingerprint(""), RecentObservations.fingerprint(null));
    }

    @Test
    void distinctIdsGetDistinctFingerprints() {
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < 200_000; i++) {
            assertTrue(seen.add(RecentObservations.fingerprint(UUID.randomUUID().toString())));
        }
        assertNotEquals(RecentObservations.fingerprint("ab"), RecentObservations.fingerprint("ba"));
    }

    @Test
    void keepsTheNewestInOrder() {
        String packed = null;
        for (long f = 1; f <= 5; f++) {
            packed = RecentObservations.add(packed, f, 3);
        }
        assertArrayEquals(new long[] {3, 4, 5}, RecentObservations.fingerprints(packed));
        assertTrue(RecentObservations.contains(packed, 4));
        assertFalse(RecentObservations.contains(packed, 2));
        assertEquals(3, RecentObservations.size(packed));
        assertEquals(32, packed.length(), "3 × 8 bytes in base64url: " + packed);
        assertTrue(packed.matches("[A-Za-z0-9_-]+"), "nothing JSON escapes: " + packed);
    }

    @Test
    void negativeAndExtremeFingerprintsSurvivePacking() {
        long[] values = {Long.MIN_VALUE, -1, 0, Long.MAX_VALUE};
        String packed = null;
        for (long v : values) {
            packed = RecentObservations.add(packed, v, 10);
        }
        assertArrayEquals(values, RecentObservations.fingerprints(packed));
    }

    @Test
    void idsOfTheOlderFormatBecomeTheirFingerprints() {
        String packed = RecentObservations.of(List.of("a", "b", "c"), 2);
        assertArrayEquals(new long[] {RecentObservations.fingerprint("b"), RecentObservations.fingerprint("c")},
                RecentObservations.fingerprints(packed));
    }

    @Test
    void nothingOrSomethingElseRemembersNothing() {
        for (String packed : new String[] {null, "", "not base64!"}) {
            assertEquals(0, RecentObservations.size(packed));
            assertFalse(RecentObservations.contains(packed, 0));
            assertEquals(1, RecentObservations.size(RecentObservations.add(packed, 7, 128)));
        }
    }
}
