package dev.daskrelay.translator.apply;

import java.time.Duration;

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

    public ApplierSettings {
        if (concurrency < 1 || maxPending < 1 || maxPendingPerPartition < 1) {
            throw new IllegalArgumentException("translator.applier: concurrency, maxPending and "
                    + "maxPendingPerPartition must be >= 1");
        }
    }

    public static ApplierSettings defaults(String intentsTopic, String observationsTopic) {
        return new ApplierSettings(intentsTopic, observationsTopic, 32, 2000, 500, RetryPolicy.defaults(),
                Duration.ofSeconds(30));
    }
}
