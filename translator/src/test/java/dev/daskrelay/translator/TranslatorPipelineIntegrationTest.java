package dev.daskrelay.translator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.daskrelay.avro.v1.ApplyOutcome;
import dev.daskrelay.avro.v1.ApplyResult;
import dev.daskrelay.avro.v1.CommandOutcome;
import dev.daskrelay.avro.v1.CommandOutcomeKind;
import dev.daskrelay.avro.v1.DaskJobIntent;
import dev.daskrelay.avro.v1.IntentAction;
import dev.daskrelay.avro.v1.Observation;
import dev.daskrelay.avro.v1.TaskCommand;
import dev.daskrelay.embedded.KafkaBroker;
import dev.daskrelay.schemas.DeadLetterHeaders;
import dev.daskrelay.schemas.KeyPartitioning;
import dev.daskrelay.schemas.KubernetesLabels;
import dev.daskrelay.schemas.Topics;
import dev.daskrelay.schemas.config.Installation;
import dev.daskrelay.schemas.config.KubernetesSettings;
import dev.daskrelay.schemas.config.PlatformConfig;
import dev.daskrelay.schemas.serde.AvroBinarySerde;
import dev.daskrelay.schemas.testing.TestCommands;
import dev.daskrelay.simulator.InMemoryKubernetes;
import dev.daskrelay.translator.apply.ApiResponse;
import dev.daskrelay.translator.apply.Applier;
import dev.daskrelay.translator.apply.ApplierSettings;
import dev.daskrelay.translator.apply.ApplyHooks;
import dev.daskrelay.translator.apply.DeadLetterSink;
import dev.daskrelay.translator.apply.Fabric8DaskJobApi;
import dev.daskrelay.translator.apply.RetryPolicy;
import dev.daskrelay.translator.topology.CommandDecider;
import dev.daskrelay.translator.topology.CommandRouting;
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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The command topology and the applier against a real in-process Kafka broker and the in-memory Kubernetes API
 * (fabric8 mock server in CRUD mode with the Dask CRDs registered). One broker and one API server for the class;
 * each test uses its own topic prefix and task-id prefix.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TranslatorPipelineIntegrationTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int PARTITIONS = 3;

    private KafkaBroker broker;
    private InMemoryKubernetes k8s;
    private FaultyApiProxy proxy;
    private final AvroBinarySerde<TaskCommand> commandSerde = new AvroBinarySerde<>(TaskCommand.class);
    private final AvroBinarySerde<DaskJobIntent> intentSerde = new AvroBinarySerde<>(DaskJobIntent.class);
    private final AvroBinarySerde<Observation> observationSerde = new AvroBinarySerde<>(Observation.class);

    @BeforeAll
    void start() throws Exception {
        broker = KafkaBroker.forTests();
        k8s = InMemoryKubernetes.start();
        proxy = new FaultyApiProxy(k8s.url());
    }

    @AfterAll
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (k8s != null) {
            k8s.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    // ------------------------------------------------------------------------------------------------ tests

    @Test
    void anUndecodableIntentIsDeadLetteredAndTheNextOneApplied() throws Exception {
        Topics topics = topics("poison-intent");
        byte[] garbage = {0x13, 0x37, 0x00, 0x42};
        try (var raw = new KafkaProducer<>(broker.clientProperties(), new StringSerializer(),
                new ByteArraySerializer())) {
            raw.send(new ProducerRecord<>(topics.intents(), 0, "poison-task", garbage)).get();
        }
        try (var dlq = new KafkaProducer<>(Applier.producerProperties(broker.clientProperties()),
                new ByteArraySerializer(),
                new ByteArraySerializer())) {
            Properties base = broker.clientProperties();
            var consumer = new KafkaConsumer<>(Applier.consumerProperties(base, "poison-applier"),
                    new StringDeserializer(), intentSerde.deserializer());
            var producer = new KafkaProducer<>(Applier.producerProperties(base), new StringSerializer(),
                    observationSerde.serializer());
            Applier applier = new Applier(new ApplierSettings(topics.intents(), topics.observations(), 4, 500, 200,
                    fastRetries(), Duration.ofSeconds(10)), consumer, producer, new Fabric8DaskJobApi(k8s.client(), Installation.DEFAULT),
                    new SimpleMeterRegistry(), Clock.systemUTC(), ApplyHooks.NONE,
                    DeadLetterSink.toTopic(dlq, topics.deadLetters())).start();
            try {
                produceIntents(topics, 1, "after-poison-");
                awaitObservations(topics, obs -> applied(obs, IntentAction.CREATE).size() == 1);
                assertEquals(List.of("after-poison-0"), jobNames(k8s.client(), "after-poison-"));
                List<ConsumerRecord<String, byte[]>> dead = readAll(topics.deadLetters());
                assertEquals(1, dead.size());
                assertEquals("poison-task", dead.get(0).key());
                assertArrayEquals(garbage, dead.get(0).value());
                assertEquals(topics.intents(), DeadLetterHeaders.get(dead.get(0).headers(), DeadLetterHeaders.SOURCE_TOPIC));
                assertEquals("applier", DeadLetterHeaders.get(dead.get(0).headers(), DeadLetterHeaders.ERROR_PROCESSOR));
                assertTrue(applier.healthy(Duration.ofSeconds(60)), "the poll loop keeps turning");
            } finally {
                applier.close();
            }
        }
    }

    @Test
    void twoHundredLaunchesWithTwentyPercentDuplicatesGiveExactlyTwoHundredDaskJobs() throws Exception {
        Topics topics = topics("dedup");
        KafkaStreams streams = startTopology(topics);
        KubernetesClient client = kubeClient(k8s.url(), 10_000);
        Applier applier = applier(topics, "dedup-applier", client, ApplyHooks.NONE, fastRetries());
        try {
            List<TaskCommand> sent = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                sent.add(TestCommands.launch("cmd-" + i, "dedup-" + i, "ok/app:" + i));
                if (i % 10 == 3) {
                    sent.add(TestCommands.launch("cmd-" + i, "dedup-" + i, "ok/app:" + i)); // same command id
                }
                if (i % 10 == 7) {
                    sent.add(TestCommands.launch("cmd-" + i + "-again", "dedup-" + i, "ok/app:" + i)); // same task id
                }
            }
            assertEquals(240, sent.size());
            byte[] poison = {0x42, 0x00, (byte) 0xff, 0x13};
            try (var raw = new KafkaProducer<>(broker.clientProperties(),
                    new ByteArraySerializer(),
                    new ByteArraySerializer())) {
                raw.send(new ProducerRecord<>(topics.commands(), "dedup-0".getBytes(), poison)).get();
            }
            produceCommands(topics, sent);

            List<Observation> obs = awaitObservations(topics, list ->
                    applied(list, IntentAction.CREATE).size() >= 200 && commandOutcomes(list).size() >= 240);

            Map<CommandOutcomeKind, Long> kinds = commandOutcomes(obs).stream()
                    .collect(Collectors.groupingBy(CommandOutcome::getKind, Collectors.counting()));
            assertEquals(Map.of(CommandOutcomeKind.LAUNCH_ACCEPTED, 200L, CommandOutcomeKind.LAUNCH_DUPLICATE, 40L),
                    kinds);
            assertEquals(200, jobNames(client, "dedup-").size(), "exactly one DaskJob per task");
            assertEquals(200, readAll(topics.intents()).size(), "exactly one intent per task");
            List<ConsumerRecord<String, byte[]>> dead = readAll(topics.deadLetters());
            assertEquals(1, dead.size(), "the poison record, once, in the committed output");
            assertTrue(Arrays.equals(poison, dead.get(0).value()), "with its original bytes");
            assertEquals("deserialize", DeadLetterHeaders.get(dead.get(0).headers(),
                    DeadLetterHeaders.ERROR_STAGE));
            Map<String, Long> createdPerTask = applied(obs, IntentAction.CREATE).stream()
                    .collect(Collectors.groupingBy(Observation::getTaskId, Collectors.counting()));
            assertEquals(200, createdPerTask.size());
            assertTrue(createdPerTask.values().stream().allMatch(n -> n == 1), createdPerTask.toString());
        } finally {
            applier.close();
            streams.close(Duration.ofSeconds(30));
            client.close();
        }
    }

    @Test
    void applierKilledBetweenCreateAndCommitLeavesOneDaskJobAndOneCreatedOutcomePerTask() throws Exception {
        Topics topics = topics("crash");
        KubernetesClient client = kubeClient(k8s.url(), 10_000);
        int tasks = 60;
        produceIntents(topics, tasks, "crash-");

        AtomicReference<Applier> first = new AtomicReference<>();
        AtomicInteger created = new AtomicInteger();
        AtomicReference<String> killedAfter = new AtomicReference<>();
        CountDownLatch killed = new CountDownLatch(1);
        ApplyHooks crashOn25th = (intent, answer) -> {
            if (answer.kind() == ApiResponse.Kind.OK
                    && created.incrementAndGet() == 25 && killedAfter.compareAndSet(null, intent.getTaskId())) {
                first.get().halt(); // the process dies right after the API call: no observation, no commit
                killed.countDown();
            }
        };
        Applier a = applier(topics, "crash-applier", client, crashOn25th, fastRetries());
        first.set(a);
        assertTrue(killed.await(WAIT.toSeconds(), TimeUnit.SECONDS), "the crash hook fired");
        a.close();
        List<Observation> beforeRestart = decodeObservations(topics);
        assertTrue(applied(beforeRestart, IntentAction.CREATE).stream()
                .noneMatch(o -> o.getTaskId().equals(killedAfter.get())), "killed before reporting");

        Applier second = applier(topics, "crash-applier", client, ApplyHooks.NONE, fastRetries());
        try {
            List<Observation> obs = awaitObservations(topics, list ->
                    applied(list, IntentAction.CREATE).stream().map(Observation::getTaskId).distinct().count() >= tasks);
            assertEquals(tasks, jobNames(client, "crash-").size(), "one DaskJob per task");
            Map<String, Set<String>> idsPerTask = new HashMap<>();
            for (Observation o : applied(obs, IntentAction.CREATE)) {
                idsPerTask.computeIfAbsent(o.getTaskId(), k -> new HashSet<>()).add(o.getObservationId());
            }
            assertEquals(tasks, idsPerTask.size());
            idsPerTask.forEach((task, ids) -> assertEquals(Set.of(task + "/CREATE/applied"), ids,
                    "one created-type outcome id for " + task));
            ApplyResult afterCrash = applied(obs, IntentAction.CREATE).stream()
                    .filter(o -> o.getTaskId().equals(killedAfter.get()))
                    .map(o -> ((ApplyOutcome) o.getPayload()).getOutcome()).findFirst().orElseThrow();
            assertEquals(ApplyResult.ALREADY_EXISTED, afterCrash,
                    "the task whose create happened before the kill is found existing after the restart");
            assertTrue(obs.stream().map(o -> ((ApplyOutcome) o.getPayload()).getOutcome())
                    .allMatch(r -> r == ApplyResult.CREATED || r == ApplyResult.ALREADY_EXISTED));
        } finally {
            second.close();
            client.close();
        }
    }

    @Test
    void apiFaultsLoseNothingAndDuplicateNothing() throws Exception {
        Topics topics = topics("faults");
        // 1 s request timeout; the proxy holds some answers 1.5 s after the create took effect
        KubernetesClient client = kubeClient(proxy.url(), 1_000);
        KubernetesClient direct = kubeClient(k8s.url(), 10_000);
        proxy.plan((method, path, body, n) -> {
            if (!path.contains("/daskjobs")) {
                return new FaultyApiProxy.Pass();
            }
            if (method.equals("POST") || method.equals("DELETE")) {
                return switch (n % 6) {
                    case 1 -> new FaultyApiProxy.Status(500, "InternalError", "etcd hiccup");
                    case 2 -> new FaultyApiProxy.Status(429, "TooManyRequests", "slow down");
                    case 4 -> n % 12 == 4 ? new FaultyApiProxy.SlowAnswer(Duration.ofMillis(1500))
                            : new FaultyApiProxy.Status(503, "ServiceUnavailable", "apiserver restarting");
                    default -> new FaultyApiProxy.Pass();
                };
            }
            return new FaultyApiProxy.Pass();
        });
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        int tasks = 60;
        Applier applier = applier(topics, "faults-applier", client, ApplyHooks.NONE, fastRetries(), registry, 8);
        try {
            produceIntents(topics, tasks, "faults-");
            produceDeletes(topics, 10, "faults-");
            List<Observation> obs = awaitObservations(topics, list ->
                    applied(list, IntentAction.CREATE).stream().map(Observation::getTaskId).distinct().count() >= tasks
                            && applied(list, IntentAction.DELETE).stream().map(Observation::getTaskId).distinct()
                            .count() >= 10);
            assertTrue(proxy.injectedErrors() > 10, "faults were injected: " + proxy.injectedErrors());
            assertTrue(proxy.slowAnswers() > 0, "timeouts were injected");
            assertEquals(tasks - 10, jobNames(direct, "faults-").size(), "no DaskJob lost, none doubled");
            assertTrue(obs.stream().noneMatch(o -> {
                ApplyResult r = ((ApplyOutcome) o.getPayload()).getOutcome();
                return r == ApplyResult.FAILED || r == ApplyResult.CONFLICT;
            }), "no failures");
            Map<String, Set<String>> idsPerTask = new HashMap<>();
            for (Observation o : applied(obs, IntentAction.CREATE)) {
                idsPerTask.computeIfAbsent(o.getTaskId(), k -> new HashSet<>()).add(o.getObservationId());
            }
            assertTrue(idsPerTask.values().stream().allMatch(ids -> ids.size() == 1));
            assertTrue(registry.get("daskrelay.translator.apply.retries").counters().stream()
                    .mapToDouble(c -> c.count()).sum() > 10);
        } finally {
            proxy.plan((m, p, b, n) -> new FaultyApiProxy.Pass());
            applier.close();
            client.close();
            direct.close();
        }
    }

    @Test
    void conflictsAndPermanentRefusalsAreReportedNotRetried() throws Exception {
        Topics topics = topics("triage");
        KubernetesClient client = kubeClient(proxy.url(), 10_000);
        KubernetesClient direct = kubeClient(k8s.url(), 10_000);
        // someone else's object with the name of task triage-0, labelled as this installation's (another
        // installation's object is an InstallationConflict whatever its hash: Fabric8DaskJobApiTest)
        GenericKubernetesResource foreign = Serialization.unmarshal(manifest("triage-0", "someone-elses-hash"),
                GenericKubernetesResource.class);
        foreign.getMetadata().setLabels(Map.of(KubernetesLabels.INSTALLATION, Installation.DEFAULT.id()));
        direct.genericKubernetesResources(Fabric8DaskJobApi.DASK_JOBS).inNamespace("default").resource(foreign)
                .create();
        AtomicInteger quotaRefusals = new AtomicInteger();
        proxy.plan((method, path, body, n) -> {
            if (!method.equals("POST") || !path.contains("/daskjobs")) {
                return new FaultyApiProxy.Pass();
            }
            return switch (n) {
                case 2 -> new FaultyApiProxy.Status(422, "Invalid", "DaskJob.kubernetes.dask.org \\\"triage-1\\\" is invalid");
                case 3 -> new FaultyApiProxy.Status(413, "RequestEntityTooLarge", "request is too large");
                case 4, 5 -> {
                    quotaRefusals.incrementAndGet();
                    yield new FaultyApiProxy.Status(403, "Forbidden", "daskjobs is forbidden: exceeded quota: q");
                }
                default -> new FaultyApiProxy.Pass();
            };
        });
        Applier applier = applier(topics, "triage-applier", client, ApplyHooks.NONE, fastRetries(),
                new SimpleMeterRegistry(), 1);
        try {
            // one partition and one worker keep the request order predictable: task 0, 1, 2, then 3 (refused twice by quota)
            produceIntents(topics, 4, "triage-");
            List<Observation> obs = awaitObservations(topics, list -> list.stream()
                    .filter(o -> o.getPayload() instanceof ApplyOutcome a && a.getOutcome() != ApplyResult.WAITING_FOR_RESOURCES)
                    .count() >= 4);
            Map<String, List<ApplyOutcome>> byTask = obs.stream().collect(Collectors.groupingBy(Observation::getTaskId,
                    Collectors.mapping(o -> (ApplyOutcome) o.getPayload(), Collectors.toList())));
            ApplyOutcome conflict = byTask.get("triage-0").get(0);
            assertEquals(ApplyResult.CONFLICT, conflict.getOutcome());
            assertEquals("SpecConflict", conflict.getErrorCode());
            assertEquals("someone-elses-hash", direct.genericKubernetesResources(Fabric8DaskJobApi.DASK_JOBS)
                    .inNamespace("default").withName("triage-0").get().getMetadata().getAnnotations()
                    .get(KubernetesLabels.SPEC_HASH), "the foreign object is untouched");
            ApplyOutcome bad = byTask.get("triage-1").get(0);
            assertEquals(ApplyResult.FAILED, bad.getOutcome());
            assertEquals("BadTaskFormat", bad.getErrorCode());
            assertEquals(422, bad.getHttpCode());
            assertTrue(bad.getMessage().contains("is invalid"), bad.getMessage());
            assertEquals("EntityTooLarge", byTask.get("triage-2").get(0).getErrorCode());
            List<ApplyResult> quota = byTask.get("triage-3").stream().map(ApplyOutcome::getOutcome).toList();
            assertEquals(List.of(ApplyResult.WAITING_FOR_RESOURCES, ApplyResult.CREATED), quota);
            assertEquals(3, byTask.get("triage-3").get(1).getAttempts());
            assertTrue(obs.stream().allMatch(o -> o.getPayload() instanceof ApplyOutcome a
                    && a.getStartedAt() != null && a.getFinishedAt() != null
                    && !a.getFinishedAt().isBefore(a.getStartedAt())));
            assertEquals(2, quotaRefusals.get());
        } finally {
            proxy.plan((m, p, b, n) -> new FaultyApiProxy.Pass());
            applier.close();
            client.close();
            direct.close();
        }
    }

    @Test
    void aTaskInRetryDoesNotHoldBackTheOthersOfItsPartition() throws Exception {
        Topics topics = topics("lanes"); // one partition: every task shares it
        KubernetesClient client = kubeClient(proxy.url(), 10_000);
        AtomicInteger refusals = new AtomicInteger();
        proxy.plan((method, path, body, n) -> {
            if (method.equals("POST") && body.contains("\"lanes-0\"") && refusals.get() < 6) {
                refusals.incrementAndGet();
                return new FaultyApiProxy.Status(503, "ServiceUnavailable", "try later");
            }
            return new FaultyApiProxy.Pass();
        });
        // back-off 100..300 ms: lanes-0 needs >= 6 refusals, about a second, before its create goes through
        RetryPolicy slow = new RetryPolicy(20, 3, Duration.ofMillis(100), Duration.ofMillis(300), Duration.ofMinutes(1));
        Applier applier = applier(topics, "lanes-applier", client, ApplyHooks.NONE, slow, new SimpleMeterRegistry(), 4);
        try {
            produceIntents(topics, 30, "lanes-");
            List<Observation> obs = awaitObservations(topics, list -> applied(list, IntentAction.CREATE).size() >= 30);
            Map<String, ApplyOutcome> byTask = new HashMap<>();
            applied(obs, IntentAction.CREATE).forEach(o -> byTask.put(o.getTaskId(), (ApplyOutcome) o.getPayload()));
            ApplyOutcome first = byTask.get("lanes-0");
            assertEquals(7, first.getAttempts(), "six refusals, then created");
            long finishedBefore = byTask.entrySet().stream().filter(e -> !e.getKey().equals("lanes-0"))
                    .filter(e -> e.getValue().getFinishedAt().isBefore(first.getFinishedAt())).count();
            assertEquals(29, finishedBefore, "the 29 tasks behind lanes-0 in the same partition were not held back");
        } finally {
            proxy.plan((m, p, b, n) -> new FaultyApiProxy.Pass());
            applier.close();
            client.close();
        }
    }

    /**
     * A launch and an abort of the same task written to different partitions, as a librdkafka-based producer (CRC32)
     * and a Java one (murmur2) would: the repartition by task id brings both to one fate store, in both orders. The
     * same records through the previous design (decide on the producer's partition) go wrong, which shows the test
     * can fail.
     */
    @Test
    void commandsOfOneTaskOnDifferentPartitionsMeetInOneFateStore() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; ids.size() < 4; i++) {
            String id = "xp-" + i;
            if (KeyPartitioning.crc32(id, PARTITIONS) != KeyPartitioning.murmur2(id, PARTITIONS)) {
                ids.add(id);
            }
        }
        Map<String, List<CommandOutcomeKind>> fixed = crossPartitionOutcomes("xpart", ids, CommandRouting.REPARTITION_BY_TASK_ID);
        assertEquals(List.of(CommandOutcomeKind.LAUNCH_ACCEPTED, CommandOutcomeKind.ABORT_ACCEPTED), fixed.get(ids.get(0)));
        assertEquals(List.of(CommandOutcomeKind.LAUNCH_ACCEPTED, CommandOutcomeKind.ABORT_ACCEPTED), fixed.get(ids.get(1)));
        assertEquals(List.of(CommandOutcomeKind.ABORT_UNKNOWN_TASK, CommandOutcomeKind.LAUNCH_AFTER_ABORT),
                fixed.get(ids.get(2)));
        assertEquals(List.of(CommandOutcomeKind.ABORT_UNKNOWN_TASK, CommandOutcomeKind.LAUNCH_AFTER_ABORT),
                fixed.get(ids.get(3)));

        Map<String, List<CommandOutcomeKind>> before = crossPartitionOutcomes("xpold", ids, CommandRouting.PRODUCER_PARTITION);
        assertEquals(List.of(CommandOutcomeKind.LAUNCH_ACCEPTED, CommandOutcomeKind.ABORT_UNKNOWN_TASK),
                before.get(ids.get(0)), "the previous design answers the abort from another partition's store");
        assertEquals(List.of(CommandOutcomeKind.ABORT_UNKNOWN_TASK, CommandOutcomeKind.LAUNCH_ACCEPTED),
                before.get(ids.get(2)), "the previous design accepts a launch its abort should have refused");
    }

    /**
     * For each task: ids 0 and 1 launch on their CRC32 partition then abort on their murmur2 partition; ids 2 and 3
     * abort on the CRC32 partition then launch on the murmur2 partition; the second command is written once the
     * first one's outcome is out. Returns each task's outcome kinds in order, after checking the intents.
     */
    private Map<String, List<CommandOutcomeKind>> crossPartitionOutcomes(String name, List<String> ids,
                                                                         CommandRouting routing) throws Exception {
        Topics topics = topics(name);
        KafkaStreams streams = startTopology(topics, routing);
        try (var producer = new KafkaProducer<>(broker.clientProperties(), new StringSerializer(),
                commandSerde.serializer())) {
            for (int round = 0; round < 2; round++) {
                for (int i = 0; i < ids.size(); i++) {
                    String id = ids.get(i);
                    boolean launchFirst = i < 2;
                    boolean launch = (round == 0) == launchFirst;
                    TaskCommand c = launch ? TestCommands.launch("l-" + id, id, "ok/img:1")
                            : TestCommands.abort("a-" + id, id, "stop");
                    int partition = round == 0 ? KeyPartitioning.crc32(id, PARTITIONS)
                            : KeyPartitioning.murmur2(id, PARTITIONS);
                    producer.send(new ProducerRecord<>(topics.commands(), partition, id, c)).get();
                }
                int expected = (round + 1) * ids.size();
                awaitObservations(topics, obs -> obs.size() >= expected);
            }
        } finally {
            streams.close(Duration.ofSeconds(30));
        }
        Map<String, List<CommandOutcomeKind>> kinds = new HashMap<>();
        for (Observation o : decodeObservations(topics)) {
            kinds.computeIfAbsent(o.getTaskId(), k -> new ArrayList<>()).add(((CommandOutcome) o.getPayload()).getKind());
        }
        if (routing == CommandRouting.REPARTITION_BY_TASK_ID) {
            List<String> intents = readAll(topics.intents()).stream()
                    .map(r -> intentSerde.deserializer().deserialize(topics.intents(), r.value()).getIntentId())
                    .sorted().toList();
            assertEquals(List.of(ids.get(0) + "/CREATE", ids.get(0) + "/DELETE", ids.get(1) + "/CREATE",
                    ids.get(1) + "/DELETE"), intents, "one CREATE and one DELETE per launched task, none for the others");
        }
        return kinds;
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private Topics topics(String name) {
        Topics t = new Topics("it-" + name);
        broker.createTopics(name.equals("triage") || name.equals("lanes") ? 1 : PARTITIONS, t.all().toArray(String[]::new));
        return t;
    }

    private static RetryPolicy fastRetries() {
        return new RetryPolicy(20, 3, Duration.ofMillis(20), Duration.ofMillis(300), Duration.ofMinutes(1));
    }

    private KafkaStreams startTopology(Topics topics) throws Exception {
        return startTopology(topics, CommandRouting.REPARTITION_BY_TASK_ID);
    }

    private KafkaStreams startTopology(Topics topics, CommandRouting routing) throws Exception {
        Properties p = CommandTopology.requiredProperties(topics.prefix() + "-translator");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("translator-it").toString());
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        KafkaStreams streams = new KafkaStreams(CommandTopology.build(topics, commandSerde, intentSerde,
                observationSerde, new RenderingPreparation(PlatformConfig.defaults(), Installation.DEFAULT), new SimpleMeterRegistry(), routing),
                p);
        streams.start();
        return streams;
    }

    static KubernetesClient kubeClient(String url, int timeoutMs) {
        return new KubernetesSettings(null, null, url, Duration.ofMillis(timeoutMs)).client();
    }

    private Applier applier(Topics topics, String group, KubernetesClient client, ApplyHooks hooks,
                            RetryPolicy retry) {
        return applier(topics, group, client, hooks, retry, new SimpleMeterRegistry(), 8);
    }

    private Applier applier(Topics topics, String group, KubernetesClient client, ApplyHooks hooks,
                            RetryPolicy retry, SimpleMeterRegistry registry, int concurrency) {
        Properties base = broker.clientProperties();
        var consumer = new KafkaConsumer<>(Applier.consumerProperties(base, group), new StringDeserializer(),
                intentSerde.deserializer());
        var producer = new KafkaProducer<>(Applier.producerProperties(base), new StringSerializer(),
                observationSerde.serializer());
        ApplierSettings settings = new ApplierSettings(topics.intents(), topics.observations(), concurrency, 500, 200, retry,
                Duration.ofSeconds(10));
        return new Applier(settings, consumer, producer, new Fabric8DaskJobApi(client, Installation.DEFAULT), registry,
                Clock.systemUTC(), hooks).start();
    }

    private void produceCommands(Topics topics, List<TaskCommand> commands) {
        try (var producer = new KafkaProducer<>(broker.clientProperties(), new StringSerializer(),
                commandSerde.serializer())) {
            for (TaskCommand c : commands) {
                producer.send(new ProducerRecord<>(topics.commands(), c.getTaskId(), c));
            }
        }
    }

    static String manifest(String name, String hash) {
        return """
                {"apiVersion":"kubernetes.dask.org/v1","kind":"DaskJob","metadata":{"name":"%s","namespace":"default",\
                "annotations":{"daskrelay.dev/spec-hash":"%s"}},"spec":{"job":{"spec":{"containers":[]}}}}"""
                .formatted(name, hash);
    }

    private void produceIntents(Topics topics, int n, String prefix) {
        try (var producer = new KafkaProducer<>(broker.clientProperties(), new StringSerializer(),
                intentSerde.serializer())) {
            for (int i = 0; i < n; i++) {
                String task = prefix + i;
                producer.send(new ProducerRecord<>(topics.intents(), task, DaskJobIntent.newBuilder()
                        .setIntentId(CommandDecider.intentId(task, IntentAction.CREATE)).setTaskId(task)
                        .setCommandId("c-" + task).setExecution(TestCommands.execution(task))
                        .setAction(IntentAction.CREATE).setNamespace("default").setName(task)
                        .setManifest(manifest(task, "hash-" + i)).setSpecHash("hash-" + i)
                        .setIssuedAt(Instant.now()).build()));
            }
        }
    }

    private void produceDeletes(Topics topics, int n, String prefix) {
        try (var producer = new KafkaProducer<>(broker.clientProperties(), new StringSerializer(),
                intentSerde.serializer())) {
            for (int i = 0; i < n; i++) {
                String task = prefix + i;
                producer.send(new ProducerRecord<>(topics.intents(), task, DaskJobIntent.newBuilder()
                        .setIntentId(CommandDecider.intentId(task, IntentAction.DELETE)).setTaskId(task)
                        .setCommandId("a-" + task).setExecution(TestCommands.execution(task))
                        .setAction(IntentAction.DELETE).setNamespace("default").setName(task)
                        .setReason("test").setIssuedAt(Instant.now()).build()));
            }
        }
    }

    private List<ConsumerRecord<String, byte[]>> readAll(String topic) {
        Properties p = broker.clientProperties();
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (var consumer = new KafkaConsumer<>(p, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            var parts = consumer.partitionsFor(topic).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts);
            List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
            long deadline = System.currentTimeMillis() + WAIT.toMillis();
            while (parts.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))
                    && System.currentTimeMillis() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            return out;
        }
    }

    private List<Observation> decodeObservations(Topics topics) {
        return readAll(topics.observations()).stream()
                .map(r -> observationSerde.deserializer().deserialize(topics.observations(), r.value())).toList();
    }

    private List<Observation> awaitObservations(Topics topics, Predicate<List<Observation>> done)
            throws InterruptedException {
        long deadline = System.currentTimeMillis() + WAIT.toMillis();
        List<Observation> obs = decodeObservations(topics);
        while (!done.test(obs)) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("condition not met within " + WAIT + "; observations: " + obs.size());
            }
            Thread.sleep(200); // polling interval of the wait, not a stand-in for synchronisation
            obs = decodeObservations(topics);
        }
        return obs;
    }

    private static List<Observation> applied(List<Observation> obs, IntentAction action) {
        return obs.stream().filter(o -> o.getPayload() instanceof ApplyOutcome a && a.getAction() == action
                && switch (a.getOutcome()) {
                    case CREATED, ALREADY_EXISTED, DELETED, NOT_FOUND -> true;
                    default -> false;
                }).toList();
    }

    private static List<CommandOutcome> commandOutcomes(List<Observation> obs) {
        return obs.stream().filter(o -> o.getPayload() instanceof CommandOutcome)
                .map(o -> (CommandOutcome) o.getPayload()).toList();
    }

    private static List<String> jobNames(KubernetesClient client, String prefix) {
        return client.genericKubernetesResources(Fabric8DaskJobApi.DASK_JOBS).inNamespace("default").list()
                .getItems().stream().map(r -> r.getMetadata().getName()).filter(n -> n.startsWith(prefix)).toList();
    }
}
