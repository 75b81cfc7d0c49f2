package dev.daskrelay.submitter.query;

import dev.daskrelay.schemas.KeyPartitioning;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;

/**
 * Finds a task's records on a topic keyed by task id without scanning the topic: it computes the partition of
 * the key and reads that one partition <em>backwards</em> from its end in growing windows
 * ({@code [end-64, end)}, then the 128 records before, ...), so the cost is proportional to how far back the
 * wanted record is, not to the size of the topic. Bounded by {@link SearchLimits}.
 *
 * <p>Which partition: on the topics daskrelay writes itself (status) it is {@code murmur2(taskId) % n}
 * ({@link KeyPartitioning#murmur2}), always. On {@code <prefix>.commands} it is whatever the producer's partitioner
 * chose, so {@link #latestOnAnyPartition} looks at the Java clients' partition, then librdkafka's
 * ({@link KeyPartitioning#crc32}), then the others, within one budget of {@link SearchLimits}.
 *
 * <p>Uses an assigned consumer without a group: nothing is committed. Not thread-safe (a consumer is not); the
 * caller owns and closes the consumer.
 */
public final class PartitionSearch<V> {

    private final Consumer<String, V> consumer;
    private final SearchLimits limits;
    private final Clock clock;

    public PartitionSearch(Consumer<String, V> consumer, SearchLimits limits, Clock clock) {
        this.consumer = consumer;
        this.limits = limits;
        this.clock = clock;
    }

    /**
     * The partition daskrelay's own writers put {@code key} in on {@code topic} ({@code murmur2(key) % n}); empty
     * when the topic does not exist.
     */
    public Optional<TopicPartition> partitionOf(String topic, String key) {
        int n = partitionCount(topic);
        return n == 0 ? Optional.empty() : Optional.of(new TopicPartition(topic, KeyPartitioning.murmur2(key, n)));
    }

    private int partitionCount(String topic) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, limits.timeout());
        return infos == null ? 0 : infos.size();
    }

    /** The newest record of {@code key} whose value {@code accept}s (null values - undecodable - never match). */
    public SearchResult<V> latest(String topic, String key, Predicate<V> accept) {
        return search(topic, key, accept, v -> true, -1);
    }

    /**
     * {@link #latest} on a topic whose producers may partition by any rule (the commands topic): the partitions in
     * {@link #candidates} order, stopping at the first that has a matching record; the limits (records read, time)
     * are one budget for the whole search.
     */
    public SearchResult<V> latestOnAnyPartition(String topic, String key, Predicate<V> accept) {
        int n = partitionCount(topic);
        if (n == 0) {
            return new SearchResult<>(Optional.empty(), null, 0, 0, false);
        }
        Budget budget = new Budget(limits.maxRecords(), clock.instant().plus(limits.timeout()));
        SearchResult<V> last = null;
        long read = 0;
        for (int p : candidates(key, n)) {
            SearchResult<V> r = search(new TopicPartition(topic, p), key, accept, v -> true, -1, budget);
            read += r.recordsRead();
            last = new SearchResult<>(r.record(), r.partition(), r.endOffset(), read, r.exhausted());
            if (r.record().isPresent() || budget.spent(clock)) {
                return last;
            }
        }
        return last;
    }

    /**
     * The partitions of a key in the order producers most likely used: murmur2 (Java clients, Kafka Streams), CRC32
     * (librdkafka-based clients), then every other partition in ascending order.
     */
    public static List<Integer> candidates(String key, int partitions) {
        LinkedHashSet<Integer> order = new LinkedHashSet<>();
        order.add(KeyPartitioning.murmur2(key, partitions));
        order.add(KeyPartitioning.crc32(key, partitions));
        for (int p = 0; p < partitions; p++) {
            order.add(p);
        }
        return List.copyOf(order);
    }

    /**
     * The oldest record of {@code key} reachable: the search stops at a record that {@code isFirst} (e.g. status
     * sequence 1); when no record of the key was found down to {@code softFloorOffset} it stops there too.
     */
    public SearchResult<V> earliest(String topic, String key, Predicate<V> isFirst, long softFloorOffset) {
        return search(topic, key, v -> true, isFirst, softFloorOffset);
    }

    /** The first offset of the partition with a timestamp at or after {@code time}; empty when there is none. */
    public Optional<Long> offsetAt(TopicPartition tp, Instant time) {
        Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(Map.of(tp, time.toEpochMilli()),
                limits.timeout());
        OffsetAndTimestamp o = found.get(tp);
        return o == null ? Optional.empty() : Optional.of(o.offset());
    }

    public long endOffset(TopicPartition tp) {
        return consumer.endOffsets(List.of(tp), limits.timeout()).get(tp);
    }

    /** Records still allowed and the deadline, shared by the partitions of one search. */
    private static final class Budget {
        long recordsLeft;
        final Instant deadline;

        Budget(long records, Instant deadline) {
            this.recordsLeft = records;
            this.deadline = deadline;
        }

        boolean spent(Clock clock) {
            return recordsLeft <= 0 || clock.instant().isAfter(deadline);
        }
    }

    private SearchResult<V> search(String topic, String key, Predicate<V> accept, Predicate<V> isFirst, long softFloor) {
        Optional<TopicPartition> maybeTp = partitionOf(topic, key);
        if (maybeTp.isEmpty()) {
            return new SearchResult<>(Optional.empty(), null, 0, 0, false);
        }
        return search(maybeTp.get(), key, accept, isFirst, softFloor,
                new Budget(limits.maxRecords(), clock.instant().plus(limits.timeout())));
    }

    private SearchResult<V> search(TopicPartition tp, String key, Predicate<V> accept, Predicate<V> isFirst,
                                   long softFloor, Budget budget) {
        boolean latestMode = softFloor < 0;
        Instant deadline = budget.deadline;
        long maxRecords = budget.recordsLeft;
        consumer.assign(List.of(tp));
        long begin = consumer.beginningOffsets(List.of(tp), limits.timeout()).get(tp);
        long end = endOffset(tp);
        long hardFloor = Math.max(begin, offsetAt(tp, clock.instant().minus(limits.maxAge())).orElse(end));
        long hi = end;
        long window = limits.initialWindow();
        long read = 0;
        ConsumerRecord<String, V> found = null;
        while (hi > hardFloor) {
            if (read >= maxRecords || clock.instant().isAfter(deadline)) {
                return new SearchResult<>(Optional.ofNullable(found), tp, end, read, true);
            }
            long lo = Math.max(hardFloor, hi - window);
            Window<V> w = readRange(tp, lo, hi, deadline);
            read += w.delivered;
            budget.recordsLeft -= w.delivered;
            if (latestMode) {
                for (int i = w.records.size() - 1; i >= 0; i--) {
                    ConsumerRecord<String, V> r = w.records.get(i);
                    if (key.equals(r.key()) && r.value() != null && accept.test(r.value())) {
                        return new SearchResult<>(Optional.of(r), tp, end, read, false);
                    }
                }
            } else {
                for (int i = w.records.size() - 1; i >= 0; i--) {
                    ConsumerRecord<String, V> r = w.records.get(i);
                    if (key.equals(r.key())) {
                        found = r;
                        if (r.value() != null && isFirst.test(r.value())) {
                            return new SearchResult<>(Optional.of(r), tp, end, read, false);
                        }
                    }
                }
                if (found == null && lo <= softFloor) {
                    return new SearchResult<>(Optional.empty(), tp, end, read, false);
                }
            }
            hi = lo;
            window = Math.min(window * 2, 1L << 20);
        }
        return new SearchResult<>(Optional.ofNullable(found), tp, end, read, !latestMode && found != null);
    }

    private record Window<V>(List<ConsumerRecord<String, V>> records, long delivered) {
    }

    /** The records with offsets in [lo, hi), in offset order, and how many the consumer delivered to get them. */
    private Window<V> readRange(TopicPartition tp, long lo, long hi, Instant deadline) {
        consumer.seek(tp, lo);
        List<ConsumerRecord<String, V>> out = new ArrayList<>();
        long delivered = 0;
        while (consumer.position(tp, limits.timeout()) < hi) {
            if (clock.instant().isAfter(deadline)) {
                throw new TimeoutException("reading " + tp + " [" + lo + ", " + hi + ") took longer than " + limits.timeout());
            }
            for (ConsumerRecord<String, V> r : consumer.poll(Duration.ofMillis(200)).records(tp)) {
                delivered++;
                if (r.offset() < hi) {
                    out.add(r);
                }
            }
        }
        return new Window<>(out, delivered);
    }
}
