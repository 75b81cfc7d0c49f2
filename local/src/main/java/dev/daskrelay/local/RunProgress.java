package dev.daskrelay.local;

import dev.daskrelay.avro.v1.ComponentsDetail;
import dev.daskrelay.avro.v1.TaskPhase;
import dev.daskrelay.avro.v1.TaskStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code daskrelay local} knows about the tasks it submitted: each task's status events (in sequence order,
 * duplicates ignored), its expected end, and the progress line shown for it. No clock and no I/O: the caller passes
 * the current time in.
 */
public final class RunProgress {

    /**
     * One submitted task.
     *
     * @param taskId the task id
     * @param source where the task came from (file name, or the bundled example's name)
     * @param expected the terminal phase the run expects ({@link ExpectedEnd})
     * @param workersDesired {@code dask.workers.numberOfWorkers} of the launch
     */
    public record Task(String taskId, String source, TaskPhase expected, int workersDesired) {
    }

    /** The outcome of one task at the end of a run. */
    public record Outcome(Task task, Optional<TaskPhase> reached, boolean asExpected) {
    }

    private final Map<String, Task> tasks = new LinkedHashMap<>();
    private final Map<String, List<TaskStatus>> events = new LinkedHashMap<>();
    private final Map<String, Instant> submittedAt = new LinkedHashMap<>();

    /** Registers a task before it is submitted. */
    public void add(Task task) {
        tasks.put(task.taskId(), task);
        events.put(task.taskId(), new ArrayList<>());
    }

    public void submitted(String taskId, Instant at) {
        submittedAt.put(taskId, at);
    }

    public List<Task> tasks() {
        return List.copyOf(tasks.values());
    }

    /**
     * Records a status event of one of the tasks.
     *
     * @return true when it is new (a task of this run, a sequence not seen yet)
     */
    public boolean accept(TaskStatus status) {
        List<TaskStatus> list = events.get(status.getTaskId());
        if (list == null) {
            return false;
        }
        for (TaskStatus seen : list) {
            if (seen.getSequence() == status.getSequence()) {
                return false;
            }
        }
        list.add(status);
        list.sort((a, b) -> Long.compare(a.getSequence(), b.getSequence()));
        return true;
    }

    public List<TaskStatus> events(String taskId) {
        return List.copyOf(events.getOrDefault(taskId, List.of()));
    }

    public Optional<TaskStatus> latest(String taskId) {
        List<TaskStatus> list = events.getOrDefault(taskId, List.of());
        return list.isEmpty() ? Optional.empty() : Optional.of(list.get(list.size() - 1));
    }

    public boolean terminal(String taskId) {
        return latest(taskId).map(TaskStatus::getTerminal).orElse(false);
    }

    public boolean allTerminal() {
        return tasks.keySet().stream().allMatch(this::terminal);
    }

    /** Each task's outcome: the terminal phase reached (if any) against the expected one. */
    public List<Outcome> outcomes() {
        List<Outcome> out = new ArrayList<>();
        for (Task t : tasks.values()) {
            Optional<TaskPhase> reached = latest(t.taskId()).filter(TaskStatus::getTerminal).map(TaskStatus::getPhase);
            out.add(new Outcome(t, reached, reached.map(p -> p == t.expected()).orElse(false)));
        }
        return out;
    }

    public boolean allAsExpected() {
        return outcomes().stream().allMatch(Outcome::asExpected);
    }

    /**
     * The live line of a task: id, phase (with version), workers ready n/m, elapsed since submission (frozen at
     * the terminal event), and the latest reason.
     */
    public String line(String taskId, Instant now, int idWidth) {
        Task t = tasks.get(taskId);
        Optional<TaskStatus> last = latest(taskId);
        String phase = last.map(s -> s.getPhase() + (s.getPhaseVersion() > 0 ? " v" + s.getPhaseVersion() : ""))
                .orElse(submittedAt.containsKey(taskId) ? "SUBMITTED" : "PENDING");
        Instant start = submittedAt.get(taskId);
        Instant end = last.filter(TaskStatus::getTerminal).map(TaskStatus::getObservedAt).orElse(now);
        String elapsed = start == null ? "" : Timeline.seconds(nonNegative(Duration.between(start, end)));
        String detail = last.map(Timeline::describe).orElse("");
        String mark = !terminal(taskId) ? "  " : outcomeOf(t).asExpected() ? "ok" : "!!";
        return String.format("%s %-" + idWidth + "s  %-24s %-13s %7s  %s", mark, taskId, phase,
                workers(t, last.orElse(null)), elapsed, detail).stripTrailing();
    }

    /** One line per status event for output that is not a terminal (logs, CI). */
    public String eventLine(TaskStatus s, int idWidth) {
        Task t = tasks.get(s.getTaskId());
        Instant start = submittedAt.get(s.getTaskId());
        String at = start == null ? "" : Timeline.seconds(nonNegative(Duration.between(start, s.getObservedAt())));
        return String.format("%7s  %-" + idWidth + "s  #%-2d %-24s %-13s %s", at, s.getTaskId(), s.getSequence(),
                s.getPhase() + (s.getPhaseVersion() > 0 ? " v" + s.getPhaseVersion() : ""),
                t == null ? "" : workers(t, s), Timeline.describe(s)).stripTrailing();
    }

    /** The width of the widest task id (for aligned columns). */
    public int idWidth() {
        return tasks.keySet().stream().mapToInt(String::length).max().orElse(10);
    }

    private Outcome outcomeOf(Task t) {
        return outcomes().stream().filter(o -> o.task().equals(t)).findFirst().orElseThrow();
    }

    static String workers(Task t, TaskStatus s) {
        ComponentsDetail c = s == null ? null : s.getComponents();
        int desired = c != null && c.getWorkersDesired() > 0 ? c.getWorkersDesired() : t.workersDesired();
        int ready = c == null ? 0 : c.getWorkersReady();
        return "workers " + ready + "/" + desired;
    }

    private static Duration nonNegative(Duration d) {
        return d.isNegative() ? Duration.ZERO : d;
    }
}
