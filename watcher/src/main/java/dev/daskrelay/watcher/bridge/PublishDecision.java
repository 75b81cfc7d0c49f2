package dev.daskrelay.watcher.bridge;

import dev.daskrelay.avro.v1.DaskJobSnapshot;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * The pure decision of the bridge's worker for one DaskJob: given what the informer caches hold for it now, the
 * final state of a deleted one (the tombstone), and what was last sent for it, publish a snapshot — the current one,
 * or "gone" — or nothing. No clock, no I/O, no state: the worker keeps the state and carries out the decision.
 *
 * <table>
 *   <caption>inputs → decision</caption>
 *   <tr><th>DaskJob in the cache</th><th>tombstone</th><th>last sent</th><th>decision</th></tr>
 *   <tr><td>yes, no task id</td><td>any</td><td>any</td><td>{@link Skip} {@link SkipReason#NO_TASK_ID}</td></tr>
 *   <tr><td>yes</td><td>any</td><td>none, or a different snapshot</td><td>{@link Publish} the derived
 *       snapshot</td></tr>
 *   <tr><td>yes</td><td>any</td><td>the same snapshot (event timestamps aside)</td><td>{@link Unchanged}</td></tr>
 *   <tr><td>no</td><td>any</td><td>an existing one</td><td>{@link Publish} it as gone, for its task</td></tr>
 *   <tr><td>no</td><td>any</td><td>a gone one</td><td>{@link Skip} {@link SkipReason#ALREADY_GONE}</td></tr>
 *   <tr><td>no</td><td>with a task id</td><td>none</td><td>{@link Publish} the tombstone's snapshot as gone</td></tr>
 *   <tr><td>no</td><td>none, or without a task id</td><td>none</td><td>{@link Skip}
 *       {@link SkipReason#NOTHING_KNOWN}</td></tr>
 * </table>
 */
public final class PublishDecision {

    private PublishDecision() {
    }

    /** What was last sent for a DaskJob, and for which task. */
    public record Sent(TaskIdentity identity, DaskJobSnapshot snapshot) {
        public Sent {
            Objects.requireNonNull(identity, "identity");
            Objects.requireNonNull(snapshot, "snapshot");
        }
    }

    /** What the worker does next for one DaskJob. */
    public sealed interface Next permits Publish, Unchanged, Skip {
    }

    /** Publish this snapshot for this task. */
    public record Publish(TaskIdentity identity, DaskJobSnapshot snapshot) implements Next {
        public Publish {
            Objects.requireNonNull(identity, "identity");
            Objects.requireNonNull(snapshot, "snapshot");
        }
    }

    /** The snapshot equals the last one sent (counted as suppressed). */
    public record Unchanged() implements Next {
    }

    /** Nothing to publish, for this reason. */
    public record Skip(SkipReason reason) implements Next {
    }

    /** Why nothing is published. */
    public enum SkipReason {
        /** The DaskJob carries daskrelay's label but no task id: it cannot be attributed (logged). */
        NO_TASK_ID,
        /** The DaskJob is gone and its disappearance was already sent. */
        ALREADY_GONE,
        /** The DaskJob is gone and nothing is known about it: nothing was sent, no usable final state. */
        NOTHING_KNOWN
    }

    /**
     * @param job the DaskJob in the informer cache; null when there is none
     * @param pods the job's pods from the cache (may hold unrelated ones; ignored when {@code job} is null)
     * @param events Events about the job from the cache (ignored when {@code job} is null)
     * @param tombstone the final state of the DaskJob as its deletion delivered it; null when none is kept
     * @param last what was last sent for the job; null when nothing was
     */
    public static Next next(GenericKubernetesResource job, Collection<Pod> pods, Collection<Event> events,
                            GenericKubernetesResource tombstone, Sent last) {
        TaskIdentity identity;
        DaskJobSnapshot snapshot;
        if (job != null) {
            identity = TaskIdentity.of(job);
            if (identity == null) {
                return new Skip(SkipReason.NO_TASK_ID);
            }
            snapshot = SnapshotDerivation.derive(job, pods, events);
        } else if (last != null) {
            if (!last.snapshot().getExists()) {
                return new Skip(SkipReason.ALREADY_GONE);
            }
            identity = last.identity();
            snapshot = SnapshotDerivation.gone(last.snapshot());
        } else if (tombstone != null && TaskIdentity.of(tombstone) != null) {
            identity = TaskIdentity.of(tombstone);
            snapshot = SnapshotDerivation.gone(SnapshotDerivation.derive(tombstone, List.of(), List.of()));
        } else {
            return new Skip(SkipReason.NOTHING_KNOWN);
        }
        if (last != null && !SnapshotDerivation.changed(last.snapshot(), snapshot)) {
            return new Unchanged();
        }
        return new Publish(identity, snapshot);
    }
}
