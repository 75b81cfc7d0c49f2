package dev.daskrelay.bench.watcher;

import dev.daskrelay.avro.v1.ApplyOutcome;
import dev.daskrelay.avro.v1.ApplyResult;
import dev.daskrelay.avro.v1.CommandOutcome;
import dev.daskrelay.avro.v1.CommandOutcomeKind;
import dev.daskrelay.avro.v1.ComponentsDetail;
import dev.daskrelay.avro.v1.ContainerDetail;
import dev.daskrelay.avro.v1.DaskJobIntent;
import dev.daskrelay.avro.v1.DaskJobSnapshot;
import dev.daskrelay.avro.v1.IntentAction;
import dev.daskrelay.avro.v1.Observation;
import dev.daskrelay.avro.v1.ObservationSource;
import dev.daskrelay.avro.v1.PodDetail;
import dev.daskrelay.avro.v1.TaskStatus;
import dev.daskrelay.bench.Await;
import dev.daskrelay.bench.CpuSample;
import dev.daskrelay.bench.TypicalTask;
import dev.daskrelay.embedded.EmbeddedKafka;
import dev.daskrelay.schemas.serde.AvroSerde;
import dev.daskrelay.schemas.serde.AvroSerdes;
import dev.daskrelay.watcher.status.StatusSerdes;
import dev.daskrelay.watcher.status.StatusService;
import dev.daskrelay.watcher.status.StatusSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Status topology throughput harness (not a test): the watcher's status topology ({@link StatusService}: exactly-once,
 * RocksDB stores, the production serdes on a {@code mock://} registry) on the embedded broker, with T active tasks
 * (launch accepted, DaskJob created, then RUNNING) and N bridge snapshots of them (runner and scheduler running,
 * workers coming and going, now and then a worker problem or an Event) produced as fast as a producer can, round-robin
 * over the tasks. Measured: observations per second of wall time until the topology caught up, and per CPU-second of
 * its stream thread (one stream thread = one core), with the broker's CPU beside it.
 *
 * <pre>
 * java -Xmx1g -cp bench/target/benchmarks.jar dev.daskrelay.bench.watcher.StatusThroughputHarness \
 *     tasks=10000 observations=200000
 * </pre>
 * <p>Options (key=value): tasks (10000), observations (200000), partitions (6), commitInterval (ms, 100), rounds (2),
 * changeEvery (1: every snapshot changes the workers' readiness, so every observation yields a status event; K: one
 * snapshot in K does, the others repeat the last one).
 */
public final class StatusThroughputHarness {

    private static final Map<String, String> REGISTRY = Map.of("schema.registry.url", "mock://throughput");

    private StatusThroughputHarness() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new HashMap<>(Map.of("tasks", "10000", "observations", "200000", "partitions", "6",
                "commitInterval", "100", "rounds", "2", "changeEvery", "1"));
        for (String a : args) {
            String[] kv = a.split("=", 2);
            o.put(kv[0], kv[1]);
        }
        int tasks = Integer.parseInt(o.get("tasks"));
        int n = Integer.parseInt(o.get("observations"));
        int partitions = Integer.parseInt(o.get("partitions"));
        int rounds = Integer.parseInt(o.get("rounds"));
        changeEvery = Integer.parseInt(o.get("changeEvery"));
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        System.out.printf("%s: %d cpus, java %s, max heap %d MiB; load average %.1f; %s%n", Instant.now(),
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                Runtime.getRuntime().maxMemory() >> 20, CpuSample.currentLoadAverage(), o);
        String prefix = "throughput";
        String applicationId = prefix + "-status";
        StatusSettings settings = StatusSettings.defaults(prefix);
        try (EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Options.forTests())) {
            kafka.createTopics(partitions, settings.observationsTopic(), settings.statusTopic(),
                    settings.intentsTopic(), settings.deadLettersTopic());
            StatusSerdes serdes = new StatusSerdes(AvroSerdes.specific(Observation.class, REGISTRY, false),
                    AvroSerdes.specific(TaskStatus.class, REGISTRY, false),
                    AvroSerdes.specific(DaskJobIntent.class, REGISTRY, false));
            Properties p = kafka.clientProperties();
            p.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("throughput-state").toString());
            p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
            p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, Long.parseLong(o.get("commitInterval")));
            p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
            p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
            AvroSerde<Observation> observationSerde = AvroSerdes.specific(Observation.class, REGISTRY, false);
            Properties pp = kafka.clientProperties();
            pp.put(ProducerConfig.LINGER_MS_CONFIG, "5");
            pp.put(ProducerConfig.BATCH_SIZE_CONFIG, "262144");
            try (StatusService service = new StatusService(settings, serdes, new SimpleMeterRegistry(), applicationId,
                    kafka.bootstrapServers(), p).start();
                 KafkaProducer<String, Observation> producer = new KafkaProducer<>(pp, new StringSerializer(),
                         observationSerde.serializer());
                 Admin admin = Admin.create(kafka.clientProperties())) {
                Await.until(() -> service.state() == KafkaStreams.State.RUNNING, Duration.ofMinutes(2), "RUNNING");
                long t0 = System.nanoTime();
                for (int t = 0; t < tasks; t++) {
                    send(producer, settings, accepted(t));
                    send(producer, settings, created(t));
                }
                producer.flush();
                awaitCaughtUp(admin, applicationId, settings.observationsTopic());
                System.out.printf("%d tasks launched and created (%d observations) in %.1f s%n", tasks, 2 * tasks,
                        (System.nanoTime() - t0) / 1e9);
                long seq = 0;
                for (int round = 1; round <= rounds; round++) {
                    long events0 = endOffsets(admin, settings.statusTopic());
                    CpuSample before = CpuSample.take(List.of());
                    for (int i = 0; i < n; i++) {
                        send(producer, settings, snapshot((int) (seq % tasks), seq / tasks));
                        seq++;
                    }
                    producer.flush();
                    double produced = (System.nanoTime() - before.wallNanos()) / 1e9;
                    awaitCaughtUp(admin, applicationId, settings.observationsTopic());
                    CpuSample.Use use = before.until(CpuSample.take(List.of()));
                    long events = endOffsets(admin, settings.statusTopic()) - events0;
                    double streamCpu = use.groups().getOrDefault("Kafka Streams", 0.0);
                    System.out.printf("round %d: %d observations of %d active tasks (produced in %.1f s) -> %d status "
                                    + "events: caught up in %.2f s = %.0f observations/s wall; stream thread %.2f s CPU "
                                    + "= %.0f observations per CPU-second (one core)%n    %s%n", round, n, tasks, produced,
                            events, use.wallSeconds(), n / use.wallSeconds(), streamCpu, n / streamCpu,
                            use.describe(n, "observation"));
                }
            }
        }
        System.out.printf("%s: done; load average %.1f%n", Instant.now(), CpuSample.currentLoadAverage());
        System.exit(0);
    }

    private static void send(KafkaProducer<String, Observation> producer, StatusSettings settings, Observation o) {
        producer.send(new ProducerRecord<>(settings.observationsTopic(), o.getTaskId(), o));
    }

    private static String execution(int t) {
        return String.format("thr%06d", t);
    }

    private static Observation of(int t, Object payload, ObservationSource source) {
        String execution = execution(t);
        String task = TypicalTask.taskId(execution);
        return Observation.newBuilder().setObservationId(task + "/" + System.nanoTime()).setTaskId(task)
                .setExecution(TypicalTask.execution(execution)).setSource(source).setObservedAt(Instant.now())
                .setDaskJobName(task).setDaskJobNamespace("flytesnacks-development").setPayload(payload).build();
    }

    private static Observation accepted(int t) {
        return of(t, CommandOutcome.newBuilder().setCommandId("cmd-" + t).setKind(CommandOutcomeKind.LAUNCH_ACCEPTED)
                .setTimeoutSeconds(7200L).build(), ObservationSource.COMMANDS);
    }

    private static Observation created(int t) {
        return of(t, ApplyOutcome.newBuilder().setIntentId(TypicalTask.taskId(execution(t)) + "/CREATE")
                .setAction(IntentAction.CREATE).setOutcome(ApplyResult.CREATED).setHttpCode(201)
                .setFinishedAt(Instant.now()).build(), ObservationSource.APPLIER);
    }

    private static int changeEvery = 1;

    /**
     * The k-th snapshot of task t: running, with 0..4 of 4 workers ready (changing every {@link #changeEvery}
     * snapshots); now and then with a worker problem.
     */
    private static Observation snapshot(int t, long k) {
        String job = TypicalTask.taskId(execution(t));
        long step = k / changeEvery;
        int ready = (int) (step % 5);
        List<String> problems = step % 7 == 3 ? List.of("ImagePullBackOff") : List.of();
        DaskJobSnapshot s = DaskJobSnapshot.newBuilder().setExists(true).setDeleting(false).setJobStatus("Running")
                .setClusterName(job).setJobRunnerPodName(job + "-runner").setStartTime("2026-01-01T10:00:01Z")
                .setSpecHash("d1dacd76c9b15244673d057f88825e4ec1870257edf43ec980ae22ebefdd723c")
                .setComponents(ComponentsDetail.newBuilder()
                        .setRunner(pod(job + "-runner", "job-runner"))
                        .setScheduler(pod(job + "-scheduler-5d9c7b8f4-abcde", "scheduler"))
                        .setWorkersDesired(4).setWorkersReady(ready).setWorkersPending(4 - ready)
                        .setWorkerProblems(problems).build())
                .setEvents(List.of())
                .build();
        return of(t, s, ObservationSource.BRIDGE);
    }

    private static PodDetail pod(String name, String container) {
        return PodDetail.newBuilder().setName(name).setPhase("Running").setReady(true)
                .setContainers(List.of(ContainerDetail.newBuilder().setName(container).setReady(true)
                        .setRestartCount(0).build())).build();
    }

    private static long endOffsets(Admin admin, String topic) throws Exception {
        var parts = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions();
        Map<TopicPartition, OffsetSpec> req = new HashMap<>();
        parts.forEach(pi -> req.put(new TopicPartition(topic, pi.partition()), OffsetSpec.latest()));
        return admin.listOffsets(req).all().get().values().stream().mapToLong(r -> r.offset()).sum();
    }

    /** Waits until the topology's committed offsets reach the end of the observations topic. */
    private static void awaitCaughtUp(Admin admin, String group, String topic) throws Exception {
        var parts = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions();
        Map<TopicPartition, OffsetSpec> req = new HashMap<>();
        parts.forEach(pi -> req.put(new TopicPartition(topic, pi.partition()), OffsetSpec.latest()));
        Map<TopicPartition, Long> end = new HashMap<>();
        admin.listOffsets(req).all().get().forEach((tp, r) -> end.put(tp, r.offset()));
        long deadline = System.nanoTime() + Duration.ofMinutes(20).toNanos();
        while (true) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get();
            boolean behind = end.entrySet().stream().anyMatch(e -> committed.get(e.getKey()) == null
                    || committed.get(e.getKey()).offset() < e.getValue());
            if (!behind) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the status topology did not catch up with " + topic);
            }
            Thread.sleep(100); // polling the committed offsets; few requests, so the broker's CPU stays its own
        }
    }
}
