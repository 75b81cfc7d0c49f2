package dev.daskrelay.schemas;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import org.apache.kafka.common.utils.Utils;

/**
 * Where Kafka clients put a keyed record, for the two default rules daskrelay meets. Kafka has <em>no</em>
 * partitioner shared by every client: the partition of a key is chosen by the producer.
 *
 * <ul>
 *   <li>{@link #murmur2}: the Java client's default ({@code BuiltInPartitioner}), Kafka Streams' sinks and
 *       repartition topics, and clients that copy it (franz-go, KafkaJS's {@code DefaultPartitioner}):
 *       {@code toPositive(murmur2(keyBytes)) % n}.</li>
 *   <li>{@link #crc32}: librdkafka's default {@code consistent_random} (and {@code consistent}) for a non-empty key,
 *       so confluent-kafka-python, confluent-kafka-go, Confluent.Kafka (.NET), node-rdkafka and rdkafka-based C/C++
 *       clients: {@code crc32(keyBytes) % n}, with the unsigned 32-bit CRC-32 of zlib/ISO-HDLC.</li>
 * </ul>
 *
 * Other clients have yet other defaults (Sarama hashes with FNV-1a; segmentio/kafka-go balances round-robin),
 * and any producer can set its own partitioner. daskrelay therefore never relies on where a producer put a
 * command: the command topology repartitions every command by task id with {@link #murmur2} before deciding.
 * The topics daskrelay writes itself (intents, observations, status) are partitioned by {@link #murmur2}.
 */
public final class KeyPartitioning {

    private KeyPartitioning() {
    }

    /** The Java client's and Kafka Streams' partition of a UTF-8 key: {@code toPositive(murmur2(key)) % n}. */
    public static int murmur2(String key, int partitions) {
        return murmur2(key.getBytes(StandardCharsets.UTF_8), partitions);
    }

    /** {@link #murmur2(String, int)} of raw key bytes. */
    public static int murmur2(byte[] key, int partitions) {
        requirePositive(partitions);
        return Utils.toPositive(Utils.murmur2(key)) % partitions;
    }

    /** librdkafka's default partition of a non-empty UTF-8 key: {@code crc32(key) % n} (unsigned). */
    public static int crc32(String key, int partitions) {
        requirePositive(partitions);
        CRC32 crc = new CRC32();
        crc.update(key.getBytes(StandardCharsets.UTF_8));
        return (int) (crc.getValue() % partitions);
    }

    private static void requirePositive(int partitions) {
        if (partitions <= 0) {
            throw new IllegalArgumentException("partitions must be > 0 (was " + partitions + ")");
        }
    }
}
