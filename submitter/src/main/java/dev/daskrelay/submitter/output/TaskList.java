package dev.daskrelay.submitter.output;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.daskrelay.avro.v1.ExecutionIdentity;
import dev.daskrelay.avro.v1.TaskStatus;
import dev.daskrelay.submitter.replay.ReplayRecord;
import dev.daskrelay.submitter.replay.TaskTimeline;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * {@code daskrelay list}: one row per task seen in a time window, newest activity first. Pure: timelines and the
 * current time in, rows and their text or JSON out.
 */
public final class TaskList {

    /** The phase shown for a task whose launch was read but that has no status yet. */
    public static final String SUBMITTED = "SUBMITTED";

    /**
     * One task.
     *
     * @param taskId the task id
     * @param phase its latest phase, or {@link #SUBMITTED}
     * @param terminal true once it ended
     * @param startedAt its launch's issue time, or its first record in the window
     * @param updatedAt its latest record
     * @param detail reason, message and error of its latest status
     * @param status its latest status, if any
     * @param execution its execution, if known
     * @param namespace its target namespace, if known
     */
    public record Row(String taskId, String phase, boolean terminal, Instant startedAt, Instant updatedAt, String detail,
                      Optional<TaskStatus> status, Optional<ExecutionIdentity> execution, Optional<String> namespace) {
    }

    private TaskList() {
    }

    /** Rows of the timelines whose phase is one of {@code phases} (empty = any) and that are not terminal when {@code activeOnly}. */
    public static List<Row> rows(List<TaskTimeline> timelines, Set<String> phases, boolean activeOnly, int limit) {
        List<Row> rows = new ArrayList<>();
        for (TaskTimeline t : timelines) {
            Optional<TaskStatus> last = t.last();
            String phase = last.map(s -> s.getPhase().name()).orElse(SUBMITTED);
            boolean terminal = last.map(TaskStatus::getTerminal).orElse(false);
            if (activeOnly && terminal || !phases.isEmpty() && !phases.contains(phase)) {
                continue;
            }
            Instant started = t.firstLaunch().map(ReplayRecord::time).orElse(t.start());
            rows.add(new Row(t.taskId(), phase, terminal, started, t.end(), last.map(StatusFormat::detail).orElse(""),
                    last, t.execution(), t.namespace()));
        }
        rows.sort(Comparator.comparing(Row::updatedAt).reversed().thenComparing(Row::taskId));
        return rows.size() > limit ? List.copyOf(rows.subList(0, limit)) : rows;
    }

    /**
     * The table: {@code TASK  PHASE  AGE  UPDATED  DETAIL}, ages relative to {@code now}; with {@code width > 0}
     * each line is cut to that many characters (a terminal), otherwise lines are whole (a pipe).
     */
    public static String table(List<Row> rows, Instant now, int width) {
        int idWidth = Math.max("TASK".length(), rows.stream().mapToInt(r -> r.taskId().length()).max().orElse(0));
        String format = "%-" + idWidth + "s  %-22s  %6s  %7s  %s";
        StringBuilder b = new StringBuilder();
        b.append(cut(String.format(format, "TASK", "PHASE", "AGE", "UPDATED", "DETAIL").stripTrailing(), width)).append('\n');
        for (Row r : rows) {
            String phase = r.status().map(StatusFormat::phase).orElse(r.phase());
            String line = String.format(format, r.taskId(), phase, age(r.startedAt(), now), age(r.updatedAt(), now),
                    r.detail()).stripTrailing();
            b.append(cut(line, width)).append('\n');
        }
        return b.toString();
    }

    /** One JSON object per row. */
    public static ObjectNode json(Row r) {
        ObjectNode o = StatusFormat.JSON.createObjectNode().put("type", "task").put("taskId", r.taskId())
                .put("phase", r.phase()).put("terminal", r.terminal())
                .put("startedAt", StatusFormat.iso(r.startedAt())).put("updatedAt", StatusFormat.iso(r.updatedAt()))
                .put("detail", r.detail());
        r.execution().ifPresent(x -> o.putObject("execution").put("project", x.getProject()).put("domain", x.getDomain())
                .put("name", x.getName()).put("nodeId", x.getNodeId()).put("retryAttempt", x.getRetryAttempt()));
        o.put("namespace", r.namespace().orElse(null));
        r.status().ifPresent(s -> o.set("status", StatusFormat.json(s)));
        return o;
    }

    /** {@code 5s}, {@code 3m}, {@code 2h}, {@code 4d}: how long ago. */
    static String age(Instant t, Instant now) {
        long s = Math.max(0, Duration.between(t, now).toSeconds());
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return s / 60 + "m";
        }
        if (s < 86_400) {
            return s / 3600 + "h";
        }
        return s / 86_400 + "d";
    }

    private static String cut(String line, int width) {
        return width <= 0 || line.length() <= width ? line : line.substring(0, Math.max(1, width - 1)) + "…";
    }

    /** The phase names a {@code --phase} option accepts. */
    public static String phaseName(String given) {
        String p = given.trim().toUpperCase(Locale.ROOT);
        Set<String> known = Set.of(SUBMITTED, "QUEUED", "WAITING_FOR_RESOURCES", "INITIALIZING", "RUNNING", "SUCCEEDED",
                "FAILED", "ABORTED");
        if (!known.contains(p)) {
            throw new IllegalArgumentException("--phase: unknown phase \"" + given + "\" (one of SUBMITTED, QUEUED, "
                    + "WAITING_FOR_RESOURCES, INITIALIZING, RUNNING, SUCCEEDED, FAILED, ABORTED)");
        }
        return p;
    }
}
