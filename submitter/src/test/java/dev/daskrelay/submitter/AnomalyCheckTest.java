package dev.daskrelay.submitter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.daskrelay.avro.v1.ApplyOutcome;
import dev.daskrelay.avro.v1.ApplyResult;
import dev.daskrelay.avro.v1.CommandOutcome;
import dev.daskrelay.avro.v1.CommandOutcomeKind;
import dev.daskrelay.avro.v1.ExecutionIdentity;
import dev.daskrelay.avro.v1.IntentAction;
import dev.daskrelay.avro.v1.Observation;
import dev.daskrelay.avro.v1.ObservationSource;
import dev.daskrelay.avro.v1.TaskCommand;
import dev.daskrelay.avro.v1.TaskPhase;
import dev.daskrelay.avro.v1.TaskStatus;
import dev.daskrelay.schemas.config.PlatformConfig;
import dev.daskrelay.submitter.replay.Anomaly;
import dev.daskrelay.submitter.replay.AnomalyCheck;
import dev.daskrelay.submitter.replay.ObservedOutcome;
import dev.daskrelay.submitter.replay.ReplayRecord;
import dev.daskrelay.submitter.replay.TaskTimeline;
import dev.daskrelay.submitter.sdk.DaskTask;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The anomaly rules on hand-made timelines (pure). */
class AnomalyCheckTest {

    static final Instant T0 = Instant.parse("2026-11-27T20:00:00Z");

    @Test
    void aCleanLifecycleHasNoAnomaly() {
        assertEquals(List.of(), kinds(timeline("t", true, "1:QUEUED:0 2:INITIALIZING:0 3:RUNNING:0 4:RUNNING:1 5:SUCCEEDED:0"), null));
    }

    @Test
    void eachRuleFiresOnceForOnePlantedProblem() {
        assertEquals(List.of("SEQUENCE_OUT_OF_ORDER"), kinds(timeline("t", true, "1:QUEUED:0 2:INITIALIZING:0 2:RUNNING:0:other 3:SUCCEEDED:0"), null));
        assertEquals(List.of("DUPLICATE_PHASE_VERSION"), kinds(timeline("t", true, "1:QUEUED:0 2:RUNNING:1 3:RUNNING:1 4:SUCCEEDED:0"), null));
        assertEquals(List.of("PHASE_REGRESSION"), kinds(timeline("t", true, "1:QUEUED:0 2:RUNNING:0 3:QUEUED:0 4:SUCCEEDED:0"), null));
        assertEquals(List.of("EVENT_AFTER_TERMINAL"), kinds(timeline("t", true, "1:QUEUED:0 2:ABORTED:0 3:RUNNING:0"), null));
        assertEquals(List.of("SEQUENCE_GAP"), kinds(timeline("t", true, "2:QUEUED:0 3:SUCCEEDED:0"), null));
        assertEquals(List.of("LAUNCH_WITHOUT_TERMINAL"), kinds(timeline("t", true, "1:QUEUED:0 2:RUNNING:0"), null));
    }

    @Test
    void aTaskWhoseLaunchIsOutOfRangeMayStartAboveOne() {
        assertEquals(List.of(), kinds(timeline("t", false, "4:RUNNING:2 5:SUCCEEDED:0"), null));
    }

    @Test
    void launchesYoungerThanTheInFlightCutoffAreNotReported() {
        TaskTimeline open = timeline("t", true, "1:QUEUED:0");
        assertEquals(List.of(), kinds(open, T0.minusSeconds(1)));
        assertEquals(List.of("LAUNCH_WITHOUT_TERMINAL"), kinds(open, T0.plusSeconds(1)));
    }

    @Test
    void duplicateEventIdsAcrossTheWholeReplayAreReportedOnce() {
        TaskTimeline t = timeline("t", true, "1:QUEUED:0 2:RUNNING:0 2:RUNNING:0 3:SUCCEEDED:0");
        List<Anomaly> found = AnomalyCheck.check(List.of(t), null);
        assertEquals(1, found.size(), found.toString());
        assertEquals(Anomaly.Kind.DUPLICATE_EVENT_ID, found.get(0).kind());
        assertEquals("t:2", found.get(0).eventId());
    }

    @Test
    void aLaunchAcceptedAfterTheTerminalStatusIsADisagreement() {
        // the status says the abort won (nothing created), yet the command topology accepted a launch later
        TaskTimeline t = timeline("t", true, "1:ABORTED:0");
        TaskStatus terminal = t.statuses().get(0).status();
        terminal.setReason("abort of unknown task");
        Instant decided = terminal.getObservedAt();
        List<ObservedOutcome> outcomes = List.of(commandOutcome("t", CommandOutcomeKind.LAUNCH_ACCEPTED, decided.plusSeconds(2)),
                applyOutcome("t", ApplyResult.CREATED, decided.plusSeconds(3)));
        assertEquals(List.of("LAUNCH_ACCEPTED_AFTER_TERMINAL", "CREATED_AFTER_TERMINAL"), clusterKinds(t, outcomes));
    }

    @Test
    void aTerminalSayingNothingWasCreatedContradictsAnEarlierAcceptedLaunch() {
        TaskTimeline t = timeline("t", true, "1:ABORTED:0");
        TaskStatus terminal = t.statuses().get(0).status();
        terminal.setReason("abort of unknown task");
        List<ObservedOutcome> outcomes = List.of(commandOutcome("t", CommandOutcomeKind.LAUNCH_ACCEPTED,
                terminal.getObservedAt().minusSeconds(1)));
        assertEquals(List.of("TERMINAL_CONTRADICTS_LAUNCH"), clusterKinds(t, outcomes));
    }

    @Test
    void outcomesOfAnOrdinaryLifecycleAgreeWithTheStatus() {
        TaskTimeline ok = timeline("t", true, "1:QUEUED:0 2:RUNNING:0 3:ABORTED:0");
        Instant decided = ok.statuses().get(2).status().getObservedAt();
        List<ObservedOutcome> outcomes = List.of(commandOutcome("t", CommandOutcomeKind.LAUNCH_ACCEPTED, T0),
                applyOutcome("t", ApplyResult.CREATED, T0.plusMillis(500)),
                commandOutcome("t", CommandOutcomeKind.ABORT_ACCEPTED, decided.minusMillis(500)),
                // after terminal, but neither a launch nor a creation: an abort of a finished task, a delete
                commandOutcome("t", CommandOutcomeKind.ABORT_OF_FINISHED_TASK, decided.plusSeconds(5)),
                applyOutcome("t", ApplyResult.DELETED, decided.plusSeconds(6)),
                // another task's outcomes do not count
                commandOutcome("u", CommandOutcomeKind.LAUNCH_ACCEPTED, decided.plusSeconds(7)));
        assertEquals(List.of(), clusterKinds(ok, outcomes));
        // abort before launch, the launch refused afterwards: what the topics of a correct run show
        TaskTimeline refused = timeline("v", true, "1:ABORTED:0");
        refused.statuses().get(0).status().setReason("abort of unknown task");
        Instant at = refused.statuses().get(0).status().getObservedAt();
        assertEquals(List.of(), clusterKinds(refused, List.of(commandOutcome("v", CommandOutcomeKind.ABORT_UNKNOWN_TASK, at),
                commandOutcome("v", CommandOutcomeKind.LAUNCH_AFTER_ABORT, at.plusSeconds(1)))));
    }

    private static List<String> clusterKinds(TaskTimeline t, List<ObservedOutcome> outcomes) {
        return AnomalyCheck.check(List.of(t), outcomes, null).stream().map(a -> a.kind().name()).toList();
    }

    private static ObservedOutcome commandOutcome(String task, CommandOutcomeKind kind, Instant at) {
        return outcome(task, CommandOutcome.newBuilder().setCommandId("c").setKind(kind).build(), at);
    }

    private static ObservedOutcome applyOutcome(String task, ApplyResult result, Instant at) {
        return outcome(task, ApplyOutcome.newBuilder().setIntentId(task + "/X")
                .setAction(result == ApplyResult.DELETED ? IntentAction.DELETE : IntentAction.CREATE).setOutcome(result)
                .setStartedAt(at).setFinishedAt(at).build(), at);
    }

    private static ObservedOutcome outcome(String task, Object payload, Instant at) {
        return new ObservedOutcome(task, 0, 0, Observation.newBuilder().setObservationId(task + "/" + at)
                .setTaskId(task).setExecution(new ExecutionIdentity("p", "d", task, "n0", 0))
                .setSource(payload instanceof CommandOutcome ? ObservationSource.COMMANDS : ObservationSource.APPLIER)
                .setObservedAt(at).setDaskJobName(task).setDaskJobNamespace("default").setPayload(payload).build());
    }

    private static List<String> kinds(TaskTimeline t, Instant cutoff) {
        return AnomalyCheck.check(List.of(t), cutoff).stream().map(a -> a.kind().name()).toList();
    }

    /** Events {@code seq:PHASE:version[:eventIdSuffix]}; terminal phases are flagged terminal. */
    static TaskTimeline timeline(String task, boolean launchInRange, String events) {
        ExecutionIdentity exec = new ExecutionIdentity("p", "d", task, "n0", 0);
        List<ReplayRecord.Command> commands = new ArrayList<>();
        if (launchInRange) {
            TaskCommand launch = DaskTask.builder().execution("p", "d", task, "n0", 0)
                    .taskId(task).image("img:1").commandId("c-" + task)
                    .build(PlatformConfig.defaults(), Clock.fixed(T0, ZoneOffset.UTC));
            commands.add(new ReplayRecord.Command(task, 0, 0, T0, launch));
        }
        List<ReplayRecord.Status> statuses = new ArrayList<>();
        long offset = 0;
        for (String e : events.split(" ")) {
            String[] p = e.split(":");
            TaskPhase phase = TaskPhase.valueOf(p[1]);
            Instant at = T0.plusSeconds(++offset);
            TaskStatus s = TaskStatus.newBuilder().setEventId(task + ":" + p[0] + (p.length > 3 ? ":" + p[3] : "")).setTaskId(task).setExecution(exec)
                    .setSequence(Long.parseLong(p[0])).setPhase(phase).setPhaseVersion(Integer.parseInt(p[2]))
                    .setOccurredAt(at).setObservedAt(at)
                    .setTerminal(phase == TaskPhase.SUCCEEDED || phase == TaskPhase.FAILED || phase == TaskPhase.ABORTED)
                    .build();
            statuses.add(new ReplayRecord.Status(task, 0, offset, at, s));
        }
        return new TaskTimeline(task, commands, statuses);
    }
}
