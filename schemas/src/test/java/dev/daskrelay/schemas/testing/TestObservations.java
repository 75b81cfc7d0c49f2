package dev.daskrelay.schemas.testing;

import dev.daskrelay.avro.v1.ApplyOutcome;
import dev.daskrelay.avro.v1.ApplyResult;
import dev.daskrelay.avro.v1.CommandOutcome;
import dev.daskrelay.avro.v1.CommandOutcomeKind;
import dev.daskrelay.avro.v1.ComponentsDetail;
import dev.daskrelay.avro.v1.ContainerDetail;
import dev.daskrelay.avro.v1.DaskJobSnapshot;
import dev.daskrelay.avro.v1.ExecutionIdentity;
import dev.daskrelay.avro.v1.IntentAction;
import dev.daskrelay.avro.v1.KubeEventDetail;
import dev.daskrelay.avro.v1.Observation;
import dev.daskrelay.avro.v1.ObservationSource;
import dev.daskrelay.avro.v1.PodDetail;
import dev.daskrelay.schemas.serde.SampleRecords;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Test fixtures shared through the schemas test-jar: observations of one task as the command topology, the applier
 * and the watcher bridge write them.
 */
public final class TestObservations {

    public static final String TASK = "flytesnacks-development-a1b2c3-n0-0";
    public static final String JOB = "dr-a1b2c3-n0-0-7f3a";
    public static final String NS = "flytesnacks-development";
    public static final String RUNNER = JOB + "-runner";
    public static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");
    /** The execution of {@link #TASK}: the same as {@link SampleRecords#execution()}. */
    public static final ExecutionIdentity EXEC = SampleRecords.execution();

    private static final AtomicLong IDS = new AtomicLong();

    private TestObservations() {
    }

    public static Observation of(Object payload, ObservationSource source, Instant at) {
        return Observation.newBuilder().setObservationId("obs-" + IDS.incrementAndGet()).setTaskId(TASK)
                .setExecution(EXEC).setSource(source).setObservedAt(at).setDaskJobName(JOB).setDaskJobNamespace(NS)
                .setPayload(payload).build();
    }

    public static Observation command(CommandOutcomeKind kind, Instant at) {
        return of(CommandOutcome.newBuilder().setCommandId("cmd-1").setKind(kind).build(), ObservationSource.COMMANDS, at);
    }

    public static Observation accepted(Instant at, Long timeoutSeconds) {
        return of(CommandOutcome.newBuilder().setCommandId("cmd-1").setKind(CommandOutcomeKind.LAUNCH_ACCEPTED)
                .setTimeoutSeconds(timeoutSeconds).build(), ObservationSource.COMMANDS, at);
    }

    public static Observation rejected(Instant at, String... problems) {
        return of(CommandOutcome.newBuilder().setCommandId("cmd-1").setKind(CommandOutcomeKind.LAUNCH_REJECTED)
                .setProblems(List.of(problems)).build(), ObservationSource.COMMANDS, at);
    }

    public static Observation abort(CommandOutcomeKind kind, String reason, Instant at) {
        return of(CommandOutcome.newBuilder().setCommandId("cmd-2").setKind(kind).setMessage(reason).build(),
                ObservationSource.COMMANDS, at);
    }

    public static ApplyOutcome.Builder applyBuilder(IntentAction action, ApplyResult result) {
        return ApplyOutcome.newBuilder().setIntentId(TASK + "/" + action).setAction(action).setOutcome(result);
    }

    public static Observation apply(IntentAction action, ApplyResult result, Instant at) {
        return of(applyBuilder(action, result).build(), ObservationSource.APPLIER, at);
    }

    public static Observation apply(ApplyOutcome outcome, Instant at) {
        return of(outcome, ObservationSource.APPLIER, at);
    }

    public static Observation snapshot(DaskJobSnapshot s, Instant at) {
        return of(s, ObservationSource.BRIDGE, at);
    }

    public static DaskJobSnapshot.Builder job(String jobStatus) {
        return DaskJobSnapshot.newBuilder().setExists(true).setJobStatus(jobStatus)
                .setComponents(ComponentsDetail.newBuilder().build());
    }

    public static DaskJobSnapshot gone() {
        return DaskJobSnapshot.newBuilder().setExists(false).setComponents(ComponentsDetail.newBuilder().build())
                .build();
    }

    public static ComponentsDetail comps(PodDetail runner, PodDetail scheduler, int desired, int ready, int pending,
                                  String... workerProblems) {
        return ComponentsDetail.newBuilder().setRunner(runner).setScheduler(scheduler).setWorkersDesired(desired)
                .setWorkersReady(ready).setWorkersPending(pending).setWorkerProblems(List.of(workerProblems)).build();
    }

    public static PodDetail pod(String name, String phase, ContainerDetail... containers) {
        return PodDetail.newBuilder().setName(name).setPhase(phase).setContainers(List.of(containers)).build();
    }

    public static PodDetail runner(String phase, ContainerDetail c) {
        return pod(RUNNER, phase, c);
    }

    public static ContainerDetail.Builder container() {
        return ContainerDetail.newBuilder().setName("job-runner");
    }

    public static ContainerDetail waiting(String reason, String message) {
        return container().setWaitingReason(reason).setWaitingMessage(message).build();
    }

    public static ContainerDetail terminated(String reason, int exitCode, String message) {
        return container().setTerminatedReason(reason).setExitCode(exitCode).setTerminatedMessage(message).build();
    }

    public static KubeEventDetail event(String involved, String reason, String message) {
        return KubeEventDetail.newBuilder().setInvolvedKind("Pod").setInvolvedName(involved).setType("Warning")
                .setReason(reason).setMessage(message).build();
    }
}
