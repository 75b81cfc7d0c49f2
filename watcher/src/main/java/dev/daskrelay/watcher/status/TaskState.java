package dev.daskrelay.watcher.status;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What the status topology remembers of one task between observations (the value of the status store).
 *
 * @param taskId                the task id (the record key)
 * @param phase                 phase of the last emitted status event; null before the first
 * @param phaseVersion          phaseVersion of the last emitted event
 * @param reason                reason of the last emitted event
 * @param lastSequence          sequence of the last emitted event (0 before the first)
 * @param execution             identity of the task attempt, once an observation carried it
 * @param commandId             the launch command's id (from LAUNCH_ACCEPTED), for delete intents
 * @param daskJobName           the DaskJob's name, once known
 * @param daskJobNamespace      the DaskJob's namespace, once known
 * @param clusterName           the DaskCluster's name, once known
 * @param runnerPod             the job-runner pod's name, once known
 * @param abortRequested        an abort was accepted; the task ends ABORTED when its DaskJob is gone
 * @param abortReason           the abort's reason
 * @param firstObservedAt       observedAt of the first observation of this task
 * @param acceptedAt            observedAt of LAUNCH_ACCEPTED
 * @param deadline              acceptedAt + the launch's timeout, if it had one
 * @param initializingSince     since when the task is INITIALIZING without a break (null when not INITIALIZING)
 * @param imagePullFailingSince since when the runner's image pull is failing (null when it is not)
 * @param imagePullReason       the runner's waiting reason (ErrImagePull / ImagePullBackOff)
 * @param imagePullMessage      the runner's waiting message
 * @param deleteRequested       the status topology asked the applier to delete the DaskJob (Stuck, Timeout, image)
 * @param highestObservedAt     the latest observedAt applied; much older observations are stale replays
 * @param recentObservations    fingerprints of the ids of the most recent observations applied (at most
 *                              {@link TaskStateMachine#RECENT_IDS}), to drop exact replays; packed by
 *                              {@link RecentObservations}; null when none
 * @param highestVersions       the highest phaseVersion emitted per phase: a phase entered again (INITIALIZING
 *                              after WAITING_FOR_RESOURCES and back) continues after it, so no (phase,
 *                              phaseVersion) pair repeats
 * @param heldSnapshots         DaskJob snapshots seen before the task's launch was known, oldest first, at most
 *                              {@link TaskStateMachine#MAX_HELD} (Avro single-object encoding, base64), applied in
 *                              order once it is: see {@link TaskStateMachine}
 * @param recentObservationIds  how stores written before {@code recentObservations} existed kept the same: the ids
 *                              themselves. Read only: a value read with ids is converted to fingerprints here, so
 *                              this component is always null afterwards and is never written again
 */
public record TaskState(
        String taskId,
        Phase phase,
        int phaseVersion,
        String reason,
        long lastSequence,
        ExecutionRef execution,
        String commandId,
        String daskJobName,
        String daskJobNamespace,
        String clusterName,
        String runnerPod,
        boolean abortRequested,
        String abortReason,
        Instant firstObservedAt,
        Instant acceptedAt,
        Instant deadline,
        Instant initializingSince,
        Instant imagePullFailingSince,
        String imagePullReason,
        String imagePullMessage,
        boolean deleteRequested,
        Instant highestObservedAt,
        String recentObservations,
        Map<Phase, Integer> highestVersions,
        List<String> heldSnapshots,
        List<String> recentObservationIds) {

    public TaskState {
        if (recentObservationIds != null && !recentObservationIds.isEmpty()) {
            String packed = RecentObservations.of(recentObservationIds, TaskStateMachine.RECENT_IDS);
            for (long f : RecentObservations.fingerprints(recentObservations)) {
                packed = RecentObservations.add(packed, f, TaskStateMachine.RECENT_IDS);
            }
            recentObservations = packed;
        }
        recentObservationIds = null;
        if (recentObservations != null && recentObservations.isEmpty()) {
            recentObservations = null;
        }
        highestVersions = highestVersions == null ? Map.of() : Map.copyOf(highestVersions);
        heldSnapshots = heldSnapshots == null ? List.of() : List.copyOf(heldSnapshots);
    }

    /** A task nothing is known of yet. */
    public static TaskState initial(String taskId) {
        return new TaskState(taskId, null, 0, null, 0, null, null, null, null, null, null, false, null, null, null,
                null, null, null, null, null, false, null, null, Map.of(), List.of(), null);
    }

    @JsonIgnore
    public boolean isTerminal() {
        return phase != null && phase.isTerminal();
    }

    /**
     * Whether the task's launch is known here: the command topology accepted it, or a status was already published
     * (the applier's outcome for a DaskJob exists only for an accepted launch).
     */
    @JsonIgnore
    public boolean launchKnown() {
        return commandId != null || phase != null;
    }

    Builder toBuilder() {
        return new Builder(this);
    }

    /** Copy-with for the pure core; not public API. */
    static final class Builder {
        String taskId;
        Phase phase;
        int phaseVersion;
        String reason;
        long lastSequence;
        ExecutionRef execution;
        String commandId;
        String daskJobName;
        String daskJobNamespace;
        String clusterName;
        String runnerPod;
        boolean abortRequested;
        String abortReason;
        Instant firstObservedAt;
        Instant acceptedAt;
        Instant deadline;
        Instant initializingSince;
        Instant imagePullFailingSince;
        String imagePullReason;
        String imagePullMessage;
        boolean deleteRequested;
        Instant highestObservedAt;
        String recentObservations;
        Map<Phase, Integer> highestVersions;
        List<String> heldSnapshots;

        Builder(TaskState s) {
            taskId = s.taskId;
            phase = s.phase;
            phaseVersion = s.phaseVersion;
            reason = s.reason;
            lastSequence = s.lastSequence;
            execution = s.execution;
            commandId = s.commandId;
            daskJobName = s.daskJobName;
            daskJobNamespace = s.daskJobNamespace;
            clusterName = s.clusterName;
            runnerPod = s.runnerPod;
            abortRequested = s.abortRequested;
            abortReason = s.abortReason;
            firstObservedAt = s.firstObservedAt;
            acceptedAt = s.acceptedAt;
            deadline = s.deadline;
            initializingSince = s.initializingSince;
            imagePullFailingSince = s.imagePullFailingSince;
            imagePullReason = s.imagePullReason;
            imagePullMessage = s.imagePullMessage;
            deleteRequested = s.deleteRequested;
            highestObservedAt = s.highestObservedAt;
            recentObservations = s.recentObservations;
            highestVersions = s.highestVersions;
            heldSnapshots = s.heldSnapshots;
        }

        TaskState build() {
            return new TaskState(taskId, phase, phaseVersion, reason, lastSequence, execution, commandId, daskJobName,
                    daskJobNamespace, clusterName, runnerPod, abortRequested, abortReason, firstObservedAt,
                    acceptedAt, deadline, initializingSince, imagePullFailingSince, imagePullReason,
                    imagePullMessage, deleteRequested, highestObservedAt, recentObservations, highestVersions,
                    heldSnapshots, null);
        }
    }
}
