package dev.daskrelay.bench.pipeline;

import dev.daskrelay.avro.v1.ApplyOutcome;
import dev.daskrelay.avro.v1.ApplyResult;
import dev.daskrelay.avro.v1.DaskJobIntent;
import dev.daskrelay.avro.v1.DaskScheduler;
import dev.daskrelay.avro.v1.DaskSpec;
import dev.daskrelay.avro.v1.DaskWorkerGroup;
import dev.daskrelay.avro.v1.ExecutionIdentity;
import dev.daskrelay.avro.v1.LaunchDaskJob;
import dev.daskrelay.avro.v1.Observation;
import dev.daskrelay.avro.v1.TaskCommand;
import dev.daskrelay.bench.Await;
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
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Translator pipeline benchmark (not a test): launches on Kafka → command topology (exactly-once) → intents →
 * applier → DaskJobs in the in-process Kubernetes API, in one JVM with the embedded broker.
 *
 * <ol>
 *   <li>ceiling: plain fabric8 creates of the same rendered DaskJobs at the applier's concurrency, same server;</li>
 *   <li>throughput: N launches published at once, time until every DaskJob is reported created;</li>
 *   <li>latency: launches at a fixed rate; launch published → applier's CREATED outcome (same clock).</li>
 * </ol>
 *
 * Usage: {@code java -cp bench/target/benchmarks.jar dev.daskrelay.bench.pipeline.TranslatorPipelineBench
 * [launches=2000] [concurrency=32] [rate=200] [rateSeconds=15] [partitions=6]}
 */
public final class TranslatorPipelineBench {

    private static final Map<String, String> REGISTRY = Map.of("schema.registry.url", "mock://bench");

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new HashMap<>(Map.of("launches", "2000", "concurrency", "32", "rate", "200",
                "rateSeconds", "15", "partitions", "6"));
        for (String a : args) {
            String[] kv = a.split("=", 2);
            opts.put(kv[0], kv[1]);
        }
        int launches = Integer.parseInt(opts.get("launches"));
        int concurrency = Integer.parseInt(opts.get("concurrency"));
        int rate = Integer.parseInt(opts.get("rate"));
        int rateSeconds = Integer.parseInt(opts.get("rateSeconds"));
        int partitions = Integer.parseInt(opts.get("partitions"));
        System.out.printf("machine: %d cpus, %s %s, java %s, max heap %d MiB%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"),
                System.getProperty("os.arch"), System.getProperty("java.version"),
                Runtime.getRuntime().maxMemory() >> 20);
        System.out.printf("settings: launches=%d concurrency=%d rate=%d/s for %ds, partitions=%d%n",
                launches, concurrency, rate, rateSeconds, partitions);

        try (EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Options.forTests());
             InMemoryKubernetes k8s = InMemoryKubernetes.start()) {
            KubernetesClient client = new KubernetesSettings(null, null, k8s.url(), Duration.ofSeconds(30)).client();

            ceiling(client, Math.min(500, launches), concurrency, "w-"); // warm-up of client, server and JIT
            deleteAll(client);
            double ceiling = ceiling(client, launches, concurrency, "c-");
            System.out.printf("ceiling: plain fabric8 creates, %d in flight: %.0f creates/s%n", concurrency, ceiling);
            deleteAll(client);

            Pipeline p = Pipeline.start(kafka, client, "bench-a", partitions, concurrency);
            try {
                long t0 = System.nanoTime();
                p.publish(launches, "a-", 0);
                p.awaitCreated(launches);
                double secs = (System.nanoTime() - t0) / 1e9;
                double throughput = launches / secs;
                System.out.printf("pipeline: %d launches -> DaskJobs created in %.2f s: %.0f launches/s (%.2f of the "
                        + "ceiling)%n", launches, secs, throughput, throughput / ceiling);
            } finally {
                p.close();
            }
            deleteAll(client);

            Pipeline q = Pipeline.start(kafka, client, "bench-b", partitions, concurrency);
            try {
                q.publish(50, "warm-", 0); // warm-up, not measured
                q.awaitCreated(50);
                int n = rate * rateSeconds;
                long periodNanos = 1_000_000_000L / rate;
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
                long[] lat = q.latenciesMillis("r-");
                Arrays.sort(lat);
                System.out.printf("latency at %d launches/s (%d launches): launch -> created p50 %d ms, p99 %d ms, "
                                + "max %d ms%n", rate, lat.length, lat[(int) (lat.length * 0.50)],
                        lat[Math.min(lat.length - 1, (int) Math.ceil(lat.length * 0.99) - 1)], lat[lat.length - 1]);
            } finally {
                q.close();
            }
            client.close();
        }
        System.exit(0);
    }

    /** Plain fabric8 creates of rendered DaskJobs at the given concurrency: the API server's ceiling here. */
    private static double ceiling(KubernetesClient client, int n, int concurrency, String prefix)
            throws Exception {
        DaskJobRenderer renderer = new DaskJobRenderer(PlatformConfig.defaults(), Installation.DEFAULT);
        List<GenericKubernetesResource> jobs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String task = prefix + i;
            RenderResult r = renderer.render(task, execution(task), launch());
            jobs.add(Serialization.unmarshal(r.orElseThrow().toJson(), GenericKubernetesResource.class));
        }
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        try {
            long t0 = System.nanoTime();
            List<Future<?>> fs = new ArrayList<>();
            for (GenericKubernetesResource job : jobs) {
                fs.add(pool.submit(() -> client.genericKubernetesResources(Fabric8DaskJobApi.DASK_JOBS)
                        .inNamespace("default").resource(job).create()));
            }
            for (Future<?> f : fs) {
                f.get();
            }
            return n / ((System.nanoTime() - t0) / 1e9);
        } finally {
            pool.shutdownNow();
        }
    }

    private static void deleteAll(KubernetesClient client) {
        client.genericKubernetesResources(Fabric8DaskJobApi.DASK_JOBS).inNamespace("default").delete();
    }

    static ExecutionIdentity execution(String task) {
        return ExecutionIdentity.newBuilder().setProject("bench").setDomain("dev").setName(task).setNodeId("n0")
                .setRetryAttempt(0).build();
    }

    static LaunchDaskJob launch() {
        return LaunchDaskJob.newBuilder().setImage("ghcr.io/acme/app:1").setArgs(List.of("python", "-m", "app"))
                .setDask(DaskSpec.newBuilder().setScheduler(DaskScheduler.newBuilder().build())
                        .setWorkers(DaskWorkerGroup.newBuilder().setNumberOfWorkers(2).build()).build())
                .build();
    }

    /** Topology + applier on their own topic prefix, a producer of launches, a reader of outcomes. */
    private static final class Pipeline implements AutoCloseable {
        final Topics topics;
        final KafkaStreams streams;
        final Applier applier;
        final KafkaProducer<String, TaskCommand> producer;
        final KafkaConsumer<String, Observation> outcomes;
        final Map<String, Long> sentAt = new ConcurrentHashMap<>();
        final Map<String, Long> createdAt = new HashMap<>();
        final List<AutoCloseable> serdes = new ArrayList<>();

        private Pipeline(Topics topics, KafkaStreams streams, Applier applier, KafkaProducer<String, TaskCommand> producer,
                         KafkaConsumer<String, Observation> outcomes) {
            this.topics = topics;
            this.streams = streams;
            this.applier = applier;
            this.producer = producer;
            this.outcomes = outcomes;
        }

        static Pipeline start(EmbeddedKafka kafka, KubernetesClient client, String prefix, int partitions,
                              int concurrency) throws Exception {
            Topics topics = new Topics(prefix);
            kafka.createTopics(partitions, topics.all().toArray(String[]::new));
            AvroSerde<TaskCommand> commands = AvroSerdes.specific(TaskCommand.class, REGISTRY, false);
            AvroSerde<DaskJobIntent> intents = AvroSerdes.specific(DaskJobIntent.class, REGISTRY, false);
            AvroSerde<Observation> observations = AvroSerdes.specific(Observation.class, REGISTRY, false);
            Properties sp = kafka.clientProperties();
            sp.putAll(CommandTopology.requiredProperties(prefix + "-translator"));
            sp.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("bench-state").toString());
            sp.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
            sp.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
            sp.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
            KafkaStreams streams = new KafkaStreams(CommandTopology.build(topics, commands, intents, observations,
                    new RenderingPreparation(PlatformConfig.defaults(), Installation.DEFAULT), new SimpleMeterRegistry()), sp);
            streams.start();
            Properties base = kafka.clientProperties();
            Applier applier = new Applier(new ApplierSettings(topics.intents(), topics.observations(), concurrency,
                    4000, 2000, RetryPolicy.defaults(), Duration.ofSeconds(10)),
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
            Pipeline p = new Pipeline(topics, streams, applier, producer, outcomes);
            p.serdes.addAll(List.of(commands, intents, observations));
            Await.until(() -> streams.state() == KafkaStreams.State.RUNNING, Duration.ofMinutes(2),
                    "the command topology RUNNING");
            return p;
        }

        void publish(int n, String prefix, int from) {
            for (int i = from; i < from + n; i++) {
                publishOne(prefix + i);
            }
            producer.flush();
        }

        void publishOne(String task) {
            long now = System.currentTimeMillis();
            sentAt.put(task, now);
            TaskCommand c = TaskCommand.newBuilder().setCommandId("cmd-" + task).setTaskId(task)
                    .setExecution(execution(task)).setIssuedAt(Instant.ofEpochMilli(now)).setPayload(launch()).build();
            producer.send(new ProducerRecord<>(topics.commands(), task, c));
        }

        void awaitCreated(int total) {
            producer.flush();
            long deadline = System.currentTimeMillis() + 600_000;
            while (createdAt.size() < total) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException("only " + createdAt.size() + " of " + total + " created");
                }
                outcomes.poll(Duration.ofMillis(100)).forEach(r -> {
                    if (r.value().getPayload() instanceof ApplyOutcome a
                            && (a.getOutcome() == ApplyResult.CREATED || a.getOutcome() == ApplyResult.ALREADY_EXISTED)) {
                        createdAt.putIfAbsent(r.value().getTaskId(), a.getFinishedAt().toEpochMilli());
                    }
                });
            }
        }

        long[] latenciesMillis(String prefix) {
            return createdAt.entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
                    .mapToLong(e -> e.getValue() - sentAt.get(e.getKey())).toArray();
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
