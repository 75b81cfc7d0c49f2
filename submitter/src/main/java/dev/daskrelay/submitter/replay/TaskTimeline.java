package dev.daskrelay.submitter.replay;

import dev.daskrelay.avro.v1.ExecutionIdentity;
import dev.daskrelay.avro.v1.LaunchDaskJob;
import dev.daskrelay.avro.v1.TaskStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything a replay saw of one task: its commands and its status events, each in topic order (a task's records
 * share one partition, so topic order is the order they were written).
 */
public record TaskTimeline(String taskId, List<ReplayRecord.Command> commands, List<ReplayRecord.Status> statuses) {

    public TaskTimeline {
        commands = List.copyOf(commands);
        statuses = List.copyOf(statuses);
    }

    /** Groups records by task, tasks ordered by their earliest record time, records by offset. */
    public static List<TaskTimeline> group(List<? extends ReplayRecord> records) {
        Map<String, List<ReplayRecord.Command>> commands = new LinkedHashMap<>();
        Map<String, List<ReplayRecord.Status>> statuses = new LinkedHashMap<>();
        for (ReplayRecord r : records) {
            if (r instanceof ReplayRecord.Command c) {
                commands.computeIfAbsent(c.taskId(), k -> new ArrayList<>()).add(c);
                statuses.computeIfAbsent(c.taskId(), k -> new ArrayList<>());
            } else if (r instanceof ReplayRecord.Status s) {
                statuses.computeIfAbsent(s.taskId(), k -> new ArrayList<>()).add(s);
                commands.computeIfAbsent(s.taskId(), k -> new ArrayList<>());
            }
        }
        List<TaskTimeline> out = new ArrayList<>();
        for (String task : commands.keySet()) {
            List<ReplayRecord.Command> cs = new ArrayList<>(commands.get(task));
            List<ReplayRecord.Status> ss = new ArrayList<>(statuses.get(task));
            cs.sort(Comparator.comparingLong(ReplayRecord::offset));
            ss.sort(Comparator.comparingLong(ReplayRecord::offset));
            out.add(new TaskTimeline(task, cs, ss));
        }
        out.sort(Comparator.comparing(TaskTimeline::start).thenComparing(TaskTimeline::taskId));
        return out;
    }

    /** The earliest time of any record. */
    public Instant start() {
        Instant t = Instant.MAX;
        for (ReplayRecord r : commands) {
            t = r.time().isBefore(t) ? r.time() : t;
        }
        for (ReplayRecord r : statuses) {
            t = r.time().isBefore(t) ? r.time() : t;
        }
        return t;
    }

    /** The latest time of any record. */
    public Instant end() {
        Instant t = Instant.MIN;
        for (ReplayRecord r : commands) {
            t = r.time().isAfter(t) ? r.time() : t;
        }
        for (ReplayRecord r : statuses) {
            t = r.time().isAfter(t) ? r.time() : t;
        }
        return t;
    }

    /** The decoded status events, in topic order. */
    public List<TaskStatus> events() {
        return statuses.stream().map(ReplayRecord.Status::status).filter(s -> s != null).toList();
    }

    public Optional<ReplayRecord.Command> firstLaunch() {
        return commands.stream().filter(ReplayRecord.Command::isLaunch).findFirst();
    }

    /** The execution, from a launch, an abort or a status. */
    public Optional<ExecutionIdentity> execution() {
        for (ReplayRecord.Command c : commands) {
            if (c.command() != null && c.command().getExecution() != null) {
                return Optional.of(c.command().getExecution());
            }
        }
        return events().stream().map(TaskStatus::getExecution).filter(e -> e != null).findFirst();
    }

    /** The target namespace, from the launch or a status's DaskJob namespace. */
    public Optional<String> namespace() {
        Optional<String> fromLaunch = firstLaunch().map(c -> ((LaunchDaskJob) c.command().getPayload()).getNamespace());
        if (fromLaunch.isPresent()) {
            return fromLaunch;
        }
        return events().stream().map(TaskStatus::getDaskJobNamespace).filter(n -> n != null).findFirst();
    }

    /** The last decoded status, if any. */
    public Optional<TaskStatus> last() {
        List<TaskStatus> e = events();
        return e.isEmpty() ? Optional.empty() : Optional.of(e.get(e.size() - 1));
    }
}
