package dev.daskrelay.schemas.task;

import dev.daskrelay.avro.v1.ExecutionIdentity;
import java.util.regex.Pattern;

/**
 * The task id: the Kafka key of every topic and the handle users cancel and follow by.
 *
 * <p>When a task file or command gives none, it is derived from the execution identity as
 * {@code <project>-<domain>-<name>-<nodeId>-<retryAttempt>}. Flyte names a task attempt's resources
 * {@code <execution name>-<node id>-<retry attempt>}, unique within one project and domain; daskrelay serves many
 * projects and domains from one topic, so it puts them in front. The id of the example task file (docs/TASK-FILES.md)
 * {@code flytesnacks-development-a1b2c3-n0-0} is project {@code flytesnacks}, domain {@code development}, execution
 * {@code a1b2c3}, node {@code n0}, attempt {@code 0}. Because the parts may themselves contain {@code -}, two
 * different identities can in principle give the same id (project {@code a-b} + domain {@code c} and project
 * {@code a} + domain {@code b-c}); publishers that use such names should set the task id explicitly.
 */
public final class TaskId {

    /** Longest task id: enough for the derived id of the longest identity parts (4 × 63 + 10 digits + 4 dashes). */
    public static final int MAX_LENGTH = 300;

    /** Letters, digits, {@code .}, {@code _} and {@code -}, starting with a letter or digit. */
    public static final Pattern PATTERN = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    private TaskId() {
    }

    /** {@code <project>-<domain>-<name>-<nodeId>-<retryAttempt>}. */
    public static String derive(ExecutionIdentity execution) {
        return derive(execution.getProject(), execution.getDomain(), execution.getName(), execution.getNodeId(),
                execution.getRetryAttempt());
    }

    /** {@code <project>-<domain>-<name>-<nodeId>-<retryAttempt>}. */
    public static String derive(String project, String domain, String name, String nodeId, int retryAttempt) {
        return project + "-" + domain + "-" + name + "-" + nodeId + "-" + retryAttempt;
    }

    /** True when the text is a well-formed task id. */
    public static boolean isValid(String taskId) {
        return taskId != null && taskId.length() <= MAX_LENGTH && PATTERN.matcher(taskId).matches();
    }
}
