package dev.daskrelay.schemas.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationTextTest {

    @Test
    void readsGoStyleDurations() {
        assertEquals(Duration.ofSeconds(90), DurationText.parse("90s"));
        assertEquals(Duration.ofMinutes(15), DurationText.parse("15m"));
        assertEquals(Duration.ofHours(2), DurationText.parse("2h"));
        assertEquals(Duration.ofMinutes(90), DurationText.parse("1h30m"));
        assertEquals(Duration.ofSeconds(3661), DurationText.parse("1h1m1s"));
        assertEquals(Duration.ZERO, DurationText.parse("0"));
        assertEquals(Duration.ZERO, DurationText.parse("0s"));
        assertEquals(Duration.ofMinutes(-5), DurationText.parse("-5m"));
        assertEquals(Duration.ofMillis(250), DurationText.parse("250ms"));
        assertEquals(Duration.ofDays(1).plusHours(2), DurationText.parse("1d2h"));
        assertEquals(Duration.ofMinutes(15), DurationText.parse("PT15M"));
        assertEquals(Duration.ofSeconds(-1), DurationText.parse("-1s"));
    }

    @Test
    void refusesEverythingElse() {
        for (String bad : new String[] {"", "-", "2 hours", "1m1h", "1.5h", "90", "2x", "h", "1h 30m", "+5m", "1s1m", "5ms5s", "P", "-"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DurationText.parse(bad), bad);
            assertEquals("must be a duration like 90s, 15m, 2h or 1h30m", e.getMessage());
        }
    }

    @Test
    void formatsShortestAndReadsBack() {
        assertEquals("1h30m", DurationText.format(5400));
        assertEquals("1m30s", DurationText.format(90));
        assertEquals("0s", DurationText.format(0));
        assertEquals("-2h", DurationText.format(-7200));
        assertEquals("500ms", DurationText.format(Duration.ofMillis(500)));
        assertEquals("1m30s250ms", DurationText.format(Duration.ofMillis(90_250)));
        assertEquals(Duration.ofMillis(90_250), DurationText.parse(DurationText.format(Duration.ofMillis(90_250))));
        for (long s : new long[] {1, 59, 60, 61, 3599, 3600, 86400, 90061, -3, 1_000_000_000L}) {
            assertEquals(s, DurationText.parse(DurationText.format(s)).getSeconds());
        }
    }
}
