package dev.daskrelay.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.daskrelay.avro.v1.ComponentsDetail;
import dev.daskrelay.avro.v1.ErrorKind;
import dev.daskrelay.avro.v1.TaskError;
import dev.daskrelay.avro.v1.TaskPhase;
import dev.daskrelay.avro.v1.TaskStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RunProgressTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private static TaskStatus status(String task, long seq, TaskPhase phase, int version, int ready, int desired,
                                     boolean terminal, long atMillis) {
        return TaskStatus.newBuilder().setEventId(task + ":" + seq).setTaskId(task).setSequence(seq).setPhase(phase)
                .setPhaseVersion(version).setReason(phase == TaskPhase.RUNNING ? "workers ready " + ready + "/" + desired : null)
                .setComponents(ComponentsDetail.newBuilder().setWorkersDesired(desired).setWorkersReady(ready).build())
                .setError(phase == TaskPhase.FAILED ? new TaskError("RunnerExitCode", "runner exited with code 1",
                        ErrorKind.USER, true) : null)
                .setOccurredAt(T0.plusMillis(atMillis)).setObservedAt(T0.plusMillis(atMillis)).setTerminal(terminal)
                .build();
    }

    private static RunProgress twoTasks() {
        RunProgress p = new RunProgress();
        p.add(new RunProgress.Task("a", "bundled example success", TaskPhase.SUCCEEDED, 2));
        p.add(new RunProgress.Task("b", "bundled example failure", TaskPhase.FAILED, 1));
        p.submitted("a", T0);
        p.submitted("b", T0);
        return p;
    }

    @Test
    void keepsEachTasksEventsInSequenceOnceAndIgnoresOtherTasks() {
        RunProgress p = twoTasks();
        assertTrue(p.accept(status("a", 2, TaskPhase.INITIALIZING, 0, 0, 2, false, 200)));
        assertTrue(p.accept(status("a", 1, TaskPhase.QUEUED, 0, 0, 2, false, 100)));
        assertFalse(p.accept(status("a", 1, TaskPhase.QUEUED, 0, 0, 2, false, 100)), "a duplicate");
        assertFalse(p.accept(status("someone-else", 1, TaskPhase.QUEUED, 0, 0, 2, false, 100)));
        assertEquals(List.of(1L, 2L), p.events("a").stream().map(TaskStatus::getSequence).toList());
        assertEquals(TaskPhase.INITIALIZING, p.latest("a").orElseThrow().getPhase());
    }

    @Test
    void outcomesCompareTheTerminalPhaseWithTheExpectedOne() {
        RunProgress p = twoTasks();
        p.accept(status("a", 1, TaskPhase.QUEUED, 0, 0, 2, false, 100));
        assertFalse(p.allTerminal());
        assertEquals(Optional.empty(), p.outcomes().get(0).reached());
        assertFalse(p.allAsExpected(), "not finished is not as expected");

        p.accept(status("a", 2, TaskPhase.SUCCEEDED, 0, 2, 2, true, 3000));
        p.accept(status("b", 1, TaskPhase.SUCCEEDED, 0, 1, 1, true, 3000));
        assertTrue(p.allTerminal());
        assertTrue(p.outcomes().get(0).asExpected());
        assertFalse(p.outcomes().get(1).asExpected(), "b was expected to fail");
        assertFalse(p.allAsExpected());
    }

    @Test
    void theLiveRowShowsPhaseWorkersAndElapsedFrozenAtTheEnd() {
        RunProgress p = twoTasks();
        assertEquals(new RunProgress.Row("", "SUBMITTED", "0/2", "+1.0s", ""), p.row("a", T0.plusSeconds(1)),
                "desired workers from the launch");

        p.accept(status("a", 3, TaskPhase.RUNNING, 1, 1, 2, false, 2500));
        assertEquals(new RunProgress.Row("", "RUNNING v1", "1/2", "+4.2s", "workers ready 1/2"), p.row("a", T0.plusMillis(4200)));

        p.accept(status("b", 1, TaskPhase.FAILED, 0, 0, 1, true, 1500));
        RunProgress.Row failed = p.row("b", T0.plusSeconds(60));
        assertEquals("ok", failed.mark(), "expected end reached");
        assertEquals("+1.5s", failed.elapsed(), "elapsed stops at the terminal event");
        assertEquals("RunnerExitCode (USER error, retryable): runner exited with code 1", failed.detail());
    }

    @Test
    void elapsedTimesAreNeverNegative() {
        RunProgress p = twoTasks();
        String line = p.eventLine(status("a", 1, TaskPhase.QUEUED, 0, 0, 2, false, -1900), 1);
        assertTrue(line.trim().startsWith("+0.0s"), line);
        assertEquals("+0.0s", Timeline.seconds(Duration.ofMillis(-1900)));
    }

    @Test
    void plainEventLinesCarrySequenceAndPhase() {
        RunProgress p = twoTasks();
        String line = p.eventLine(status("a", 4, TaskPhase.RUNNING, 2, 2, 2, false, 3300), 1);
        assertTrue(line.contains("#4"), line);
        assertTrue(line.contains("RUNNING v2"), line);
        assertTrue(line.contains("workers 2/2"), line);
        assertTrue(line.trim().startsWith("+3.3s"), line);
    }
}
