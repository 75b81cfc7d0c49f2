package dev.daskrelay.watcher.status;

import dev.daskrelay.avro.v1.ExecutionIdentity;

/** The identity of one task attempt, as kept in the status store (mirror of the Avro {@link ExecutionIdentity}). */
public record ExecutionRef(String project, String domain, String name, String nodeId, int retryAttempt) {

    public static ExecutionRef of(ExecutionIdentity e) {
        return e == null ? null
                : new ExecutionRef(e.getProject(), e.getDomain(), e.getName(), e.getNodeId(), e.getRetryAttempt());
    }

    public ExecutionIdentity toAvro() {
        return ExecutionIdentity.newBuilder().setProject(project).setDomain(domain).setName(name).setNodeId(nodeId)
                .setRetryAttempt(retryAttempt).build();
    }
}
