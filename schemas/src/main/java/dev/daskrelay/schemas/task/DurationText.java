package dev.daskrelay.schemas.task;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people write them in task files and {@code daskrelay.yaml}: whole hours, minutes and seconds in
 * that order, each at most once, like Go's {@code time.Duration} strings: {@code 90s}, {@code 15m}, {@code 2h},
 * {@code 1h30m}, {@code 1h0m30s}; {@code 0} alone means zero; a leading {@code -} makes it negative.
 */
public final class DurationText {

    private static final Pattern GRAMMAR = Pattern.compile("^(-)?(?:(\\d{1,9})h)?(?:(\\d{1,9})m)?(?:(\\d{1,12})s)?$");

    /** What the parser accepts, for error messages. */
    public static final String EXPECTED = "a duration like 90s, 15m, 2h or 1h30m";

    private DurationText() {
    }

    /**
     * Parses a duration.
     *
     * @throws IllegalArgumentException naming the expected form when the text is not a duration
     */
    public static Duration parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("must be " + EXPECTED);
        }
        String t = text.strip();
        if (t.equals("0") || t.equals("-0")) {
            return Duration.ZERO;
        }
        Matcher m = GRAMMAR.matcher(t);
        if (t.isEmpty() || t.equals("-") || !m.matches()) {
            throw new IllegalArgumentException("must be " + EXPECTED);
        }
        long seconds = 0;
        if (m.group(2) != null) {
            seconds += Long.parseLong(m.group(2)) * 3600;
        }
        if (m.group(3) != null) {
            seconds += Long.parseLong(m.group(3)) * 60;
        }
        if (m.group(4) != null) {
            seconds += Long.parseLong(m.group(4));
        }
        return Duration.ofSeconds(m.group(1) != null ? -seconds : seconds);
    }

    /** The shortest form {@link #parse} reads back to the same value: {@code 5400s} → {@code 1h30m}. */
    public static String format(Duration duration) {
        return format(duration.getSeconds());
    }

    /** {@link #format(Duration)} for a number of seconds. */
    public static String format(long seconds) {
        if (seconds == 0) {
            return "0s";
        }
        StringBuilder sb = new StringBuilder();
        long abs = Math.abs(seconds);
        if (seconds < 0) {
            sb.append('-');
        }
        long h = abs / 3600;
        long m = (abs % 3600) / 60;
        long s = abs % 60;
        if (h > 0) {
            sb.append(h).append('h');
        }
        if (m > 0) {
            sb.append(m).append('m');
        }
        if (s > 0) {
            sb.append(s).append('s');
        }
        return sb.toString();
    }
}
