package dev.daskrelay.translator.apply;

import dev.daskrelay.schemas.FinishedAbove;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The applier's offset bookkeeping and back-pressure, without a consumer: which intents were handed out and are not
 * finished, what may be committed, and which partitions to pause or resume.
 *
 * <p>Rules:
 * <ul>
 * <li>A partition's committable offset is its lowest unfinished offset, or one past the highest offset handed out
 *     when nothing is unfinished ({@link PartitionProgress}): a commit never skips an unfinished intent, however
 *     out of order intents finish.</li>
 * <li>An offset is offered for commit once, when it moved past the last commit.</li>
 * <li>When {@code maxPending} intents are unfinished in all, every assigned partition is paused; otherwise a
 *     partition alone is paused while it has {@code maxPendingPerPartition} unfinished intents (retries waiting
 *     on a stuck task), and resumed when it has fewer.</li>
 * <li>A revoked partition is forgotten: its unfinished work goes on, and its finish is then ignored for the
 *     offsets (the new owner may apply it again: applying is idempotent), but still counts as no longer in
 *     flight.</li>
 * </ul>
 *
 * <p>Threads: {@link #finished} may be called from any thread (producer callbacks); everything else from the poll
 * thread only. Finishes are queued and folded in by {@link #toCommit()} and {@link #pausePlan(Set)}.
 */
final class IntentOffsets {

    private record Finish(TopicPartition partition, long offset) {
    }

    /**
     * What to change on the consumer.
     *
     * @param pause partitions to pause now
     * @param resume partitions to resume now
     */
    record PausePlan(List<TopicPartition> pause, List<TopicPartition> resume) {
        PausePlan {
            pause = List.copyOf(pause);
            resume = List.copyOf(resume);
        }
    }

    private final int maxPending;
    private final int maxPendingPerPartition;
    private final Map<TopicPartition, PartitionProgress> progress = new HashMap<>();
    private final Set<TopicPartition> paused = new HashSet<>();
    private final Map<TopicPartition, FinishedAbove> inherited = new HashMap<>();
    private final Set<TopicPartition> inheritPending = new HashSet<>();
    private final ConcurrentLinkedQueue<Finish> finishes = new ConcurrentLinkedQueue<>();
    private final AtomicInteger inFlight = new AtomicInteger();

    IntentOffsets(int maxPending, int maxPendingPerPartition) {
        if (maxPending < 1 || maxPendingPerPartition < 1) {
            throw new IllegalArgumentException("maxPending and maxPendingPerPartition must be >= 1");
        }
        this.maxPending = maxPending;
        this.maxPendingPerPartition = maxPendingPerPartition;
    }

    /** The intent at {@code offset} was handed out (poll thread). */
    void started(TopicPartition partition, long offset) {
        progress.computeIfAbsent(partition, k -> new PartitionProgress()).started(offset);
        inFlight.incrementAndGet();
    }

    /** The intent at {@code offset} is finished: its outcome is durable (any thread). */
    void finished(TopicPartition partition, long offset) {
        inFlight.decrementAndGet();
        finishes.add(new Finish(partition, offset));
    }

    /** Intents handed out and not finished, revoked partitions included (any thread). */
    int inFlight() {
        return inFlight.get();
    }

    /** Unfinished intents of one partition as far as the poll thread knows (0 when not tracked). */
    int unfinished(TopicPartition partition) {
        fold();
        PartitionProgress p = progress.get(partition);
        return p == null ? 0 : p.unfinished();
    }

    /** The offsets to commit now: every partition whose committable offset moved since its last commit. */
    Map<TopicPartition, OffsetAndMetadata> toCommit() {
        fold();
        Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
        progress.forEach((tp, p) -> {
            long offset = p.toCommit();
            if (offset >= 0) {
                commit.put(tp, new OffsetAndMetadata(offset, p.metadata()));
            }
        });
        return commit;
    }

    /** The consumer committed these offsets (the result of {@link #toCommit()}). */
    void committed(Map<TopicPartition, OffsetAndMetadata> offsets) {
        offsets.forEach((tp, o) -> {
            PartitionProgress p = progress.get(tp);
            if (p != null) {
                p.committed(o.offset(), o.metadata());
            }
        });
    }

    /**
     * Which partitions to pause and resume, given the partitions assigned now. The plan is taken as carried out:
     * the next plan starts from the partitions this one leaves paused. Unassigned partitions are never resumed.
     */
    PausePlan pausePlan(Set<TopicPartition> assigned) {
        fold();
        Set<TopicPartition> want = new HashSet<>();
        if (inFlight.get() >= maxPending) {
            want.addAll(assigned);
        } else {
            progress.forEach((tp, p) -> {
                if (p.unfinished() >= maxPendingPerPartition && assigned.contains(tp)) {
                    want.add(tp);
                }
            });
        }
        List<TopicPartition> resume = new ArrayList<>();
        for (TopicPartition tp : paused) {
            if (!want.contains(tp) && assigned.contains(tp)) {
                resume.add(tp);
            }
        }
        List<TopicPartition> pause = new ArrayList<>();
        for (TopicPartition tp : want) {
            if (!paused.contains(tp)) {
                pause.add(tp);
            }
        }
        paused.clear();
        paused.addAll(want);
        return new PausePlan(pause, resume);
    }

    /** The partitions were revoked: forget their progress and pause state (commit what is finished first). */
    void revoked(Collection<TopicPartition> partitions) {
        fold();
        partitions.forEach(progress::remove);
        partitions.forEach(inherited::remove);
        partitions.forEach(inheritPending::remove);
        paused.removeAll(partitions);
    }

    /**
     * The partition was assigned with this committed offset and metadata: intents its earlier owner finished above
     * the committed offset ({@link FinishedAbove}) are not applied again.
     */
    void assigned(TopicPartition partition, OffsetAndMetadata committed) {
        inheritPending.remove(partition);
        if (committed == null) {
            inherited.remove(partition);
        } else {
            inherited.put(partition, FinishedAbove.decode(committed.offset(), committed.metadata()));
        }
    }

    /** The partition was assigned; its committed offset and metadata are to be read before its first intent. */
    void assignedPendingCommitted(TopicPartition partition) {
        inherited.remove(partition);
        inheritPending.add(partition);
    }

    /** True while the committed metadata of this newly assigned partition has not been read ({@link #assigned}). */
    boolean committedUnread(TopicPartition partition) {
        return inheritPending.contains(partition);
    }

    /** True when an earlier owner of the partition already finished the intent at {@code offset} (poll thread). */
    boolean alreadyFinished(TopicPartition partition, long offset) {
        FinishedAbove f = inherited.get(partition);
        return f != null && f.finished(offset);
    }

    private void fold() {
        for (Finish f; (f = finishes.poll()) != null; ) {
            PartitionProgress p = progress.get(f.partition());
            if (p != null) {
                p.finished(f.offset());
            }
        }
    }
}
