package dev.daskrelay.local;

import dev.daskrelay.avro.v1.ComponentsDetail;
import dev.daskrelay.avro.v1.TaskPhase;
import dev.daskrelay.avro.v1.TaskStatus;
import dev.daskrelay.submitter.output.StatusFormat;
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
     * The fields of a task's live line ({@link LiveFrame} lays them out for the terminal's width).
     *
     * @param mark {@code ok} when the task reached its expected end, {@code !!} when it ended otherwise, blank while
     *     it runs
     * @param phase phase and version, {@code SUBMITTED} before the first event, {@code PENDING} before submission
     * @param workers ready/desired
     * @param elapsed since submission, frozen at the terminal event ({@code +4.2s})
     * @param detail reason, message and error of the latest event ({@link StatusFormat#detail})
     */
    public record Row(String mark, String phase, String workers, String elapsed, String detail) {
    }

    /** The live fields of a task at time {@code now}. */
    public Row row(String taskId, Instant now) {
        Task t = tasks.get(taskId);
        Optional<TaskStatus> last = latest(taskId);
        String phase = last.map(StatusFormat::phase)
                .orElse(submittedAt.containsKey(taskId) ? "SUBMITTED" : "PENDING");
        Instant start = submittedAt.get(taskId);
        Instant end = last.filter(TaskStatus::getTerminal).map(TaskStatus::getObservedAt).orElse(now);
        String elapsed = start == null ? "" : Timeline.seconds(Duration.between(start, end));
        String mark = !terminal(taskId) ? "" : outcomeOf(t).asExpected() ? "ok" : "!!";
        return new Row(mark, phase, readyOfDesired(t, last.orElse(null)), elapsed, last.map(StatusFormat::detail).orElse(""));
    }

    /** One line per status event for output that is not a terminal (logs, CI). */
    public String eventLine(TaskStatus s, int idWidth) {
        Task t = tasks.get(s.getTaskId());
        Instant start = submittedAt.get(s.getTaskId());
        String at = start == null ? "" : Timeline.seconds(Duration.between(start, s.getObservedAt()));
        return String.format("%7s  %-" + idWidth + "s  #%-2d %-24s %-13s %s", at, s.getTaskId(), s.getSequence(),
                StatusFormat.phase(s), t == null ? "" : workers(t, s), StatusFormat.detail(s)).stripTrailing();
    }

    /** The width of the widest task id (for aligned columns). */
    public int idWidth() {
        return tasks.keySet().stream().mapToInt(String::length).max().orElse(10);
    }

    private Outcome outcomeOf(Task t) {
        return outcomes().stream().filter(o -> o.task().equals(t)).findFirst().orElseThrow();
    }

    static String workers(Task t, TaskStatus s) {
        return "workers " + readyOfDesired(t, s);
    }

    static String readyOfDesired(Task t, TaskStatus s) {
        ComponentsDetail c = s == null ? null : s.getComponents();
        int desired = c != null && c.getWorkersDesired() > 0 ? c.getWorkersDesired() : t.workersDesired();
        int ready = c == null ? 0 : c.getWorkersReady();
        return ready + "/" + desired;
    }
}
