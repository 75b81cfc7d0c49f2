package dev.daskrelay.schemas.testing;

import dev.daskrelay.avro.v1.AbortDaskJob;
import dev.daskrelay.avro.v1.DaskScheduler;
import dev.daskrelay.avro.v1.DaskSpec;
import dev.daskrelay.avro.v1.DaskWorkerGroup;
import dev.daskrelay.avro.v1.ExecutionIdentity;
import dev.daskrelay.avro.v1.LaunchDaskJob;
import dev.daskrelay.avro.v1.TaskCommand;
import java.time.Instant;
import java.util.List;

/** Test fixtures shared through the schemas test-jar: launch and abort commands. */
public final class TestCommands {

    private TestCommands() {
    }

    public static ExecutionIdentity execution(String taskId) {
        return ExecutionIdentity.newBuilder().setProject("proj").setDomain("dev").setName(taskId)
                .setNodeId("n0").setRetryAttempt(0).build();
    }

    public static LaunchDaskJob launchPayload(String image) {
        return LaunchDaskJob.newBuilder()
                .setImage(image)
                .setArgs(List.of("python", "-m", "app"))
                .setTimeoutSeconds(3600L)
                .setDask(DaskSpec.newBuilder()
                        .setScheduler(DaskScheduler.newBuilder().build())
                        .setWorkers(DaskWorkerGroup.newBuilder().setNumberOfWorkers(2).build())
                        .build())
                .build();
    }

    public static TaskCommand launch(String commandId, String taskId, String image) {
        return TaskCommand.newBuilder().setCommandId(commandId).setTaskId(taskId).setExecution(execution(taskId))
                .setIssuedAt(Instant.parse("2026-01-01T00:00:00Z")).setPayload(launchPayload(image)).build();
    }

    public static TaskCommand abort(String commandId, String taskId, String reason) {
        return TaskCommand.newBuilder().setCommandId(commandId).setTaskId(taskId).setExecution(execution(taskId))
                .setIssuedAt(Instant.parse("2026-01-01T00:00:00Z"))
                .setPayload(AbortDaskJob.newBuilder().setReason(reason).build()).build();
    }
}
