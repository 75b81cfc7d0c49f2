package dev.daskrelay.submitter.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.daskrelay.avro.v1.TaskPhase;
import dev.daskrelay.avro.v1.TaskStatus;
import dev.daskrelay.schemas.task.DurationText;
import dev.daskrelay.submitter.client.StatusFollow;
import dev.daskrelay.submitter.output.StatusFormat;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Prints followed tasks until each reaches its terminal event or the time runs out. JSON lines with
 * {@code -o json}; otherwise one line per event, or, for a single task on a terminal, one progress line rewritten
 * in place (phase, workers ready n/m, elapsed). Where a task runs (DaskJob, runner pod, the {@code kubectl logs}
 * and dashboard port-forward commands, configured log links) is printed once, as soon as its runner pod is known.
 * Several tasks are followed together and end with a summary: one line (or JSON object) per task.
 */
public final class StatusPrinter {

    public enum Format { text, json }

    /** A task to follow: its id, where it came from (a file name, or null) and its open follow. */
    public record Followed(String taskId, String source, StatusFollow follow) {
    }

    /** What became of a followed task: its last event, if any. */
    public record Outcome(String taskId, String source, Optional<TaskStatus> last) {
        public boolean terminal() {
            return last.map(TaskStatus::getTerminal).orElse(false);
        }

        public boolean succeeded() {
            return terminal() && last.get().getPhase() == TaskPhase.SUCCEEDED;
        }
    }

    private static final Duration SLICE = Duration.ofMillis(100);
    private static final String WHERE_INDENT = "    ";

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

    /** Follows one task to its terminal event or the timeout (null = none); returns the terminal event if reached. */
    public Optional<TaskStatus> follow(StatusFollow follow, Duration timeout) {
        Outcome o = follow(List.of(new Followed(follow.taskId(), null, follow)), timeout).get(0);
        return o.terminal() ? o.last() : Optional.empty();
    }

    /**
     * Follows the tasks together until every one is terminal or the timeout (null = none) passed; prints each
     * event as it arrives, and a summary when there is more than one task.
     */
    public List<Outcome> follow(List<Followed> tasks, Duration timeout) {
        Instant start = clock.instant();
        Instant deadline = timeout == null ? null : start.plus(timeout);
        Map<String, TaskStatus> last = new LinkedHashMap<>();
        Set<String> whereShown = new HashSet<>();
        boolean progressLine = interactive && tasks.size() == 1;
        Duration slice = tasks.size() == 1 ? Duration.ofSeconds(1) : SLICE;
        int width = 0;
        while (true) {
            boolean allDone = true;
            for (Followed f : tasks) {
                TaskStatus seen = last.get(f.taskId());
                if (seen != null && seen.getTerminal()) {
                    continue;
                }
                allDone = false;
                Duration wait = slice;
                if (deadline != null) {
                    Duration left = Duration.between(clock.instant(), deadline);
                    if (left.isNegative() || left.isZero()) {
                        break;
                    }
                    wait = left.compareTo(wait) < 0 ? left : wait;
                }
                Optional<TaskStatus> next = f.follow().next(wait);
                if (next.isEmpty()) {
                    continue;
                }
                TaskStatus s = next.get();
                last.put(f.taskId(), s);
                List<String> where = !whereShown.contains(f.taskId()) && (s.getRunnerPod() != null || s.getTerminal())
                        ? StatusFormat.whereLines(s) : List.of();
                if (!where.isEmpty()) {
                    whereShown.add(f.taskId());
                }
                if (format == Format.json) {
                    out.println(StatusFormat.jsonLine(s));
                } else if (!progressLine) {
                    out.println(StatusFormat.textLine(s));
                    where.forEach(l -> out.println(WHERE_INDENT + l));
                } else {
                    String line = StatusFormat.progressLine(s, Duration.between(start, clock.instant()));
                    out.print("\r" + line + " ".repeat(Math.max(0, width - line.length())));
                    width = line.length();
                    if (!where.isEmpty() || s.getTerminal()) {
                        out.println();
                        width = 0;
                        where.forEach(l -> out.println(WHERE_INDENT + l));
                    }
                }
                out.flush();
            }
            if (allDone || deadline != null && !clock.instant().isBefore(deadline)) {
                break;
            }
            if (progressLine && width > 0) {
                TaskStatus s = last.get(tasks.get(0).taskId());
                String line = StatusFormat.progressLine(s, Duration.between(start, clock.instant()));
                out.print("\r" + line + " ".repeat(Math.max(0, width - line.length())));
                width = line.length();
                out.flush();
            }
        }
        if (progressLine && width > 0) {
            out.println();
        }
        List<Outcome> outcomes = new ArrayList<>();
        for (Followed f : tasks) {
            outcomes.add(new Outcome(f.taskId(), f.source(), Optional.ofNullable(last.get(f.taskId()))));
        }
        if (tasks.size() > 1) {
            summary(outcomes, timeout);
        }
        out.flush();
        return outcomes;
    }

    /** The summary of several followed tasks: how many succeeded, then one line (or one JSON object) per task. */
    void summary(List<Outcome> outcomes, Duration timeout) {
        long succeeded = outcomes.stream().filter(Outcome::succeeded).count();
        long unfinished = outcomes.stream().filter(o -> !o.terminal()).count();
        if (format == Format.json) {
            ObjectNode o = StatusFormat.JSON.createObjectNode().put("type", "summary").put("tasks", outcomes.size())
                    .put("succeeded", succeeded).put("unfinished", unfinished);
            ArrayNode results = o.putArray("results");
            for (Outcome r : outcomes) {
                ObjectNode t = results.addObject().put("taskId", r.taskId()).put("source", r.source())
                        .put("phase", r.last().map(s -> s.getPhase().name()).orElse(null))
                        .put("terminal", r.terminal());
                r.last().ifPresent(s -> t.put("detail", StatusFormat.detail(s)));
            }
            out.println(StatusFormat.write(o));
            return;
        }
        out.println();
        out.println("summary: " + succeeded + " of " + outcomes.size() + " tasks SUCCEEDED"
                + (unfinished == 0 ? "" : ", " + unfinished + " not finished"
                + (timeout == null ? "" : " within " + DurationText.format(timeout))));
        int idWidth = outcomes.stream().mapToInt(o -> o.taskId().length()).max().orElse(0);
        for (Outcome r : outcomes) {
            String phase = r.last().map(StatusFormat::phase).orElse("no status");
            String detail = r.last().map(StatusFormat::detail).orElse("");
            String line = String.format("  %-10s %-" + idWidth + "s  %s", phase.split(" ")[0], r.taskId(),
                    (r.source() == null ? "" : r.source() + "  ") + (r.terminal() ? detail : "not finished"));
            out.println(line.stripTrailing());
        }
    }

    static boolean succeeded(TaskStatus s) {
        return s.getPhase() == TaskPhase.SUCCEEDED;
    }
}
