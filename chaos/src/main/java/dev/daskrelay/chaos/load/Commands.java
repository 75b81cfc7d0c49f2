package dev.daskrelay.chaos.load;

import dev.daskrelay.avro.v1.AbortDaskJob;
import dev.daskrelay.avro.v1.DaskScheduler;
import dev.daskrelay.avro.v1.DaskSpec;
import dev.daskrelay.avro.v1.DaskWorkerGroup;
import dev.daskrelay.avro.v1.ExecutionIdentity;
import dev.daskrelay.avro.v1.LaunchDaskJob;
import dev.daskrelay.avro.v1.ResourceList;
import dev.daskrelay.avro.v1.Resources;
import dev.daskrelay.avro.v1.TaskCommand;
import dev.daskrelay.schemas.task.TaskId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The commands the suite sends, built from the Avro contract as any producer would (docs/PRODUCERS.md): launches of
 * small Dask jobs whose behaviour on the test bed is chosen by the scenario annotations its fake kubelet reads
 * (docs/TESTBED.md), and aborts. Task ids are derived from the execution identity
 * ({@code chaos-<run>-<name>-n0-0}).
 */
public final class Commands {

    /** The image every launch uses; the suite's platform allows {@code ghcr.io/example/*}. */
    public static final String IMAGE = "ghcr.io/example/dask-app:1.4";
    public static final String PROJECT = "chaos";
    static final String SCENARIO = "simulator.daskrelay.dev/scenario";
    static final String RUN_FOR = "simulator.daskrelay.dev/run-for";

    private Commands() {
    }

    /** The execution identity of task {@code name} of run {@code run}. */
    public static ExecutionIdentity execution(String run, String name) {
        return ExecutionIdentity.newBuilder().setProject(PROJECT).setDomain(run).setName(name).setNodeId("n0")
                .setRetryAttempt(0).build();
    }

    public static String taskId(String run, String name) {
        return TaskId.derive(execution(run, name));
    }

    /**
     * A valid launch.
     *
     * @param scenario {@code success}, {@code runner-exit:N}, {@code oom}, …
     * @param runFor   how long the runner runs ({@code 2s})
     */
    public static TaskCommand launch(String run, String name, String commandId, String scenario, String runFor,
                                     Instant issuedAt) {
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put(SCENARIO, scenario);
        annotations.put(RUN_FOR, runFor);
        ResourceList small = ResourceList.newBuilder().setCpu("100m").setMemory("128Mi").build();
        LaunchDaskJob launch = LaunchDaskJob.newBuilder()
                .setNamespace(null)
                .setServiceAccount(null)
                .setImage(IMAGE)
                .setCommand(new ArrayList<>())
                .setArgs(new ArrayList<>(List.of("python", "-m", "app.main")))
                .setResources(Resources.newBuilder().setRequests(small).setLimits(small).build())
                .setEnv(new ArrayList<>())
                .setLabels(new LinkedHashMap<>())
                .setAnnotations(annotations)
                .setInterruptible(false)
                .setTimeoutSeconds(null)
                .setDask(DaskSpec.newBuilder()
                        .setScheduler(DaskScheduler.newBuilder().setImage(null).setResources(null).build())
                        .setWorkers(DaskWorkerGroup.newBuilder().setNumberOfWorkers(1).setImage(null)
                                .setResources(null).build())
                        .build())
                .build();
        return TaskCommand.newBuilder().setCommandId(commandId).setTaskId(taskId(run, name))
                .setExecution(execution(run, name)).setIssuedAt(issuedAt).setIssuedBy("daskrelay-chaos")
                .setTrace(null).setPayload(launch).build();
    }

    /** An abort of task {@code name} naming its execution identity. */
    public static TaskCommand abort(String run, String name, String commandId, String reason, Instant issuedAt) {
        return TaskCommand.newBuilder().setCommandId(commandId).setTaskId(taskId(run, name))
                .setExecution(execution(run, name)).setIssuedAt(issuedAt).setIssuedBy("daskrelay-chaos")
                .setTrace(null).setPayload(AbortDaskJob.newBuilder().setReason(reason).build()).build();
    }
}
