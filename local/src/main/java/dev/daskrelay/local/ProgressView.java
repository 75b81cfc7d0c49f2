package dev.daskrelay.local;

import dev.daskrelay.avro.v1.TaskStatus;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;

/**
 * Shows a run's progress. On a terminal ({@code ansi}): one line per task (phase, workers ready n/m, elapsed,
 * latest reason), redrawn in place with ANSI cursor movements a few times a second. Otherwise (a pipe, a log, CI):
 * one plain line per status event, nothing redrawn.
 */
final class ProgressView {

    private static final String UP = "\u001b[%dA";
    private static final String CLEAR_LINE = "\r\u001b[2K";
    private static final long REDRAW_EVERY_MS = 250;

    private final PrintWriter out;
    private final RunProgress progress;
    private final boolean ansi;
    private int drawn;
    private Instant lastDraw = Instant.EPOCH;
    /** A redrawn line must not wrap, or the cursor movements miss it. */
    private final int columns = columns();

    ProgressView(PrintWriter out, RunProgress progress, boolean ansi) {
        this.out = out;
        this.progress = progress;
        this.ansi = ansi;
    }

    void start(Instant now) {
        if (ansi) {
            draw(now);
        }
    }

    /** A new status event of one of the run's tasks. */
    void event(TaskStatus s) {
        if (!ansi) {
            out.println(progress.eventLine(s, progress.idWidth()));
            out.flush();
        }
    }

    /** Called after every poll: redraws the lines on a terminal (at most every 250 ms, and on news). */
    void refresh(Instant now) {
        if (ansi && now.toEpochMilli() - lastDraw.toEpochMilli() >= REDRAW_EVERY_MS) {
            draw(now);
        }
    }

    void finish(Instant now) {
        if (ansi) {
            draw(now);
        }
    }

    private static int columns() {
        try {
            int c = Integer.parseInt(System.getenv().getOrDefault("COLUMNS", "120").trim());
            return c >= 40 ? c : 120;
        } catch (NumberFormatException e) {
            return 120;
        }
    }

    private void draw(Instant now) {
        List<RunProgress.Task> tasks = progress.tasks();
        StringBuilder sb = new StringBuilder();
        if (drawn > 0) {
            sb.append(String.format(UP, drawn));
        }
        int width = progress.idWidth();
        for (RunProgress.Task t : tasks) {
            String line = progress.line(t.taskId(), now, width);
            sb.append(CLEAR_LINE).append(line.length() < columns ? line : line.substring(0, columns - 1)).append('\n');
        }
        out.print(sb);
        out.flush();
        drawn = tasks.size();
        lastDraw = now;
    }
}
