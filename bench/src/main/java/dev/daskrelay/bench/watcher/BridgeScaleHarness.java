package dev.daskrelay.bench.watcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.management.OperatingSystemMXBean;
import dev.daskrelay.avro.v1.Observation;
import dev.daskrelay.bench.Await;
import dev.daskrelay.bench.TypicalTask;
import dev.daskrelay.schemas.KubernetesLabels;
import dev.daskrelay.schemas.config.Installation;
import dev.daskrelay.simulator.DaskCrds;
import dev.daskrelay.simulator.InMemoryKubernetes;
import dev.daskrelay.translator.render.DaskJobRenderer;
import dev.daskrelay.translator.render.RenderedDaskJob;
import dev.daskrelay.watcher.bridge.ObservationBridge;
import dev.daskrelay.watcher.bridge.ObservationPublisher;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Scale harness of the observation bridge (not a test). N managed DaskJobs, rendered by daskrelay's own renderer
 * from the benchmarks' typical task ({@link TypicalTask}), with P pods each (runner, scheduler, P-2 workers, made
 * from the DaskJob's pod templates as the operator makes them, all Running and ready) and E Events per pod (the progress reports
 * a kubelet and scheduler write: Scheduled, Pulling, Pulled, Created, Started; plus one Warning BackOff every W
 * pods) in a Kubernetes API server; then a bridge starts and the harness measures
 * <ul>
 * <li>relist: from {@code start()} until every informer synced its initial list;</li>
 * <li>full re-observation: from {@code startPublishing()} until one snapshot per job was published;</li>
 * <li>heap held by the bridge: used heap after a full GC with the bridge running, minus the same before it
 *     started;</li>
 * <li>the same again with a new client and bridge (a restarted bridge, warm API server).</li>
 * </ul>
 * The publisher only counts (Kafka is not what is measured here).
 *
 * <p>The API server is a real kube-apiserver with etcd when {@code kubeconfig=} is given (testbed/kube/README.md
 * builds and starts one), otherwise the in-memory fabric8 mock server in this JVM (whose create cost grows with
 * the number of objects it holds: fine for a few thousand pods, hopeless at 60,000; its objects are then in the
 * heap baseline). On a real API server objects of an earlier run are reused when {@code populate=auto} finds the
 * DaskJobs there.
 *
 * <pre>
 * ./mvnw -q -pl bench -am package -DskipTests
 * testbed/kube/start.sh /tmp/kube        # prints the kubeconfig path
 * java -Xmx1g -cp bench/target/benchmarks.jar dev.daskrelay.bench.watcher.BridgeScaleHarness \
 *     kubeconfig=/tmp/kube/kubeconfig jobs=10000 podsPerJob=6 eventsPerPod=5
 * </pre>
 *
 * Options (key=value): jobs (10000), podsPerJob (6), eventsPerPod (5, at most 5), warningEvery (100),
 * kubeconfig (none: in-memory), namespace (daskrelay-bench; default in memory), populate (auto|true|false),
 * rounds (2), threads (16), timeoutSeconds (600), listPageSize (500; 0 = unpaged lists), serverPids (comma-separated
 * pids of kube-apiserver and etcd on this machine: their CPU time during the relist is read from /proc, at 100
 * ticks per second).
 */
public final class BridgeScaleHarness {

    private static final String[][] PROGRESS = {
            {"Scheduled", "default-scheduler", "Successfully assigned %s to node-1"},
            {"Pulling", "kubelet", "Pulling image \"" + TypicalTask.IMAGE + "\""},
            {"Pulled", "kubelet", "Successfully pulled image \"" + TypicalTask.IMAGE + "\" in 1.2s"},
            {"Created", "kubelet", "Created container %s"},
            {"Started", "kubelet", "Started container %s"}};

    private BridgeScaleHarness() {
    }

    record Options(int jobs, int podsPerJob, int eventsPerPod, int warningEvery, Path kubeconfig, String namespace,
                   String populate, int rounds, int threads, Duration timeout, int listPageSize,
                   List<String> serverPids) {

        static Options parse(String[] args) {
            Map<String, String> o = new HashMap<>(Map.of("jobs", "10000", "podsPerJob", "6", "eventsPerPod", "5",
                    "warningEvery", "100", "populate", "auto", "rounds", "2", "threads", "16",
                    "timeoutSeconds", "600", "listPageSize",
                    String.valueOf(ObservationBridge.Options.DEFAULT_LIST_PAGE_SIZE)));
            for (String a : args) {
                String[] kv = a.split("=", 2);
                if (kv.length != 2) {
                    throw new IllegalArgumentException("arguments are key=value, got: " + a);
                }
                o.put(kv[0], kv[1]);
            }
            Path kubeconfig = o.containsKey("kubeconfig") ? Path.of(o.get("kubeconfig")) : null;
            String ns = o.getOrDefault("namespace",
                    kubeconfig == null ? InMemoryKubernetes.DEFAULT_NAMESPACE : "daskrelay-bench");
            int podsPerJob = Integer.parseInt(o.get("podsPerJob"));
            if (podsPerJob < 2) {
                throw new IllegalArgumentException("podsPerJob: at least 2 (runner and scheduler)");
            }
            return new Options(Integer.parseInt(o.get("jobs")), podsPerJob,
                    Math.min(PROGRESS.length, Integer.parseInt(o.get("eventsPerPod"))),
                    Integer.parseInt(o.get("warningEvery")), kubeconfig, ns, o.get("populate"),
                    Integer.parseInt(o.get("rounds")), Integer.parseInt(o.get("threads")),
                    Duration.ofSeconds(Long.parseLong(o.get("timeoutSeconds"))),
                    Integer.parseInt(o.get("listPageSize")),
                    o.containsKey("serverPids") ? List.of(o.get("serverPids").split(",")) : List.of());
        }
    }

    public static void main(String[] args) throws Exception {
        Options opts = Options.parse(args);
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        try (ApiServerTarget target = ApiServerTarget.of(opts.kubeconfig(), opts.threads())) {
            try (KubernetesClient client = target.newClient()) {
                System.out.printf("API server %s, namespace %s%n", client.getMasterUrl(), opts.namespace());
                if (shouldPopulate(client, opts)) {
                    long t0 = System.nanoTime();
                    populate(client, opts);
                    System.out.printf("created %d DaskJobs, %d pods and %d Events in %.1f s%n", opts.jobs(),
                            (long) opts.jobs() * opts.podsPerJob(), events(opts),
                            (System.nanoTime() - t0) / 1e9);
                }
            }
            for (int round = 1; round <= opts.rounds(); round++) {
                round(target, opts, round);
            }
        }
        System.exit(0);
    }

    private static void round(ApiServerTarget target, Options opts, int round) throws Exception {
        long baseline = usedHeapAfterGc();
        System.out.printf("round %d: heap before the bridge: %.0f MiB%n", round, baseline / 1048576.0);
        try (KubernetesClient client = target.newClient()) {
            CountingPublisher publisher = new CountingPublisher();
            ObservationBridge bridge = new ObservationBridge(client,
                    ObservationBridge.Options.of(List.of(opts.namespace()), Installation.DEFAULT).withListPageSize(opts.listPageSize()),
                    publisher, Clock.systemUTC(),
                    new SimpleMeterRegistry());
            long s = System.nanoTime();
            long cpu0 = processCpuNanos();
            double server0 = serverCpuSeconds(opts.serverPids());
            bridge.start();
            Await.until(bridge::synced, opts.timeout(), "informers synced");
            double relist = (System.nanoTime() - s) / 1e9;
            double relistCpu = (processCpuNanos() - cpu0) / 1e9;
            double relistServerCpu = serverCpuSeconds(opts.serverPids()) - server0;
            s = System.nanoTime();
            bridge.startPublishing();
            Await.until(() -> publisher.count.get() >= opts.jobs(), opts.timeout(), opts.jobs() + " snapshots");
            double reobserve = (System.nanoTime() - s) / 1e9;
            long used = usedHeapAfterGc();
            String serverCpu = opts.serverPids().isEmpty() ? ""
                    : String.format(", API server and etcd %.2f s", relistServerCpu);
            System.out.printf("round %d (list page size %d): relist (informers synced) %.2f s (CPU: this JVM %.2f s%s), "
                            + "full re-observation %.2f s (%d snapshots), cached %s, heap held by the bridge %.0f MiB "
                            + "(heap used %.0f MiB, max %.0f MiB)%n", round, opts.listPageSize(), relist, relistCpu,
                    serverCpu, reobserve, publisher.count.get(), bridge.cacheSizes(),
                    (used - baseline) / 1048576.0, used / 1048576.0,
                    Runtime.getRuntime().maxMemory() / 1048576.0);
            bridge.close();
        }
    }

    private static boolean shouldPopulate(KubernetesClient client, Options opts) {
        if (!opts.populate().equals("auto")) {
            return Boolean.parseBoolean(opts.populate());
        }
        if (client.namespaces().withName(opts.namespace()).get() == null) {
            return true;
        }
        int existing = client.genericKubernetesResources(DaskCrds.DASK_JOB).inNamespace(opts.namespace())
                .withLabels(Installation.DEFAULT.selector()).list().getItems().size();
        System.out.printf("found %d DaskJobs in %s%n", existing, opts.namespace());
        if (existing != 0 && existing != opts.jobs()) {
            throw new IllegalStateException("namespace " + opts.namespace() + " holds " + existing
                    + " DaskJobs, not " + opts.jobs() + ": use another namespace or a fresh API server");
        }
        return existing == 0;
    }

    private static long events(Options opts) {
        long pods = (long) opts.jobs() * opts.podsPerJob();
        return pods * opts.eventsPerPod() + (opts.warningEvery() > 0 ? pods / opts.warningEvery() : 0);
    }

    private static void populate(KubernetesClient client, Options opts) throws Exception {
        String ns = opts.namespace();
        ApiServerTarget.ensureNamespace(client, ns);
        DaskJobRenderer renderer = TypicalTask.renderer(ns);
        ExecutorService pool = Executors.newFixedThreadPool(opts.threads());
        AtomicLong objects = new AtomicLong();
        AtomicLong podCounter = new AtomicLong();
        long t0 = System.nanoTime();
        List<Future<?>> futures = new ArrayList<>();
        for (int i = 0; i < opts.jobs(); i++) {
            int n = i;
            futures.add(pool.submit(() -> {
                String execution = String.format("bench%06d", n);
                RenderedDaskJob rendered = renderer.render(TypicalTask.taskId(execution),
                        TypicalTask.execution(execution), TypicalTask.launch(ns, opts.podsPerJob() - 2)).orElseThrow();
                String name = rendered.name();
                GenericKubernetesResource job = client.getKubernetesSerialization().convertValue(rendered.manifest(),
                        GenericKubernetesResource.class);
                GenericKubernetesResource created = client.genericKubernetesResources(DaskCrds.DASK_JOB)
                        .inNamespace(ns).resource(job).create();
                created.setAdditionalProperty("status", jobStatus(name));
                client.genericKubernetesResources(DaskCrds.DASK_JOB).inNamespace(ns).resource(created)
                        .updateStatus();
                JsonNode spec = rendered.manifest().path("spec");
                List<Pod> pods = new ArrayList<>();
                pods.add(pod(client, rendered, name + "-runner", "job-runner", spec.path("job").path("spec")));
                pods.add(pod(client, rendered, name + "-scheduler-5d9c7b8f4-abcde", "scheduler",
                        spec.path("cluster").path("spec").path("scheduler").path("spec")));
                for (int w = 0; w < opts.podsPerJob() - 2; w++) {
                    pods.add(pod(client, rendered, String.format("%s-default-worker-%010x-6b7c8d9f5-w%04d", name, w,
                            w), "worker", spec.path("cluster").path("spec").path("worker").path("spec")));
                }
                for (Pod template : pods) {
                    String podName = template.getMetadata().getName();
                    String container = template.getSpec().getContainers().get(0).getName();
                    Pod pod = client.pods().inNamespace(ns).resource(template).create();
                    pod.setStatus(podStatus(container));
                    client.pods().inNamespace(ns).resource(pod).updateStatus();
                    long podNo = podCounter.incrementAndGet();
                    for (int e = 0; e < opts.eventsPerPod(); e++) {
                        client.v1().events().inNamespace(ns).resource(event(ns, podName, container, "Normal",
                                PROGRESS[e][0], PROGRESS[e][1],
                                String.format(PROGRESS[e][2], e == 0 ? ns + "/" + podName : container), e)).create();
                    }
                    if (opts.warningEvery() > 0 && podNo % opts.warningEvery() == 0) {
                        client.v1().events().inNamespace(ns).resource(event(ns, podName, container, "Warning",
                                "BackOff", "kubelet", "Back-off restarting failed container " + container + " in pod "
                                        + podName, 5)).create();
                    }
                    objects.addAndGet(2 + opts.eventsPerPod());
                }
                long done = objects.addAndGet(2);
                if ((n + 1) % 1000 == 0) {
                    double s = (System.nanoTime() - t0) / 1e9;
                    System.out.printf("  %d jobs written (%d requests, %.0f/s)%n", n + 1, done, done / s);
                }
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        pool.shutdown();
    }

    /** utime + stime of the given processes, from /proc/PID/stat (fields 14 and 15, clock ticks of 1/100 s). */
    private static double serverCpuSeconds(List<String> pids) {
        double ticks = 0;
        for (String pid : pids) {
            try {
                String stat = Files.readString(Path.of("/proc", pid.trim(), "stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
            } catch (IOException e) {
                throw new UncheckedIOException("serverPids: cannot read /proc/" + pid + "/stat", e);
            }
        }
        return ticks / 100.0;
    }

    private static long processCpuNanos() {
        return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        var mem = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return mem.getHeapMemoryUsage().getUsed();
    }

    private static Map<String, Object> jobStatus(String name) {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("jobStatus", "Running");
        status.put("clusterName", name);
        status.put("jobRunnerPodName", name + "-runner");
        status.put("startTime", "2026-01-01T10:00:01Z");
        return status;
    }

    /**
     * A pod as the operator makes it from a component's pod template: the template's spec (bound to a node), the
     * DaskJob's labels plus the operator's {@code dask.org/*} labels.
     */
    private static Pod pod(KubernetesClient client, RenderedDaskJob job, String name, String component,
                           JsonNode template) {
        PodSpec spec = client.getKubernetesSerialization().convertValue(template, PodSpec.class);
        spec.setNodeName("node-1");
        Map<String, String> labels = new LinkedHashMap<>();
        job.manifest().path("metadata").path("labels").fields()
                .forEachRemaining(f -> labels.put(f.getKey(), f.getValue().asText()));
        labels.put(KubernetesLabels.DASK_CLUSTER_NAME, job.name());
        labels.put(KubernetesLabels.DASK_COMPONENT, component);
        return new PodBuilder().withNewMetadata().withName(name).withNamespace(job.namespace()).withLabels(labels)
                .endMetadata().withSpec(spec).build();
    }

    private static PodStatus podStatus(String container) {
        return new PodStatusBuilder().withPhase("Running").withPodIP("10.0.0.1").withHostIP("192.168.0.1")
                .withStartTime("2026-01-01T10:00:00Z")
                .withConditions(new PodConditionBuilder().withType("Ready").withStatus("True").build(),
                        new PodConditionBuilder().withType("PodScheduled").withStatus("True").build())
                .withContainerStatuses(new ContainerStatusBuilder().withName(container).withReady(true)
                        .withRestartCount(0).withImage(TypicalTask.IMAGE).withImageID("")
                        .withNewState().withNewRunning().withStartedAt("2026-01-01T10:00:02Z").endRunning().endState()
                        .build())
                .build();
    }

    private static Event event(String ns, String pod, String container, String type, String reason, String component,
                               String message, int n) {
        String at = String.format("2026-01-01T10:00:%02dZ", n);
        return new EventBuilder().withNewMetadata().withName(String.format("%s.%016x", pod, 0x187a3b2c4d5e6f00L + n))
                .withNamespace(ns).endMetadata()
                .withNewInvolvedObject().withApiVersion("v1").withKind("Pod").withName(pod).withNamespace(ns)
                .withFieldPath(reason.equals("Scheduled") ? null : "spec.containers{" + container + "}")
                .endInvolvedObject()
                .withType(type).withReason(reason).withMessage(message)
                .withNewSource().withComponent(component).withHost(component.equals("kubelet") ? "node-1" : null)
                .endSource()
                .withFirstTimestamp(at).withLastTimestamp(at).withCount(1)
                .withReportingComponent(component).withReportingInstance(component.equals("kubelet") ? "node-1" : "")
                .build();
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
