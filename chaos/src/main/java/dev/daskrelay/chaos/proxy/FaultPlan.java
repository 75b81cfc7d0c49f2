package dev.daskrelay.chaos.proxy;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * Decides, per request, whether the proxy injects a fault and which (pure apart from the random numbers it is
 * given). A fraction {@code rate} of requests get a fault; the kind is drawn among those that make sense for the
 * request: a watch can be refused (5xx, 429, reset, timeout) or dropped later; a mutation (POST, PUT, PATCH,
 * DELETE) can also take effect and lose its answer (RESET_AFTER, TIMEOUT_AFTER); anything can be slow.
 *
 * @param rate            fraction of requests that get a fault, 0..1
 * @param latency         the range of a latency spike
 * @param watchDropAfter  how long a dropped watch runs before it is reset
 * @param retryAfter      the {@code Retry-After} of a 429, seconds
 * @param only            when not empty, only these kinds (where they make sense for the request)
 */
public record FaultPlan(double rate, Range latency, Range watchDropAfter, int retryAfter, Set<FaultKind> only) {

    /** A closed range of durations. */
    public record Range(Duration min, Duration max) {
        public Range {
            if (min.isNegative() || max.compareTo(min) < 0) {
                throw new IllegalArgumentException("need 0 <= min <= max");
            }
        }

        Duration draw(RandomGenerator random) {
            long span = max.toMillis() - min.toMillis();
            return min.plusMillis(span == 0 ? 0 : random.nextLong(span + 1));
        }
    }

    /** What to do with one request. */
    public record Decision(FaultKind kind, Duration delay) {
        /** Forward it untouched. */
        public static final Decision NONE = new Decision(null, Duration.ZERO);

        public boolean faulty() {
            return kind != null;
        }
    }

    private static final List<FaultKind> ANY = List.of(FaultKind.HTTP_500, FaultKind.HTTP_503, FaultKind.HTTP_504,
            FaultKind.HTTP_429, FaultKind.RESET_BEFORE, FaultKind.TIMEOUT, FaultKind.LATENCY);
    private static final List<FaultKind> MUTATION = List.of(FaultKind.HTTP_500, FaultKind.HTTP_503,
            FaultKind.HTTP_504, FaultKind.HTTP_429, FaultKind.RESET_BEFORE, FaultKind.RESET_AFTER, FaultKind.TIMEOUT,
            FaultKind.TIMEOUT_AFTER, FaultKind.LATENCY);
    private static final List<FaultKind> WATCH = List.of(FaultKind.HTTP_500, FaultKind.HTTP_503, FaultKind.HTTP_429,
            FaultKind.RESET_BEFORE, FaultKind.TIMEOUT, FaultKind.WATCH_DROP, FaultKind.WATCH_DROP);

    public FaultPlan {
        if (!(rate >= 0 && rate <= 1)) {
            throw new IllegalArgumentException("rate must be within 0..1");
        }
        Objects.requireNonNull(latency, "latency");
        Objects.requireNonNull(watchDropAfter, "watchDropAfter");
        only = only == null || only.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(only));
    }

    /** 20 % faults, spikes of 1–5 s, watches dropped after 2–30 s, Retry-After 1 s. */
    public static FaultPlan standard(double rate) {
        return new FaultPlan(rate, new Range(Duration.ofSeconds(1), Duration.ofSeconds(5)),
                new Range(Duration.ofSeconds(2), Duration.ofSeconds(30)), 1, Set.of());
    }

    /** This plan restricted to {@code kinds}. */
    public FaultPlan only(FaultKind... kinds) {
        return new FaultPlan(rate, latency, watchDropAfter, retryAfter, Set.of(kinds));
    }

    /**
     * @param method the HTTP method
     * @param target the request target ({@code /apis/...?watch=true})
     */
    public Decision decide(String method, String target, RandomGenerator random) {
        if (rate == 0 || random.nextDouble() >= rate) {
            return Decision.NONE;
        }
        List<FaultKind> kinds = isWatch(target) ? WATCH : isMutation(method) ? MUTATION : ANY;
        if (!only.isEmpty()) {
            kinds = kinds.stream().filter(only::contains).toList();
            if (kinds.isEmpty()) {
                return Decision.NONE;
            }
        }
        FaultKind kind = kinds.get(random.nextInt(kinds.size()));
        Duration delay = switch (kind) {
            case LATENCY -> latency.draw(random);
            case WATCH_DROP -> watchDropAfter.draw(random);
            default -> Duration.ZERO;
        };
        return new Decision(kind, delay);
    }

    static boolean isWatch(String target) {
        int q = target.indexOf('?');
        if (q < 0) {
            return target.contains("/watch/");
        }
        for (String p : target.substring(q + 1).split("&")) {
            if (p.equalsIgnoreCase("watch=true") || p.equalsIgnoreCase("watch=1")) {
                return true;
            }
        }
        return false;
    }

    static boolean isMutation(String method) {
        return switch (method.toUpperCase(Locale.ROOT)) {
            case "POST", "PUT", "PATCH", "DELETE" -> true;
            default -> false;
        };
    }
}
