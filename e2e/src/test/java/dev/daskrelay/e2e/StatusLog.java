package dev.daskrelay.e2e;

import dev.daskrelay.avro.v1.TaskPhase;
import dev.daskrelay.avro.v1.TaskStatus;
import dev.daskrelay.schemas.serde.AvroSerde;
import dev.daskrelay.schemas.serde.AvroSerdes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Every status event of a pipeline's status topic, read from the beginning by a background consumer (no group,
 * nothing committed), kept per task in topic order. Tests wait on it with a deadline.
 */
final class StatusLog implements AutoCloseable {

    private final Map<String, List<TaskStatus>> byTask = new ConcurrentHashMap<>();
    private final Thread reader;
    private volatile boolean closed;
    private volatile RuntimeException failure;

    StatusLog(Properties clientProperties, Map<String, String> registry, String topic) {
        AvroSerde<TaskStatus> serde = AvroSerdes.specific(TaskStatus.class, registry, false);
        Properties p = new Properties();
        p.putAll(clientProperties);
        p.put("auto.offset.reset", "earliest");
        p.put("enable.auto.commit", "false");
        p.put("isolation.level", "read_committed");
        KafkaConsumer<String, TaskStatus> consumer = new KafkaConsumer<>(p, new StringDeserializer(), serde.deserializer());
        reader = new Thread(() -> read(consumer, topic), "e2e-status-log-" + topic);
        reader.setDaemon(true);
        reader.start();
    }

    private void read(KafkaConsumer<String, TaskStatus> consumer, String topic) {
        try (consumer) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (!closed) {
                for (ConsumerRecord<String, TaskStatus> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.value() != null) {
                        synchronized (this) {
                            byTask.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r.value());
                            notifyAll();
                        }
                    }
                }
            }
        } catch (RuntimeException e) {
            if (!closed) {
                failure = e;
            }
        }
    }

    /** The events of {@code taskId} so far (a copy). */
    synchronized List<TaskStatus> events(String taskId) {
        return List.copyOf(byTask.getOrDefault(taskId, List.of()));
    }

    /** Task ids with at least one event. */
    synchronized List<String> tasks() {
        return List.copyOf(byTask.keySet());
    }

    /** Waits until {@code done} holds for the events of {@code taskId}; the events, or an AssertionError with them. */
    List<TaskStatus> await(String taskId, Predicate<List<TaskStatus>> done, Duration timeout, String what) {
        Instant deadline = Instant.now().plus(timeout);
        synchronized (this) {
            while (true) {
                if (failure != null) {
                    throw new IllegalStateException("status consumer failed", failure);
                }
                List<TaskStatus> events = events(taskId);
                if (done.test(events)) {
                    return events;
                }
                long left = Duration.between(Instant.now(), deadline).toMillis();
                if (left <= 0) {
                    throw new AssertionError(taskId + ": " + what + " not within " + timeout + "; events: "
                            + Timeline.describe(events));
                }
                try {
                    wait(Math.min(left, 500));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted", e);
                }
            }
        }
    }

    /** Waits for the terminal event of {@code taskId}. */
    List<TaskStatus> awaitTerminal(String taskId, Duration timeout) {
        return await(taskId, events -> !events.isEmpty() && events.get(events.size() - 1).getTerminal(), timeout,
                "a terminal status");
    }

    /** Waits until the task has reached {@code phase} (or ended). */
    List<TaskStatus> awaitPhase(String taskId, TaskPhase phase, Duration timeout) {
        return await(taskId, events -> events.stream().anyMatch(s -> s.getPhase() == phase || s.getTerminal()), timeout,
                "phase " + phase);
    }

    @Override
    public void close() {
        closed = true;
        try {
            reader.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
