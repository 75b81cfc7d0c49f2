package dev.daskrelay.submitter.replay;

import dev.daskrelay.avro.v1.ApplyOutcome;
import dev.daskrelay.avro.v1.ApplyResult;
import dev.daskrelay.avro.v1.CommandOutcome;
import dev.daskrelay.avro.v1.CommandOutcomeKind;
import dev.daskrelay.avro.v1.IntentAction;
import dev.daskrelay.avro.v1.Observation;
import java.time.Instant;

/**
 * A command or apply outcome read from {@code <prefix>.observations}: what the command topology decided and what the
 * applier did in the cluster, for checking the status stream against them ({@link AnomalyCheck}).
 *
 * @param taskId the record key
 * @param partition partition on the observations topic
 * @param offset offset there
 * @param observation the decoded observation (a {@code CommandOutcome} or {@code ApplyOutcome} payload)
 */
public record ObservedOutcome(String taskId, int partition, long offset, Observation observation) {

    /** When the outcome was observed (decided by the command topology, or finished by the applier). */
    public Instant time() {
        return observation.getObservedAt();
    }

    /** The command topology accepted a launch (a CREATE intent went to the applier). */
    public boolean launchAccepted() {
        return observation.getPayload() instanceof CommandOutcome c && c.getKind() == CommandOutcomeKind.LAUNCH_ACCEPTED;
    }

    /** The applier created the task's DaskJob. */
    public boolean created() {
        return observation.getPayload() instanceof ApplyOutcome a && a.getAction() == IntentAction.CREATE
                && a.getOutcome() == ApplyResult.CREATED;
    }

    /** Whether replay keeps this observation (outcomes; snapshots of the bridge are not needed). */
    public static boolean isOutcome(Observation o) {
        return o != null && (o.getPayload() instanceof CommandOutcome || o.getPayload() instanceof ApplyOutcome);
    }
}
