package dev.daskrelay.bench.pipeline;

import dev.daskrelay.avro.v1.ApplyOutcome;
import dev.daskrelay.avro.v1.ApplyResult;
import dev.daskrelay.avro.v1.DaskJobIntent;
import dev.daskrelay.avro.v1.LaunchDaskJob;
import dev.daskrelay.avro.v1.Observation;
import dev.daskrelay.avro.v1.TaskCommand;
import dev.daskrelay.bench.Await;
import dev.daskrelay.bench.CpuSample;
import dev.daskrelay.bench.TypicalTask;
import dev.daskrelay.embedded.EmbeddedKafka;
import dev.daskrelay.schemas.Topics;
import dev.daskrelay.schemas.config.Installation;
import dev.daskrelay.schemas.config.KubernetesSettings;
import dev.daskrelay.schemas.config.PlatformConfig;
import dev.daskrelay.schemas.serde.AvroSerde;
import dev.daskrelay.schemas.serde.AvroSerdes;
import dev.daskrelay.simulator.InMemoryKubernetes;
import dev.daskrelay.translator.apply.Applier;
import dev.daskrelay.translator.apply.ApplierSettings;
import dev.daskrelay.translator.apply.ApplyHooks;
import dev.daskrelay.translator.apply.Fabric8DaskJobApi;
import dev.daskrelay.translator.apply.RetryPolicy;
import dev.daskrelay.translator.render.DaskJobRenderer;
import dev.daskrelay.translator.render.RenderResult;
import dev.daskrelay.translator.topology.CommandTopology;
import dev.daskrelay.translator.topology.RenderingPreparation;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Translator pipeline benchmark (not a test): launches on Kafka → command topology (exactly-once) → intents →
 * applier → DaskJobs in a Kubernetes API server, in one JVM with the embedded broker; the API server is a real
 * kube-apiserver + etcd ({@code kubeconfig=}, testbed/kube/start.sh) or the in-memory mock.
 *
 * <ol>
 *   <li>ceiling: plain fabric8 creates ({@code resource(job).create()}) of the same rendered DaskJobs at the
 *       applier's concurrency against the same API server;</li>
 *   <li>throughput: N launches published at once, time until every DaskJob is reported created; rounds alternate
 *       ceiling and pipeline, so both see the same machine;</li>
 *   <li>latency, per commit interval: launches at a fixed rate; launch published → applier's CREATED outcome (same
 *       clock), with the transactions committed and the CPU used.</li>
 * </ol>
 * Every phase reports the CPU of this JVM per launch by part (Kafka Streams, applier, HTTP client, broker, ...) and,
 * with {@code serverPids=}, of kube-apiserver and etcd.
 *
 * <pre>
 * java -Xmx2g -cp bench/target/benchmarks.jar dev.daskrelay.bench.pipeline.TranslatorPipelineBench \
 *     kubeconfig=/tmp/kube/kubeconfig serverPids=$(cat /tmp/kube/kube-apiserver.pid),$(cat /tmp/kube/etcd.pid)
 * </pre>
 * Options (key=value): launches (10000), concurrency (32), rounds (1), warmup (500), rate (200), rateSeconds (30),
 * partitions (6), commitInterval (ms of the throughput phase, 100), latencyCommitIntervals (ms, one latency phase
 * each, {@code 100,20}), kubeconfig (none: in-memory API), namespace (prefix of the per-phase namespaces,
 * {@code pipe}), serverPids, phases ({@code ceiling,pipeline,latency}).
 */
public final class TranslatorPipelineBench {

    private static final Map<String, String> REGISTRY = Map.of("schema.registry.url", "mock://bench");
    private static final int WORKERS = 4;

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new HashMap<>(Map.of("launches", "10000", "concurrency", "32", "rate", "200",
                "rateSeconds", "30", "partitions", "6", "rounds", "1", "warmup", "500", "commitInterval", "100",
                "latencyCommitIntervals", "100,20", "phases", "ceiling,pipeline,latency"));
        opts.put("namespace", "pipe");
        for (String a : args) {
            String[] kv = a.split("=", 2);
            if (kv.length != 2) {
                throw new IllegalArgumentException("arguments are key=value, got: " + a);
            }
            opts.put(kv[0], kv[1]);
        }
        int launches = Integer.parseInt(opts.get("launches"));
        int concurrency = Integer.parseInt(opts.get("concurrency"));
        int rate = Integer.parseInt(opts.get("rate"));
        int rateSeconds = Integer.parseInt(opts.get("rateSeconds"));
        int partitions = Integer.parseInt(opts.get("partitions"));
        int rounds = Integer.parseInt(opts.get("rounds"));
        int warmup = Integer.parseInt(opts.get("warmup"));
        long commitInterval = Long.parseLong(opts.get("commitInterval"));
        List<Long> latencyIntervals = Arrays.stream(opts.get("latencyCommitIntervals").split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).map(Long::parseLong).toList();
        List<String> phases = List.of(opts.get("phases").split(","));
        List<String> serverPids = opts.containsKey("serverPids") ? List.of(opts.get("serverPids").split(","))
                : List.of();
        Path kubeconfig = opts.containsKey("kubeconfig") ? Path.of(opts.get("kubeconfig")) : null;
        String run = Long.toString(System.currentTimeMillis() / 1000 % 1_000_000, 36);
        System.out.printf("%s: %d cpus, %s %s, java %s, max heap %d MiB; load average %.1f%n", Instant.now(),
                Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"),
                System.getProperty("os.arch"), System.getProperty("java.version"),
                Runtime.getRuntime().maxMemory() >> 20, CpuSample.currentLoadAverage());
        System.out.printf("settings: %s%n", new TreeMap<>(opts));

        try (EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Options.forTests());
             InMemoryKubernetes mock = kubeconfig == null ? InMemoryKubernetes.start() : null) {
            KubernetesClient client = kubeconfig == null
                    ? new KubernetesSettings(null, null, mock.url(), Duration.ofSeconds(30)).client()
                    : realClient(kubeconfig, concurrency);
            System.out.printf("API server %s%n", client.getMasterUrl());

            if (warmup > 0 && phases.contains("ceiling")) {
                String ns = namespace(client, opts.get("namespace") + "-" + run + "-w");
                ceiling(client, ns, warmup, concurrency, "w-", serverPids); // client, server and JIT
                deleteAll(client, ns);
            }
            for (int round = 1; round <= rounds; round++) {
                double ceiling = Double.NaN;
                if (phases.contains("ceiling")) {
                    String ns = namespace(client, opts.get("namespace") + "-" + run + "-c" + round);
                    ceiling = ceiling(client, ns, launches, concurrency, "c" + round + "-", serverPids);
                    deleteAll(client, ns);
                }
                if (phases.contains("pipeline")) {
                    String ns = namespace(client, opts.get("namespace") + "-" + run + "-p" + round);
                    Pipeline p = Pipeline.start(kafka, client, "bench-" + run + "-p" + round, ns, partitions,
                            concurrency, commitInterval);
                    try {
                        CpuSample before = CpuSample.take(serverPids);
                        p.publish(launches, "p" + round + "-");
                        p.awaitCreated(launches);
                        CpuSample.Use use = before.until(CpuSample.take(serverPids));
                        double throughput = launches / use.wallSeconds();
                        System.out.printf("round %d pipeline (commit interval %d ms): %d launches -> DaskJobs created "
                                        + "in %.2f s: %.0f launches/s (%.2f of the ceiling); %d commits%n    %s%n",
                                round, commitInterval, launches, use.wallSeconds(), throughput, throughput / ceiling,
                                p.commits(), use.describe(launches, "launch"));
                    } finally {
                        p.close();
                    }
                    deleteAll(client, ns);
                }
            }
            if (phases.contains("latency")) {
                for (int i = 0; i < latencyIntervals.size(); i++) {
                    long interval = latencyIntervals.get(i);
                    // the phase number too: an interval listed twice gets its own namespace, topics and task ids
                    String phase = "l" + i + "-" + interval;
                    String ns = namespace(client, opts.get("namespace") + "-" + run + "-" + phase);
                    latency(kafka, client, ns, "bench-" + run + "-" + phase, partitions, concurrency, interval,
                            rate, rateSeconds, serverPids);
                    deleteAll(client, ns);
                }
            }
            client.close();
        }
        System.out.printf("%s: done; load average %.1f%n", Instant.now(), CpuSample.currentLoadAverage());
        System.exit(0);
    }

    private static KubernetesClient realClient(Path kubeconfig, int concurrency) throws Exception {
        Config config = Config.fromKubeconfig(Files.readString(kubeconfig));
        config.setMaxConcurrentRequests(Math.max(64, concurrency * 2));
        config.setMaxConcurrentRequestsPerHost(Math.max(64, concurrency * 2));
        config.setRequestTimeout(60_000);
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    private static String namespace(KubernetesClient client, String name) {
        if (client.namespaces().withName(name).get() == null) {
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata()
                    .build()).create();
        }
        return name;
    }

    /** Plain fabric8 creates of rendered DaskJobs at the given concurrency: the API server's ceiling here. */
    private static double ceiling(KubernetesClient client, String ns, int n, int concurrency, String prefix,
                                  List<String> serverPids) throws Exception {
        DaskJobRenderer renderer = TypicalTask.renderer(ns);
        List<GenericKubernetesResource> jobs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String execution = prefix + i;
            RenderResult r = renderer.render(TypicalTask.taskId(execution), TypicalTask.execution(execution),
                    launch(ns));
            jobs.add(Serialization.unmarshal(r.orElseThrow().toJson(), GenericKubernetesResource.class));
        }
        AtomicInteger threads = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(concurrency,
                r -> new Thread(r, "load-ceiling-" + threads.incrementAndGet()));
        try {
            CpuSample before = CpuSample.take(serverPids);
            List<Future<?>> fs = new ArrayList<>();
            for (GenericKubernetesResource job : jobs) {
                fs.add(pool.submit(() -> client.genericKubernetesResources(Fabric8DaskJobApi.DASK_JOBS)
                        .inNamespace(ns).resource(job).create()));
            }
            for (Future<?> f : fs) {
                f.get();
            }
            CpuSample.Use use = before.until(CpuSample.take(serverPids));
            double rate = n / use.wallSeconds();
            System.out.printf("%s: plain fabric8 creates, %d in flight: %d in %.2f s = %.0f creates/s%n    %s%n",
                    prefix.startsWith("w") ? "warm-up" : "ceiling", concurrency, n, use.wallSeconds(), rate,
                    use.describe(n, "create"));
            return rate;
        } finally {
            pool.shutdownNow();
        }
    }

    private static void latency(EmbeddedKafka kafka, KubernetesClient client, String ns, String prefix,
                                int partitions, int concurrency, long commitInterval, int rate, int seconds,
                                List<String> serverPids) throws Exception {
        Pipeline q = Pipeline.start(kafka, client, prefix, ns, partitions, concurrency, commitInterval);
        try {
            q.publish(50, "warm-"); // warm-up, not measured
            q.awaitCreated(50);
            int n = rate * seconds;
            long periodNanos = 1_000_000_000L / rate;
            long commits0 = q.commits();
            CpuSample before = CpuSample.take(serverPids);
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                long due = start + i * periodNanos;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait); // pacing of the load generator
                }
                q.publishOne("r-" + i);
            }
            q.awaitCreated(n + 50);
            CpuSample.Use use = before.until(CpuSample.take(serverPids));
            long commits = q.commits() - commits0;
            long[] lat = q.latenciesMillis("r-");
            Arrays.sort(lat);
            System.out.printf("latency at %d launches/s for %d s, commit interval %d ms (%d launches): launch -> created "
                            + "p50 %d ms, p90 %d ms, p99 %d ms, max %d ms; %d commits (%.1f/s)%n    %s%n", rate,
                    seconds, commitInterval, lat.length, pct(lat, 50), pct(lat, 90), pct(lat, 99), lat[lat.length - 1],
                    commits, commits / use.wallSeconds(), use.describe(n, "launch"));
        } finally {
            q.close();
        }
    }

    private static long pct(long[] sorted, int p) {
        return sorted[Math.max(0, Math.min(sorted.length - 1, (int) Math.ceil(sorted.length * p / 100.0) - 1))];
    }

    /**
     * Deletes the phase's DaskJobs (delete-collection requests), outside any measurement, and waits until they are
     * gone. A delete-collection of 10,000 DaskJobs outlasts the API server's request timeout (60 s), and the
     * kube-apiserver of the test bed stops deleting when that request ends (seen: 6,112 of 10,000 deleted, the rest
     * left for good), so the request is repeated until none is left.
     */
    private static void deleteAll(KubernetesClient client, String ns) throws InterruptedException {
        var jobs = client.genericKubernetesResources(Fabric8DaskJobApi.DASK_JOBS).inNamespace(ns);
        BooleanSupplier gone = () -> jobs.list(new ListOptionsBuilder().withLimit(1L).build()).getItems().isEmpty();
        for (int attempt = 1; ; attempt++) {
            try {
                jobs.delete();
            } catch (KubernetesClientException e) {
                System.out.printf("    delete-collection %d in %s answered %s%n", attempt, ns, e.getMessage());
            }
            try {
                Await.until(gone, Duration.ofSeconds(30), "the DaskJobs of " + ns + " deleted");
                return;
            } catch (IllegalStateException stillThere) {
                if (attempt == 20) {
                    throw stillThere;
                }
            }
        }
    }

    static LaunchDaskJob launch(String ns) {
        return TypicalTask.launch(ns, WORKERS);
    }

    /** Topology + applier on their own topic prefix, a producer of launches, a reader of outcomes. */
    private static final class Pipeline implements AutoCloseable {
        final Topics topics;
        final String namespace;
        final KafkaStreams streams;
        final Applier applier;
        final KafkaProducer<String, TaskCommand> producer;
        final KafkaConsumer<String, Observation> outcomes;
        final Map<String, Long> sentAt = new ConcurrentHashMap<>();
        final Map<String, Long> createdAt = new HashMap<>();
        final List<AutoCloseable> serdes = new ArrayList<>();

        private Pipeline(Topics topics, String namespace, KafkaStreams streams, Applier applier,
                         KafkaProducer<String, TaskCommand> producer, KafkaConsumer<String, Observation> outcomes) {
            this.topics = topics;
            this.namespace = namespace;
            this.streams = streams;
            this.applier = applier;
            this.producer = producer;
            this.outcomes = outcomes;
        }

        static Pipeline start(EmbeddedKafka kafka, KubernetesClient client, String prefix, String namespace,
                              int partitions, int concurrency, long commitIntervalMs) throws Exception {
            Topics topics = new Topics(prefix);
            kafka.createTopics(partitions, topics.all().toArray(String[]::new));
            AvroSerde<TaskCommand> commands = AvroSerdes.specific(TaskCommand.class, REGISTRY, false);
            AvroSerde<DaskJobIntent> intents = AvroSerdes.specific(DaskJobIntent.class, REGISTRY, false);
            AvroSerde<Observation> observations = AvroSerdes.specific(Observation.class, REGISTRY, false);
            Properties sp = kafka.clientProperties();
            sp.putAll(CommandTopology.requiredProperties(prefix + "-translator"));
            sp.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("bench-state").toString());
            sp.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commitIntervalMs);
            sp.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
            sp.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
            PlatformConfig platform = TypicalTask.platform(namespace);
            KafkaStreams streams = new KafkaStreams(CommandTopology.build(topics, commands, intents, observations,
                    new RenderingPreparation(platform, Installation.DEFAULT), new SimpleMeterRegistry()), sp);
            streams.start();
            Properties base = kafka.clientProperties();
            Applier applier = new Applier(new ApplierSettings(topics.intents(), topics.observations(), concurrency,
                    ApplierSettings.DEFAULT_MAX_PENDING, ApplierSettings.DEFAULT_MAX_PENDING_PER_PARTITION,
                    RetryPolicy.defaults(), Duration.ofSeconds(10)),
                    new KafkaConsumer<>(Applier.consumerProperties(base, prefix + "-applier"), new StringDeserializer(),
                            intents.deserializer()),
                    new KafkaProducer<>(Applier.producerProperties(base), new StringSerializer(),
                            observations.serializer()),
                    new Fabric8DaskJobApi(client, Installation.DEFAULT), new SimpleMeterRegistry(), Clock.systemUTC(), ApplyHooks.NONE)
                    .start();
            Properties pp = kafka.clientProperties();
            pp.put("linger.ms", "1");
            KafkaProducer<String, TaskCommand> producer = new KafkaProducer<>(pp, new StringSerializer(),
                    commands.serializer());
            Properties cp = kafka.clientProperties();
            cp.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            KafkaConsumer<String, Observation> outcomes = new KafkaConsumer<>(cp, new StringDeserializer(),
                    observations.deserializer());
            var parts = new ArrayList<TopicPartition>();
            for (int i = 0; i < partitions; i++) {
                parts.add(new TopicPartition(topics.observations(), i));
            }
            outcomes.assign(parts);
            outcomes.seekToBeginning(parts);
            Pipeline p = new Pipeline(topics, namespace, streams, applier, producer, outcomes);
            p.serdes.addAll(List.of(commands, intents, observations));
            Await.until(() -> streams.state() == KafkaStreams.State.RUNNING, Duration.ofMinutes(2),
                    "the command topology RUNNING");
            return p;
        }

        void publish(int n, String prefix) {
            for (int i = 0; i < n; i++) {
                publishOne(prefix + i);
            }
            producer.flush();
        }

        void publishOne(String execution) {
            String task = TypicalTask.taskId(execution);
            long now = System.currentTimeMillis();
            sentAt.put(task, now);
            TaskCommand c = TaskCommand.newBuilder().setCommandId("cmd-" + task).setTaskId(task)
                    .setExecution(TypicalTask.execution(execution)).setIssuedAt(Instant.ofEpochMilli(now))
                    .setPayload(launch(namespace)).build();
            producer.send(new ProducerRecord<>(topics.commands(), task, c));
        }

        void awaitCreated(int total) {
            producer.flush();
            long deadline = System.currentTimeMillis() + 900_000;
            while (createdAt.size() < total) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException("only " + createdAt.size() + " of " + total + " created");
                }
                outcomes.poll(Duration.ofMillis(100)).forEach(r -> {
                    if (r.value().getPayload() instanceof ApplyOutcome a) {
                        if (a.getOutcome() == ApplyResult.CREATED || a.getOutcome() == ApplyResult.ALREADY_EXISTED) {
                            createdAt.putIfAbsent(r.value().getTaskId(), a.getFinishedAt().toEpochMilli());
                        } else if (a.getOutcome() == ApplyResult.FAILED || a.getOutcome() == ApplyResult.CONFLICT) {
                            throw new IllegalStateException("apply failed: " + a);
                        }
                    }
                });
            }
        }

        long[] latenciesMillis(String executionPrefix) {
            String prefix = TypicalTask.taskId(executionPrefix).replace("-n0-0", "");
            return createdAt.entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
                    .mapToLong(e -> e.getValue() - sentAt.get(e.getKey())).toArray();
        }

        /** Transactions the command topology committed so far (Kafka Streams' commit-total). */
        long commits() {
            double total = 0;
            for (Map.Entry<MetricName, ? extends Metric> m : streams.metrics().entrySet()) {
                if (m.getKey().name().equals("commit-total") && m.getKey().group().equals("stream-thread-metrics")
                        && m.getValue().metricValue() instanceof Number v) {
                    total += v.doubleValue();
                }
            }
            return (long) total;
        }

        @Override
        public void close() {
            applier.close();
            streams.close(Duration.ofSeconds(30));
            producer.close();
            outcomes.close();
            for (AutoCloseable s : serdes) {
                try {
                    s.close();
                } catch (Exception e) {
                    // closing a registry client of the mock scope
                }
            }
        }
    }
}
