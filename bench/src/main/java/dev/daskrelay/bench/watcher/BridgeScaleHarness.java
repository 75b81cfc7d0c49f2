package dev.daskrelay.bench.watcher;

import dev.daskrelay.avro.v1.Observation;
import dev.daskrelay.schemas.KubernetesLabels;
import dev.daskrelay.simulator.DaskCrds;
import dev.daskrelay.simulator.InMemoryKubernetes;
import dev.daskrelay.watcher.bridge.ObservationBridge;
import dev.daskrelay.watcher.bridge.ObservationPublisher;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Scale harness of the observation bridge (not a test): N managed DaskJobs with P pods each (runner, scheduler,
 * P-2 workers, all Running and ready, with realistic labels and statuses) in the in-memory Kubernetes API; then a
 * bridge starts and the harness measures
 * <ul>
 * <li>relist: from {@code start()} until every informer synced its initial list;</li>
 * <li>full re-observation: from {@code startPublishing()} until one snapshot per job was published;</li>
 * <li>heap held by the bridge: used heap after a full GC with the bridge running, minus the same without it
 *     (the in-memory API server lives in the same JVM and is in both figures);</li>
 * <li>a second relist on a warm API server (a restarted bridge).</li>
 * </ul>
 * The publisher only counts (Kafka is not what is measured here).
 *
 * <pre>
 * ./mvnw -q -pl bench -am package -DskipTests
 * java -Xmx6g -cp bench/target/benchmarks.jar dev.daskrelay.bench.watcher.BridgeScaleHarness 10000 6
 * </pre>
 */
public final class BridgeScaleHarness {

    private BridgeScaleHarness() {
    }

    public static void main(String[] args) throws Exception {
        int jobs = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int podsPerJob = args.length > 1 ? Integer.parseInt(args[1]) : 6;
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        try (InMemoryKubernetes k8s = InMemoryKubernetes.start()) {
            long t0 = System.nanoTime();
            populate(k8s.client(), jobs, podsPerJob);
            System.out.printf("created %d DaskJobs and %d pods in %.1f s%n", jobs, jobs * podsPerJob,
                    (System.nanoTime() - t0) / 1e9);
            for (int round = 1; round <= 2; round++) {
                long baseline = usedHeapAfterGc();
                System.out.printf("round %d: heap without a bridge (API server and its objects): %.0f MiB%n", round,
                        baseline / 1048576.0);
                try (KubernetesClient client = k8s.newClient()) {
                    CountingPublisher publisher = new CountingPublisher();
                    ObservationBridge bridge = new ObservationBridge(client,
                            ObservationBridge.Options.of(List.of(InMemoryKubernetes.DEFAULT_NAMESPACE)), publisher,
                            Clock.systemUTC(), new SimpleMeterRegistry());
                    long s = System.nanoTime();
                    bridge.start();
                    while (!bridge.synced()) {
                        Thread.sleep(10);
                    }
                    double relist = (System.nanoTime() - s) / 1e9;
                    s = System.nanoTime();
                    bridge.startPublishing();
                    while (publisher.count.get() < jobs) {
                        Thread.sleep(10);
                    }
                    double reobserve = (System.nanoTime() - s) / 1e9;
                    long used = usedHeapAfterGc();
                    System.out.printf("round %d: relist (informers synced) %.2f s, full re-observation %.2f s "
                                    + "(%d snapshots), heap held by the bridge %.0f MiB%n", round, relist, reobserve,
                            publisher.count.get(), (used - baseline) / 1048576.0);
                    bridge.close();
                }
            }
        }
        System.exit(0);
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        var mem = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return mem.getHeapMemoryUsage().getUsed();
    }

    private static void populate(KubernetesClient client, int jobs, int podsPerJob) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> futures = new ArrayList<>();
        for (int i = 0; i < jobs; i++) {
            int n = i;
            futures.add(pool.submit(() -> {
                String name = String.format("relay-bench-%06d-0", n);
                client.genericKubernetesResources(DaskCrds.DASK_JOB).inNamespace(InMemoryKubernetes.DEFAULT_NAMESPACE)
                        .resource(job(name, "bench-" + n)).create();
                client.pods().inNamespace(InMemoryKubernetes.DEFAULT_NAMESPACE).resource(pod(name, name + "-runner",
                        "job-runner", "job-runner")).create();
                client.pods().inNamespace(InMemoryKubernetes.DEFAULT_NAMESPACE).resource(pod(name,
                        name + "-scheduler-5d9c7b8f4-abcde", "scheduler", "scheduler")).create();
                for (int w = 0; w < podsPerJob - 2; w++) {
                    client.pods().inNamespace(InMemoryKubernetes.DEFAULT_NAMESPACE).resource(pod(name,
                            String.format("%s-default-worker-%010x-6b7c8d9f5-w%04d", name, w, w), "worker",
                            "dask-worker")).create();
                }
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        pool.shutdown();
    }

    private static GenericKubernetesResource job(String name, String taskId) {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("jobStatus", "Running");
        status.put("clusterName", name);
        status.put("jobRunnerPodName", name + "-runner");
        status.put("startTime", "2026-01-01T10:00:01Z");
        Map<String, Object> container = Map.of("name", "job-runner", "image", "registry.example/app:1.4",
                "args", List.of("python", "-m", "app.main"),
                "resources", Map.of("requests", Map.of("cpu", "2", "memory", "8G"),
                        "limits", Map.of("cpu", "8", "memory", "17G")));
        Map<String, Object> spec = Map.of(
                "job", Map.of("spec", Map.of("restartPolicy", "Never", "containers", List.of(container))),
                "cluster", Map.of("spec", Map.of(
                        "scheduler", Map.of("spec", Map.of("containers", List.of(container))),
                        "worker", Map.of("replicas", 4, "spec", Map.of("containers", List.of(container))))));
        return new GenericKubernetesResourceBuilder().withApiVersion(DaskCrds.API_VERSION).withKind("DaskJob")
                .withNewMetadata().withName(name).withNamespace(InMemoryKubernetes.DEFAULT_NAMESPACE)
                .addToLabels(KubernetesLabels.MANAGED_BY, KubernetesLabels.MANAGED_BY_VALUE)
                .addToLabels(KubernetesLabels.TASK, taskId).addToLabels("team", "data")
                .addToAnnotations(KubernetesLabels.TASK_ID, taskId)
                .addToAnnotations(KubernetesLabels.SPEC_HASH, "0123456789abcdef0123456789abcdef")
                .addToAnnotations(KubernetesLabels.EXECUTION, "flytesnacks/development/" + taskId + "/n0/0")
                .endMetadata()
                .withAdditionalProperties(new LinkedHashMap<>(Map.of("spec", spec, "status", status)))
                .build();
    }

    private static Pod pod(String job, String name, String component, String container) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace(InMemoryKubernetes.DEFAULT_NAMESPACE)
                .addToLabels(KubernetesLabels.MANAGED_BY, KubernetesLabels.MANAGED_BY_VALUE)
                .addToLabels(KubernetesLabels.DASK_CLUSTER_NAME, job)
                .addToLabels(KubernetesLabels.DASK_COMPONENT, component)
                .addToLabels("team", "data")
                .addToAnnotations("cluster-autoscaler.kubernetes.io/safe-to-evict", "false")
                .endMetadata()
                .withNewSpec().withRestartPolicy("Always").withNodeName("node-1")
                .addNewContainer().withName(container).withImage("registry.example/app:1.4")
                .withArgs("dask", "worker", "--nthreads", "8", "--memory-limit", "17G")
                .addNewEnv().withName("DASK_SCHEDULER_ADDRESS")
                .withValue("tcp://" + job + "-scheduler.default.svc.cluster.local:8786").endEnv()
                .endContainer().endSpec()
                .withNewStatus().withPhase("Running").withPodIP("10.0.0.1").withHostIP("192.168.0.1")
                .withStartTime("2026-01-01T10:00:00Z")
                .withConditions(new PodConditionBuilder().withType("Ready").withStatus("True").build(),
                        new PodConditionBuilder().withType("PodScheduled").withStatus("True").build())
                .withContainerStatuses(new ContainerStatusBuilder().withName(container).withReady(true)
                        .withRestartCount(0).withImage("registry.example/app:1.4")
                        .withNewState().withNewRunning().withStartedAt("2026-01-01T10:00:02Z").endRunning().endState()
                        .build())
                .endStatus().build();
    }

    /** Counts; completes every send at once. */
    private static final class CountingPublisher implements ObservationPublisher {
        final AtomicLong count = new AtomicLong();

        @Override
        public CompletableFuture<Void> publish(Observation observation) {
            count.incrementAndGet();
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public boolean healthy() {
            return true;
        }

        @Override
        public void close() {
        }
    }
}
