package dev.daskrelay.submitter.replay;

import dev.daskrelay.avro.v1.ExecutionIdentity;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Which tasks a replay shows: any of the task ids (none = all), an execution prefix {@code project[/domain[/name]]},
 * a namespace. A task matches when all given criteria match; the execution and namespace are taken from any of the
 * task's records (launch, abort or status).
 */
public record ReplayFilter(List<String> taskIds, String execution, String namespace) {

    public static final ReplayFilter ALL = new ReplayFilter(List.of(), null, null);

    public ReplayFilter {
        taskIds = taskIds == null ? List.of() : List.copyOf(taskIds);
        if (execution != null) {
            String[] parts = execution.split("/", -1);
            if (parts.length > 3 || Arrays.stream(parts).anyMatch(String::isEmpty)) {
                throw new IllegalArgumentException("--execution: expected project[/domain[/name]] (was \"" + execution + "\")");
            }
        }
    }

    public boolean matches(TaskTimeline t) {
        if (!taskIds.isEmpty() && !taskIds.contains(t.taskId())) {
            return false;
        }
        if (execution != null) {
            Optional<ExecutionIdentity> e = t.execution();
            if (e.isEmpty()) {
                return false;
            }
            String[] parts = execution.split("/");
            String[] actual = {e.get().getProject(), e.get().getDomain(), e.get().getName()};
            for (int i = 0; i < parts.length; i++) {
                if (!parts[i].equals(actual[i])) {
                    return false;
                }
            }
        }
        return namespace == null || t.namespace().map(namespace::equals).orElse(false);
    }

    public List<TaskTimeline> apply(List<TaskTimeline> timelines) {
        return timelines.stream().filter(this::matches).toList();
    }
}
