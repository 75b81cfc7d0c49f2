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

    public StatusMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.latency = Timer.builder("daskrelay.status.latency")
                .description("from an observed change to the status event deciding it")
                .publishPercentileHistogram()
                .register(registry);
        this.timeToFirstRunning = Timer.builder("daskrelay.status.time.to.first.running")
                .description("from launch accepted (else first observation) to RUNNING")
                .register(registry);
    }

    void observation(Observation o, boolean ignored) {
        Object p = o.getPayload();
        String payload = p instanceof CommandOutcome ? "command" : p instanceof ApplyOutcome ? "apply" : "snapshot";
        Counter.builder("daskrelay.status.observations").tag("source", String.valueOf(o.getSource()))
                .tag("payload", payload).register(registry).increment();
        if (ignored) {
            Counter.builder("daskrelay.status.observations.ignored").register(registry).increment();
        }
    }

    void event(TaskStatus e, TaskState state) {
        Counter.builder("daskrelay.status.events").tag("phase", e.getPhase().name()).register(registry).increment();
        latency.record(nonNegative(Duration.between(e.getOccurredAt(), e.getObservedAt())));
        if (e.getPhase().name().equals(Phase.RUNNING.name()) && e.getPhaseVersion() == 0) {
            var start = state.acceptedAt() != null ? state.acceptedAt() : state.firstObservedAt();
            if (start != null) {
                timeToFirstRunning.record(nonNegative(Duration.between(start, e.getOccurredAt())));
            }
        }
    }

    void rejected(TaskStateMachine.RejectedTransition r) {
        Counter.builder("daskrelay.status.transitions.rejected")
                .tag("from", r.from() == null ? "NONE" : r.from().name()).tag("to", r.to().name())
                .register(registry).increment();
    }

    void deleteIntent(DaskJobIntent i) {
        Counter.builder("daskrelay.status.delete.intents").tag("reason", String.valueOf(i.getReason()))
                .register(registry).increment();
    }

    void expired(int n) {
        Counter.builder("daskrelay.status.tasks.expired").register(registry).increment(n);
    }

    void deadLetter(DeadLetterHeaders.Stage stage) {
        Counter.builder("daskrelay.status.dead.letters").tag("stage", stage.value()).register(registry).increment();
    }

    private static Duration nonNegative(Duration d) {
        return d.isNegative() ? Duration.ZERO : d;
    }
}
