package dev.daskrelay.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.daskrelay.avro.v1.ErrorKind;
import dev.daskrelay.avro.v1.TaskError;
import dev.daskrelay.avro.v1.TaskPhase;
import dev.daskrelay.avro.v1.TaskStatus;
import dev.daskrelay.submitter.output.StatusFormat;
import dev.daskrelay.submitter.replay.ReplayFilter;
import dev.daskrelay.submitter.replay.ReplayRecord;
import dev.daskrelay.submitter.replay.ReplayReport;
import dev.daskrelay.submitter.replay.TimelineText;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What {@code daskrelay local} prints besides the live view. Pure. */
class LocalOutputTest {

    private static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");

    private static TaskStatus event(String task, long seq, TaskPhase phase, Instant occurred, Instant observed) {
        return TaskStatus.newBuilder().setEventId(task + ":" + seq).setTaskId(task).setSequence(seq).setPhase(phase)
                .setReason(phase.name().toLowerCase()).setOccurredAt(occurred).setObservedAt(observed)
                .setTerminal(phase == TaskPhase.FAILED).build();
    }

    @Test
    void theKeepRunningStreamUsesArrivalTimesSoTheyNeverGoBackwards() {
        EventStream stream = new EventStream(ZoneOffset.UTC);
        // the second event happened (occurredAt) before the first one was seen; a task on another partition
        // arrives with an older timestamp
        String a1 = stream.line(event("a", 1, TaskPhase.QUEUED, T0.plusSeconds(5), T0.plusSeconds(5)), T0.plusSeconds(6));
        String a2 = stream.line(event("a", 2, TaskPhase.INITIALIZING, T0.plusSeconds(3), T0.plusSeconds(7)), T0.plusMillis(7900));
        String b1 = stream.line(event("b", 1, TaskPhase.QUEUED, T0, T0), T0.plusSeconds(8));
        assertEquals("10:00:06.0   +0.0s  a  #1  QUEUED                 queued", a1);
        assertEquals("10:00:07.9   +1.9s  a  #2  INITIALIZING           initializing", a2);
        assertEquals("10:00:08.0   +0.0s  b  #1  QUEUED                 queued", b1);
    }

    @Test
    void oneFailedEventReadsTheSameInLocalFollowAndReplay() {
        TaskStatus failed = TaskStatus.newBuilder().setEventId("t:5").setTaskId("t").setSequence(5)
                .setPhase(TaskPhase.FAILED).setReason("RunnerExitCode").setMessage("runner exited with code 1")
                .setError(new TaskError("RunnerExitCode", "runner exited with code 1", ErrorKind.USER, true))
                .setOccurredAt(T0).setObservedAt(T0).setTerminal(true).build();
        String detail = "RunnerExitCode (USER error, retryable): runner exited with code 1";
        assertEquals(detail, StatusFormat.detail(failed));
        assertTrue(Timeline.render("t", List.of(failed)).contains("#5  FAILED                 " + detail), "local's timeline");
        assertTrue(StatusFormat.textLine(failed).endsWith("#5 FAILED  " + detail), "follow and status");
        RunProgress p = new RunProgress();
        p.add(new RunProgress.Task("t", "x", TaskPhase.FAILED, 1));
        assertTrue(p.eventLine(failed, 1).endsWith(detail), "local's plain lines");
        ReplayReport report = ReplayReport.of(List.of(new ReplayRecord.Status("t", 0, 0, T0, failed)),
                ReplayFilter.ALL, null, null, T0);
        assertTrue(TimelineText.table(report).contains("FAILED                  " + detail), TimelineText.table(report));
    }

    @Test
    void copyPasteCommandsCarryTheSettingsTheyNeed() {
        assertEquals("bin/daskrelay", CopyPaste.cli("127.0.0.1:19092", "daskrelay"));
        assertEquals("DASKRELAY_BOOTSTRAP_SERVERS=127.0.0.1:40123 bin/daskrelay", CopyPaste.cli("127.0.0.1:40123", "daskrelay"));
        assertEquals("DASKRELAY_BOOTSTRAP_SERVERS=127.0.0.1:40123 DASKRELAY_TOPIC_PREFIX=team-a bin/daskrelay",
                CopyPaste.cli("127.0.0.1:40123", "team-a"));
    }

    @Test
    void anUnknownSimulatorScenarioIsRefused() {
        ExpectedEnd.checkScenario(Map.of(ExpectedEnd.SCENARIO_ANNOTATION, "runner-exit:3"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
                ExpectedEnd.checkScenario(Map.of(ExpectedEnd.SCENARIO_ANNOTATION, "sucess")));
        assertTrue(e.getMessage().startsWith("annotations[\"simulator.daskrelay.dev/scenario\"]: invalid value 'sucess': "
                + "expected one of success"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () ->
                ExpectedEnd.checkScenario(Map.of("simulator.daskrelay.dev/run-for", "a while")));
    }
}
