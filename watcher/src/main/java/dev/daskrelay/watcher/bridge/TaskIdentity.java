package dev.daskrelay.watcher.bridge;

import dev.daskrelay.avro.v1.ExecutionIdentity;
import dev.daskrelay.schemas.KubernetesLabels;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Map;

/**
 * Which task a DaskJob belongs to, read from the labels and annotations the renderer puts on it
 * ({@link KubernetesLabels}): the full task id from {@code daskrelay.dev/task-id} (falling back to the
 * {@code daskrelay.dev/task} label) and the execution from {@code daskrelay.dev/execution}.
 *
 * @param taskId the task id, the key of every topic
 * @param execution the task attempt, or null when the annotation is absent or malformed
 */
public record TaskIdentity(String taskId, ExecutionIdentity execution) {

    /** The identity of a managed DaskJob, or null when it carries no task id at all. */
    public static TaskIdentity of(HasMetadata job) {
        Map<String, String> annotations = job.getMetadata().getAnnotations() == null ? Map.of()
                : job.getMetadata().getAnnotations();
        Map<String, String> labels = job.getMetadata().getLabels() == null ? Map.of() : job.getMetadata().getLabels();
        String taskId = annotations.get(KubernetesLabels.TASK_ID);
        if (taskId == null || taskId.isBlank()) {
            taskId = labels.get(KubernetesLabels.TASK);
        }
        if (taskId == null || taskId.isBlank()) {
            return null;
        }
        return new TaskIdentity(taskId, execution(annotations.get(KubernetesLabels.EXECUTION)));
    }

    /** Parses {@code project/domain/name/nodeId/retryAttempt}; null when absent or not of that shape. */
    static ExecutionIdentity execution(String annotation) {
        if (annotation == null) {
            return null;
        }
        String[] parts = annotation.split("/", -1);
        if (parts.length != 5) {
            return null;
        }
        for (String p : parts) {
            if (p.isEmpty()) {
                return null;
            }
        }
        int attempt;
        try {
            attempt = Integer.parseInt(parts[4]);
        } catch (NumberFormatException e) {
            return null;
        }
        return ExecutionIdentity.newBuilder().setProject(parts[0]).setDomain(parts[1]).setName(parts[2])
                .setNodeId(parts[3]).setRetryAttempt(attempt).build();
    }
}
