package dev.daskrelay.translator.apply;

import java.time.Duration;
import java.util.Objects;

/**
 * @param intentsTopic read from
 * @param observationsTopic outcomes written to
 * @param concurrency API calls in flight at once (worker threads)
 * @param maxPending intents handed out and unfinished before all partitions are paused
 * @param maxPendingPerPartition unfinished intents of one partition before that partition alone is paused
 * @param retry back-off policy
 * @param shutdownGrace how long a graceful stop waits for work in progress
 */
public record ApplierSettings(String intentsTopic, String observationsTopic, int concurrency, int maxPending,
                              int maxPendingPerPartition, RetryPolicy retry, Duration shutdownGrace) {

    public static final int DEFAULT_CONCURRENCY = 32;
    public static final int DEFAULT_MAX_PENDING = 2000;
    public static final int DEFAULT_MAX_PENDING_PER_PARTITION = 500;
    public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(30);

    public ApplierSettings {
        if (concurrency < 1 || maxPending < 1 || maxPendingPerPartition < 1) {
            throw new IllegalArgumentException("concurrency, maxPending and maxPendingPerPartition must be >= 1");
        }
        Objects.requireNonNull(retry, "retry");
        Objects.requireNonNull(shutdownGrace, "shutdownGrace");
    }

    public static ApplierSettings defaults(String intentsTopic, String observationsTopic) {
        return new ApplierSettings(intentsTopic, observationsTopic, DEFAULT_CONCURRENCY, DEFAULT_MAX_PENDING,
                DEFAULT_MAX_PENDING_PER_PARTITION, RetryPolicy.defaults(), DEFAULT_SHUTDOWN_GRACE);
    }
}
