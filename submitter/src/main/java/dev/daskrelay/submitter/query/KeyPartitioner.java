package dev.daskrelay.submitter.query;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Utils;

/**
 * The partition Kafka's default partitioner puts a keyed record in: {@code toPositive(murmur2(keyBytes)) % n}
 * (the rule every Kafka client and Kafka Streams share). Task ids are serialized as UTF-8 strings on every
 * daskrelay topic, so the partition of a task is a pure function of its id and the partition count.
 */
public final class KeyPartitioner {

    private KeyPartitioner() {
    }

    public static int partitionFor(String key, int partitions) {
        if (partitions <= 0) {
            throw new IllegalArgumentException("partitions must be > 0 (was " + partitions + ")");
        }
        byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
        return Utils.toPositive(Utils.murmur2(bytes)) % partitions;
    }
}
