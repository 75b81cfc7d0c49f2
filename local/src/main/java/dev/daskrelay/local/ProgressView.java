package dev.daskrelay.local;

import dev.daskrelay.avro.v1.TaskStatus;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;

/**
 * Shows a run's progress. On a terminal ({@code ansi}) at least {@link LiveFrame#MIN_WIDTH} columns wide: the
 * lines of {@link LiveFrame}, redrawn in place a few times a second (the cursor moves up exactly the rows the
 * previous frame drew: no line is wider than the terminal, so none wraps). Otherwise (a pipe, a log, CI, a narrow
 * terminal): one plain line per status event, nothing redrawn.
 */
final class ProgressView {

    private static final String UP = "\u001b[%dA";
    private static final String CLEAR_LINE = "\r\u001b[2K";
    private static final long REDRAW_EVERY_MS = 250;

    private final PrintWriter out;
    private final RunProgress progress;
    private final boolean live;
    private final int width;
    private int drawn;
    private Instant lastDraw = Instant.EPOCH;

    ProgressView(PrintWriter out, RunProgress progress, boolean ansi) {
        this(out, progress, ansi, ansi ? TerminalWidth.detect() : 0);
    }

    ProgressView(PrintWriter out, RunProgress progress, boolean ansi, int width) {
        this.out = out;
        this.progress = progress;
        this.width = width;
        this.live = ansi && width >= LiveFrame.MIN_WIDTH;
    }

    /** True when the view redraws lines in place (a terminal wide enough). */
    boolean live() {
        return live;
    }

    void start(Instant now) {
        if (live) {
            draw(now);
        }
    }

    /** A new status event of one of the run's tasks. */
    void event(TaskStatus s) {
        if (!live) {
            out.println(progress.eventLine(s, progress.idWidth()));
            out.flush();
        }
    }

    /** Called after every poll: redraws the lines on a terminal (at most every 250 ms). */
    void refresh(Instant now) {
        if (live && now.toEpochMilli() - lastDraw.toEpochMilli() >= REDRAW_EVERY_MS) {
            draw(now);
        }
    }

    void finish(Instant now) {
        if (live) {
            draw(now);
        }
    }

    private void draw(Instant now) {
        List<String> lines = LiveFrame.render(progress, now, width);
        StringBuilder sb = new StringBuilder();
        if (drawn > 0) {
            sb.append(String.format(UP, drawn));
        }
        for (String line : lines) {
            sb.append(CLEAR_LINE).append(line).append('\n');
        }
        out.print(sb);
        out.flush();
        drawn = lines.size();
        lastDraw = now;
    }
}
