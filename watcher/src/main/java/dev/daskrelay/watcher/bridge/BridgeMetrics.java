package dev.daskrelay.watcher.bridge;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/** The bridge's meters ({@code daskrelay.watcher.*}); no tag per task. */
public final class BridgeMetrics {

    final Counter published;
    final Counter suppressed;
    final Counter publishFailures;
    final Counter relists;
    final Counter held;
    private final AtomicInteger leader = new AtomicInteger();
    private final ApiReads.Outcomes runnerReads;
    private final ApiReads.Outcomes jobReads;

    public BridgeMetrics(MeterRegistry registry, Supplier<BridgeInformers.CacheSizes> cached) {
        published = Counter.builder("daskrelay.watcher.observations.published")
                .description("snapshots published to the observations topic").register(registry);
        suppressed = Counter.builder("daskrelay.watcher.observations.suppressed")
                .description("snapshots not sent because they equal the last one sent for the task").register(registry);
        publishFailures = Counter.builder("daskrelay.watcher.observations.failed")
                .description("observation sends that failed (retried)").register(registry);
        held = Counter.builder("daskrelay.watcher.observations.held")
                .description("failed DaskJobs held back until their runner pod's end reached the cache")
                .register(registry);
        runnerReads = readOutcomes(registry, "daskrelay.watcher.runner.reads",
                "runner pods read from the API server because their end was late in the cache");
        jobReads = readOutcomes(registry, "daskrelay.watcher.job.reads",
                "DaskJobs read from the API server because they were missing from the cache with no deletion seen");
        relists = Counter.builder("daskrelay.watcher.relists")
                .description("watches re-established after a break (full re-observation follows)").register(registry);
        Gauge.builder("daskrelay.watcher.leader", leader, AtomicInteger::get)
                .description("1 while this instance holds the Lease").register(registry);
        Gauge.builder("daskrelay.watcher.tracked.jobs", () -> cached.get().jobs())
                .description("managed DaskJobs in the informer cache").register(registry);
        Gauge.builder("daskrelay.watcher.tracked.pods", () -> cached.get().pods())
                .description("pods of managed DaskJobs in the informer cache").register(registry);
        Gauge.builder("daskrelay.watcher.tracked.events", () -> cached.get().events())
                .description("Events in the informer cache (after the API server's field selector)").register(registry);
    }

    private static ApiReads.Outcomes readOutcomes(MeterRegistry registry, String name, String description) {
        Counter found = Counter.builder(name).tag("outcome", "found").description(description).register(registry);
        Counter absent = Counter.builder(name).tag("outcome", "absent").description(description).register(registry);
        Counter failed = Counter.builder(name).tag("outcome", "failed").description(description).register(registry);
        return new ApiReads.Outcomes() {
            @Override
            public void found() {
                found.increment();
            }

            @Override
            public void absent() {
                absent.increment();
            }

            @Override
            public void failed() {
                failed.increment();
            }
        };
    }

    ApiReads.Outcomes runnerReads() {
        return runnerReads;
    }

    ApiReads.Outcomes jobReads() {
        return jobReads;
    }

    public void leading(boolean isLeader) {
        leader.set(isLeader ? 1 : 0);
    }

    public double publishedCount() {
        return published.count();
    }

    public double suppressedCount() {
        return suppressed.count();
    }

    public double relistCount() {
        return relists.count();
    }
}
