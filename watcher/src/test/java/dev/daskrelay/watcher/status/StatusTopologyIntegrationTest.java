package dev.daskrelay.watcher.status;

import static dev.daskrelay.schemas.testing.TestObservations.TASK;
import static dev.daskrelay.schemas.testing.TestObservations.job;
import static dev.daskrelay.schemas.testing.TestObservations.snapshot;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.daskrelay.avro.v1.ApplyResult;
import dev.daskrelay.avro.v1.DaskJobIntent;
import dev.daskrelay.avro.v1.IntentAction;
import dev.daskrelay.avro.v1.Observation;
import dev.daskrelay.avro.v1.TaskStatus;
import dev.daskrelay.embedded.KafkaBroker;
import dev.daskrelay.schemas.DeadLetterHeaders;
import dev.daskrelay.schemas.serde.AvroSerdes;
import dev.daskrelay.schemas.testing.TestObservations;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real status topology on a real (in-process) broker with exactly_once_v2 and the project's Confluent
 * wire-format serdes (mock:// registry): events come out in order and committed, a poison record is
 * dead-lettered, and a restart with an empty state directory restores the store from its changelog so the
 * sequence continues instead of starting over.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StatusTopologyIntegrationTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private final Map<String, Object> serdeConfig = Map.of("schema.registry.url", "mock://status-it");
    private final StatusSettings settings = StatusSettings.defaults("it");
    private KafkaBroker kafka;

    @BeforeAll
    void startBroker() {
        kafka = KafkaBroker.forTests();
        kafka.createTopics(1, settings.observationsTopic(), settings.statusTopic(), settings.intentsTopic(),
                settings.deadLettersTopic());
    }

    @AfterAll
    void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    private StatusService startService(Path stateDir) {
        StatusSerdes serdes = new StatusSerdes(AvroSerdes.specific(Observation.class, serdeConfig, false),
                AvroSerdes.specific(TaskStatus.class, serdeConfig, false),
                AvroSerdes.specific(DaskJobIntent.class, serdeConfig, false));
        Properties p = new Properties();
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);   // overridden: always EOS
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 6000);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), 1000);
        StatusService service = new StatusService(settings, serdes, new SimpleMeterRegistry(), "status-it",
                kafka.bootstrapServers(), p);
        assertTrue(service.isAlive());
        return service.start();
    }

    private void produce(byte[] key, byte[] value) {
        Properties p = kafka.clientProperties();
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        try (var producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(settings.observationsTopic(), key, value));
            producer.flush();
        }
    }

    private void produce(Observation o) {
        var serializer = AvroSerdes.specific(Observation.class, serdeConfig, false).serializer();
        produce(TASK.getBytes(StandardCharsets.UTF_8), serializer.serialize(settings.observationsTopic(), o));
    }

    /** Reads committed records of {@code topic} from the start until {@code done} holds or the wait ends. */
    private List<ConsumerRecord<String, byte[]>> readUntil(String topic,
                                                           Predicate<List<ConsumerRecord<String, byte[]>>> done) {
        Properties p = kafka.clientProperties();
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(List.of(new TopicPartition(topic, 0)));
            consumer.seekToBeginning(consumer.assignment());
            Instant deadline = Instant.now().plus(WAIT);
            while (!done.test(out) && Instant.now().isBefore(deadline)) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    private List<TaskStatus> statuses(int atLeast) {
        var deserializer = AvroSerdes.specific(TaskStatus.class, serdeConfig, false).deserializer();
        return readUntil(settings.statusTopic(), l -> l.size() >= atLeast).stream()
                .map(r -> deserializer.deserialize(r.topic(), r.headers(), r.value())).toList();
    }

    @Test
    void exactlyOnceRoundTripAndRestoreFromChangelog(@TempDir Path first, @TempDir Path second) {
        Instant t = Instant.now();
        try (StatusService service = startService(first)) {
            produce(TestObservations.accepted(t, null));
            produce(TestObservations.apply(IntentAction.CREATE, ApplyResult.CREATED, t.plusMillis(1)));
            produce(TASK.getBytes(StandardCharsets.UTF_8), new byte[] {0, 0, 0, 0, 99, 1});   // unknown schema id
            produce(snapshot(job("JobCreated").build(), t.plusMillis(2)));
            produce(snapshot(job("Running").build(), t.plusMillis(3)));
            List<TaskStatus> s = statuses(3);
            assertEquals(List.of(1L, 2L, 3L), s.stream().map(TaskStatus::getSequence).toList());
            assertEquals(List.of("QUEUED", "INITIALIZING", "RUNNING"),
                    s.stream().map(x -> x.getPhase().name()).toList());
            var dead = readUntil(settings.deadLettersTopic(), l -> !l.isEmpty());
            assertEquals(1, dead.size());
            assertEquals("deserialize", DeadLetterHeaders.get(dead.get(0).headers(), DeadLetterHeaders.ERROR_STAGE));
            assertTrue(service.isReady() && service.isAlive(), "state " + service.state());
            service.close();
            assertFalse(service.isAlive());
        }
        // A new instance with an empty state directory restores the task's state from the changelog.
        try (StatusService service = startService(second)) {
            produce(snapshot(job("Running").build(), t.plusMillis(4)));   // same as before: nothing new
            produce(snapshot(job("Running").setComponents(TestObservations.comps(null, null, 2, 2, 0)).build(), t.plusMillis(5)));
            produce(snapshot(job("Successful").build(), t.plusMillis(6)));
            var deserializer = AvroSerdes.specific(TaskStatus.class, serdeConfig, false).deserializer();
            List<TaskStatus> s = readUntil(settings.statusTopic(), l -> l.stream().anyMatch(r -> deserializer
                    .deserialize(r.topic(), r.headers(), r.value()).getTerminal())).stream()
                    .map(r -> deserializer.deserialize(r.topic(), r.headers(), r.value())).toList();
            assertEquals(List.of(1L, 2L, 3L, 4L, 5L), s.stream().map(TaskStatus::getSequence).toList(),
                    "the sequence continues after the restart, without duplicates: " + s);
            assertEquals("workers ready 2/2", s.get(3).getReason());
            assertEquals(1, s.get(3).getPhaseVersion());
            assertEquals("SUCCEEDED", s.get(4).getPhase().name());
            assertTrue(s.get(4).getTerminal());
        }
    }
}
