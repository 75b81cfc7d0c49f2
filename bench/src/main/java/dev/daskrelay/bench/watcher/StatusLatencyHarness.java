package dev.daskrelay.bench.watcher;

import dev.daskrelay.avro.v1.CommandOutcome;
import dev.daskrelay.avro.v1.CommandOutcomeKind;
import dev.daskrelay.avro.v1.Observation;
import dev.daskrelay.avro.v1.ObservationSource;
import dev.daskrelay.avro.v1.TaskStatus;
import dev.daskrelay.bench.Await;
import dev.daskrelay.bench.CpuSample;
import dev.daskrelay.bench.TypicalTask;
import dev.daskrelay.embedded.EmbeddedKafka;
import dev.daskrelay.schemas.config.DaskRelayConfig;
import dev.daskrelay.schemas.config.Installation;
import dev.daskrelay.schemas.serde.AvroSerdes;
import dev.daskrelay.simulator.DaskCrds;
import dev.daskrelay.simulator.InMemoryKubernetes;
import dev.daskrelay.translator.render.DaskJobRenderer;
import dev.daskrelay.translator.render.RenderedDaskJob;
import dev.daskrelay.watcher.WatcherProcess;
import dev.daskrelay.watcher.WatcherSettings;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Status latency harness (not a test): the whole watcher process (bridge + status topology, exactly-once) on an
 * in-process broker and a Kubernetes API. N DaskJobs are created (INITIALIZING); then, one after the other at a
 * steady pace, each one's {@code status.jobStatus} is set to {@code Running} through the status subresource, and
 * the harness measures the wall-clock time from that write to the RUNNING event arriving at a read_committed
 * consumer of the status topic. Prints p50/p90/p99/max.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.daskrelay.bench.watcher.StatusLatencyHarness 300 50
 * java -cp bench/target/benchmarks.jar dev.daskrelay.bench.watcher.StatusLatencyHarness 300 50 \
 *     kubeconfig=/tmp/kube/kubeconfig
 * </pre>
 * Arguments: number of jobs (default 300), milliseconds between two changes (default 50); {@code kubeconfig=FILE}
 * runs against that (real) API server in namespace {@code namespace=} (default {@code daskrelay-latency}) with
 * DaskJobs from the real renderer, otherwise against the in-memory API in this JVM; {@code statusCommitInterval=}
 * sets {@code watcher.statusCommitInterval} (default: the watcher's default); {@code serverPids=} adds the CPU of
 * kube-apiserver and etcd to the report; {@code warmup=W} (default 0) changes W more jobs first, at the same pace,
 * and measures neither their latency nor their CPU (the first changes of a cold JVM run interpreted and compiling
 * code: on one core that is seconds of JIT, the tail of a short run).
 */
public final class StatusLatencyHarness {

    private StatusLatencyHarness() {
    }

    public static void main(String[] args) throws Exception {
        List<String> positional = new ArrayList<>();
        Map<String, String> opts = new HashMap<>();
        for (String a : args) {
            if (a.contains("=")) {
                opts.put(a.substring(0, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
            } else {
                positional.add(a);
            }
        }
        int measured = positional.size() > 0 ? Integer.parseInt(positional.get(0)) : 300;
        int warmup = Integer.parseInt(opts.getOrDefault("warmup", "0"));
        int jobs = warmup + measured;
        long paceMs = positional.size() > 1 ? Long.parseLong(positional.get(1)) : 50;
        Path kubeconfig = opts.containsKey("kubeconfig") ? Path.of(opts.get("kubeconfig")) : null;
        String commitInterval = opts.getOrDefault("statusCommitInterval",
                WatcherSettings.defaults().statusCommitInterval().toMillis() + "ms");
        List<String> serverPids = opts.containsKey("serverPids") ? List.of(opts.get("serverPids").split(","))
                : List.of();
        System.out.printf("%s: %d cpus, java %s; load average %.1f; status commit interval %s%n", Instant.now(),
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                CpuSample.currentLoadAverage(), commitInterval);
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        String prefix = "latency";
        Path state = Files.createTempDirectory("daskrelay-latency");
        try (EmbeddedKafka broker = EmbeddedKafka.start(EmbeddedKafka.Options.forTests());
             ApiServerTarget target = ApiServerTarget.of(kubeconfig, 8);
             KubernetesClient client = target.newClient()) {
            String ns = target.inMemory() ? InMemoryKubernetes.DEFAULT_NAMESPACE
                    : opts.getOrDefault("namespace", "daskrelay-latency");
            ApiServerTarget.ensureNamespace(client, ns);
            String run = Long.toString(System.currentTimeMillis() % 1_000_000, 36);
            broker.createTopics(1, prefix + ".commands", prefix + ".intents", prefix + ".observations",
                    prefix + ".status", prefix + ".dead-letters");
            DaskRelayConfig config = DaskRelayConfig.parse("""
                    kafka: {bootstrapServers: "%s", topicPrefix: %s}
                    registry: {schema.registry.url: "mock://latency"}
                    platform: {namespace: %s, allowedNamespaces: [%s]}
                    watcher: {opsHost: 127.0.0.1, opsPort: 0, stateDir: "%s", retainFinished: -1, stuckAfter: 1h,
                              statusCommitInterval: %s}
                    """.formatted(broker.bootstrapServers(), prefix, ns, ns, state, commitInterval), "harness");
            Map<String, Long> changedAt = new ConcurrentHashMap<>();
            List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
            Map<String, Boolean> initializing = new ConcurrentHashMap<>();
            AtomicBoolean stop = new AtomicBoolean();
            Thread reader = new Thread(() -> read(broker, prefix, changedAt, latencies, initializing, stop));
            reader.start();
            // the status topology answers a DaskJob only once its task's launch is known (TaskState.launchKnown): the
            // command topology's LAUNCH_ACCEPTED is published for each task before its DaskJob is created
            Properties pp = broker.clientProperties();
            KafkaProducer<String, Observation> launches = new KafkaProducer<>(pp, new StringSerializer(),
                    AvroSerdes.specific(Observation.class, Map.of("schema.registry.url", "mock://latency"), false)
                            .serializer());
            KubernetesClient watcherClient = target.newClient();
            WatcherProcess watcher = WatcherProcess.start(config, watcherClient, Clock.systemUTC());
            // the watcher follows only its installation's DaskJobs (by default the one its topic prefix names)
            DaskJobRenderer renderer = TypicalTask.renderer(ns, Installation.derivedFrom(prefix));
            List<String> names = new ArrayList<>();
            List<String> tasks = new ArrayList<>();
            CpuSample cpu;
            CpuSample.Use use = null;
            try {
                Await.until(() -> watcher.leading() && watcher.bridge().ready()
                        && watcher.statusTopologyState() == KafkaStreams.State.RUNNING,
                        Duration.ofMinutes(2), "the watcher leading with its bridge and status topology ready");
                for (int i = 0; i < jobs; i++) {
                    String execution = "lat" + run + "x" + i;
                    RenderedDaskJob job = renderer.render(TypicalTask.taskId(execution),
                            TypicalTask.execution(execution), TypicalTask.launch(ns, 2)).orElseThrow();
                    launches.send(new ProducerRecord<>(prefix + ".observations", TypicalTask.taskId(execution),
                            accepted(TypicalTask.taskId(execution), execution, job.name(), ns))).get();
                    client.genericKubernetesResources(DaskCrds.DASK_JOB).inNamespace(ns).resource(client
                            .getKubernetesSerialization().convertValue(job.manifest(), GenericKubernetesResource.class))
                            .create();
                    names.add(job.name());
                    tasks.add(TypicalTask.taskId(execution));
                }
                Await.until(() -> initializing.size() >= jobs, Duration.ofMinutes(5), jobs + " jobs INITIALIZING");
                System.out.printf("%d jobs INITIALIZING; changing one every %d ms (the first %d not measured)%n",
                        jobs, paceMs, warmup);
                cpu = null;
                for (int i = 0; i < jobs; i++) {
                    if (i == warmup) {
                        int warmed = i;
                        Await.until(() -> latencies.size() >= warmed, Duration.ofMinutes(2),
                                warmed + " warm-up changes seen");
                        latencies.clear();
                        cpu = CpuSample.take(serverPids);
                    }
                    String name = names.get(i);
                    changedAt.put(tasks.get(i), System.nanoTime());
                    client.genericKubernetesResources(DaskCrds.DASK_JOB).inNamespace(ns).withName(name)
                            .editStatus(j -> {
                                j.getAdditionalProperties().put("status", new LinkedHashMap<>(Map.of(
                                        "jobStatus", "Running", "clusterName", name,
                                        "jobRunnerPodName", name + "-runner", "startTime", "2026-01-01T10:00:01Z")));
                                return j;
                            });
                    Thread.sleep(paceMs);
                }
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (latencies.size() < measured && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                use = cpu.until(CpuSample.take(serverPids));
            } finally {
                stop.set(true);
                reader.join();
                watcher.close();
                watcherClient.close();
                launches.close();
                for (String name : names) {
                    client.genericKubernetesResources(DaskCrds.DASK_JOB).inNamespace(ns).withName(name).delete();
                }
            }
            List<Long> sorted = new ArrayList<>(latencies);
            Collections.sort(sorted);
            System.out.printf("%s: K8s change → RUNNING on the status topic, %d samples: p50 %d ms, p90 %d ms, "
                            + "p99 %d ms, max %d ms%n", target.inMemory() ? "in-memory API" : "API server " + client.getMasterUrl(),
                    sorted.size(), pct(sorted, 50), pct(sorted, 90), pct(sorted, 99),
                    sorted.isEmpty() ? -1 : sorted.get(sorted.size() - 1));
            if (use != null) {
                System.out.printf("    %s%n", use.describe(Math.max(1, sorted.size()), "change"));
            }
        }
        System.exit(0);
    }

    /** What the command topology publishes for an accepted launch. */
    private static Observation accepted(String task, String execution, String daskJob, String ns) {
        return Observation.newBuilder().setObservationId("accepted/" + task).setTaskId(task)
                .setExecution(TypicalTask.execution(execution)).setSource(ObservationSource.COMMANDS)
                .setObservedAt(Instant.now()).setDaskJobName(daskJob).setDaskJobNamespace(ns)
                .setPayload(CommandOutcome.newBuilder().setCommandId("cmd-" + task)
                        .setKind(CommandOutcomeKind.LAUNCH_ACCEPTED).build())
                .build();
    }

    private static long pct(List<Long> sorted, int p) {
        if (sorted.isEmpty()) {
            return -1;
        }
        int idx = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(idx, sorted.size() - 1)));
    }

    private static void read(EmbeddedKafka broker, String prefix, Map<String, Long> changedAt, List<Long> latencies,
                             Map<String, Boolean> initializing, AtomicBoolean stop) {
        Properties p = broker.clientProperties();
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (var consumer = new KafkaConsumer<>(p, new StringDeserializer(), AvroSerdes.specific(TaskStatus.class,
                Map.of("schema.registry.url", "mock://latency"), false).deserializer())) {
            TopicPartition tp = new TopicPartition(prefix + ".status", 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            while (!stop.get()) {
                for (var r : consumer.poll(Duration.ofMillis(20))) {
                    long now = System.nanoTime();
                    TaskStatus s = r.value();
                    switch (s.getPhase()) {
                        case INITIALIZING -> initializing.put(s.getTaskId(), true);
                        case RUNNING -> {
                            Long t0 = changedAt.get(s.getTaskId());
                            if (t0 != null) {
                                latencies.add((now - t0) / 1_000_000);
                            }
                        }
                        default -> { }
                    }
                }
            }
        }
    }
}
