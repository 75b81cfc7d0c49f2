package dev.daskrelay.watcher.status;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people write them in {@code daskrelay.yaml}: {@code 500ms}, {@code 90s}, {@code 15m}, {@code 2h},
 * {@code 1d}, compounds such as {@code 1h30m}, and {@code 0}. An ISO-8601 form ({@code PT15M}) is accepted too.
 */
public final class DurationText {

    private DurationText() {
    }

    private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    /**
     * Parses {@code text}; a bad value fails with an {@link IllegalArgumentException} whose message starts with
     * {@code fieldPath}.
     */
    public static Duration parse(String text, String fieldPath) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException(fieldPath + ": a duration is required, e.g. 90s, 15m, 2h");
        }
        String t = text.trim();
        if (t.equals("0")) {
            return Duration.ZERO;
        }
        if (t.startsWith("P") || t.startsWith("p")) {
            try {
                return Duration.parse(t);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(fieldPath + ": '" + text + "' is not a duration (e.g. 90s, 15m, 2h)");
            }
        }
        Matcher m = PART.matcher(t);
        Duration total = Duration.ZERO;
        int pos = 0;
        while (pos < t.length()) {
            if (!m.find(pos) || m.start() != pos) {
                throw new IllegalArgumentException(fieldPath + ": '" + text + "' is not a duration (e.g. 90s, 15m, 2h)");
            }
            long n = Long.parseLong(m.group(1));
            total = total.plus(switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            });
            pos = m.end();
        }
        return total;
    }

    /** The shortest text that {@link #parse} reads back to the same duration, e.g. {@code 15m}, {@code 1h30m}. */
    public static String format(Duration d) {
        if (d.isZero()) {
            return "0";
        }
        StringBuilder sb = new StringBuilder();
        long ms = d.toMillis();
        long[] units = {86_400_000L, 3_600_000L, 60_000L, 1000L, 1L};
        String[] names = {"d", "h", "m", "s", "ms"};
        for (int i = 0; i < units.length; i++) {
            if (ms >= units[i]) {
                sb.append(ms / units[i]).append(names[i]);
                ms %= units[i];
            }
        }
        return sb.toString();
    }
}
