package dev.daskrelay.translator.topology;

/**
 * How the command topology brings the commands of one task to one fate store.
 *
 * <ul>
 *   <li>{@link #REPARTITION_BY_TASK_ID} (the product): every command is re-written, unchanged, to the internal
 *       topic {@code <applicationId>-commands-by-task-id-repartition}, partitioned by Kafka Streams with
 *       {@code murmur2(taskId) % n} ({@link TaskIdPartitioner}), and decided from there. Correct whatever
 *       partitioner the producers used (librdkafka's CRC32, Java's murmur2, round-robin, a custom one).</li>
 *   <li>{@link #PRODUCER_PARTITION} (the design before, kept for the side-by-side benchmark): decides on the
 *       partition the producer chose. Correct only when every producer of {@code <prefix>.commands} partitions
 *       by {@code murmur2(taskId)}, as Java clients do by default; not offered as a setting.</li>
 * </ul>
 */
public enum CommandRouting {
    REPARTITION_BY_TASK_ID,
    PRODUCER_PARTITION
}
