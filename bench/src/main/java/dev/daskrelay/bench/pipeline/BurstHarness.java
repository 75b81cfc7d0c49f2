package dev.daskrelay.bench.pipeline;

import dev.daskrelay.avro.v1.ApplyOutcome;
import dev.daskrelay.avro.v1.ApplyResult;
import dev.daskrelay.avro.v1.Observation;
import dev.daskrelay.avro.v1.TaskCommand;
import dev.daskrelay.avro.v1.TaskStatus;
import dev.daskrelay.bench.Await;
import dev.daskrelay.bench.CpuSample;
import dev.daskrelay.bench.TypicalTask;
import dev.daskrelay.embedded.EmbeddedKafka;
import dev.daskrelay.schemas.Topics;
import dev.daskrelay.schemas.config.DaskRelayConfig;
import dev.daskrelay.schemas.serde.AvroSerdes;
import dev.daskrelay.translator.TranslatorProcess;
import dev.daskrelay.translator.apply.Fabric8DaskJobApi;
import dev.daskrelay.watcher.WatcherProcess;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
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
 * Burst harness (not a test): the {@code daskrelay translator} and {@code daskrelay watcher} processes, wired as in
 * production ({@link TranslatorProcess}, {@link WatcherProcess}: command topology, applier, bridge, status topology,
 * exactly-once) on the embedded broker against a real kube-apiserver + etcd; N launches of the benchmarks' typical
 * task are published at once. Measured: the time until every DaskJob exists (the applier's CREATED outcome: the API
 * server answered 201) and until every task has its first status event (QUEUED, read by a read_committed consumer),
 * and per task launch → created and launch → QUEUED (same JVM clock), with the CPU each part used.
 *
 * <pre>
 * java -Xmx2g -cp bench/target/benchmarks.jar dev.daskrelay.bench.pipeline.BurstHarness \
 *     kubeconfig=/tmp/kube/kubeconfig serverPids=$(cat /tmp/kube/kube-apiserver.pid),$(cat /tmp/kube/etcd.pid)
 * </pre>
 * Options (key=value): launches (10000), kubeconfig (required), namespace (prefix, {@code burst}), commitInterval
 * (translator.commitInterval, default: the translator's), statusCommitInterval (default: the watcher's), serverPids.
 */
public final class BurstHarness {

    private BurstHarness() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new HashMap<>(Map.of("launches", "10000", "namespace", "burst"));
        for (String a : args) {
            String[] kv = a.split("=", 2);
            o.put(kv[0], kv[1]);
        }
        if (!o.containsKey("kubeconfig")) {
            throw new IllegalArgumentException("kubeconfig=FILE of the API server (testbed/kube/start.sh) is required");
        }
        int n = Integer.parseInt(o.get("launches"));
        List<String> serverPids = o.containsKey("serverPids") ? List.of(o.get("serverPids").split(",")) : List.of();
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        String run = Long.toString(System.currentTimeMillis() / 1000 % 1_000_000, 36);
        String ns = o.get("namespace") + "-" + run;
        String prefix = "burst" + run;
        System.out.printf("%s: %d cpus, java %s, max heap %d MiB; load average %.1f; %s%n", Instant.now(),
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                Runtime.getRuntime().maxMemory() >> 20, CpuSample.currentLoadAverage(), o);
        Path state = Files.createTempDirectory("daskrelay-burst");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Options.forTests());
             KubernetesClient admin = client(Path.of(o.get("kubeconfig")));
             KubernetesClient translatorClient = client(Path.of(o.get("kubeconfig")));
             KubernetesClient watcherClient = client(Path.of(o.get("kubeconfig")))) {
            admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
                    .create();
            String yaml = """
                    kafka: {bootstrapServers: "%s", topicPrefix: %s}
                    registry: {schema.registry.url: "mock://burst"}
                    translator: {ops: {host: 127.0.0.1, port: 0}, stateDir: "%s"%s}
                    watcher: {opsHost: 127.0.0.1, opsPort: 0, stateDir: "%s", retainFinished: -1, stuckAfter: 1h,
                              namespaces: [%s], leaseNamespace: %s%s}
                    """.formatted(kafka.bootstrapServers(), prefix, state.resolve("translator"),
                    o.containsKey("commitInterval") ? ", commitInterval: " + o.get("commitInterval") + "ms" : "",
                    state.resolve("watcher"), ns, ns, o.containsKey("statusCommitInterval")
                            ? ", statusCommitInterval: " + o.get("statusCommitInterval") + "ms" : "")
                    + TypicalTask.platformYaml(ns);
            DaskRelayConfig config = DaskRelayConfig.parse(yaml, "burst");
            Topics topics = config.kafka().topics();

            TranslatorProcess translator = TranslatorProcess.start(config, translatorClient);
            WatcherProcess watcher = WatcherProcess.start(config, watcherClient, Clock.systemUTC());
            Map<String, Long> sentAt = new ConcurrentHashMap<>();
            Map<String, Long> createdAt = new ConcurrentHashMap<>();
            Map<String, Long> firstStatusAt = new ConcurrentHashMap<>();
            Map<String, String> firstPhase = new ConcurrentHashMap<>();
            AtomicBoolean stop = new AtomicBoolean();
            Thread reader = new Thread(() -> read(kafka, topics, createdAt, firstStatusAt, firstPhase, stop),
                    "load-reader");
            try {
                awaitReady(translator.opsPort());
                Await.until(() -> watcher.leading() && watcher.bridge().ready()
                                && watcher.statusTopologyState() == KafkaStreams.State.RUNNING, Duration.ofMinutes(3),
                        "the watcher leading with its bridge and status topology ready");
                reader.start();
                Properties pp = kafka.clientProperties();
                pp.put("linger.ms", "5");
                try (KafkaProducer<String, TaskCommand> producer = new KafkaProducer<>(pp, new StringSerializer(),
                        AvroSerdes.specific(TaskCommand.class, config.registry().config(), false).serializer())) {
                    List<TaskCommand> commands = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        String execution = "b" + run + "x" + i;
                        commands.add(TaskCommand.newBuilder().setCommandId("cmd-" + execution)
                                .setTaskId(TypicalTask.taskId(execution)).setExecution(TypicalTask.execution(execution))
                                .setIssuedAt(Instant.now()).setPayload(TypicalTask.launch(ns, 4)).build());
                    }
                    CpuSample before = CpuSample.take(serverPids);
                    long t0 = System.currentTimeMillis();
                    for (TaskCommand c : commands) {
                        sentAt.put(c.getTaskId(), System.currentTimeMillis());
                        producer.send(new ProducerRecord<>(topics.commands(), c.getTaskId(), c));
                    }
                    producer.flush();
                    long published = System.currentTimeMillis() - t0;
                    Await.until(() -> createdAt.size() >= n && firstStatusAt.size() >= n, Duration.ofMinutes(30),
                            n + " DaskJobs created and " + n + " first status events");
                    CpuSample.Use use = before.until(CpuSample.take(serverPids));
                    long allCreated = createdAt.values().stream().mapToLong(Long::longValue).max().orElseThrow() - t0;
                    long allStatus = firstStatusAt.values().stream().mapToLong(Long::longValue).max().orElseThrow() - t0;
                    long[] toCreated = sentAt.keySet().stream().mapToLong(t -> createdAt.get(t) - sentAt.get(t))
                            .sorted().toArray();
                    long[] toQueued = sentAt.keySet().stream().mapToLong(t -> firstStatusAt.get(t) - sentAt.get(t))
                            .sorted().toArray();
                    Map<String, Long> phases = new HashMap<>();
                    firstPhase.values().forEach(ph -> phases.merge(ph, 1L, Long::sum));
                    long onServer = admin.genericKubernetesResources(Fabric8DaskJobApi.DASK_JOBS).inNamespace(ns)
                            .list().getItems().size();
                    System.out.printf("burst of %d launches (published in %d ms): every DaskJob created after %.1f s "
                                    + "(%.0f/s; %d on the API server), every task with its first status after %.1f s; first "
                                    + "statuses %s%n  launch -> created: p50 %d ms, p99 %d ms, max %d ms%n"
                                    + "  launch -> QUEUED:  p50 %d ms, p99 %d ms, max %d ms%n    %s%n",
                            n, published, allCreated / 1e3, n * 1e3 / allCreated, onServer, allStatus / 1e3, phases,
                            pct(toCreated, 50), pct(toCreated, 99), toCreated[toCreated.length - 1],
                            pct(toQueued, 50), pct(toQueued, 99), toQueued[toQueued.length - 1],
                            use.describe(n, "launch"));
                }
            } finally {
                stop.set(true);
                if (reader.isAlive()) {
                    reader.join();
                }
                watcher.close();
                translator.close();
                admin.genericKubernetesResources(Fabric8DaskJobApi.DASK_JOBS).inNamespace(ns).delete();
            }
        }
        System.out.printf("%s: done; load average %.1f%n", Instant.now(), CpuSample.currentLoadAverage());
        System.exit(0);
    }

    private static KubernetesClient client(Path kubeconfig) throws Exception {
        Config config = Config.fromKubeconfig(Files.readString(kubeconfig));
        config.setRequestTimeout(60_000);
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    private static void awaitReady(int opsPort) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest readyz = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + opsPort + "/readyz")).build();
        Await.until(() -> {
            try {
                return http.send(readyz, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (Exception e) {
                return false;
            }
        }, Duration.ofMinutes(3), "the translator ready");
    }

    /** First status event per task (receive time) and the applier's CREATED per task (its finishedAt). */
    private static void read(EmbeddedKafka kafka, Topics topics, Map<String, Long> createdAt,
                             Map<String, Long> firstStatusAt, Map<String, String> firstPhase, AtomicBoolean stop) {
        Properties p = kafka.clientProperties();
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Map<String, String> registry = Map.of("schema.registry.url", "mock://burst");
        try (var statuses = new KafkaConsumer<>(p, new StringDeserializer(),
                AvroSerdes.specific(TaskStatus.class, registry, false).deserializer());
             var observations = new KafkaConsumer<>(p, new StringDeserializer(),
                     AvroSerdes.specific(Observation.class, registry, false).deserializer())) {
            assignAll(statuses, topics.status());
            assignAll(observations, topics.observations());
            while (!stop.get()) {
                for (var r : statuses.poll(Duration.ofMillis(10))) {
                    long now = System.currentTimeMillis();
                    if (firstStatusAt.putIfAbsent(r.key(), now) == null) {
                        firstPhase.put(r.key(), r.value().getPhase().name());
                    }
                }
                for (var r : observations.poll(Duration.ofMillis(10))) {
                    if (r.value().getPayload() instanceof ApplyOutcome a && (a.getOutcome() == ApplyResult.CREATED
                            || a.getOutcome() == ApplyResult.ALREADY_EXISTED)) {
                        createdAt.putIfAbsent(r.key(), a.getFinishedAt().toEpochMilli());
                    }
                }
            }
        }
    }

    private static void assignAll(KafkaConsumer<?, ?> consumer, String topic) {
        List<TopicPartition> parts = consumer.partitionsFor(topic).stream()
                .map(pi -> new TopicPartition(topic, pi.partition())).toList();
        consumer.assign(parts);
        consumer.seekToBeginning(parts);
    }

    private static long pct(long[] sorted, int p) {
        return sorted[Math.max(0, Math.min(sorted.length - 1, (int) Math.ceil(sorted.length * p / 100.0) - 1))];
    }
}
