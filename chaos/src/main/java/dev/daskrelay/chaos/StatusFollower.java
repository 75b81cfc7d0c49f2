package dev.daskrelay.chaos;

import dev.daskrelay.avro.v1.TaskStatus;
import dev.daskrelay.schemas.serde.AvroSerde;
import dev.daskrelay.schemas.serde.AvroSerdes;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the status topic during the run (no group, read_committed) to know which tasks have finished: the
 * harness's progress line and its drain condition. The auditor reads the topic again on its own at the end.
 */
final class StatusFollower implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StatusFollower.class);

    private final Set<String> finished = ConcurrentHashMap.newKeySet();
    private final Map<String, Long> events = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean closed;

    StatusFollower(String bootstrap, String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        AvroSerde<TaskStatus> serde = AvroSerdes.specific(TaskStatus.class, Map.of("schema.registry.url", "bundled://"),
                false);
        thread = new Thread(() -> follow(p, topic, serde), "chaos-status-follower");
        thread.setDaemon(true);
        thread.start();
    }

    private void follow(Properties p, String topic, AvroSerde<TaskStatus> serde) {
        while (!closed) {
            try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                    new ByteArrayDeserializer())) {
                List<TopicPartition> parts = c.partitionsFor(topic, Duration.ofSeconds(60)).stream()
                        .map(i -> new TopicPartition(topic, i.partition())).toList();
                c.assign(parts);
                c.seekToBeginning(parts);
                finished.clear();
                events.clear();
                while (!closed) {
                    for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
                        TaskStatus s = serde.deserializer().deserialize(topic, r.headers(), r.value());
                        events.merge(s.getTaskId(), 1L, Long::sum);
                        if (s.getTerminal()) {
                            finished.add(s.getTaskId());
                        }
                    }
                }
            } catch (RuntimeException e) {
                if (!closed) {
                    LOG.warn("status follower: {}; starting over", e.toString());
                }
            }
        }
    }

    /** How many of {@code tasks} have a terminal status. */
    int finished(Collection<String> tasks) {
        int n = 0;
        for (String t : tasks) {
            if (finished.contains(t)) {
                n++;
            }
        }
        return n;
    }

    long events() {
        return events.values().stream().mapToLong(Long::longValue).sum();
    }

    @Override
    public void close() {
        closed = true;
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
