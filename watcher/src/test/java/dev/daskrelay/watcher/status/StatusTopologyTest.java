package dev.daskrelay.watcher.status;

import static dev.daskrelay.schemas.testing.TestObservations.JOB;
import static dev.daskrelay.schemas.testing.TestObservations.NS;
import static dev.daskrelay.schemas.testing.TestObservations.RUNNER;
import static dev.daskrelay.schemas.testing.TestObservations.T0;
import static dev.daskrelay.schemas.testing.TestObservations.TASK;
import static dev.daskrelay.schemas.testing.TestObservations.comps;
import static dev.daskrelay.schemas.testing.TestObservations.container;
import static dev.daskrelay.schemas.testing.TestObservations.gone;
import static dev.daskrelay.schemas.testing.TestObservations.job;
import static dev.daskrelay.schemas.testing.TestObservations.runner;
import static dev.daskrelay.schemas.testing.TestObservations.snapshot;
import static dev.daskrelay.schemas.testing.TestObservations.terminated;
import static dev.daskrelay.schemas.testing.TestObservations.waiting;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.daskrelay.avro.v1.ApplyResult;
import dev.daskrelay.avro.v1.CommandOutcomeKind;
import dev.daskrelay.avro.v1.DaskJobIntent;
import dev.daskrelay.avro.v1.IntentAction;
import dev.daskrelay.avro.v1.Observation;
import dev.daskrelay.avro.v1.PodDetail;
import dev.daskrelay.avro.v1.TaskPhase;
import dev.daskrelay.avro.v1.TaskStatus;
import dev.daskrelay.schemas.DeadLetterHeaders;
import dev.daskrelay.schemas.registry.MockSchemaRegistry;
import dev.daskrelay.schemas.serde.AvroBinarySerde;
import dev.daskrelay.schemas.serde.AvroSerdes;
import dev.daskrelay.schemas.serde.WireFormat;
import dev.daskrelay.schemas.testing.TestObservations;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The status topology end to end in a TopologyTestDriver (exactly_once_v2 config, wall-clock punctuation). */
class StatusTopologyTest {

    private final AvroBinarySerde<Observation> observationSerde = new AvroBinarySerde<>(Observation.class);
    private final AvroBinarySerde<TaskStatus> statusSerde = new AvroBinarySerde<>(TaskStatus.class);
    private final AvroBinarySerde<DaskJobIntent> intentSerde = new AvroBinarySerde<>(DaskJobIntent.class);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final StatusSettings settings = StatusSettings.defaults();

    @TempDir
    Path stateDir;

    private TopologyTestDriver driver;
    private TestInputTopic<String, Observation> observations;
    private TestInputTopic<byte[], byte[]> raw;
    private TestOutputTopic<String, TaskStatus> status;
    private TestOutputTopic<String, DaskJobIntent> intents;
    private TestOutputTopic<byte[], byte[]> deadLetters;
    private Instant wallClock = T0;

    @BeforeEach
    void start() {
        var topology = new StatusTopology(settings, new StatusSerdes(observationSerde, statusSerde, intentSerde),
                registry).build();
        Properties props = StatusTopology.streamsProperties("status-test", "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(topology, props, T0);
        observations = driver.createInputTopic(settings.observationsTopic(), new StringSerializer(),
                observationSerde.serializer());
        raw = driver.createInputTopic(settings.observationsTopic(), new ByteArraySerializer(),
                new ByteArraySerializer());
        status = driver.createOutputTopic(settings.statusTopic(), new StringDeserializer(),
                statusSerde.deserializer());
        intents = driver.createOutputTopic(settings.intentsTopic(), new StringDeserializer(),
                intentSerde.deserializer());
        deadLetters = driver.createOutputTopic(settings.deadLettersTopic(), new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    /** Moves the wall clock to T0 + seconds and sends the observation made then. */
    private void send(int seconds, Function<Instant, Observation> observation) {
        advanceTo(T0.plusSeconds(seconds));
        Observation o = observation.apply(wallClock);
        observations.pipeInput(TASK, o, wallClock);
    }

    private void advanceTo(Instant t) {
        if (t.isAfter(wallClock)) {
            driver.advanceWallClockTime(Duration.between(wallClock, t));
            wallClock = t;
        }
    }

    private List<TaskStatus> statuses() {
        return status.readRecordsToList().stream().map(r -> {
            assertEquals(TASK, r.key());
            assertCloudEvent(r.headers(), r.value());
            return r.value();
        }).toList();
    }

    @Test
    void statusRecordsNameTheirSchemaInTheRegistry() throws Exception {
        String scope = "status-dataschema";
        Map<String, String> cfg = Map.of("schema.registry.url", "mock://" + scope);
        var statuses = AvroSerdes.specific(TaskStatus.class, cfg, false);
        var serdes = new StatusSerdes(AvroSerdes.specific(Observation.class, cfg, false),
                Serdes.serdeFrom(new DataSchemaSerializer<>(statuses.serializer(),
                        DataSchemaSerializer.baseOf("http://user:secret@registry.example:8081/apis/ccompat/v7/")),
                        statuses.deserializer()),
                AvroSerdes.specific(DaskJobIntent.class, cfg, false));
        Properties props = StatusTopology.streamsProperties("status-dataschema", "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory(stateDir, "ds").toString());
        try (TopologyTestDriver d = new TopologyTestDriver(new StatusTopology(settings, serdes, registry).build(),
                props, T0)) {
            var in = d.createInputTopic(settings.observationsTopic(), new StringSerializer(),
                    AvroSerdes.specific(Observation.class, cfg, false).serializer());
            var out = d.createOutputTopic(settings.statusTopic(), new StringDeserializer(),
                    new ByteArrayDeserializer());
            in.pipeInput(TASK, TestObservations.apply(IntentAction.CREATE, ApplyResult.CREATED, T0));
            var r = out.readRecord();
            int id = WireFormat.schemaId(r.value());
            assertEquals("http://registry.example:8081/apis/ccompat/v7/schemas/ids/" + id,
                    header(r.headers(), "ce_dataschema"), "first URL, no credentials, the id the record carries");
            assertEquals("application/avro", header(r.headers(), "content-type"));
            assertEquals(TaskStatus.getClassSchema().getFullName(),
                    MockSchemaRegistry.forScope(scope).schemaById(id).getFullName());
        } finally {
            MockSchemaRegistry.dropScope(scope);
        }
    }

    @Test
    void theDataSchemaBaseIsTheFirstRegistryUrlWithoutCredentials() {
        assertEquals("https://r1:8081", DataSchemaSerializer.baseOf("https://r1:8081/, https://r2:8081"));
        assertEquals("http://reg/apis/ccompat/v7", DataSchemaSerializer.baseOf("http://u:p@reg/apis/ccompat/v7?x=1"));
        assertEquals("bundled://", DataSchemaSerializer.baseOf("bundled://"));
        assertEquals("bundled:///schemas/ids/7", DataSchemaSerializer.dataSchema(DataSchemaSerializer.baseOf("bundled://"), 7));
        assertEquals(null, DataSchemaSerializer.baseOf("not a url"));
    }

    private static List<TaskPhase> phases(List<TaskStatus> s) {
        return s.stream().map(TaskStatus::getPhase).toList();
    }

    private static String header(Headers h, String name) {
        Header x = h.lastHeader(name);
        return x == null ? null : new String(x.value(), StandardCharsets.UTF_8);
    }

    private static void assertCloudEvent(Headers h, TaskStatus s) {
        assertEquals(s.getEventId(), header(h, "ce_id"));
        assertEquals(TASK + ":" + s.getSequence(), header(h, "ce_id"));
        assertEquals("/daskrelay/daskrelay", header(h, "ce_source"));
        assertEquals("application/avro", header(h, "content-type"));
        assertEquals("dev.daskrelay.task.status.v1", header(h, "ce_type"));
        assertEquals("1.0", header(h, "ce_specversion"));
        assertEquals(TASK, header(h, "ce_subject"));
        assertEquals(s.getOccurredAt(), Instant.parse(header(h, "ce_time")));
    }

    private void launchAndRun() {
        send(0, at -> TestObservations.accepted(at, null));
        send(1, at -> TestObservations.apply(IntentAction.CREATE, ApplyResult.CREATED, at));
        send(2, at -> snapshot(job("JobCreated").build(), at));
        send(3, at -> snapshot(job("ClusterCreated").setJobRunnerPodName(RUNNER).build(), at));
        send(10, at -> snapshot(job("Running").setJobRunnerPodName(RUNNER)
                .setComponents(comps(runner("Running", container().build()), null, 2, 1, 1)).build(), at));
    }

    @Test
    void success() {
        launchAndRun();
        send(11, at -> snapshot(job("Running").setComponents(comps(null, null, 2, 2, 0)).build(), at));
        send(12, at -> snapshot(job("Running").setComponents(comps(null, null, 2, 2, 0)).build(), at));
        send(30, at -> snapshot(job("Successful").build(), at));
        List<TaskStatus> s = statuses();
        assertEquals(List.of(TaskPhase.QUEUED, TaskPhase.INITIALIZING, TaskPhase.INITIALIZING, TaskPhase.RUNNING,
                TaskPhase.RUNNING, TaskPhase.SUCCEEDED), phases(s));
        assertEquals(List.of(0, 0, 1, 0, 1, 0), s.stream().map(TaskStatus::getPhaseVersion).toList());
        assertEquals("workers ready 2/2", s.get(4).getReason());
        assertTrue(s.get(5).getTerminal());
        for (int i = 0; i < s.size(); i++) {
            assertEquals(i + 1, s.get(i).getSequence());
        }
        assertTrue(intents.isEmpty());
        assertTrue(deadLetters.isEmpty());
        assertEquals(8, registry.get("daskrelay.status.observations").counters().stream()
                .mapToDouble(c -> c.count()).sum());
        assertEquals(2.0, registry.get("daskrelay.status.events").tag("phase", "RUNNING").counter().count());
        assertEquals(1, registry.get("daskrelay.status.time.to.first.running").timer().count());
        assertEquals(10_000, registry.get("daskrelay.status.time.to.first.running").timer()
                .totalTime(TimeUnit.MILLISECONDS), 0.5);
        assertEquals(6, registry.get("daskrelay.status.latency").timer().count());
        KeyValueStore<String, TaskState> store = driver.getKeyValueStore(StatusTopology.TASKS_STORE);
        assertEquals(Phase.SUCCEEDED, store.get(TASK).phase());
        assertEquals(6, store.get(TASK).lastSequence());
        KeyValueStore<String, Long> timers = driver.getKeyValueStore(StatusTopology.TIMERS_STORE);
        assertNull(timers.get(TASK));
    }

    @Test
    void runnerExitOne() {
        launchAndRun();
        send(20, at -> snapshot(job("Running").setComponents(comps(runner("Failed",
                terminated("Error", 1, "Traceback: ValueError")), null, 2, 2, 0)).build(), at));
        send(21, at -> snapshot(job("Failed").build(), at));
        List<TaskStatus> s = statuses();
        TaskStatus last = s.get(s.size() - 1);
        assertEquals(TaskPhase.FAILED, last.getPhase());
        assertEquals("RunnerExitCode", last.getError().getCode());
        assertEquals("runner exited with code 1: Traceback: ValueError", last.getError().getMessage());
        assertTrue(last.getError().getRetryable());
        assertEquals(1, s.stream().filter(TaskStatus::getTerminal).count());
    }

    @Test
    void oom() {
        launchAndRun();
        send(20, at -> snapshot(job("Failed").setComponents(comps(runner("Failed",
                terminated("OOMKilled", 137, null)), null, 0, 0, 0)).build(), at));
        TaskStatus last = statuses().get(4);
        assertEquals("OOMKilled", last.getError().getCode());
        assertEquals("USER", last.getError().getKind().name());
    }

    @Test
    void imagePullErrorPastGraceByWallClock() {
        send(0, at -> TestObservations.accepted(at, null));
        send(1, at -> TestObservations.apply(IntentAction.CREATE, ApplyResult.CREATED, at));
        send(5, at -> snapshot(job("ClusterCreated").setJobRunnerPodName(RUNNER).setComponents(comps(
                runner("Pending", waiting("ImagePullBackOff", "Back-off pulling image \"ghcr.io/x:nope\"")), null,
                1, 0, 1)).build(), at));
        assertEquals(List.of(TaskPhase.QUEUED, TaskPhase.INITIALIZING), phases(statuses()));
        advanceTo(T0.plusSeconds(5 + 170));
        assertTrue(status.isEmpty());
        advanceTo(T0.plusSeconds(5 + 181));
        List<TaskStatus> s = statuses();
        assertEquals(1, s.size());
        assertEquals("ImagePullBackOff", s.get(0).getError().getCode());
        assertEquals(3, s.get(0).getSequence());
        TestRecord<String, DaskJobIntent> intent = intents.readRecord();
        assertEquals(TASK, intent.key());
        assertEquals(IntentAction.DELETE, intent.value().getAction());
        assertEquals(JOB, intent.value().getName());
        assertEquals(NS, intent.value().getNamespace());
        assertEquals("ImagePullBackOff", intent.value().getReason());
    }

    @Test
    void unschedulable() {
        send(1, at -> TestObservations.apply(IntentAction.CREATE, ApplyResult.CREATED, at));
        PodDetail r = PodDetail.newBuilder(runner("Pending", container().build()))
                .setUnschedulableMessage("0/3 nodes are available: 3 Insufficient nvidia.com/gpu.").build();
        send(5, at -> snapshot(job("ClusterCreated").setComponents(comps(r, null, 1, 0, 1)).build(), at));
        List<TaskStatus> s = statuses();
        assertEquals(List.of(TaskPhase.QUEUED, TaskPhase.INITIALIZING, TaskPhase.WAITING_FOR_RESOURCES), phases(s),
                "the cluster was created (INITIALIZING) before its runner could not be scheduled");
        assertEquals("job-runner unschedulable: 0/3 nodes are available: 3 Insufficient nvidia.com/gpu.",
                s.get(2).getReason());
        advanceTo(T0.plus(Duration.ofHours(1)));
        assertTrue(status.isEmpty(), "waiting for resources is not stuck");
    }

    @Test
    void daskJobDeletedExternally() {
        launchAndRun();
        send(20, at -> snapshot(gone(), at));
        TaskStatus last = statuses().get(4);
        assertEquals("ResourceDeletedExternally", last.getError().getCode());
        assertEquals("SYSTEM", last.getError().getKind().name());
        assertTrue(last.getError().getRetryable());
    }

    @Test
    void abortMidRun() {
        launchAndRun();
        send(20, at -> TestObservations.abort(CommandOutcomeKind.ABORT_ACCEPTED, "superseded by run 2", at));
        send(21, at -> TestObservations.apply(IntentAction.DELETE, ApplyResult.DELETED, at));
        send(22, at -> snapshot(gone(), at));
        List<TaskStatus> s = statuses();
        assertEquals(5, s.size());
        assertEquals(TaskPhase.ABORTED, s.get(4).getPhase());
        assertEquals("superseded by run 2", s.get(4).getReason());
        assertTrue(s.get(4).getTerminal());
        assertEquals(1.0, registry.get("daskrelay.status.observations.ignored").counter().count(),
                "the gone snapshot after ABORTED");
    }

    @Test
    void stuckInJobCreated() {
        send(0, at -> TestObservations.accepted(at, null));
        send(1, at -> TestObservations.apply(IntentAction.CREATE, ApplyResult.CREATED, at));
        send(2, at -> snapshot(job("JobCreated").build(), at));
        assertEquals(2, statuses().size());
        KeyValueStore<String, Long> timers = driver.getKeyValueStore(StatusTopology.TIMERS_STORE);
        assertEquals(T0.plusSeconds(2).plus(Duration.ofMinutes(15)).toEpochMilli(), timers.get(TASK));
        advanceTo(T0.plus(Duration.ofMinutes(10)));
        assertTrue(status.isEmpty());
        advanceTo(T0.plus(Duration.ofMinutes(16)));
        List<TaskStatus> s = statuses();
        assertEquals(1, s.size());
        assertEquals(TaskPhase.FAILED, s.get(0).getPhase());
        assertEquals("Stuck", s.get(0).getError().getCode());
        assertEquals("SYSTEM", s.get(0).getError().getKind().name());
        DaskJobIntent i = intents.readValue();
        assertEquals("Stuck", i.getReason());
        assertEquals(TASK + "/DELETE", i.getIntentId());
        assertEquals("cmd-1", i.getCommandId());
        assertTrue(intents.isEmpty());
        assertNull(timers.get(TASK));
        // the delete we asked for comes back as observations: nothing more
        send(17 * 60, at -> TestObservations.apply(IntentAction.DELETE, ApplyResult.DELETED, at));
        send(17 * 60 + 1, at -> snapshot(gone(), at));
        advanceTo(T0.plus(Duration.ofHours(2)));
        assertTrue(status.isEmpty());
        assertEquals(1.0, registry.get("daskrelay.status.delete.intents").tag("reason", "Stuck").counter().count());
    }

    @Test
    void deadline() {
        send(0, at -> TestObservations.accepted(at, 120L));
        send(1, at -> TestObservations.apply(IntentAction.CREATE, ApplyResult.CREATED, at));
        send(10, at -> snapshot(job("Running").build(), at));
        statuses();
        advanceTo(T0.plusSeconds(121));
        TaskStatus t = statuses().get(0);
        assertEquals("Timeout", t.getError().getCode());
        assertEquals("Timeout", intents.readValue().getReason());
    }

    @Test
    void rejection() {
        send(0, at -> TestObservations.rejected(at, "image: required", "resources.limits.cpu: 'abc' is not a quantity"));
        List<TaskStatus> s = statuses();
        assertEquals(1, s.size());
        assertEquals("BadTaskSpecification", s.get(0).getError().getCode());
        assertEquals(false, s.get(0).getError().getRetryable());
        assertEquals("image: required; resources.limits.cpu: 'abc' is not a quantity",
                s.get(0).getError().getMessage());
    }

    @Test
    void poisonRecordGoesToDeadLettersAndProcessingContinues() {
        byte[] poison = {0x7f, 0x01, 0x02, (byte) 0xff};
        RecordHeaders h = new RecordHeaders();
        h.add("traceparent", "00-abc-def-01".getBytes(StandardCharsets.UTF_8));
        raw.pipeInput(new TestRecord<>(TASK.getBytes(StandardCharsets.UTF_8), poison, h, T0));
        send(1, at -> TestObservations.apply(IntentAction.CREATE, ApplyResult.CREATED, at));
        TestRecord<byte[], byte[]> dl = deadLetters.readRecord();
        assertArrayEquals(TASK.getBytes(StandardCharsets.UTF_8), dl.key());
        assertArrayEquals(poison, dl.value());
        assertEquals("00-abc-def-01", header(dl.headers(), "traceparent"));
        assertEquals("org.apache.kafka.common.errors.SerializationException",
                header(dl.headers(), DeadLetterHeaders.ERROR_CLASS));
        assertTrue(header(dl.headers(), DeadLetterHeaders.ERROR_MESSAGE).startsWith("not a Observation"));
        assertEquals("status", header(dl.headers(), DeadLetterHeaders.ERROR_PROCESSOR));
        assertEquals(settings.observationsTopic(), header(dl.headers(), DeadLetterHeaders.SOURCE_TOPIC));
        assertEquals("0", header(dl.headers(), DeadLetterHeaders.SOURCE_PARTITION));
        assertEquals("0", header(dl.headers(), DeadLetterHeaders.SOURCE_OFFSET));
        assertEquals(T0, Instant.parse(header(dl.headers(), DeadLetterHeaders.FAILED_AT)));
        assertEquals("deserialize", header(dl.headers(), DeadLetterHeaders.ERROR_STAGE));
        assertEquals(List.of(TaskPhase.QUEUED), phases(statuses()), "the next record is processed");
        assertEquals(1.0, registry.get("daskrelay.status.dead.letters").tag("stage", "deserialize").counter()
                .count());
    }

    @Test
    void keyAndTaskIdMismatchGoesToDeadLetters() {
        Observation o = TestObservations.apply(IntentAction.CREATE, ApplyResult.CREATED, T0);
        observations.pipeInput("some-other-task", o, T0);
        TestRecord<byte[], byte[]> dl = deadLetters.readRecord();
        assertEquals("process", header(dl.headers(), DeadLetterHeaders.ERROR_STAGE));
        assertTrue(header(dl.headers(), DeadLetterHeaders.ERROR_MESSAGE).startsWith("taskId:"));
        assertTrue(status.isEmpty());
    }

    @Test
    void nullValueGoesToDeadLetters() {
        raw.pipeInput(TASK.getBytes(StandardCharsets.UTF_8), null, T0);
        assertEquals("deserialize", header(deadLetters.readRecord().headers(), DeadLetterHeaders.ERROR_STAGE));
    }

    @Test
    void regressionsAreCountedNotEmitted() {
        launchAndRun();
        send(20, at -> snapshot(job("ClusterCreated").build(), at));
        assertEquals(4, statuses().size());
        assertEquals(1.0, registry.get("daskrelay.status.transitions.rejected").tag("from", "RUNNING")
                .tag("to", "INITIALIZING").counter().count());
    }

    @Test
    void abortOfUnknownTaskIsAnswered() {
        send(0, at -> TestObservations.abort(CommandOutcomeKind.ABORT_UNKNOWN_TASK, "no such task", at));
        List<TaskStatus> s = statuses();
        assertEquals(1, s.size());
        assertEquals(TaskPhase.ABORTED, s.get(0).getPhase());
        assertTrue(s.get(0).getTerminal());
    }
}
