package dev.daskrelay.translator.apply;

import dev.daskrelay.avro.v1.ApplyResult;
import dev.daskrelay.avro.v1.IntentAction;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Meters of the applier:
 * <ul>
 *   <li>{@code daskrelay.translator.apply.outcomes} {action, outcome}</li>
 *   <li>{@code daskrelay.translator.apply.latency} {action} — first attempt to outcome, with a histogram</li>
 *   <li>{@code daskrelay.translator.apply.retries} {action}</li>
 *   <li>{@code daskrelay.translator.apply.inflight} — intents handed out and not finished (incl. retry waits)</li>
 *   <li>{@code daskrelay.translator.apply.skipped} — intents not applied again because an earlier owner of their
 *       partition had finished them (commit metadata)</li>
 * </ul>
 */
final class ApplierMetrics {

    private final MeterRegistry registry;

    ApplierMetrics(MeterRegistry registry, Supplier<Number> inFlight) {
        this.registry = registry;
        Gauge.builder("daskrelay.translator.apply.inflight", inFlight)
                .description("intents in progress").register(registry);
    }

    void outcome(IntentAction action, ApplyResult outcome, Duration latency) {
        Counter.builder("daskrelay.translator.apply.outcomes").tag("action", lower(action))
                .tag("outcome", outcome.name().toLowerCase(Locale.ROOT)).register(registry).increment();
        Timer.builder("daskrelay.translator.apply.latency").tag("action", lower(action))
                .publishPercentileHistogram().register(registry).record(latency);
    }

    void skippedAlreadyApplied() {
        Counter.builder("daskrelay.translator.apply.skipped")
                .description("intents an earlier owner of the partition had already applied").register(registry)
                .increment();
    }

    void retry(IntentAction action) {
        Counter.builder("daskrelay.translator.apply.retries").tag("action", lower(action)).register(registry)
                .increment();
    }

    private static String lower(IntentAction a) {
        return a.name().toLowerCase(Locale.ROOT);
    }
}
