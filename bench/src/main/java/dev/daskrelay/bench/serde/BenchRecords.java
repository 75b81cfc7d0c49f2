package dev.daskrelay.bench.serde;

import dev.daskrelay.avro.v1.DaskScheduler;
import dev.daskrelay.avro.v1.DaskSpec;
import dev.daskrelay.avro.v1.DaskWorkerGroup;
import dev.daskrelay.avro.v1.EnvVar;
import dev.daskrelay.avro.v1.ExecutionIdentity;
import dev.daskrelay.avro.v1.LaunchDaskJob;
import dev.daskrelay.avro.v1.ResourceList;
import dev.daskrelay.avro.v1.Resources;
import dev.daskrelay.avro.v1.TaskCommand;
import dev.daskrelay.avro.v1.TaskPhase;
import dev.daskrelay.avro.v1.TaskStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The records measured: a typical launch command (the task file example of docs/TASK-FILES.md), a RUNNING status. */
final class BenchRecords {

    private BenchRecords() {
    }

    static ExecutionIdentity execution() {
        return ExecutionIdentity.newBuilder().setProject("flytesnacks").setDomain("development").setName("a1b2c3")
                .setNodeId("n0").setRetryAttempt(0).build();
    }

    static TaskCommand launch() {
        ResourceList requests = ResourceList.newBuilder().setCpu("2").setMemory("8G").build();
        ResourceList limits = ResourceList.newBuilder().setCpu("8").setMemory("17G").build();
        LaunchDaskJob launch = LaunchDaskJob.newBuilder()
                .setNamespace("flytesnacks-development")
                .setServiceAccount("default")
                .setImage("ghcr.io/example/dask-app:1.4")
                .setArgs(List.of("python", "-m", "app.main"))
                .setResources(Resources.newBuilder().setRequests(requests).setLimits(limits).build())
                .setEnv(List.of(EnvVar.newBuilder().setName("FOO").setValue("bar").build()))
                .setLabels(Map.of("team", "data"))
                .setAnnotations(Map.of("region", "SEA"))
                .setTimeoutSeconds(7200L)
                .setDask(DaskSpec.newBuilder()
                        .setScheduler(DaskScheduler.newBuilder().setImage("ghcr.io/example/dask-sched:1.4")
                                .setResources(Resources.newBuilder().setLimits(ResourceList.newBuilder().setCpu("1").setMemory("2Gi").build()).build())
                                .build())
                        .setWorkers(DaskWorkerGroup.newBuilder().setNumberOfWorkers(10)
                                .setResources(Resources.newBuilder().setLimits(ResourceList.newBuilder().setCpu("4").setMemory("10Gi").build()).build())
                                .build())
                        .build())
                .build();
        return TaskCommand.newBuilder()
                .setCommandId("cmd-0001")
                .setTaskId("flytesnacks-development-a1b2c3-n0-0")
                .setExecution(execution())
                .setIssuedAt(Instant.parse("2026-11-27T12:00:00Z"))
                .setIssuedBy("flyte-propeller")
                .setPayload(launch)
                .build();
    }


    static TaskStatus status() {
        return TaskStatus.newBuilder()
                .setEventId("flytesnacks-development-a1b2c3-n0-0:3")
                .setTaskId("flytesnacks-development-a1b2c3-n0-0")
                .setExecution(execution())
                .setSequence(3)
                .setPhase(TaskPhase.RUNNING)
                .setPhaseVersion(1)
                .setReason("workers ready 10/10")
                .setDaskJobName("dr-flytesnacks-development-a1b2c3-n0-0")
                .setDaskJobNamespace("flytesnacks-development")
                .setOccurredAt(Instant.parse("2026-11-27T12:01:00Z"))
                .setObservedAt(Instant.parse("2026-11-27T12:01:00.250Z"))
                .build();
    }

}
