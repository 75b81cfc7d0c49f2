package dev.daskrelay.watcher.status;

import dev.daskrelay.avro.v1.ApplyOutcome;
import dev.daskrelay.avro.v1.CommandOutcome;
import dev.daskrelay.avro.v1.DaskJobIntent;
import dev.daskrelay.avro.v1.Observation;
import dev.daskrelay.avro.v1.TaskStatus;
import dev.daskrelay.schemas.DeadLetterHeaders;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Micrometer meters of the status topology, all named {@code daskrelay.status.*} with low-cardinality tags only
 * (never a task id).
 *
 * <ul>
 *   <li>{@code daskrelay.status.observations} (counter; tags {@code source}, {@code payload} command|apply|snapshot)</li>
 *   <li>{@code daskrelay.status.observations.ignored} (counter; replays, stale, or after terminal)</li>
 *   <li>{@code daskrelay.status.events} (counter; tag {@code phase})</li>
 *   <li>{@code daskrelay.status.transitions.rejected} (counter; tags {@code from}, {@code to})</li>
 *   <li>{@code daskrelay.status.time.to.first.running} (timer: launch accepted, else first observation, to the
 *       RUNNING event's occurredAt)</li>
 *   <li>{@code daskrelay.status.latency} (timer with percentile histogram: an event's observedAt minus its
 *       occurredAt, i.e. from the observed change to daskrelay's decision)</li>
 *   <li>{@code daskrelay.status.delete.intents} (counter; tag {@code reason} Stuck|Timeout|image codes)</li>
 *   <li>{@code daskrelay.status.dead.letters} (counter; tag {@code stage})</li>
 *   <li>{@code daskrelay.status.tasks.expired} (counter; finished tasks forgotten after {@code watcher.statusRetention})</li>
 * </ul>
 */
public final class StatusMetrics {

    private final MeterRegistry registry;
    private final Timer latency;
    private final Timer timeToFirstRunning;
    private final Counter ignoredObservations;
    /**
     * Counters by their tag values, registered once: looking a meter up in the registry per observation (building
     * its id, sorting its tags, a map lookup) cost more than the rest of the bookkeeping.
     */
    private final Map<List<Object>, Counter> counters = new ConcurrentHashMap<>();

    public StatusMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.latency = Timer.builder("daskrelay.status.latency")
                .description("from an observed change to the status event deciding it")
                .publishPercentileHistogram()
                .register(registry);
        this.timeToFirstRunning = Timer.builder("daskrelay.status.time.to.first.running")
                .description("from launch accepted (else first observation) to RUNNING")
                .register(registry);
        this.ignoredObservations = Counter.builder("daskrelay.status.observations.ignored").register(registry);
    }

    private Counter counter(String name, String tag, Object value) {
        return counters.computeIfAbsent(List.of(name, tag, value), k -> Counter.builder(name)
                .tag(tag, String.valueOf(value)).register(registry));
    }

    private Counter counter(String name, String tag1, Object value1, String tag2, Object value2) {
        return counters.computeIfAbsent(List.of(name, tag1, value1, tag2, value2), k -> Counter.builder(name)
                .tag(tag1, String.valueOf(value1)).tag(tag2, String.valueOf(value2)).register(registry));
    }

    void observation(Observation o, boolean ignored) {
        Object p = o.getPayload();
        String payload = p instanceof CommandOutcome ? "command" : p instanceof ApplyOutcome ? "apply" : "snapshot";
        counter("daskrelay.status.observations", "source", String.valueOf(o.getSource()), "payload", payload)
                .increment();
        if (ignored) {
            ignoredObservations.increment();
        }
    }

    void event(TaskStatus e, TaskState state) {
        counter("daskrelay.status.events", "phase", e.getPhase()).increment();
        latency.record(nonNegative(Duration.between(e.getOccurredAt(), e.getObservedAt())));
        if (e.getPhase().name().equals(Phase.RUNNING.name()) && e.getPhaseVersion() == 0) {
            var start = state.acceptedAt() != null ? state.acceptedAt() : state.firstObservedAt();
            if (start != null) {
                timeToFirstRunning.record(nonNegative(Duration.between(start, e.getOccurredAt())));
            }
        }
    }

    void rejected(TaskStateMachine.RejectedTransition r) {
        counter("daskrelay.status.transitions.rejected", "from", r.from() == null ? "NONE" : r.from().name(),
                "to", r.to().name()).increment();
    }

    void deleteIntent(DaskJobIntent i) {
        counter("daskrelay.status.delete.intents", "reason", String.valueOf(i.getReason())).increment();
    }

    void expired(int n) {
        Counter.builder("daskrelay.status.tasks.expired").register(registry).increment(n);
    }

    void deadLetter(DeadLetterHeaders.Stage stage) {
        counter("daskrelay.status.dead.letters", "stage", stage.value()).increment();
    }

    private static Duration nonNegative(Duration d) {
        return d.isNegative() ? Duration.ZERO : d;
    }
}
