package dev.daskrelay.bench.render;

import dev.daskrelay.avro.v1.DaskScheduler;
import dev.daskrelay.avro.v1.DaskSpec;
import dev.daskrelay.avro.v1.DaskWorkerGroup;
import dev.daskrelay.avro.v1.EnvVar;
import dev.daskrelay.avro.v1.ExecutionIdentity;
import dev.daskrelay.avro.v1.LaunchDaskJob;
import dev.daskrelay.avro.v1.ResourceList;
import dev.daskrelay.avro.v1.Resources;
import dev.daskrelay.schemas.config.DaskRelayConfig;
import dev.daskrelay.translator.render.DaskJobRenderer;
import dev.daskrelay.translator.render.RenderedDaskJob;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Render throughput of one typical task (contracts.md task-file example: resources, env, labels, annotations,
 * component resources, interruptible workers, a timeout) against a platform that sets every placement knob.
 * {@code render} is what the command topology does per launch (render + spec hash); {@code renderToJson} adds the
 * compact JSON that travels in the intent. Goal: at least 50,000 renders/s per core.
 *
 * <pre>java -jar bench/target/benchmarks.jar Render -f 1 -wi 3 -i 5 -w 1s -r 1s -t 1</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class RenderBenchmark {

    private DaskJobRenderer renderer;
    private ExecutionIdentity execution;
    private LaunchDaskJob launch;
    private String taskId;

    @Setup
    public void setUp() {
        renderer = new DaskJobRenderer(DaskRelayConfig.parse("""
                platform:
                  namespace: dask-jobs
                  allowedNamespaces: [dask-jobs, flytesnacks-development]
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
                """, "bench").platform());
        execution = ExecutionIdentity.newBuilder().setProject("flytesnacks").setDomain("development")
                .setName("a1b2c3").setNodeId("n0").setRetryAttempt(0).build();
        taskId = "flytesnacks-development-a1b2c3-n0-0";
        launch = LaunchDaskJob.newBuilder()
                .setNamespace("flytesnacks-development")
                .setImage("ghcr.io/example/dask-app:1.4")
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
                        .setWorkers(DaskWorkerGroup.newBuilder().setNumberOfWorkers(10)
                                .setResources(Resources.newBuilder().setLimits(ResourceList.newBuilder()
                                        .setCpu("4").setMemory("10Gi").build()).build()).build())
                        .build())
                .build();
        renderer.render(taskId, execution, launch).orElseThrow(); // fail fast if the input is refused
    }

    @Benchmark
    public RenderedDaskJob render() {
        return renderer.render(taskId, execution, launch).orElseThrow();
    }

    @Benchmark
    public String renderToJson() {
        return renderer.render(taskId, execution, launch).orElseThrow().toJson();
    }
}
