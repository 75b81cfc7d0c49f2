package dev.daskrelay.translator.apply;

import java.time.Duration;

/**
 * Bounded exponential back-off with jitter for transient API answers.
 *
 * @param maxAttempts attempts for 429, 5xx, I/O errors and timeouts before the intent fails (retryable)
 * @param forbiddenAttempts attempts for a 403 that is not a quota refusal (RBAC may be fixed meanwhile)
 * @param initialBackoff delay before the second attempt
 * @param maxBackoff cap of one delay
 * @param quotaRetryFor how long a quota refusal (403 "exceeded quota") is retried, reported as waiting for resources
 */
public record RetryPolicy(int maxAttempts, int forbiddenAttempts, Duration initialBackoff, Duration maxBackoff,
                          Duration quotaRetryFor) {

    public RetryPolicy {
        if (maxAttempts < 1 || forbiddenAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts and forbiddenAttempts must be >= 1");
        }
        if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("need maxBackoff >= initialBackoff >= 0");
        }
    }

    /**
     * 12 attempts: about 70–140 s of back-off in all, which rides out an API server restart (30–40 s of refused or
     * 503 answers on the test bed, docs/RELIABILITY.md); with 8 (about 13–25 s) the tasks launched during one failed.
     */
    private static final RetryPolicy DEFAULT = new RetryPolicy(12, 3, Duration.ofMillis(200), Duration.ofSeconds(30),
            Duration.ofMinutes(10));

    /** The defaults, declared here only: 12 attempts, 3 for a 403, 200ms doubling up to 30s, quota retried 10m. */
    public static RetryPolicy defaults() {
        return DEFAULT;
    }

    /**
     * Delay before attempt {@code attempt + 1}: {@code initial * 2^(attempt-1)}, capped, scaled by
     * {@code 0.5 + jitter/2} ("equal jitter"), so concurrent retries spread out.
     *
     * @param jitter a number in [0, 1)
     */
    public Duration backoff(int attempt, double jitter) {
        double base = initialBackoff.toMillis() * Math.pow(2, Math.max(0, attempt - 1));
        double capped = Math.min(base, maxBackoff.toMillis());
        return Duration.ofMillis(Math.round(capped * (0.5 + 0.5 * jitter)));
    }
}
