package dev.daskrelay.watcher.janitor;

import dev.daskrelay.schemas.FinishedAbove;
import dev.daskrelay.schemas.IntentPosition;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the intent that created a DaskJob is done for good in the applier's consumer group, so that no applier can
 * apply it again: its offset on the intents topic (the DaskJob's {@code daskrelay.dev/intent} annotation,
 * {@link IntentPosition}) is below the group's committed offset of that partition, or finished above it
 * ({@link FinishedAbove}, the commit's metadata). Until then an applier that takes the partition over after a crash
 * re-applies the create, and a DaskJob the janitor had deleted in between would be created a second time: the task
 * would run twice. The janitor asks this before deleting.
 *
 * <p>Also done: a DaskJob that names no intent (created before daskrelay wrote the annotation, or not by the
 * applier), one that names another topic (another topic prefix: this applier group never reads it), and one whose
 * offset is at or beyond the end of its partition, read more than {@link #CLOCK_ALLOWANCE} after the DaskJob was
 * created (written to an earlier incarnation of the topic, before the Kafka state was lost and the topics were created
 * again: nothing can replay it).
 *
 * <p>The offsets are read at most once per {@code maxAge} (one read per janitor sweep). When a read fails, the last
 * one read is used: committed offsets only move forward, so it can only keep a DaskJob longer, never delete one too
 * early; the partition ends are used only from the last read, and not at all after a failed one.
 */
public final class ApplierProgress {

    private static final Logger LOG = LoggerFactory.getLogger(ApplierProgress.class);
    /** Clock difference allowed between the API server (creationTimestamp) and this process. */
    static final Duration CLOCK_ALLOWANCE = Duration.ofMinutes(1);

    /** What one read returns: the group's commits on the intents topic and the partitions' end offsets. */
    public record Offsets(Map<Integer, OffsetAndMetadata> committed, Map<Integer, Long> ends) {
    }

    /** Reads {@link Offsets}; throws when they cannot be read. */
    @FunctionalInterface
    public interface Reader {
        Offsets read();
    }

    private final Reader reader;
    private final String intentsTopic;
    private final Duration maxAge;
    private final Clock clock;
    private Map<Integer, FinishedAbove> committed = Map.of();
    private Map<Integer, Long> ends = Map.of();
    private Instant readAt;
    private Instant endsReadAt;

    /**
     * @param reader the applier group's commits and the partition ends of {@code intentsTopic}
     * @param intentsTopic the intents topic this installation's applier reads
     * @param maxAge how long one read is used
     */
    public ApplierProgress(Reader reader, String intentsTopic, Duration maxAge, Clock clock) {
        this.reader = reader;
        this.intentsTopic = intentsTopic;
        this.maxAge = maxAge;
        this.clock = clock;
    }

    /** Reads group {@code group}'s commits and the end offsets of {@code topic} through {@code admin}. */
    public static Reader fromAdmin(Admin admin, String group, String topic, Duration timeout) {
        return () -> {
            try {
                long ms = timeout.toMillis();
                Map<Integer, OffsetAndMetadata> commits = new HashMap<>();
                admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(ms, TimeUnit.MILLISECONDS)
                        .forEach((tp, om) -> {
                            if (om != null && tp.topic().equals(topic)) {
                                commits.put(tp.partition(), om);
                            }
                        });
                List<TopicPartitionInfo> partitions = admin.describeTopics(List.of(topic)).allTopicNames()
                        .get(ms, TimeUnit.MILLISECONDS).get(topic).partitions();
                Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                partitions.forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
                Map<Integer, Long> ends = new HashMap<>();
                for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> e
                        : admin.listOffsets(latest).all().get(ms, TimeUnit.MILLISECONDS).entrySet()) {
                    ends.put(e.getKey().partition(), e.getValue().offset());
                }
                return new Offsets(commits, ends);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted reading the offsets of group " + group, e);
            } catch (ExecutionException | TimeoutException e) {
                throw new IllegalStateException("could not read the commits of group " + group + " on " + topic + ": "
                        + e, e);
            }
        };
    }

    /** True when the intent that created {@code job} can no longer be applied again (or there is none to apply). */
    public synchronized boolean creatingIntentDone(GenericKubernetesResource job) {
        Optional<IntentPosition> named = IntentPosition.of(job.getMetadata().getAnnotations());
        if (named.isEmpty() || !named.get().topic().equals(intentsTopic)) {
            return true;
        }
        IntentPosition at = named.get();
        refreshIfOld();
        FinishedAbove p = committed.get(at.partition());
        if (p != null && p.applied(at.offset())) {
            return true;
        }
        // beyond the partition's end: an earlier incarnation of the topic, if the end was read well after the DaskJob
        // was created (its intent was written before that, so it would be below an end read later)
        Long end = ends.get(at.partition());
        Instant created = created(job);
        return end != null && at.offset() >= end && created != null && endsReadAt != null
                && endsReadAt.isAfter(created.plus(CLOCK_ALLOWANCE));
    }

    private static Instant created(GenericKubernetesResource job) {
        try {
            String t = job.getMetadata().getCreationTimestamp();
            return t == null ? null : Instant.parse(t);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private void refreshIfOld() {
        Instant now = clock.instant();
        if (readAt != null && now.isBefore(readAt.plus(maxAge))) {
            return;
        }
        readAt = now; // a failed read is not tried again for every candidate of this sweep
        try {
            Offsets read = reader.read();
            Map<Integer, FinishedAbove> decoded = new HashMap<>();
            read.committed().forEach((partition, om) -> decoded.put(partition,
                    FinishedAbove.decode(om.offset(), om.metadata())));
            committed = decoded;
            ends = Map.copyOf(read.ends());
            endsReadAt = now;
        } catch (RuntimeException e) {
            // old commits stay a safe lower bound; old ends do not (an intent written since may lie beyond them)
            ends = Map.of();
            endsReadAt = null;
            LOG.warn("janitor: {}; deciding on the commits read before", e.getMessage());
        }
    }
}
