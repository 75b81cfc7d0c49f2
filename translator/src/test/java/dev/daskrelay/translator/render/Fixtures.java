package dev.daskrelay.translator.render;

import dev.daskrelay.avro.v1.DaskScheduler;
import dev.daskrelay.avro.v1.DaskSpec;
import dev.daskrelay.avro.v1.DaskWorkerGroup;
import dev.daskrelay.avro.v1.EnvVar;
import dev.daskrelay.avro.v1.ExecutionIdentity;
import dev.daskrelay.avro.v1.LaunchDaskJob;
import dev.daskrelay.avro.v1.ResourceList;
import dev.daskrelay.avro.v1.Resources;
import dev.daskrelay.schemas.config.DaskRelayConfig;
import dev.daskrelay.schemas.config.PlatformConfig;
import java.util.List;
import java.util.Map;

/** Inputs of the render tests: the fixtures of Flyte's dask_test.go (docs/RENDERING.md, Sources) and small builders. */
final class Fixtures {

    static final String FLYTE_NAME = "some-acceptable-name";
    static final String FLYTE_IMAGE = "image://";

    /** Flyte's fixture platform: legacy CLI and NodePort for parity, the platform resources of dask_test.go. */
    static final String FLYTE_PLATFORM_YAML = """
            platform:
              namespace: default-namespace
              serviceAccount: default-service-account
              resources:
                defaults: {cpu: "4", memory: 10G}
                limits: {cpu: "10", memory: 24G}
              annotations: {}
              dask:
                cli: legacy
                schedulerServiceType: NodePort
            """;

    private Fixtures() {
    }

    static PlatformConfig platform(String yaml) {
        return DaskRelayConfig.parse(yaml, "test").platform();
    }

    static PlatformConfig flytePlatform() {
        return platform(FLYTE_PLATFORM_YAML);
    }

    static ExecutionIdentity flyteExecution() {
        return ExecutionIdentity.newBuilder().setProject("my_project").setDomain("my_domain").setName("my_name")
                .setNodeId("an-unique-id").setRetryAttempt(0).build();
    }

    static ResourceList list(String cpu, String memory) {
        return ResourceList.newBuilder().setCpu(cpu).setMemory(memory).build();
    }

    static ResourceList list(String cpu, String memory, String gpu, String ephemeralStorage) {
        return ResourceList.newBuilder().setCpu(cpu).setMemory(memory).setGpu(gpu)
                .setEphemeralStorage(ephemeralStorage).build();
    }

    static Resources resources(ResourceList requests, ResourceList limits) {
        return Resources.newBuilder().setRequests(requests).setLimits(limits).build();
    }

    /**
     * Flyte's fixture task: image {@code image://}, args {@code [execute-dask-task]}, env {@code Env_Var=Env_Val},
     * labels {@code label-1: val1}, annotations {@code annotation-1: val1}, 10 workers; scheduler and workers share
     * {@code componentImage} and {@code componentResources} (null = none).
     */
    static LaunchDaskJob.Builder flyteTask(Resources taskResources, String componentImage,
                                           Resources componentResources) {
        return LaunchDaskJob.newBuilder()
                .setImage(FLYTE_IMAGE)
                .setArgs(List.of("execute-dask-task"))
                .setEnv(List.of(new EnvVar("Env_Var", "Env_Val")))
                .setLabels(Map.of("label-1", "val1"))
                .setAnnotations(Map.of("annotation-1", "val1"))
                .setResources(taskResources)
                .setDask(DaskSpec.newBuilder()
                        .setScheduler(DaskScheduler.newBuilder().setImage(componentImage)
                                .setResources(componentResources).build())
                        .setWorkers(DaskWorkerGroup.newBuilder().setNumberOfWorkers(10).setImage(componentImage)
                                .setResources(componentResources).build())
                        .build());
    }

    /** A plain task: image {@code ghcr.io/example/dask-app:1.4}, 2 workers, nothing else set. */
    static LaunchDaskJob.Builder plainTask() {
        return LaunchDaskJob.newBuilder()
                .setImage("ghcr.io/example/dask-app:1.4")
                .setArgs(List.of("python", "-m", "app.main"))
                .setDask(DaskSpec.newBuilder()
                        .setScheduler(DaskScheduler.newBuilder().build())
                        .setWorkers(DaskWorkerGroup.newBuilder().setNumberOfWorkers(2).build())
                        .build());
    }

    static ExecutionIdentity execution(String name) {
        return ExecutionIdentity.newBuilder().setProject("flytesnacks").setDomain("development").setName(name)
                .setNodeId("n0").setRetryAttempt(0).build();
    }
}
