package dev.daskrelay.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The broker every other test relies on: transactions and exactly-once Streams must really work on it. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EmbeddedKafkaTest {

    private KafkaBroker kafka;

    @BeforeAll
    void start() {
        kafka = KafkaBroker.forTests();
    }

    @AfterAll
    void stop() {
        kafka.close();
    }

    @Test
    void committedTransactionsAreVisibleAndAbortedOnesAreNot() {
        String topic = "tx-" + UUID.randomUUID();
        kafka.createTopics(1, topic);
        Properties pp = kafka.clientProperties();
        pp.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tx-test-" + topic);
        pp.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        pp.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(pp)) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "k", "aborted-1"));
            producer.abortTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "k", "committed-1"));
            producer.send(new ProducerRecord<>(topic, "k", "committed-2"));
            producer.commitTransaction();
        }
        List<String> seen = readCommitted(topic, values -> values.size() >= 2);
        assertEquals(List.of("committed-1", "committed-2"), seen);
    }

    @Test
    void exactlyOnceV2StreamsAppRunsOnOneBroker(@TempDir Path stateDir) throws Exception {
        String in = "eos-in-" + UUID.randomUUID();
        String out = "eos-out-" + UUID.randomUUID();
        kafka.createTopics(2, in, out);
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(in, Consumed.with(Serdes.String(), Serdes.String()))
                .mapValues(v -> v.toUpperCase())
                .to(out, Produced.with(Serdes.String(), Serdes.String()));
        Properties sp = kafka.clientProperties();
        sp.put(StreamsConfig.APPLICATION_ID_CONFIG, "eos-" + UUID.randomUUID());
        sp.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        sp.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
        sp.put(StreamsConfig.STATE_DIR_CONFIG, Files.createDirectories(stateDir).toString());
        sp.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        sp.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        try (KafkaStreams streams = new KafkaStreams(builder.build(), sp)) {
            streams.start();
            Properties pp = kafka.clientProperties();
            pp.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            pp.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(pp)) {
                for (String v : List.of("a", "b", "c")) {
                    producer.send(new ProducerRecord<>(in, v, v));
                }
            }
            List<String> seen = readCommitted(out, values -> values.size() >= 3);
            assertEquals(List.of("A", "B", "C"), seen.stream().sorted().toList());
            assertTrue(streams.state().isRunningOrRebalancing());
        }
    }

    private List<String> readCommitted(String topic, Predicate<List<String>> done) {
        Properties cp = kafka.clientProperties();
        cp.put(ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID());
        cp.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        cp.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        cp.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        List<String> values = new ArrayList<>();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(cp)) {
            consumer.subscribe(List.of(topic));
            while (!done.test(values) && Instant.now().isBefore(deadline)) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(r.value());
                }
            }
        }
        return values;
    }

    @Test
    void aBrokerStartedAgainOnItsDataDirectoryKeepsItsRecords(@TempDir Path data) {
        String topic = "restart-" + UUID.randomUUID();
        EmbeddedKafka first = EmbeddedKafka.start(new EmbeddedKafka.Options(0, data, false));
        try {
            first.createTopics(1, topic);
            Properties pp = first.clientProperties();
            pp.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            pp.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(pp)) {
                producer.send(new ProducerRecord<>(topic, "k", "before the restart")).get();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        } finally {
            first.close();
        }
        // formatted before: the same cluster id again (a new one made the storage tool refuse to start)
        EmbeddedKafka second = EmbeddedKafka.start(new EmbeddedKafka.Options(0, data, false));
        try {
            Properties cp = second.clientProperties();
            cp.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
            cp.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
            cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            cp.put(ConsumerConfig.GROUP_ID_CONFIG, "restart-" + topic);
            List<String> seen = new ArrayList<>();
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(cp)) {
                consumer.subscribe(List.of(topic));
                Instant deadline = Instant.now().plus(Duration.ofMinutes(1));
                while (seen.isEmpty() && Instant.now().isBefore(deadline)) {
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                        seen.add(r.value());
                    }
                }
            }
            assertEquals(List.of("before the restart"), seen);
        } finally {
            second.close();
        }
    }
}
