package dev.daskrelay.translator.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.daskrelay.avro.v1.CommandOutcome;
import dev.daskrelay.avro.v1.CommandOutcomeKind;
import dev.daskrelay.avro.v1.DaskJobIntent;
import dev.daskrelay.avro.v1.IntentAction;
import dev.daskrelay.avro.v1.LaunchDaskJob;
import dev.daskrelay.avro.v1.Observation;
import dev.daskrelay.avro.v1.TaskCommand;
import dev.daskrelay.schemas.DeadLetterHeaders;
import dev.daskrelay.schemas.Topics;
import dev.daskrelay.schemas.registry.RegistryUnavailableException;
import dev.daskrelay.schemas.registry.SchemaSerdeException;
import dev.daskrelay.schemas.serde.AvroBinarySerde;
import dev.daskrelay.schemas.testing.TestCommands;
import dev.daskrelay.translator.TestPreparation;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CommandTopologyTest {

    private final Topics topics = new Topics("t");
    private final AvroBinarySerde<TaskCommand> commandSerde = new AvroBinarySerde<>(TaskCommand.class);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private TopologyTestDriver driver;
    private TestInputTopic<String, TaskCommand> commands;
    private TestInputTopic<byte[], byte[]> rawCommands;
    private TestOutputTopic<String, DaskJobIntent> intents;
    private TestOutputTopic<String, Observation> observations;
    private TestOutputTopic<byte[], byte[]> deadLetters;

    @BeforeEach
    void start() throws Exception {
        Properties p = CommandTopology.requiredProperties("topology-test");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        p.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("fates").toString());
        driver = new TopologyTestDriver(CommandTopology.build(topics, commandSerde,
                new AvroBinarySerde<>(DaskJobIntent.class), new AvroBinarySerde<>(Observation.class),
                new TestPreparation(), registry), p, Instant.parse("2026-02-01T10:00:00Z"));
        commands = driver.createInputTopic(topics.commands(), new StringSerializer(), commandSerde.serializer());
        rawCommands = driver.createInputTopic(topics.commands(), new ByteArraySerializer(), new ByteArraySerializer());
        intents = driver.createOutputTopic(topics.intents(), new StringDeserializer(),
                new AvroBinarySerde<>(DaskJobIntent.class).deserializer());
        observations = driver.createOutputTopic(topics.observations(), new StringDeserializer(),
                new AvroBinarySerde<>(Observation.class).deserializer());
        deadLetters = driver.createOutputTopic(topics.deadLetters(), new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
    }

    @Test
    void aRegistryOutageIsRetriedNotDeadLettered() throws Exception {
        Properties p = CommandTopology.requiredProperties("topology-outage");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        p.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("fates-outage").toString());
        Serde<TaskCommand> down = Serdes
                .serdeFrom(commandSerde.serializer(), (topic, bytes) -> {
                    throw new RegistryUnavailableException("registry down");
                });
        try (TopologyTestDriver outage = new TopologyTestDriver(CommandTopology.build(topics, down,
                new AvroBinarySerde<>(DaskJobIntent.class), new AvroBinarySerde<>(Observation.class),
                new TestPreparation(), registry), p, Instant.parse("2026-02-01T10:00:00Z"))) {
            var in = outage.createInputTopic(topics.commands(), new StringSerializer(), commandSerde.serializer());
            var dead = outage.createOutputTopic(topics.deadLetters(), new ByteArrayDeserializer(),
                    new ByteArrayDeserializer());
            TaskCommand launch = TestCommands.launch("c-outage", "t-outage", "ok/img:1");
            StreamsException e = assertThrows(
                    StreamsException.class,
                    () -> in.pipeInput(launch.getTaskId(), launch));
            assertTrue(SchemaSerdeException.isTransient(e), e.toString());
            assertTrue(dead.isEmpty(), "a registry outage is not the record's fault: nothing dead-lettered");
        }
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    private void send(TaskCommand c) {
        commands.pipeInput(c.getTaskId(), c);
    }

    private static CommandOutcome outcome(Observation o) {
        return (CommandOutcome) o.getPayload();
    }

    private List<CommandOutcomeKind> kinds() {
        return observations.readValuesToList().stream().map(o -> outcome(o).getKind()).toList();
    }

    @Test
    void validLaunchEmitsCreateIntentAndAcceptedObservation() {
        send(TestCommands.launch("c1", "task-a", "ok/img:1"));

        KeyValue<String, DaskJobIntent> intent = intents.readKeyValue();
        assertEquals("task-a", intent.key);
        assertEquals("task-a/CREATE", intent.value.getIntentId());
        assertEquals(IntentAction.CREATE, intent.value.getAction());
        assertEquals("c1", intent.value.getCommandId());
        assertEquals("task-a", intent.value.getName());
        assertEquals("default", intent.value.getNamespace());
        assertTrue(intent.value.getManifest().contains("\"kind\":\"DaskJob\""));
        assertTrue(intent.value.getManifest().contains(intent.value.getSpecHash()));
        assertTrue(intents.isEmpty());

        Observation o = observations.readValue();
        assertEquals("c1/LAUNCH_ACCEPTED", o.getObservationId());
        assertEquals(CommandOutcomeKind.LAUNCH_ACCEPTED, outcome(o).getKind());
        assertEquals(3600L, outcome(o).getTimeoutSeconds());
        assertEquals("task-a", o.getDaskJobName());
        assertEquals("default", o.getDaskJobNamespace());
        assertEquals(Instant.parse("2026-02-01T10:00:00Z"), o.getObservedAt());
        assertEquals(1.0, registry.get("daskrelay.translator.intents").tag("action", "create").counter().count());
    }

    @Test
    void duplicateLaunchWithSameCommandIdYieldsNoSecondIntent() {
        send(TestCommands.launch("c1", "task-a", "ok/img:1"));
        send(TestCommands.launch("c1", "task-a", "ok/img:1"));

        assertEquals(1, intents.readValuesToList().size());
        assertEquals(List.of(CommandOutcomeKind.LAUNCH_ACCEPTED, CommandOutcomeKind.LAUNCH_DUPLICATE), kinds());
    }

    @Test
    void duplicateLaunchWithSameTaskIdAndOtherCommandIdYieldsNoSecondIntent() {
        send(TestCommands.launch("c1", "task-a", "ok/img:1"));
        send(TestCommands.launch("c2", "task-a", "ok/img:2"));

        List<DaskJobIntent> all = intents.readValuesToList();
        assertEquals(1, all.size());
        assertEquals("c1", all.get(0).getCommandId());
        List<Observation> obs = observations.readValuesToList();
        assertEquals(CommandOutcomeKind.LAUNCH_DUPLICATE, outcome(obs.get(1)).getKind());
        assertEquals("c2/LAUNCH_DUPLICATE", obs.get(1).getObservationId());
        assertTrue(outcome(obs.get(1)).getMessage().contains("c1"), outcome(obs.get(1)).getMessage());
    }

    @Test
    void abortAfterLaunchEmitsDeleteIntent() {
        send(TestCommands.launch("c1", "task-a", "ok/img:1"));
        send(TestCommands.abort("a1", "task-a", "user asked"));

        List<DaskJobIntent> all = intents.readValuesToList();
        assertEquals(2, all.size());
        DaskJobIntent delete = all.get(1);
        assertEquals(IntentAction.DELETE, delete.getAction());
        assertEquals("task-a/DELETE", delete.getIntentId());
        assertEquals("task-a", delete.getName());
        assertEquals("default", delete.getNamespace());
        assertEquals("user asked", delete.getReason());
        assertNull(delete.getManifest());
        assertEquals(List.of(CommandOutcomeKind.LAUNCH_ACCEPTED, CommandOutcomeKind.ABORT_ACCEPTED), kinds());
    }

    @Test
    void abortBeforeLaunchWinsAndTheLaterLaunchIsRefused() {
        send(TestCommands.abort("a1", "task-a", "too early"));
        send(TestCommands.launch("c1", "task-a", "ok/img:1"));
        send(TestCommands.launch("c2", "task-a", "ok/img:1"));

        assertTrue(intents.isEmpty(), "no intent at all");
        List<Observation> obs = observations.readValuesToList();
        assertEquals(List.of(CommandOutcomeKind.ABORT_UNKNOWN_TASK, CommandOutcomeKind.LAUNCH_AFTER_ABORT,
                CommandOutcomeKind.LAUNCH_DUPLICATE), obs.stream().map(o -> outcome(o).getKind()).toList());
        assertEquals("a1/ABORT_UNKNOWN_TASK", obs.get(0).getObservationId());
    }

    @Test
    void abortOfUnknownTaskIsAnsweredAtOnce() {
        send(TestCommands.abort("a1", "nobody", null));

        assertTrue(intents.isEmpty());
        Observation o = observations.readValue();
        assertEquals(CommandOutcomeKind.ABORT_UNKNOWN_TASK, outcome(o).getKind());
        assertEquals("nobody", o.getTaskId());
        assertTrue(outcome(o).getMessage().contains("no launch is known"), outcome(o).getMessage());
    }

    @Test
    void duplicateAbortsAreAnsweredAsDuplicates() {
        send(TestCommands.launch("c1", "task-a", "ok/img:1"));
        send(TestCommands.abort("a1", "task-a", "stop"));
        send(TestCommands.abort("a1", "task-a", "stop"));
        send(TestCommands.abort("a2", "task-a", "stop again"));
        send(TestCommands.abort("b1", "task-b", null));
        send(TestCommands.abort("b2", "task-b", null));

        assertEquals(2, intents.readValuesToList().size(), "one create, one delete");
        assertEquals(List.of(CommandOutcomeKind.LAUNCH_ACCEPTED, CommandOutcomeKind.ABORT_ACCEPTED,
                CommandOutcomeKind.ABORT_DUPLICATE, CommandOutcomeKind.ABORT_DUPLICATE,
                CommandOutcomeKind.ABORT_UNKNOWN_TASK, CommandOutcomeKind.ABORT_DUPLICATE), kinds());
    }

    @Test
    void invalidLaunchIsRejectedWithEveryProblem() {
        TaskCommand bad = TestCommands.launch("c1", "task-a", "evil/img:1");
        ((LaunchDaskJob) bad.getPayload()).getDask().getWorkers().setNumberOfWorkers(0);
        send(bad);
        send(TestCommands.launch("c2", "task-a", "ok/img:1"));
        send(TestCommands.abort("a1", "task-a", null));

        assertTrue(intents.isEmpty());
        List<Observation> obs = observations.readValuesToList();
        CommandOutcome rejected = outcome(obs.get(0));
        assertEquals(CommandOutcomeKind.LAUNCH_REJECTED, rejected.getKind());
        assertEquals(List.of("image: \"evil/img:1\" is not allowed",
                "dask.workers.numberOfWorkers: must be >= 1 (was 0)"), rejected.getProblems());
        assertEquals(CommandOutcomeKind.LAUNCH_DUPLICATE, outcome(obs.get(1)).getKind());
        assertEquals(CommandOutcomeKind.ABORT_OF_FINISHED_TASK, outcome(obs.get(2)).getKind());
        assertEquals(1.0, registry.get("daskrelay.translator.rejections").counter().count());
    }

    @Test
    void poisonRecordGoesToDeadLettersWithOriginalBytesAndTheNextRecordIsProcessed() {
        byte[] garbage = {0, 1, 2, 3, (byte) 0xff, 42};
        RecordHeaders headers = new RecordHeaders();
        headers.add("traceparent", "00-abc".getBytes(StandardCharsets.UTF_8));
        rawCommands.pipeInput(new TestRecord<>("task-x".getBytes(StandardCharsets.UTF_8), garbage, headers));
        send(TestCommands.launch("c1", "task-a", "ok/img:1"));

        TestRecord<byte[], byte[]> dead = deadLetters.readRecord();
        assertEquals("task-x", new String(dead.key(), StandardCharsets.UTF_8));
        assertTrue(Arrays.equals(garbage, dead.value()), "original bytes unchanged");
        assertEquals("deserialize", DeadLetterHeaders.get(dead.headers(), DeadLetterHeaders.ERROR_STAGE));
        assertEquals("translator", DeadLetterHeaders.get(dead.headers(), DeadLetterHeaders.ERROR_PROCESSOR));
        assertEquals(topics.commands(), DeadLetterHeaders.get(dead.headers(), DeadLetterHeaders.SOURCE_TOPIC));
        assertEquals("0", DeadLetterHeaders.get(dead.headers(), DeadLetterHeaders.SOURCE_OFFSET));
        assertTrue(DeadLetterHeaders.get(dead.headers(), DeadLetterHeaders.ERROR_CLASS).contains("Exception"));
        assertTrue(DeadLetterHeaders.get(dead.headers(), DeadLetterHeaders.ERROR_MESSAGE).contains("TaskCommand"));
        assertEquals("00-abc", DeadLetterHeaders.get(dead.headers(), "traceparent"), "original headers kept");
        assertTrue(deadLetters.isEmpty());

        assertEquals(1, intents.readValuesToList().size(), "the next record is still processed");
        assertEquals(List.of(CommandOutcomeKind.LAUNCH_ACCEPTED), kinds());
        assertEquals(1.0, registry.get("daskrelay.translator.dead.letters").tag("stage", "deserialize")
                .counter().count());
    }

    @Test
    void keyNotMatchingTaskIdAndTombstonesAreDeadLettered() {
        commands.pipeInput("other-key", TestCommands.launch("c1", "task-a", "ok/img:1"));
        rawCommands.pipeInput("task-b".getBytes(StandardCharsets.UTF_8), (byte[]) null);

        List<TestRecord<byte[], byte[]>> dead = deadLetters.readRecordsToList();
        assertEquals(2, dead.size());
        assertTrue(DeadLetterHeaders.get(dead.get(0).headers(), DeadLetterHeaders.ERROR_MESSAGE)
                .contains("is not the command's taskId"));
        assertTrue(intents.isEmpty());
        assertTrue(observations.isEmpty());
    }

    @Test
    void fatesSurviveInTheStore() {
        send(TestCommands.launch("c1", "task-a", "ok/img:1"));
        TaskFate fate = driver.<String, TaskFate>getKeyValueStore(CommandTopology.FATE_STORE).get("task-a");
        assertEquals(new TaskFate(TaskFate.State.LAUNCHED, "c1", null, "task-a", "default",
                TaskFate.Execution.of(TestCommands.execution("task-a"))), fate);
    }

    @Test
    void commandsReachTheFateStoreThroughARepartitionByTaskId() {
        String described = CommandTopology.build(topics, commandSerde, new AvroBinarySerde<>(DaskJobIntent.class),
                new AvroBinarySerde<>(Observation.class), new TestPreparation(), registry).describe().toString();
        assertTrue(described.contains("topics: [" + CommandTopology.REPARTITION + "-repartition]"), described);
        assertEquals("app-commands-by-task-id-repartition", CommandTopology.repartitionTopic("app"));
        String before = CommandTopology.build(topics, commandSerde, new AvroBinarySerde<>(DaskJobIntent.class),
                new AvroBinarySerde<>(Observation.class), new TestPreparation(), registry,
                CommandRouting.PRODUCER_PARTITION).describe().toString();
        assertFalse(before.contains("repartition"), before);
    }

    @Test
    void aRecordWithoutAKeyIsDeadLetteredNotLost() {
        TaskCommand launch = TestCommands.launch("c1", "task-a", "ok/img:1");
        rawCommands.pipeInput(null, commandSerde.serializer().serialize(topics.commands(), launch));

        TestRecord<byte[], byte[]> dead = deadLetters.readRecord();
        assertNull(dead.key());
        assertTrue(DeadLetterHeaders.get(dead.headers(), DeadLetterHeaders.ERROR_MESSAGE).contains("record key null"));
        assertEquals(topics.commands(), DeadLetterHeaders.get(dead.headers(), DeadLetterHeaders.SOURCE_TOPIC));
        assertTrue(observations.isEmpty());
    }

    @Test
    void anAbortNamingAnotherExecutionIsRejectedAndChangesNothing() {
        send(TestCommands.launch("c1", "task-a", "ok/img:1"));
        TaskCommand stranger = TaskCommand.newBuilder(TestCommands.abort("a1", "task-a", "stop"))
                .setExecution(TestCommands.execution("task-b")).build();
        send(stranger);
        send(TestCommands.abort("a2", "task-a", "stop"));

        List<Observation> obs = observations.readValuesToList();
        assertEquals(List.of(CommandOutcomeKind.LAUNCH_ACCEPTED, CommandOutcomeKind.ABORT_REJECTED,
                CommandOutcomeKind.ABORT_ACCEPTED), obs.stream().map(o -> outcome(o).getKind()).toList());
        CommandOutcome rejected = outcome(obs.get(1));
        assertEquals(1, rejected.getProblems().size());
        assertTrue(rejected.getProblems().get(0).startsWith("execution: the abort names execution "),
                rejected.getProblems().get(0));
        assertTrue(rejected.getProblems().get(0).contains("was launched as"), rejected.getProblems().get(0));
        assertEquals(List.of(IntentAction.CREATE, IntentAction.DELETE),
                intents.readValuesToList().stream().map(DaskJobIntent::getAction).toList(),
                "only the abort with the task's own execution deletes the DaskJob");
    }

    @Test
    void fatesStoredBeforeTheExecutionWasKeptStillRead() {
        TaskFate old = new TaskFateSerde().deserializer().deserialize("t", """
                {"state":"LAUNCHED","launchCommandId":"c1","abortCommandId":null,"name":"task-a","namespace":"default"}
                """.getBytes(StandardCharsets.UTF_8));
        assertEquals(new TaskFate(TaskFate.State.LAUNCHED, "c1", null, "task-a", "default"), old);
        assertNull(old.execution(), "no execution: aborts of such tasks are not checked");
    }
}
