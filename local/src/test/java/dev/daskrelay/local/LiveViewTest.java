package dev.daskrelay.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.daskrelay.avro.v1.ComponentsDetail;
import dev.daskrelay.avro.v1.ErrorKind;
import dev.daskrelay.avro.v1.TaskError;
import dev.daskrelay.avro.v1.TaskPhase;
import dev.daskrelay.avro.v1.TaskStatus;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The live view of {@code daskrelay local} as a pure function of the terminal width: it fits (no line wraps), the
 * redraw moves up exactly the rows it drew, and narrow terminals and pipes get plain lines.
 */
class LiveViewTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final String SUCCESS = "examples-development-hello-dask-n0-0";
    private static final String FAILURE = "examples-development-failing-dask-n0-0";
    private static final String SPOT = "examples-development-spot-dask-n0-0";

    private static RunProgress bundledRun() {
        RunProgress p = new RunProgress();
        p.add(new RunProgress.Task(SUCCESS, "bundled example success", TaskPhase.SUCCEEDED, 2));
        p.add(new RunProgress.Task(FAILURE, "bundled example failure", TaskPhase.FAILED, 1));
        p.add(new RunProgress.Task(SPOT, "bundled example interruptible", TaskPhase.SUCCEEDED, 4));
        for (String t : List.of(SUCCESS, FAILURE, SPOT)) {
            p.submitted(t, T0);
        }
        p.accept(status(SUCCESS, 1, TaskPhase.INITIALIZING, 5,
                "cluster created (runner Running ready, scheduler Running ready, workers ready 0/2)", null, 0, 2, false));
        p.accept(status(FAILURE, 1, TaskPhase.FAILED, 0, "RunnerExitCode",
                new TaskError("RunnerExitCode", "runner exited with code 1: Traceback (most recent call last): "
                        + "ValueError: the input had no rows", ErrorKind.USER, true), 1, 1, true));
        p.accept(status(SPOT, 1, TaskPhase.WAITING_FOR_RESOURCES, 2,
                "workers unschedulable: 0/3 nodes are available: 3 Insufficient cpu", null, 0, 4, false));
        return p;
    }

    private static TaskStatus status(String task, long seq, TaskPhase phase, int version, String reason, TaskError error,
                                     int ready, int desired, boolean terminal) {
        return TaskStatus.newBuilder().setEventId(task + ":" + seq).setTaskId(task).setSequence(seq).setPhase(phase)
                .setPhaseVersion(version).setReason(reason).setError(error)
                .setComponents(ComponentsDetail.newBuilder().setWorkersReady(ready).setWorkersDesired(desired).build())
                .setOccurredAt(T0.plusMillis(1500)).setObservedAt(T0.plusMillis(1500)).setTerminal(terminal).build();
    }

    @ParameterizedTest
    @ValueSource(ints = {60, 72, 80, 100, 120, 200})
    void everyLineFitsTheTerminalWidth(int width) {
        List<String> lines = LiveFrame.render(bundledRun(), T0.plusSeconds(5), width);
        assertEquals(3, lines.size());
        for (String line : lines) {
            assertTrue(line.length() <= width - 1, width + " columns: " + line.length() + " chars: " + line);
        }
    }

    @Test
    void onEightyColumnsTheLinesStillSayWhatMatters() {
        List<String> lines = LiveFrame.render(bundledRun(), T0.plusSeconds(5), 80);
        String success = lines.get(0);
        assertTrue(success.contains("INITIALIZING v5") && success.contains("0/2") && success.contains("+5.0s"), success);
        String failure = lines.get(1);
        assertTrue(failure.startsWith("ok "), "reached its expected end: " + failure);
        assertTrue(failure.contains("FAILED") && failure.contains("+1.5s"), failure);
        assertTrue(failure.endsWith("…"), "a long detail is cut, not wrapped: " + failure);
        assertTrue(lines.get(2).contains("WAITING_FOR_RE…"), lines.get(2));
        // shortened ids keep the parts that tell the tasks apart
        assertTrue(lines.get(0).contains("…hello-dask-n0-0 ") || lines.get(0).contains("-hello-dask-n0-0 "), lines.get(0));
        assertTrue(lines.get(1).contains("failing-dask-n0-0 "), lines.get(1));
        assertTrue(lines.get(2).contains("-spot-dask-n0-0 "), lines.get(2));
        assertTrue(lines.get(0).contains("cluster created (r"), "about 20 characters of the reason: " + lines.get(0));
        List<String> wide = LiveFrame.render(bundledRun(), T0.plusSeconds(5), 250);
        assertTrue(wide.get(1).contains(FAILURE) && wide.get(1).endsWith("ValueError: the input had no rows"), wide.get(1));
    }

    @Test
    void aTooNarrowTerminalGetsNoFrame() {
        assertEquals(List.of(), LiveFrame.render(bundledRun(), T0, LiveFrame.MIN_WIDTH - 1));
        ProgressView narrow = new ProgressView(new PrintWriter(new StringWriter()), bundledRun(), true, 40);
        assertFalse(narrow.live(), "plain lines on a narrow terminal");
        assertFalse(new ProgressView(new PrintWriter(new StringWriter()), bundledRun(), false, 200).live(), "a pipe");
    }

    @Test
    void theRedrawMovesUpExactlyTheRowsTheLastFrameDrew() {
        StringWriter screen = new StringWriter();
        RunProgress p = bundledRun();
        ProgressView view = new ProgressView(new PrintWriter(screen), p, true, 80);
        assertTrue(view.live());
        view.start(T0);
        view.refresh(T0.plusSeconds(1));
        view.refresh(T0.plusSeconds(2));
        view.finish(T0.plusSeconds(3));
        String out = screen.toString();
        // frames: [cursor up n] (clear line, text, newline) x lines
        List<Integer> ups = new ArrayList<>();
        Matcher m = Pattern.compile("\u001b\\[(\\d+)A").matcher(out);
        while (m.find()) {
            ups.add(Integer.parseInt(m.group(1)));
        }
        assertEquals(List.of(3, 3, 3), ups, "three redraws, each up over the three rows drawn before");
        long rows = out.chars().filter(c -> c == '\n').count();
        assertEquals(4 * 3, rows, "four frames of three lines");
        for (String row : out.split("\n")) {
            String text = row.replaceAll("\u001b\\[\\d+A", "").replace("\r\u001b[2K", "");
            assertTrue(text.length() <= 79, "no row wider than the terminal: " + text);
        }
    }

    @Test
    void withoutATerminalEachEventIsOnePlainLine() {
        StringWriter out = new StringWriter();
        RunProgress p = bundledRun();
        ProgressView view = new ProgressView(new PrintWriter(out), p, false, 0);
        view.start(T0);
        view.event(p.latest(FAILURE).orElseThrow());
        view.refresh(T0.plusSeconds(5));
        view.finish(T0.plusSeconds(6));
        assertEquals(1, out.toString().lines().count(), out.toString());
        assertFalse(out.toString().contains("\u001b"), "no escape sequences in a pipe");
    }
}
