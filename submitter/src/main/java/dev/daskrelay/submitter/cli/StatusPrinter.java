package dev.daskrelay.submitter.cli;

import dev.daskrelay.avro.v1.TaskPhase;
import dev.daskrelay.avro.v1.TaskStatus;
import dev.daskrelay.submitter.client.StatusFollow;
import dev.daskrelay.submitter.output.StatusFormat;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Prints a followed task: JSON lines, plain lines when piped, or one progress line rewritten in place on a
 * terminal (phase, workers ready n/m, elapsed), ending with the terminal event on its own line.
 */
public final class StatusPrinter {

    public enum Format { text, json }

    private final PrintWriter out;
    private final Format format;
    private final boolean interactive;
    private final Clock clock;

    public StatusPrinter(PrintWriter out, Format format, boolean interactive, Clock clock) {
        this.out = out;
        this.format = format;
        this.interactive = interactive && format == Format.text;
        this.clock = clock;
    }

    /** Follows to the terminal event or the timeout (null = none); returns the terminal event if reached. */
    public Optional<TaskStatus> follow(StatusFollow follow, Duration timeout) {
        Instant start = clock.instant();
        Instant deadline = timeout == null ? null : start.plus(timeout);
        TaskStatus last = null;
        int width = 0;
        while (true) {
            Duration wait = Duration.ofSeconds(1);
            if (deadline != null) {
                Duration left = Duration.between(clock.instant(), deadline);
                if (left.isNegative() || left.isZero()) {
                    if (interactive && width > 0) {
                        out.println();
                    }
                    return Optional.empty();
                }
                wait = left.compareTo(wait) < 0 ? left : wait;
            }
            Optional<TaskStatus> next = follow.next(wait);
            if (next.isPresent()) {
                last = next.get();
                if (format == Format.json) {
                    out.println(StatusFormat.jsonLine(last));
                } else if (!interactive) {
                    out.println(StatusFormat.textLine(last));
                }
            }
            if (interactive && last != null) {
                String line = StatusFormat.progressLine(last, Duration.between(start, clock.instant()));
                out.print("\r" + line + " ".repeat(Math.max(0, width - line.length())));
                width = line.length();
                if (last.getTerminal()) {
                    out.println();
                }
            }
            out.flush();
            if (last != null && last.getTerminal()) {
                return Optional.of(last);
            }
        }
    }

    static boolean succeeded(TaskStatus s) {
        return s.getPhase() == TaskPhase.SUCCEEDED;
    }
}
