package dev.daskrelay.bench;

import dev.daskrelay.avro.v1.DaskScheduler;
import dev.daskrelay.avro.v1.DaskSpec;
import dev.daskrelay.avro.v1.DaskWorkerGroup;
import dev.daskrelay.avro.v1.EnvVar;
import dev.daskrelay.avro.v1.ExecutionIdentity;
import dev.daskrelay.avro.v1.LaunchDaskJob;
import dev.daskrelay.avro.v1.ResourceList;
import dev.daskrelay.avro.v1.Resources;
import dev.daskrelay.schemas.config.DaskRelayConfig;
import dev.daskrelay.schemas.config.Installation;
import dev.daskrelay.schemas.config.PlatformConfig;
import dev.daskrelay.translator.render.DaskJobRenderer;
import java.util.List;
import java.util.Map;

/**
 * The typical task of the benchmarks (the example task file of docs/TASK-FILES.md: resources, env, labels,
 * annotations, component resources, interruptible workers, a timeout) and a platform that sets every placement knob.
 */
public final class TypicalTask {

    public static final String IMAGE = "ghcr.io/example/dask-app:1.4";

    private TypicalTask() {
    }

    /** A renderer for {@link #platform(String)}, for the default installation. */
    public static DaskJobRenderer renderer(String namespace) {
        return renderer(namespace, Installation.DEFAULT);
    }

    /** A renderer for {@link #platform(String)} whose DaskJobs carry {@code installation}'s label. */
    public static DaskJobRenderer renderer(String namespace, Installation installation) {
        return new DaskJobRenderer(platform(namespace), installation);
    }

    /** A platform that sets every placement knob, whose default namespace is {@code namespace}. */
    public static PlatformConfig platform(String namespace) {
        return DaskRelayConfig.parse(platformYaml(namespace), "bench").platform();
    }

    /** The {@code platform:} section of {@link #platform(String)}, as daskrelay.yaml text. */
    public static String platformYaml(String namespace) {
        return """
                platform:
                  namespace: %s
                  allowedNamespaces: [%s, flytesnacks-development]
                  allowedImages: ["ghcr.io/example/*"]
                  resources:
                    defaults: {cpu: "1", memory: 1Gi}
                    limits: {cpu: "16", memory: 64Gi}
                  labels: {platform: daskrelay}
                  annotations: {cluster-autoscaler.kubernetes.io/safe-to-evict: "false"}
                  env: {DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT: 30s}
                  tolerations:
                    - {key: dedicated, operator: Equal, value: dask, effect: NoSchedule}
                  interruptible:
                    tolerations: [{key: spot, operator: Exists, effect: NoSchedule}]
                    nodeSelector: {pool: spot}
                    nodeSelectorRequirement: {key: lifecycle, operator: In, values: [spot]}
                  nonInterruptible:
                    nodeSelectorRequirement: {key: lifecycle, operator: NotIn, values: [spot]}
                """.formatted(namespace, namespace);
    }

    public static ExecutionIdentity execution(String name) {
        return ExecutionIdentity.newBuilder().setProject("flytesnacks").setDomain("development")
                .setName(name).setNodeId("n0").setRetryAttempt(0).build();
    }

    /** The task id daskrelay derives from {@link #execution(String)}. */
    public static String taskId(String executionName) {
        return "flytesnacks-development-" + executionName + "-n0-0";
    }

    public static LaunchDaskJob launch(String namespace, int workers) {
        return LaunchDaskJob.newBuilder()
                .setNamespace(namespace)
                .setImage(IMAGE)
                .setArgs(List.of("python", "-m", "app.main"))
                .setResources(Resources.newBuilder()
                        .setRequests(ResourceList.newBuilder().setCpu("2").setMemory("8G").build())
                        .setLimits(ResourceList.newBuilder().setCpu("8").setMemory("17G").build()).build())
                .setEnv(List.of(new EnvVar("FOO", "bar"), new EnvVar("LOG_LEVEL", "info")))
                .setLabels(Map.of("team", "data"))
                .setAnnotations(Map.of("region", "SEA"))
                .setInterruptible(true)
                .setTimeoutSeconds(7200L)
                .setDask(DaskSpec.newBuilder()
                        .setScheduler(DaskScheduler.newBuilder()
                                .setResources(Resources.newBuilder().setLimits(ResourceList.newBuilder()
                                        .setCpu("1").setMemory("2Gi").build()).build()).build())
                        .setWorkers(DaskWorkerGroup.newBuilder().setNumberOfWorkers(workers)
                                .setResources(Resources.newBuilder().setLimits(ResourceList.newBuilder()
                                        .setCpu("4").setMemory("10Gi").build()).build()).build())
                        .build())
                .build();
    }
}
