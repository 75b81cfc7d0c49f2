package dev.daskrelay.schemas.registry;

import java.time.Duration;

/**
 * Bounded exponential back-off with jitter for transient registry failures (pure: the random draw is passed in).
 *
 * @param maxRetries   retries after the first attempt (Confluent's {@code max.retries})
 * @param initialWait  wait before the first retry (Confluent's {@code retries.wait.ms})
 * @param maxWait      cap of any single wait (Confluent's {@code retries.max.wait.ms})
 */
public record RetryPolicy(int maxRetries, Duration initialWait, Duration maxWait) {

    public static final RetryPolicy DEFAULT = new RetryPolicy(3, Duration.ofMillis(1000), Duration.ofMillis(2000));

    public RetryPolicy {
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries must be >= 0, got " + maxRetries);
        }
        if (initialWait.isNegative() || maxWait.isNegative()) {
            throw new IllegalArgumentException("waits must be >= 0");
        }
    }

    /**
     * The wait before retry number {@code retry} (1-based): {@code min(maxWait, initialWait * 2^(retry-1))},
     * scaled by a jitter factor in [0.5, 1.0] drawn from {@code unitRandom} in [0, 1).
     */
    public Duration waitBeforeRetry(int retry, double unitRandom) {
        if (retry < 1) {
            throw new IllegalArgumentException("retry is 1-based, got " + retry);
        }
        long base = initialWait.toMillis();
        int shift = Math.min(retry - 1, 30);
        long exponential = base > (Long.MAX_VALUE >> shift) ? Long.MAX_VALUE : base << shift;
        long capped = Math.min(exponential, maxWait.toMillis());
        double jitter = 0.5 + 0.5 * Math.min(Math.max(unitRandom, 0.0), 1.0);
        return Duration.ofMillis(Math.round(capped * jitter));
    }
}
