package dev.daskrelay.translator.topology;

import dev.daskrelay.schemas.KeyPartitioning;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.streams.processor.StreamPartitioner;

/**
 * Partitions records by their key, the task id (UTF-8 {@code String} or its raw bytes): {@code murmur2(key) % n},
 * the rule of Kafka's Java client and of every topic daskrelay writes. Set explicitly on the repartition topic and
 * the output topics (rather than left to the producer's {@code partitioner.class}, which {@code kafka.properties}
 * could change) so no client setting can move a task's records apart. A record without a key goes to partition 0
 * (where the command processor dead-letters it).
 */
final class TaskIdPartitioner<K, V> implements StreamPartitioner<K, V> {

    @Override
    public Optional<Set<Integer>> partitions(String topic, K key, V value, int numPartitions) {
        byte[] bytes = key instanceof byte[] raw ? raw
                : key == null ? null : key.toString().getBytes(StandardCharsets.UTF_8);
        return Optional.of(Set.of(bytes == null ? 0 : KeyPartitioning.murmur2(bytes, numPartitions)));
    }
}
