package dev.daskrelay.submitter.replay;

import dev.daskrelay.schemas.task.DurationText;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * A point in time on the command line: {@code now}; relative to now, {@code -2h}, {@code -1h30m}, {@code +5m};
 * ISO-8601 {@code 2026-11-27T22:00:00Z} or with an offset {@code 2026-11-27T23:00:00+01:00}; a date
 * {@code 2026-11-27} (midnight UTC). Pure: {@code now} is passed in.
 */
public final class TimeArg {

    public static final String EXPECTED = "now, -2h, -1h30m, 2026-11-27T22:00:00Z or 2026-11-27";

    private TimeArg() {
    }

    public static Instant parse(String text, Instant now) {
        String t = text.trim();
        if (t.equalsIgnoreCase("now")) {
            return now;
        }
        if (t.startsWith("-") || t.startsWith("+")) {
            try {
                return now.plus(DurationText.parse(t.startsWith("+") ? t.substring(1) : t));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("expected " + EXPECTED + " (was \"" + text + "\")");
            }
        }
        try {
            return OffsetDateTime.parse(t).toInstant();
        } catch (DateTimeParseException ignored) {
            // not a date-time with offset
        }
        try {
            return LocalDate.parse(t).atStartOfDay().toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("expected " + EXPECTED + " (was \"" + text + "\")");
        }
    }
}
