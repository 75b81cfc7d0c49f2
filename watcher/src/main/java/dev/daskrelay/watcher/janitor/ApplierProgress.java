package dev.daskrelay.watcher.janitor;

import dev.daskrelay.schemas.FinishedAbove;
import dev.daskrelay.schemas.IntentPosition;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
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
 * <p>The committed offsets are read at most once per {@code maxAge} (one {@code listConsumerGroupOffsets} call per
 * janitor sweep). When a read fails, the last one read is used: committed offsets only move forward, so it can only
 * keep a DaskJob longer, never delete one too early. A DaskJob without the annotation (created before daskrelay wrote
 * it, or not by the applier) counts as done.
 */
public final class ApplierProgress {

    private static final Logger LOG = LoggerFactory.getLogger(ApplierProgress.class);

    private final Supplier<Map<TopicPartition, OffsetAndMetadata>> reader;
    private final String intentsTopic;
    private final Duration maxAge;
    private final Clock clock;
    private Map<Integer, FinishedAbove> committed = Map.of();
    private Instant readAt;

    /**
     * @param reader the applier group's committed offsets (throws when they cannot be read)
     * @param intentsTopic the intents topic whose partitions the annotation names
     * @param maxAge how long one read is used
     */
    public ApplierProgress(Supplier<Map<TopicPartition, OffsetAndMetadata>> reader, String intentsTopic,
                           Duration maxAge, Clock clock) {
        this.reader = reader;
        this.intentsTopic = intentsTopic;
        this.maxAge = maxAge;
        this.clock = clock;
    }

    /** Reads the committed offsets of consumer group {@code group} through {@code admin}, waiting up to timeout. */
    public static Supplier<Map<TopicPartition, OffsetAndMetadata>> groupOffsets(Admin admin, String group,
                                                                                Duration timeout) {
        return () -> {
            try {
                return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                        .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted reading the offsets of group " + group, e);
            } catch (Exception e) {
                throw new IllegalStateException("could not read the committed offsets of group " + group + ": " + e, e);
            }
        };
    }

    /** True when the intent that created {@code job} can no longer be applied again (or the job does not say). */
    public synchronized boolean creatingIntentDone(GenericKubernetesResource job) {
        Optional<IntentPosition> at = IntentPosition.of(job.getMetadata().getAnnotations());
        if (at.isEmpty()) {
            return true;
        }
        refreshIfOld();
        FinishedAbove p = committed.get(at.get().partition());
        return p != null && p.applied(at.get().offset());
    }

    private void refreshIfOld() {
        Instant now = clock.instant();
        if (readAt != null && now.isBefore(readAt.plus(maxAge))) {
            return;
        }
        try {
            Map<Integer, FinishedAbove> read = new HashMap<>();
            Map<TopicPartition, OffsetAndMetadata> offsets = reader.get();
            offsets.forEach((tp, om) -> {
                if (om != null && tp.topic().equals(intentsTopic)) {
                    read.put(tp.partition(), FinishedAbove.decode(om.offset(), om.metadata()));
                }
            });
            committed = read;
            readAt = now;
        } catch (RuntimeException e) {
            LOG.warn("janitor: {}; deciding on the offsets read before", e.getMessage());
            readAt = now; // not again for every candidate of this sweep
        }
    }
}
