package dev.daskrelay.translator.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.daskrelay.avro.v1.CommandOutcome;
import dev.daskrelay.avro.v1.CommandOutcomeKind;
import dev.daskrelay.avro.v1.DaskJobIntent;
import dev.daskrelay.avro.v1.IntentAction;
import dev.daskrelay.avro.v1.Observation;
import dev.daskrelay.avro.v1.TaskCommand;
import dev.daskrelay.schemas.Topics;
import dev.daskrelay.schemas.serde.AvroBinarySerde;
import dev.daskrelay.schemas.testing.TestCommands;
import dev.daskrelay.translator.TestPreparation;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Bounded state of the command topology: a task's fate is forgotten {@code translator.fateRetention} after its last
 * write, with a tombstone in the store's changelog; until then every duplicate is still caught.
 */
class FateRetentionTest {

    private static final String APP = "fate-retention";
    private static final Duration RETENTION = Duration.ofDays(8);
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

    private final Topics topics = new Topics("t");
    private final AvroBinarySerde<TaskCommand> commandSerde = new AvroBinarySerde<>(TaskCommand.class);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private TopologyTestDriver driver;
    private TestInputTopic<String, TaskCommand> commands;
    private TestOutputTopic<String, DaskJobIntent> intents;
    private TestOutputTopic<String, Observation> observations;
    private TestOutputTopic<String, byte[]> changelog;

    private void start(Duration retention) throws Exception {
        Properties p = CommandTopology.requiredProperties(APP);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        p.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("fate-retention").toString());
        driver = new TopologyTestDriver(CommandTopology.build(topics, commandSerde,
                new AvroBinarySerde<>(DaskJobIntent.class), new AvroBinarySerde<>(Observation.class),
                new TestPreparation(), registry, retention), p, T0);
        commands = driver.createInputTopic(topics.commands(), new StringSerializer(), commandSerde.serializer());
        intents = driver.createOutputTopic(topics.intents(), new StringDeserializer(),
                new AvroBinarySerde<>(DaskJobIntent.class).deserializer());
        observations = driver.createOutputTopic(topics.observations(), new StringDeserializer(),
                new AvroBinarySerde<>(Observation.class).deserializer());
        changelog = driver.createOutputTopic(APP + "-" + CommandTopology.FATE_STORE + "-changelog",
                new StringDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void stop() {
        if (driver != null) {
            driver.close();
        }
    }

    private void send(TaskCommand c) {
        commands.pipeInput(c.getTaskId(), c);
    }

    private List<CommandOutcomeKind> kinds() {
        return observations.readValuesToList().stream().map(o -> ((CommandOutcome) o.getPayload()).getKind()).toList();
    }

    private KeyValueStore<String, TaskFate> fates() {
        return driver.getKeyValueStore(CommandTopology.FATE_STORE);
    }

    /** Advances the wall clock; the sweep punctuator runs once (a few fates: one sweep examines them all). */
    private void advance(Duration d) {
        driver.advanceWallClockTime(d);
    }

    private double expiredCount() {
        return registry.get("daskrelay.translator.fates.expired").counter().count();
    }

    @Test
    void aDuplicateWithinTheRetentionIsStillCaught() throws Exception {
        start(RETENTION);
        send(TestCommands.launch("c1", "task-a", "ok/img:1"));
        advance(RETENTION.minusMinutes(5));
        send(TestCommands.launch("c1", "task-a", "ok/img:1"));      // the producer's retry, days later
        send(TestCommands.launch("c2", "task-a", "ok/img:1"));      // another launch of the same task

        assertEquals(List.of(IntentAction.CREATE),
                intents.readValuesToList().stream().map(DaskJobIntent::getAction).toList(), "no second DaskJob");
        assertEquals(List.of(CommandOutcomeKind.LAUNCH_ACCEPTED, CommandOutcomeKind.LAUNCH_DUPLICATE,
                CommandOutcomeKind.LAUNCH_DUPLICATE), kinds());
        assertNotNull(fates().get("task-a"));
        assertEquals(0.0, expiredCount());
    }

    @Test
    void aFateIsForgottenAfterTheRetentionWithATombstoneInItsChangelog() throws Exception {
        start(RETENTION);
        send(TestCommands.launch("c1", "task-a", "ok/img:1"));
        send(TestCommands.launch("c9", "task-b", "ok/img:1"));
        List<KeyValue<String, byte[]>> written = changelog.readKeyValuesToList();
        assertEquals(List.of("task-a", "task-b"), written.stream().map(kv -> kv.key).toList());
        assertTrue(written.stream().allMatch(kv -> kv.value != null));

        advance(RETENTION.plus(FateExpiry.SWEEP_INTERVAL));

        assertNull(fates().get("task-a"));
        assertNull(fates().get("task-b"));
        List<KeyValue<String, byte[]>> tombstones = changelog.readKeyValuesToList();
        assertEquals(List.of("task-a", "task-b"), tombstones.stream().map(kv -> kv.key).sorted().toList());
        assertTrue(tombstones.stream().allMatch(kv -> kv.value == null), "deletes reach the changelog as tombstones");
        assertEquals(2.0, expiredCount());

        // what forgetting means: the task id is unknown again (which is why the retention must outlive the topic's)
        observations.readValuesToList();
        send(TestCommands.launch("c1", "task-a", "ok/img:1"));
        assertEquals(List.of(CommandOutcomeKind.LAUNCH_ACCEPTED), kinds());
    }

    @Test
    void theRetentionCountsFromTheLastWriteOfTheFate() throws Exception {
        start(RETENTION);
        send(TestCommands.launch("c1", "task-a", "ok/img:1"));
        advance(Duration.ofDays(5));
        send(TestCommands.abort("a1", "task-a", "stop"));           // the abort writes the fate again
        advance(Duration.ofDays(4));                                // 9 days after the launch, 4 after the abort

        assertEquals(TaskFate.State.ABORTED, fates().get("task-a").state());
        observations.readValuesToList();
        send(TestCommands.abort("a2", "task-a", "again"));
        assertEquals(List.of(CommandOutcomeKind.ABORT_DUPLICATE), kinds(), "an abort is still answered from the fate");

        advance(Duration.ofDays(4).plus(FateExpiry.SWEEP_INTERVAL)); // 8 days after the abort
        assertNull(fates().get("task-a"));
    }

    @Test
    void withoutARetentionNothingIsForgotten() throws Exception {
        start(null);
        send(TestCommands.launch("c1", "task-a", "ok/img:1"));
        driver.advanceWallClockTime(Duration.ofDays(1000));
        assertNotNull(fates().get("task-a"));
        send(TestCommands.launch("c1", "task-a", "ok/img:1"));
        assertEquals(List.of(CommandOutcomeKind.LAUNCH_ACCEPTED, CommandOutcomeKind.LAUNCH_DUPLICATE), kinds());
    }
}
