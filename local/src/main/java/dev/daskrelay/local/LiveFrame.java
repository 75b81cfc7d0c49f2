package dev.daskrelay.local;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One frame of {@code daskrelay local}'s live view, as a pure function of the run's progress, the time and the
 * terminal's width: one line per task, {@code mark  task  phase  workers  elapsed  detail}, every line at most
 * {@code width - 1} characters so that no line wraps (a wrapped line takes two rows, and the redraw, which moves
 * the cursor up one row per line, would then miss it and frames would pile up). Long task ids are shortened (their
 * end kept) so that at least {@link #MIN_DETAIL} characters of the latest reason show, and the reason is cut to
 * what is left; a terminal narrower than {@link #MIN_WIDTH} gets no frame at all
 * (the view then prints plain lines).
 */
final class LiveFrame {

    /** Narrowest terminal the live view draws on. */
    static final int MIN_WIDTH = 60;
    static final int PHASE = 15;
    static final int WORKERS = 5;
    static final int ELAPSED = 7;
    /** Mark, separators and the fixed columns, without the task id and the detail. */
    static final int FIXED = 3 + 2 + PHASE + 1 + WORKERS + 1 + ELAPSED + 2;
    static final int MIN_DETAIL = 20;
    static final int MIN_ID = 16;

    private LiveFrame() {
    }

    /** The lines of the frame, or an empty list when {@code width} is below {@link #MIN_WIDTH}. */
    static List<String> render(RunProgress progress, Instant now, int width) {
        List<String> lines = new ArrayList<>();
        if (width < MIN_WIDTH) {
            return lines;
        }
        int usable = width - 1;
        int idWidth = Math.max(MIN_ID, Math.min(progress.idWidth(), usable - FIXED - MIN_DETAIL));
        for (RunProgress.Task t : progress.tasks()) {
            RunProgress.Row r = progress.row(t.taskId(), now);
            String line = String.format("%-2s %-" + idWidth + "s  %-" + PHASE + "s %" + WORKERS + "s %" + ELAPSED + "s  %s",
                    r.mark(), middle(t.taskId(), idWidth), cut(r.phase(), PHASE), cut(r.workers(), WORKERS), r.elapsed(),
                    r.detail());
            lines.add(cut(line.stripTrailing(), usable));
        }
        return lines;
    }

    /** The text cut to {@code max} characters, ending with {@code …} when cut. */
    static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, Math.max(0, max - 1)) + "…";
    }

    /**
     * The text shortened to {@code max} characters, keeping mostly its end: a task id derived from the execution
     * ({@code project-domain-name-node-attempt}) tells tasks apart by its last parts; the whole ids are printed
     * above the live view and in the timelines.
     */
    static String middle(String s, int max) {
        if (s.length() <= max) {
            return s;
        }
        int head = (max - 1) / 4;
        int tail = max - 1 - head;
        return s.substring(0, head) + "…" + s.substring(s.length() - tail);
    }
}
