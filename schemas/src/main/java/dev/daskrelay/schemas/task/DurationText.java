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

    /** Parts in the order d, h, m, s, ms, each at most once ({@code 1m1h} is refused as a likely typo). */
    private static final Pattern GRAMMAR = Pattern.compile(
            "^(-)?((?:\\d{1,12}d)?(?:\\d{1,12}h)?(?:\\d{1,12}m(?!s))?(?:\\d{1,12}s)?(?:\\d{1,12}ms)?)$");
    private static final Pattern PART = Pattern.compile("(\\d{1,12})(ms|d|h|m|s)");

    /** What the parser accepts, for error messages. */
    public static final String EXPECTED = "a duration like 90s, 15m, 2h or 1h30m";

    private DurationText() {
    }

    /**
     * Parses a duration: one or more {@code <digits><unit>} parts with units {@code d h m s ms} ({@code 90s},
     * {@code 15m}, {@code 1h30m}, {@code 250ms}), an optional leading {@code -}, {@code 0}, or ISO-8601
     * ({@code PT15M}). Task files, the configuration and the CLI all read durations with this one parser.
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
        if (t.startsWith("P") || t.startsWith("-P")) {
            try {
                return Duration.parse(t);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("must be " + EXPECTED);
            }
        }
        Matcher m = GRAMMAR.matcher(t);
        if (!m.matches() || m.group(2).isEmpty()) {
            throw new IllegalArgumentException("must be " + EXPECTED);
        }
        Duration total = Duration.ZERO;
        Matcher part = PART.matcher(m.group(2));
        while (part.find()) {
            long n = Long.parseLong(part.group(1));
            total = total.plus(switch (part.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            });
        }
        return m.group(1) != null ? total.negated() : total;
    }

    /**
     * {@link #parse} for a configuration value, which is never negative: a bad value fails with a message that
     * starts with the key path,
     * e.g. {@code watcher.stuckAfter: must be a duration like 90s, 15m, 2h or 1h30m (was "15 min")}.
     */
    public static Duration parse(String text, String keyPath) {
        Duration d;
        try {
            d = parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(keyPath + ": " + e.getMessage() + " (was \"" + text + "\")");
        }
        if (d.isNegative()) {
            throw new IllegalArgumentException(keyPath + ": must not be negative (was \"" + text + "\")");
        }
        return d;
    }

    /** The shortest form {@link #parse} reads back to the same value: {@code 5400s} → {@code 1h30m}. */
    public static String format(Duration duration) {
        long millis = Math.abs(duration.toMillisPart());
        if (millis == 0) {
            return format(duration.getSeconds() + (duration.isNegative() && duration.getNano() > 0 ? 1 : 0));
        }
        Duration abs = duration.abs();
        String whole = abs.getSeconds() == 0 ? "" : format(abs.getSeconds());
        return (duration.isNegative() ? "-" : "") + whole + millis + "ms";
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
