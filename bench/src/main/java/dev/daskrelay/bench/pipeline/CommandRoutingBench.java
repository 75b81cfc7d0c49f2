package dev.daskrelay.bench.pipeline;

import dev.daskrelay.avro.v1.CommandOutcome;
import dev.daskrelay.avro.v1.CommandOutcomeKind;
import dev.daskrelay.avro.v1.DaskJobIntent;
import dev.daskrelay.avro.v1.Observation;
import dev.daskrelay.avro.v1.TaskCommand;
import dev.daskrelay.bench.Await;
import dev.daskrelay.embedded.EmbeddedKafka;
import dev.daskrelay.schemas.Topics;
import dev.daskrelay.schemas.config.Installation;
import dev.daskrelay.schemas.config.PlatformConfig;
import dev.daskrelay.schemas.serde.AvroSerde;
import dev.daskrelay.schemas.serde.AvroSerdes;
import dev.daskrelay.translator.topology.CommandRouting;
import dev.daskrelay.translator.topology.CommandTopology;
import dev.daskrelay.translator.topology.RenderingPreparation;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
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
 * The cost of routing commands by task id (a repartition topic) against the previous design (deciding on the
 * producer's partition), side by side in one run (not a test). The command topology alone (no applier, no API
 * server, which would dominate), embedded broker, exactly_once_v2, same input for both: launches written by a Java
 * producer, so both designs decide correctly and only the routing differs.
 *
 * <p>Rounds alternate the two designs (A B A B ...) so a busy phase of a shared machine hits both alike. Per round:
 * <ol>
 *   <li>throughput: N launches published at once; time until the N LAUNCH_ACCEPTED outcomes are readable
 *       (read_committed, as the status topology and the applier read them);</li>
 *   <li>latency: launches at a fixed rate; per launch, publish → its outcome readable by a read_committed consumer
 *       (same JVM clock).</li>
 * </ol>
 *
 * Usage: {@code java -cp bench/target/benchmarks.jar dev.daskrelay.bench.pipeline.CommandRoutingBench
 * [launches=3000] [rate=200] [rateSeconds=10] [partitions=6] [rounds=2] [commitMs=100]}
 */
public final class CommandRoutingBench {

    private static final Map<String, String> REGISTRY = Map.of("schema.registry.url", "mock://routing-bench");

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new HashMap<>(Map.of("launches", "3000", "rate", "200", "rateSeconds", "10",
                "partitions", "6", "rounds", "2", "commitMs", "100"));
        for (String a : args) {
            String[] kv = a.split("=", 2);
            opts.put(kv[0], kv[1]);
        }
        int launches = Integer.parseInt(opts.get("launches"));
        int rate = Integer.parseInt(opts.get("rate"));
        int rateSeconds = Integer.parseInt(opts.get("rateSeconds"));
        int partitions = Integer.parseInt(opts.get("partitions"));
        int rounds = Integer.parseInt(opts.get("rounds"));
        int commitMs = Integer.parseInt(opts.get("commitMs"));
        System.out.printf("machine: %d cpus, %s %s, java %s, max heap %d MiB, load average %.1f%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"),
                System.getProperty("os.arch"), System.getProperty("java.version"),
                Runtime.getRuntime().maxMemory() >> 20,
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        System.out.printf("settings: launches=%d rate=%d/s for %ds, partitions=%d, rounds=%d, commit.interval.ms=%d%n",
                launches, rate, rateSeconds, partitions, rounds, commitMs);
        Map<CommandRouting, List<double[]>> results = new HashMap<>();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Options.forTests())) {
            int run = 0;
            for (int round = 0; round < rounds; round++) {
                for (CommandRouting routing : List.of(CommandRouting.PRODUCER_PARTITION,
                        CommandRouting.REPARTITION_BY_TASK_ID)) {
                    try (Topology t = Topology.start(kafka, "route-" + run++, routing, partitions, commitMs)) {
                        t.publish(100, "warm-");
                        t.await(100);
                        long t0 = System.nanoTime();
                        t.publish(launches, "burst-");
                        t.await(100 + launches);
                        double secs = (System.nanoTime() - t0) / 1e9;
                        int n = rate * rateSeconds;
                        long period = 1_000_000_000L / rate;
                        long start = System.nanoTime();
                        for (int i = 0; i < n; i++) {
                            long wait = start + i * period - System.nanoTime();
                            if (wait > 0) {
                                TimeUnit.NANOSECONDS.sleep(wait); // pacing of the load generator
                            }
                            t.publishOne("paced-" + i);
                        }
                        t.await(100 + launches + n);
                        long[] lat = t.latencies("paced-");
                        Arrays.sort(lat);
                        double[] r = {launches / secs, lat[(int) (lat.length * 0.5)],
                                lat[Math.min(lat.length - 1, (int) Math.ceil(lat.length * 0.99) - 1)],
                                lat[lat.length - 1]};
                        results.computeIfAbsent(routing, k -> new ArrayList<>()).add(r);
                        System.out.printf("round %d %-22s throughput %6.0f launches/s   latency at %d/s: p50 %4.0f ms"
                                        + "  p99 %4.0f ms  max %4.0f ms%n", round + 1, routing, r[0], rate, r[1], r[2],
                                r[3]);
                    }
                }
            }
        }
        System.out.println("median over rounds:");
        for (CommandRouting routing : List.of(CommandRouting.PRODUCER_PARTITION, CommandRouting.REPARTITION_BY_TASK_ID)) {
            List<double[]> rs = results.get(routing);
            System.out.printf("  %-22s throughput %6.0f launches/s   p50 %4.0f ms  p99 %4.0f ms  max %4.0f ms%n", routing,
                    median(rs, 0), median(rs, 1), median(rs, 2), median(rs, 3));
        }
        System.exit(0);
    }

    private static double median(List<double[]> rs, int i) {
        double[] v = rs.stream().mapToDouble(r -> r[i]).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /** The command topology on its own topic prefix, a producer of launches and a reader of its outcomes. */
    private static final class Topology implements AutoCloseable {
        final Topics topics;
        final KafkaStreams streams;
        final KafkaProducer<String, TaskCommand> producer;
        final KafkaConsumer<String, Observation> outcomes;
        final Map<String, Long> sentAt = new ConcurrentHashMap<>();
        final Map<String, Long> seenAt = new ConcurrentHashMap<>();
        final List<AutoCloseable> serdes = new ArrayList<>();
        /** Polls all the time, so an outcome's arrival is timed when it becomes readable, not when awaited. */
        final Thread reader;
        volatile boolean stop;

        private Topology(Topics topics, KafkaStreams streams, KafkaProducer<String, TaskCommand> producer,
                         KafkaConsumer<String, Observation> outcomes) {
            this.topics = topics;
            this.streams = streams;
            this.producer = producer;
            this.outcomes = outcomes;
            this.reader = new Thread(this::read, "routing-bench-reader");
            this.reader.setDaemon(true);
        }

        private void read() {
            while (!stop) {
                outcomes.poll(Duration.ofMillis(5)).forEach(r -> {
                    if (r.value().getPayload() instanceof CommandOutcome c
                            && c.getKind() == CommandOutcomeKind.LAUNCH_ACCEPTED) {
                        seenAt.putIfAbsent(r.value().getTaskId(), System.currentTimeMillis());
                    }
                });
            }
        }

        static Topology start(EmbeddedKafka kafka, String prefix, CommandRouting routing, int partitions,
                              int commitMs) throws Exception {
            Topics topics = new Topics(prefix);
            kafka.createTopics(partitions, topics.all().toArray(String[]::new));
            AvroSerde<TaskCommand> commands = AvroSerdes.specific(TaskCommand.class, REGISTRY, false);
            AvroSerde<DaskJobIntent> intents = AvroSerdes.specific(DaskJobIntent.class, REGISTRY, false);
            AvroSerde<Observation> observations = AvroSerdes.specific(Observation.class, REGISTRY, false);
            Properties sp = kafka.clientProperties();
            sp.putAll(CommandTopology.requiredProperties(prefix + "-translator"));
            sp.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("routing-bench").toString());
            sp.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commitMs);
            sp.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
            sp.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
            KafkaStreams streams = new KafkaStreams(CommandTopology.build(topics, commands, intents, observations,
                    new RenderingPreparation(PlatformConfig.defaults(), Installation.DEFAULT), new SimpleMeterRegistry(), routing), sp);
            streams.start();
            Properties pp = kafka.clientProperties();
            pp.put("linger.ms", "1");
            KafkaProducer<String, TaskCommand> producer = new KafkaProducer<>(pp, new StringSerializer(),
                    commands.serializer());
            Properties cp = kafka.clientProperties();
            cp.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            KafkaConsumer<String, Observation> outcomes = new KafkaConsumer<>(cp, new StringDeserializer(),
                    observations.deserializer());
            List<TopicPartition> parts = new ArrayList<>();
            for (int i = 0; i < partitions; i++) {
                parts.add(new TopicPartition(topics.observations(), i));
            }
            outcomes.assign(parts);
            outcomes.seekToBeginning(parts);
            Topology t = new Topology(topics, streams, producer, outcomes);
            t.serdes.addAll(List.of(commands, intents, observations));
            t.reader.start();
            Await.until(() -> streams.state() == KafkaStreams.State.RUNNING, Duration.ofMinutes(2),
                    "the command topology RUNNING");
            return t;
        }

        void publish(int n, String prefix) {
            for (int i = 0; i < n; i++) {
                publishOne(prefix + i);
            }
            producer.flush();
        }

        void publishOne(String task) {
            long now = System.currentTimeMillis();
            sentAt.put(task, now);
            TaskCommand c = TaskCommand.newBuilder().setCommandId("cmd-" + task).setTaskId(task)
                    .setExecution(TranslatorPipelineBench.execution(task)).setIssuedAt(Instant.ofEpochMilli(now))
                    .setPayload(TranslatorPipelineBench.launch()).build();
            producer.send(new ProducerRecord<>(topics.commands(), task, c));
        }

        void await(int total) throws InterruptedException {
            producer.flush();
            Await.until(() -> seenAt.size() >= total, Duration.ofMinutes(10), total + " outcomes");
        }

        long[] latencies(String prefix) {
            return seenAt.entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
                    .mapToLong(e -> e.getValue() - sentAt.get(e.getKey())).toArray();
        }

        @Override
        public void close() {
            stop = true;
            try {
                reader.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
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
