package dev.daskrelay.watcher.bridge;

import static org.junit.jupiter.api.Assertions.fail;

import dev.daskrelay.avro.v1.DaskJobSnapshot;
import dev.daskrelay.avro.v1.Observation;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads a one-partition observations topic from the start and keeps everything it saw, in order. */
final class ObservationReader implements AutoCloseable {

    static final Duration WAIT = Duration.ofSeconds(60);

    private final KafkaConsumer<String, Observation> consumer;
    private final List<Observation> seen = new ArrayList<>();

    ObservationReader(Properties clientProperties, String topic) {
        Properties p = new Properties();
        p.putAll(clientProperties);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        consumer = new KafkaConsumer<>(p, new StringDeserializer(), TestAvro.deserializer());
        TopicPartition tp = new TopicPartition(topic, 0);
        consumer.assign(List.of(tp));
        consumer.seekToBeginning(List.of(tp));
    }

    /** Polls until {@code n} observations were seen in total (fails after {@link #WAIT}); returns all seen. */
    List<Observation> awaitCount(int n) {
        return awaitUntil(all -> all.size() >= n, "at least " + n + " observations");
    }

    /** Polls until the predicate holds for everything seen so far. */
    List<Observation> awaitUntil(Predicate<List<Observation>> done, String what) {
        Instant deadline = Instant.now().plus(WAIT);
        while (!done.test(seen)) {
            if (Instant.now().isAfter(deadline)) {
                fail("timed out waiting for " + what + "; saw " + describe(seen));
            }
            consumer.poll(Duration.ofMillis(200)).forEach(r -> seen.add(r.value()));
        }
        return List.copyOf(seen);
    }

    /** Polls once more briefly and returns everything seen. */
    List<Observation> drain() {
        consumer.poll(Duration.ofMillis(500)).forEach(r -> seen.add(r.value()));
        return List.copyOf(seen);
    }

    static DaskJobSnapshot snapshot(Observation o) {
        return (DaskJobSnapshot) o.getPayload();
    }

    static String describe(List<Observation> all) {
        List<String> out = new ArrayList<>();
        for (Observation o : all) {
            DaskJobSnapshot s = snapshot(o);
            out.add(o.getTaskId() + ":" + (s.getExists() ? "" : "GONE:") + s.getJobStatus() + "/runner="
                    + (s.getComponents().getRunner() == null ? "-" : s.getComponents().getRunner().getPhase()));
        }
        return out.toString();
    }

    @Override
    public void close() {
        consumer.close();
    }
}
