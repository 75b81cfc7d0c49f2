package dev.daskrelay.watcher.bridge;

import dev.daskrelay.avro.v1.DaskJobSnapshot;
import dev.daskrelay.avro.v1.Observation;
import dev.daskrelay.avro.v1.ObservationSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ObservationMemory} read back from the observations topic: every partition from {@code now - lookback} to
 * its end (read_committed, no consumer group, nothing committed), keeping the last bridge snapshot per DaskJob.
 * Records that cannot be decoded are skipped (the status topology dead-letters them). The lookback bounds the
 * startup cost; a job whose last snapshot is older than that is simply re-observed without memory.
 */
public final class ObservationTopicMemory implements ObservationMemory {

    private static final Logger LOG = LoggerFactory.getLogger(ObservationTopicMemory.class);

    private final Properties clientProperties;
    private final String topic;
    private final Deserializer<Observation> deserializer;
    /** How far back a new leader reads, unless configured ({@code watcher.recallLookback}). */
    public static final Duration DEFAULT_LOOKBACK = Duration.ofHours(24);

    private final Duration lookback;
    private final Clock clock;

    public ObservationTopicMemory(Properties clientProperties, String topic, Deserializer<Observation> deserializer,
                                  Duration lookback, Clock clock) {
        this.clientProperties = clientProperties;
        this.topic = topic;
        this.deserializer = deserializer;
        this.lookback = lookback;
        this.clock = clock;
    }

    @Override
    public Map<JobRef, Observation> recall() {
        Properties p = new Properties();
        p.putAll(clientProperties);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        Map<JobRef, Observation> last = new HashMap<>();
        long started = System.nanoTime();
        int records = 0;
        try (var consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            consumer.assign(partitions);
            long from = clock.instant().minus(lookback).toEpochMilli();
            Map<TopicPartition, Long> query = new HashMap<>();
            partitions.forEach(tp -> query.put(tp, from));
            Map<TopicPartition, OffsetAndTimestamp> starts = consumer.offsetsForTimes(query, Duration.ofSeconds(30));
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            for (TopicPartition tp : partitions) {
                OffsetAndTimestamp start = starts.get(tp);
                consumer.seek(tp, start == null ? ends.get(tp) : start.offset());
            }
            Instant deadline = clock.instant().plus(Duration.ofMinutes(2));
            while (!caughtUp(consumer, ends) && clock.instant().isBefore(deadline)) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    records++;
                    Observation o;
                    try {
                        o = deserializer.deserialize(topic, r.value());
                    } catch (RuntimeException e) {
                        continue;
                    }
                    if (o == null || o.getSource() != ObservationSource.BRIDGE
                            || !(o.getPayload() instanceof DaskJobSnapshot)
                            || o.getDaskJobName() == null || o.getDaskJobNamespace() == null) {
                        continue;
                    }
                    JobRef ref = new JobRef(o.getDaskJobNamespace(), o.getDaskJobName());
                    if (ObservationMemory.isLiveBridgeSnapshot(o)) {
                        last.put(ref, o);
                    } else {
                        last.remove(ref);
                    }
                }
            }
        }
        LOG.info("recalled the last snapshot of {} DaskJobs from {} ({} records of the last {}, {} ms)", last.size(),
                topic, records, lookback, (System.nanoTime() - started) / 1_000_000);
        return last;
    }

    private static boolean caughtUp(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> ends) {
        for (var e : ends.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }
}
