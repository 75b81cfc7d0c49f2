package dev.daskrelay.e2e;

import dev.daskrelay.avro.v1.TaskCommand;
import dev.daskrelay.avro.v1.TaskPhase;
import dev.daskrelay.avro.v1.TaskStatus;
import dev.daskrelay.schemas.task.TaskFile;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Runs scenarios on a pipeline, all at once: submits each task file, acts on the tasks that need it (abort or
 * external deletion once RUNNING), waits until every task ended, and checks what each must show (terminal phase,
 * error, phases passed, gap-free sequence, one terminal event, what is left in the cluster).
 */
final class ScenarioRun {

    /** One scenario's outcome. */
    record Result(Scenario scenario, String taskId, List<TaskStatus> events) {
        Timeline timeline() {
            return Timeline.of(events);
        }
    }

    private ScenarioRun() {
    }

    static Map<String, Result> run(Pipeline p, List<Scenario> scenarios, String runId, Duration timeout) {
        Map<String, String> taskIds = new LinkedHashMap<>();
        for (Scenario s : scenarios) {
            taskIds.put(s.key(), submit(p, s, runId + "-" + Integer.toHexString(s.key().hashCode() & 0xfff)));
        }
        List<String> acted = new ArrayList<>();
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            boolean allEnded = true;
            for (Scenario s : scenarios) {
                String id = taskIds.get(s.key());
                List<TaskStatus> events = p.statuses().events(id);
                boolean ended = !events.isEmpty() && events.get(events.size() - 1).getTerminal();
                allEnded &= ended;
                if (!ended && !acted.contains(s.key()) && events.stream().anyMatch(e -> e.getPhase() == TaskPhase.RUNNING)) {
                    act(p, s, id, events);
                    acted.add(s.key());
                }
            }
            if (allEnded) {
                break;
            }
            if (Instant.now().isAfter(deadline)) {
                StringBuilder sb = new StringBuilder("not every scenario ended within " + timeout + " on "
                        + p.kube().name() + ":");
                taskIds.forEach((k, id) -> sb.append("\n").append(k).append(" (").append(id).append("):")
                        .append(Timeline.describe(p.statuses().events(id))));
                throw new AssertionError(sb.toString());
            }
            Await.pause();
        }
        Map<String, Result> results = new LinkedHashMap<>();
        for (Scenario s : scenarios) {
            String id = taskIds.get(s.key());
            results.put(s.key(), new Result(s, id, p.statuses().events(id)));
        }
        return results;
    }

    private static String submit(Pipeline p, Scenario s, String runId) {
        String text = E2eFiles.resource(s.file()).replace("${RUN}", runId);
        if (s.action() == Scenario.Action.PUBLISH_UNVALIDATED) {
            TaskCommand launch = TaskFile.parse(text, Clock.systemUTC()).command();
            p.publishUnvalidated(launch);
            return launch.getTaskId();
        }
        TaskCommand launch = TaskFile.load(text, p.config().platform(), Clock.systemUTC());
        return p.client().submit(launch).taskId();
    }

    private static void act(Pipeline p, Scenario s, String taskId, List<TaskStatus> events) {
        TaskStatus running = events.get(events.size() - 1);
        switch (s.action()) {
            case ABORT_WHEN_RUNNING -> p.client().cancel(taskId, "e2e: abort while running");
            case DELETE_WHEN_RUNNING -> p.kube().client().genericKubernetesResources("kubernetes.dask.org/v1", "DaskJob")
                    .inNamespace(running.getDaskJobNamespace()).withName(running.getDaskJobName())
                    .withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
            default -> {
            }
        }
    }

    /** The checks every scenario's result must pass, on either back end: what failed, empty when all passed. */
    static List<String> check(Pipeline p, Result r) {
        Scenario s = r.scenario();
        String where = p.kube().name() + " " + s.key() + " (" + r.taskId() + "):" + Timeline.describe(r.events());
        List<String> problems = new ArrayList<>();
        List<TaskStatus> events = r.events();
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i).getSequence() != i + 1) {
                problems.add("sequence with a gap at #" + (i + 1) + ": " + where);
            }
            if (events.get(i).getTerminal() != (i == events.size() - 1)) {
                problems.add("not exactly one terminal event, the last: " + where);
            }
        }
        TaskStatus last = events.get(events.size() - 1);
        if (last.getPhase() != s.end()) {
            problems.add("terminal phase " + last.getPhase() + ", expected " + s.end() + ": " + where);
        }
        if (!Objects.equals(s.error(), Timeline.error(last.getError()))) {
            problems.add("error " + Timeline.error(last.getError()) + ", expected " + s.error() + ": " + where);
        }
        List<TaskPhase> phases = r.timeline().phases();
        for (TaskPhase must : s.passesThrough()) {
            if (!phases.contains(must)) {
                problems.add("does not pass through " + must + ": " + where);
            }
        }
        if (s.action() == Scenario.Action.PUBLISH_UNVALIDATED) {
            return problems;
        }
        var job = p.kube().client().genericKubernetesResources("kubernetes.dask.org/v1", "DaskJob")
                .inNamespace(last.getDaskJobNamespace()).withName(last.getDaskJobName());
        if (s.jobRemains()) {
            if (job.get() == null) {
                problems.add("the finished DaskJob is not kept (retainFinished -1): " + where);
            }
        } else {
            try {
                Await.until(Duration.ofSeconds(30), "DaskJob " + last.getDaskJobName() + " gone", () -> job.get() == null);
            } catch (AssertionError e) {
                problems.add(e.getMessage() + ": " + where);
            }
        }
        return problems;
    }
}
