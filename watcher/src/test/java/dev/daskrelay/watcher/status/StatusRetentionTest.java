package dev.daskrelay.watcher.status;

import static dev.daskrelay.schemas.testing.TestObservations.T0;
import static dev.daskrelay.schemas.testing.TestObservations.TASK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.daskrelay.avro.v1.ApplyResult;
import dev.daskrelay.avro.v1.CommandOutcomeKind;
import dev.daskrelay.avro.v1.DaskJobIntent;
import dev.daskrelay.avro.v1.IntentAction;
import dev.daskrelay.avro.v1.Observation;
import dev.daskrelay.avro.v1.TaskPhase;
import dev.daskrelay.avro.v1.TaskStatus;
import dev.daskrelay.schemas.serde.AvroBinarySerde;
import dev.daskrelay.schemas.testing.TestObservations;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.function.Function;
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
import org.junit.jupiter.api.io.TempDir;

/**
 * Bounded state of the status topology: a finished task (or one no launch was seen for) is forgotten
 * {@code watcher.statusRetention} after its last change, with a tombstone in the store's changelog; a launched task
 * that has not finished never is; within the retention nothing follows a terminal status.
 */
class StatusRetentionTest {

    private static final String APP = "status-retention";
    private static final Duration RETENTION = Duration.ofDays(9);

    private final AvroBinarySerde<Observation> observationSerde = new AvroBinarySerde<>(Observation.class);
    private final AvroBinarySerde<TaskStatus> statusSerde = new AvroBinarySerde<>(TaskStatus.class);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final StatusSettings settings = StatusSettings.defaults();

    @TempDir
    Path stateDir;

    private TopologyTestDriver driver;
    private TestInputTopic<String, Observation> observations;
    private TestOutputTopic<String, TaskStatus> status;
    private TestOutputTopic<String, byte[]> changelog;
    private Instant wallClock = T0;

    private void start(Duration retention) {
        var topology = new StatusTopology(settings, new StatusSerdes(observationSerde, statusSerde,
                new AvroBinarySerde<>(DaskJobIntent.class)), registry, retention).build();
        Properties props = StatusTopology.streamsProperties(APP, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(topology, props, T0);
        observations = driver.createInputTopic(settings.observationsTopic(), new StringSerializer(),
                observationSerde.serializer());
        status = driver.createOutputTopic(settings.statusTopic(), new StringDeserializer(), statusSerde.deserializer());
        changelog = driver.createOutputTopic(APP + "-" + StatusTopology.TASKS_STORE + "-changelog",
                new StringDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void stop() {
        if (driver != null) {
            driver.close();
        }
    }

    private void at(Duration sinceT0, Function<Instant, Observation> observation) {
        advanceTo(T0.plus(sinceT0));
        observations.pipeInput(TASK, observation.apply(wallClock), wallClock);
    }

    /** Moves the wall clock; each punctuator runs once (a few tasks: one sweep examines them all). */
    private void advanceTo(Instant t) {
        if (t.isAfter(wallClock)) {
            driver.advanceWallClockTime(Duration.between(wallClock, t));
            wallClock = t;
        }
    }

    private KeyValueStore<String, TaskState> tasks() {
        return driver.getKeyValueStore(StatusTopology.TASKS_STORE);
    }

    private List<TaskPhase> phases() {
        return status.readValuesToList().stream().map(TaskStatus::getPhase).toList();
    }

    private void finish() {
        at(Duration.ZERO, t -> TestObservations.accepted(t, null));
        at(Duration.ofSeconds(1), t -> TestObservations.apply(IntentAction.CREATE, ApplyResult.CREATED, t));
        at(Duration.ofSeconds(30), t -> TestObservations.snapshot(TestObservations.job("Successful").build(), t));
        // a Successful job implies the phases before it (docs/STATUS-MODEL.md), published before the terminal one
        assertEquals(List.of(TaskPhase.QUEUED, TaskPhase.INITIALIZING, TaskPhase.RUNNING, TaskPhase.SUCCEEDED), phases());
    }

    @Test
    void withinTheRetentionNothingFollowsTheTerminalStatus() {
        start(RETENTION);
        finish();
        Duration late = RETENTION.minusHours(1);
        // the janitor's deletion, an abort of the finished task and its delete, days later
        at(late, t -> TestObservations.snapshot(TestObservations.gone(), t));
        at(late.plusSeconds(1), t -> TestObservations.abort(CommandOutcomeKind.ABORT_ACCEPTED, "late", t));
        at(late.plusSeconds(2), t -> TestObservations.apply(IntentAction.DELETE, ApplyResult.NOT_FOUND, t));

        assertEquals(List.of(), phases(), "the task is still known to be finished");
        assertTrue(tasks().get(TASK).isTerminal());
    }

    @Test
    void aFinishedTaskIsForgottenAfterTheRetentionWithATombstoneInItsChangelog() {
        start(RETENTION);
        finish();
        assertNotNull(changelog.readKeyValuesToList().get(0).value);

        advanceTo(T0.plusSeconds(30).plus(RETENTION).plus(StatusExpiry.SWEEP_INTERVAL));

        assertNull(tasks().get(TASK));
        List<KeyValue<String, byte[]>> after = changelog.readKeyValuesToList();
        assertEquals(1, after.size());
        assertEquals(TASK, after.get(0).key);
        assertNull(after.get(0).value, "a tombstone");
        assertEquals(1.0, registry.get("daskrelay.status.tasks.expired").counter().count());
    }

    @Test
    void aForgottenTaskObservedAgainStartsAfresh() {
        start(RETENTION);
        finish();
        advanceTo(T0.plusSeconds(30).plus(RETENTION).plus(StatusExpiry.SWEEP_INTERVAL));
        assertNull(tasks().get(TASK));

        // the processor keeps the states it wrote in memory (RecentStates): a forgotten task must not come back
        at(RETENTION.plus(StatusExpiry.SWEEP_INTERVAL).plusSeconds(40),
                t -> TestObservations.snapshot(TestObservations.job("Running").build(), t));

        TaskState fresh = tasks().get(TASK);
        assertNotNull(fresh, "a snapshot of a task no launch is known for is held");
        assertFalse(fresh.isTerminal());
        assertNull(fresh.commandId());
        assertEquals(1, fresh.heldSnapshots().size());
    }

    @Test
    void theRetentionCountsFromTheLastChange() {
        start(RETENTION);
        at(Duration.ZERO, t -> TestObservations.accepted(t, null));
        at(Duration.ofSeconds(1), t -> TestObservations.apply(IntentAction.CREATE, ApplyResult.CREATED, t));
        at(Duration.ofDays(5), t -> TestObservations.snapshot(TestObservations.job("Failed").build(), t));
        advanceTo(T0.plus(Duration.ofDays(10)));                  // 10 days after the launch, 5 after the end
        assertNotNull(tasks().get(TASK));
        advanceTo(T0.plus(Duration.ofDays(14)).plus(StatusExpiry.SWEEP_INTERVAL));
        assertNull(tasks().get(TASK));
    }

    @Test
    void aLaunchedTaskThatHasNotFinishedIsNeverForgotten() {
        start(RETENTION);
        at(Duration.ZERO, t -> TestObservations.accepted(t, null));
        at(Duration.ofSeconds(1), t -> TestObservations.apply(IntentAction.CREATE, ApplyResult.CREATED, t));
        advanceTo(T0.plus(Duration.ofDays(400)));
        assertEquals(TaskPhase.QUEUED.name(), tasks().get(TASK).phase().name());
    }

    @Test
    void aTaskNoLaunchWasSeenForIsForgottenAfterTheRetention() {
        start(RETENTION);
        at(Duration.ZERO, t -> TestObservations.snapshot(TestObservations.job("Running").build(), t));
        assertNull(tasks().get(TASK).commandId());
        advanceTo(T0.plus(RETENTION).plus(StatusExpiry.SWEEP_INTERVAL));
        assertNull(tasks().get(TASK));
    }

    @Test
    void withoutARetentionNothingIsForgotten() {
        start(null);
        finish();
        advanceTo(T0.plus(Duration.ofDays(1000)));
        assertTrue(tasks().get(TASK).isTerminal());
    }
}
