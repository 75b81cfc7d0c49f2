package dev.daskrelay.watcher.bridge;

import dev.daskrelay.avro.v1.DaskJobSnapshot;
import dev.daskrelay.avro.v1.PodDetail;
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
 *   <tr><td>yes, {@code jobStatus: Failed}, its runner pod cached but not ended yet, or named but not cached</td><td>any</td><td>any</td>
 *       <td>{@link Hold}, unless the hold has run out</td></tr>
 *   <tr><td>no</td><td>any</td><td>an existing one</td><td>{@link Publish} it as gone, for its task, once the
 *       absence is confirmed; else {@link Confirm}</td></tr>
 *   <tr><td>no</td><td>any</td><td>a gone one</td><td>{@link Skip} {@link SkipReason#ALREADY_GONE}</td></tr>
 *   <tr><td>no</td><td>with a task id</td><td>none</td><td>{@link Publish} the tombstone's snapshot as gone, once
 *       the absence is confirmed; else {@link Confirm}</td></tr>
 *   <tr><td>no</td><td>none, or without a task id</td><td>none</td><td>{@link Skip}
 *       {@link SkipReason#NOTHING_KNOWN}</td></tr>
 * </table>
 *
 * <p>The hold: the operator writes {@code Failed} because it saw the runner pod fail, but the bridge's pod cache is a
 * second watch and can be a moment behind the DaskJob's. Published at once, the snapshot would carry a runner that is
 * still running and the task would end as Flyte's generic "Dask Job failed" instead of the runner's exit code,
 * depending only on which watch event came first. So a failed DaskJob whose runner pod is cached but not yet ended
 * waits for the pod's update (which enqueues the job again), at most for the hold time the caller allows. A runner
 * that the DaskJob names ({@code status.jobRunnerPodName}) but that is not in the cache at all holds too: the pod
 * watch may be down (a new leader whose pod list is not through, a watch broken by the API server), and the caller
 * reads the pod from the API server when the hold runs out (a pod that is really gone answers 404 and the failure is
 * published without a runner). A failed DaskJob that names no runner pod holds nothing.
 *
 * <p>The confirmation: "gone" ends the task (the status model fails a task whose DaskJob disappeared before it
 * ended), so it is published only on proof, which the caller supplies ({@code absenceConfirmed}): a deletion the
 * watch delivered (a {@code DELETED} event), or a read of the DaskJob from the API server that found it absent (404,
 * or a DaskJob of the same name for another task). Missing from the cache is no proof: a new leader recalls what the
 * previous leader last sent, which can name DaskJobs its own informer has not listed yet, and an informer's relist
 * drops from its cache whatever its new list lacks (fabric8 reports those as deletions whose final state is unknown),
 * so a list cut short or taken while the API server restarts would fail running tasks.
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
    public sealed interface Next permits Publish, Unchanged, Skip, Hold, Confirm {
    }

    /**
     * Not yet: the DaskJob last reported existing is missing from the cache but no deletion was seen; read it from
     * the API server and decide again with the answer.
     */
    public record Confirm() implements Next {
    }

    /**
     * Not yet: the DaskJob failed but the end of its runner pod (named here) has not reached the cache; decide again
     * later.
     */
    public record Hold(String runnerPod) implements Next {
        public Hold {
            Objects.requireNonNull(runnerPod, "runnerPod");
        }
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
     * @param mayHold whether a {@link Hold} is still allowed (false once the caller's hold time ran out)
     * @param absenceConfirmed whether the missing DaskJob is known not to exist: its deletion came from the watch,
     *     or the API server answered 404 (consulted only when {@code job} is null)
     */
    public static Next next(GenericKubernetesResource job, Collection<Pod> pods, Collection<Event> events,
                            GenericKubernetesResource tombstone, Sent last, boolean mayHold, boolean absenceConfirmed) {
        TaskIdentity identity;
        DaskJobSnapshot snapshot;
        if (job != null) {
            identity = TaskIdentity.of(job);
            if (identity == null) {
                return new Skip(SkipReason.NO_TASK_ID);
            }
            snapshot = SnapshotDerivation.derive(job, pods, events);
            String awaited = mayHold ? runnerEndAwaited(snapshot) : null;
            if (awaited != null) {
                return new Hold(awaited);
            }
        } else if (last != null) {
            if (!last.snapshot().getExists()) {
                return new Skip(SkipReason.ALREADY_GONE);
            }
            if (!absenceConfirmed) {
                return new Confirm();
            }
            identity = last.identity();
            snapshot = SnapshotDerivation.gone(last.snapshot());
        } else if (tombstone != null && TaskIdentity.of(tombstone) != null) {
            if (!absenceConfirmed) {
                return new Confirm();
            }
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

    /**
     * The runner pod whose end a failed DaskJob waits for, or null: the operator says Failed, and the runner pod is
     * either cached but neither Failed nor Succeeded, or not cached at all although the DaskJob names it
     * ({@code status.jobRunnerPodName}: the pod watch may be down, or the pod deleted — the read after the hold tells).
     */
    static String runnerEndAwaited(DaskJobSnapshot snapshot) {
        if (!"Failed".equals(snapshot.getJobStatus())) {
            return null;
        }
        PodDetail runner = snapshot.getComponents() == null ? null : snapshot.getComponents().getRunner();
        if (runner == null) {
            return snapshot.getJobRunnerPodName();
        }
        return "Failed".equals(runner.getPhase()) || "Succeeded".equals(runner.getPhase()) ? null : runner.getName();
    }
}
