package dev.daskrelay.submitter.replay;

import dev.daskrelay.avro.v1.Observation;
import dev.daskrelay.avro.v1.TaskCommand;
import dev.daskrelay.avro.v1.TaskStatus;
import dev.daskrelay.schemas.Topics;
import dev.daskrelay.schemas.task.DurationText;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;

/**
 * Reads the commands and status topics (and the outcomes on the observations topic) between two times for an
 * audit. Read-only by construction: one consumer
 * with {@code assign()} and {@code seek()}, no group id, auto-commit off, no producer anywhere; it never commits
 * offsets nor writes a record. Start offsets come from {@code offsetsForTimes(from)} (the beginning when
 * {@code from} is null), stop offsets from {@code offsetsForTimes(to)} (the end offsets at the start of the
 * replay when {@code to} is null or later than the newest record), so a replay of a busy topic terminates.
 */
public final class ReplayReader {

    private final Consumer<String, Object> consumer;
    private final Topics topics;
    private final Duration timeout;

    /** The consumer must have String keys and a value deserializer that yields TaskCommand or TaskStatus (or null). */
    public ReplayReader(Consumer<String, Object> consumer, Topics topics, Duration timeout) {
        this.consumer = consumer;
        this.topics = topics;
        this.timeout = timeout;
    }

    /** Every record of both topics with a timestamp in [from, to); null bounds are open. */
    public List<ReplayRecord> read(Instant from, Instant to) {
        List<ReplayRecord> out = new ArrayList<>();
        for (ConsumerRecord<String, Object> r : readTopics(List.of(topics.commands(), topics.status()), from, to)) {
            Instant ts = Instant.ofEpochMilli(r.timestamp());
            if (r.topic().equals(topics.commands())) {
                out.add(new ReplayRecord.Command(r.key(), r.partition(), r.offset(), ts,
                        r.value() instanceof TaskCommand c ? c : null));
            } else {
                out.add(new ReplayRecord.Status(r.key(), r.partition(), r.offset(), ts,
                        r.value() instanceof TaskStatus s ? s : null));
            }
        }
        return out;
    }

    /**
     * The command and apply outcomes on {@code <prefix>.observations} with a timestamp in [from, to) (the consumer's
     * value deserializer must yield {@code Observation}s for that topic); snapshots and undecodable records are
     * skipped. What the cluster was told, to check the status stream against ({@link AnomalyCheck}).
     */
    public List<ObservedOutcome> readOutcomes(Instant from, Instant to) {
        List<ObservedOutcome> out = new ArrayList<>();
        for (ConsumerRecord<String, Object> r : readTopics(List.of(topics.observations()), from, to)) {
            if (r.value() instanceof Observation o && ObservedOutcome.isOutcome(o)) {
                out.add(new ObservedOutcome(r.key(), r.partition(), r.offset(), o));
            }
        }
        return out;
    }

    private List<ConsumerRecord<String, Object>> readTopics(List<String> names, Instant from, Instant to) {
        List<TopicPartition> tps = new ArrayList<>();
        for (String topic : names) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
            if (infos != null) {
                infos.forEach(i -> tps.add(new TopicPartition(i.topic(), i.partition())));
            }
        }
        List<ConsumerRecord<String, Object>> out = new ArrayList<>();
        if (tps.isEmpty()) {
            return out;
        }
        Map<TopicPartition, Long> begin = consumer.beginningOffsets(tps, timeout);
        Map<TopicPartition, Long> end = consumer.endOffsets(tps, timeout);
        Map<TopicPartition, Long> start = from == null ? begin : offsetsAt(tps, from, end);
        Map<TopicPartition, Long> stop = to == null ? end : offsetsAt(tps, to, end);
        consumer.assign(tps);
        Set<TopicPartition> open = new HashSet<>();
        for (TopicPartition tp : tps) {
            long s = Math.max(start.get(tp), begin.get(tp));
            if (s < stop.get(tp)) {
                consumer.seek(tp, s);
                open.add(tp);
            }
        }
        consumer.resume(tps);
        consumer.pause(difference(tps, open));
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!open.isEmpty()) {
            var records = consumer.poll(Duration.ofMillis(200));
            for (ConsumerRecord<String, Object> r : records) {
                TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                Instant ts = Instant.ofEpochMilli(r.timestamp());
                if (r.offset() >= stop.get(tp) || (from != null && ts.isBefore(from)) || (to != null && !ts.isBefore(to))) {
                    continue;
                }
                out.add(r);
            }
            List<TopicPartition> done = new ArrayList<>();
            for (TopicPartition tp : open) {
                if (consumer.position(tp, timeout) >= stop.get(tp)) {
                    done.add(tp);
                }
            }
            done.forEach(open::remove);
            consumer.pause(done);
            if (!records.isEmpty()) {
                deadline = System.nanoTime() + timeout.toNanos();
            } else if (System.nanoTime() > deadline) {
                throw new TimeoutException("replay made no progress for "
                        + DurationText.format(timeout) + " on " + open);
            }
        }
        return out;
    }

    private Map<TopicPartition, Long> offsetsAt(List<TopicPartition> tps, Instant time, Map<TopicPartition, Long> end) {
        Map<TopicPartition, Long> query = new HashMap<>();
        tps.forEach(tp -> query.put(tp, time.toEpochMilli()));
        Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query, timeout);
        Map<TopicPartition, Long> out = new HashMap<>();
        for (TopicPartition tp : tps) {
            OffsetAndTimestamp o = found.get(tp);
            out.put(tp, o == null ? end.get(tp) : Math.min(o.offset(), end.get(tp)));
        }
        return out;
    }

    private static List<TopicPartition> difference(List<TopicPartition> all, Set<TopicPartition> open) {
        return all.stream().filter(tp -> !open.contains(tp)).toList();
    }
}
