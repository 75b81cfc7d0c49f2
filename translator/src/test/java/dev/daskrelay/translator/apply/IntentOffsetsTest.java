package dev.daskrelay.translator.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The applier's offset and pause plan, without a consumer or a broker. */
class IntentOffsetsTest {

    private static final TopicPartition P0 = new TopicPartition("intents", 0);
    private static final TopicPartition P1 = new TopicPartition("intents", 1);
    private static final TopicPartition P2 = new TopicPartition("intents", 2);

    private static Map<TopicPartition, Long> commit(IntentOffsets o) {
        Map<TopicPartition, Long> out = new HashMap<>();
        Map<TopicPartition, OffsetAndMetadata> c = o.toCommit();
        c.forEach((tp, om) -> out.put(tp, om.offset()));
        o.committed(c);
        return out;
    }

    private static void start(IntentOffsets o, TopicPartition tp, long from, long toInclusive) {
        for (long i = from; i <= toInclusive; i++) {
            o.started(tp, i);
        }
    }

    @Nested
    class Commits {

        @Test
        void nothingHandedOutNothingToCommit() {
            assertEquals(Map.of(), commit(new IntentOffsets(10, 10)));
        }

        @Test
        void unfinishedIntentsHoldTheCommitAtTheLowestOne() {
            IntentOffsets o = new IntentOffsets(100, 100);
            start(o, P0, 0, 2);
            assertEquals(Map.of(P0, 0L), commit(o), "offset 0 is unfinished: commit 0 (nothing consumed)");
            o.finished(P0, 0);
            assertEquals(Map.of(P0, 1L), commit(o));
            o.finished(P0, 1);
            o.finished(P0, 2);
            assertEquals(Map.of(P0, 3L), commit(o), "all finished: one past the highest handed out");
        }

        @Test
        void outOfOrderFinishesNeverSkipAnUnfinishedIntent() {
            IntentOffsets o = new IntentOffsets(100, 100);
            start(o, P0, 10, 14);
            commit(o);
            o.finished(P0, 14);
            o.finished(P0, 12);
            o.finished(P0, 11);
            assertEquals(Map.of(P0, 10L), commit(o), "10 is still unfinished: the commit stays at 10, offered again"
                    + " because its metadata now says 11, 12 and 14 are finished");
            assertEquals(Map.of(), commit(o), "and only once");
            o.finished(P0, 10);
            assertEquals(Map.of(P0, 13L), commit(o), "13 is still unfinished");
            o.finished(P0, 13);
            assertEquals(Map.of(P0, 15L), commit(o));
        }

        @Test
        void anOffsetIsOfferedOnceUntilItMoves() {
            IntentOffsets o = new IntentOffsets(100, 100);
            start(o, P0, 0, 1);
            o.finished(P0, 0);
            assertEquals(Map.of(P0, 1L), commit(o));
            assertEquals(Map.of(), commit(o));
            o.started(P0, 2);
            assertEquals(Map.of(), commit(o), "a new unfinished intent does not move the commit");
        }

        @Test
        void anUncommittedPlanIsOfferedAgain() {
            IntentOffsets o = new IntentOffsets(100, 100);
            o.started(P0, 0);
            o.finished(P0, 0);
            assertEquals(1L, o.toCommit().get(P0).offset());
            assertEquals(1L, o.toCommit().get(P0).offset(), "the commit failed or was skipped: offer it again");
        }

        @Test
        void partitionsAreIndependent() {
            IntentOffsets o = new IntentOffsets(100, 100);
            start(o, P0, 0, 1);
            start(o, P1, 5, 6);
            o.finished(P1, 5);
            o.finished(P1, 6);
            assertEquals(Map.of(P0, 0L, P1, 7L), commit(o));
        }

        @Test
        void aDeadLetteredRecordIsStartedAndFinishedAtOnce() {
            IntentOffsets o = new IntentOffsets(100, 100);
            o.started(P0, 7);
            o.finished(P0, 7);
            assertEquals(0, o.inFlight());
            assertEquals(Map.of(P0, 8L), commit(o));
        }

        @Test
        void finishesFromManyThreadsAllArrive() throws Exception {
            IntentOffsets o = new IntentOffsets(100_000, 100_000);
            int n = 10_000;
            start(o, P0, 0, n - 1);
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Long> order = new ArrayList<>();
                for (long i = n - 1; i >= 0; i--) {
                    order.add(i);
                }
                for (long offset : order) {
                    pool.execute(() -> o.finished(P0, offset));
                }
                pool.shutdown();
                assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
            } finally {
                pool.shutdownNow();
            }
            assertEquals(0, o.inFlight());
            assertEquals(Map.of(P0, (long) n), commit(o));
        }
    }

    @Nested
    class Revocation {

        @Test
        void aRevokedPartitionIsForgottenAndItsLateFinishIgnored() {
            IntentOffsets o = new IntentOffsets(100, 100);
            start(o, P0, 0, 1);
            start(o, P1, 0, 0);
            o.finished(P0, 0);
            o.revoked(List.of(P0));
            assertEquals(Map.of(P1, 0L), commit(o), "nothing is committed for a revoked partition");
            assertEquals(2, o.inFlight(), "its unfinished work still counts as in flight");
            o.finished(P0, 1);
            assertEquals(Map.of(), commit(o), "a late finish of a revoked partition commits nothing");
            assertEquals(1, o.inFlight());
        }

        @Test
        void aReassignedPartitionStartsAfresh() {
            IntentOffsets o = new IntentOffsets(100, 100);
            start(o, P0, 0, 4);
            o.finished(P0, 0);
            commit(o);
            o.revoked(List.of(P0));
            // the group gives the partition back; it is re-delivered from the committed offset 1
            start(o, P0, 1, 2);
            assertEquals(Map.of(P0, 1L), commit(o), "a new commit history: offset 1 is offered again");
            o.finished(P0, 1);
            o.finished(P0, 2);
            assertEquals(Map.of(P0, 3L), commit(o));
        }

        @Test
        void aRevokedPausedPartitionIsNeitherResumedNorRemembered() {
            IntentOffsets o = new IntentOffsets(100, 2);
            start(o, P0, 0, 1);
            assertEquals(List.of(P0), o.pausePlan(Set.of(P0, P1)).pause());
            o.revoked(List.of(P0));
            IntentOffsets.PausePlan plan = o.pausePlan(Set.of(P1));
            assertEquals(List.of(), plan.pause());
            assertEquals(List.of(), plan.resume(), "P0 is not ours any more: never resumed");
            // assigned again with nothing unfinished: it was forgotten as paused, so nothing to resume either
            assertEquals(new IntentOffsets.PausePlan(List.of(), List.of()), o.pausePlan(Set.of(P0, P1)));
        }
    }

    @Nested
    class BackPressure {

        @Test
        void belowTheLimitsNothingIsPaused() {
            IntentOffsets o = new IntentOffsets(10, 5);
            start(o, P0, 0, 3);
            assertEquals(new IntentOffsets.PausePlan(List.of(), List.of()), o.pausePlan(Set.of(P0, P1)));
        }

        @Test
        void aStuckPartitionAlonePausesAndResumesWhenItDrainsBelowTheLimit() {
            IntentOffsets o = new IntentOffsets(100, 3);
            start(o, P0, 0, 2);
            o.started(P1, 0);
            IntentOffsets.PausePlan plan = o.pausePlan(Set.of(P0, P1));
            assertEquals(List.of(P0), plan.pause());
            assertEquals(List.of(), plan.resume());
            assertEquals(new IntentOffsets.PausePlan(List.of(), List.of()), o.pausePlan(Set.of(P0, P1)),
                    "already paused: not paused again");
            o.finished(P0, 1);
            plan = o.pausePlan(Set.of(P0, P1));
            assertEquals(List.of(), plan.pause());
            assertEquals(List.of(P0), plan.resume());
        }

        @Test
        void tooMuchInFlightPausesEveryAssignedPartitionAndResumesThemTogether() {
            IntentOffsets o = new IntentOffsets(4, 100);
            start(o, P0, 0, 1);
            start(o, P1, 0, 1);
            IntentOffsets.PausePlan plan = o.pausePlan(Set.of(P0, P1, P2));
            assertEquals(Set.of(P0, P1, P2), Set.copyOf(plan.pause()), "idle P2 too: nothing more may come in");
            o.finished(P1, 0);
            plan = o.pausePlan(Set.of(P0, P1, P2));
            assertEquals(List.of(), plan.pause());
            assertEquals(Set.of(P0, P1, P2), Set.copyOf(plan.resume()));
        }

        @Test
        void fromGlobalToPerPartitionPressureOnlyTheStuckPartitionStaysPaused() {
            IntentOffsets o = new IntentOffsets(5, 3);
            start(o, P0, 0, 3); // stuck: 4 unfinished
            o.started(P1, 0);
            assertEquals(Set.of(P0, P1), Set.copyOf(o.pausePlan(Set.of(P0, P1)).pause()));
            o.finished(P1, 0); // 4 in flight < 5: global pressure off, P0 still over its own limit
            IntentOffsets.PausePlan plan = o.pausePlan(Set.of(P0, P1));
            assertEquals(List.of(), plan.pause());
            assertEquals(List.of(P1), plan.resume());
        }

        @Test
        void retriesWaitingOnTheTimerKeepThePartitionPaused() {
            // under back-pressure the poll loop keeps polling; an intent being retried is simply not finished
            IntentOffsets o = new IntentOffsets(100, 2);
            start(o, P0, 0, 1);
            assertEquals(List.of(P0), o.pausePlan(Set.of(P0)).pause());
            assertEquals(Map.of(P0, 0L), commit(o));
            for (int turn = 0; turn < 5; turn++) {
                assertEquals(new IntentOffsets.PausePlan(List.of(), List.of()), o.pausePlan(Set.of(P0)));
                assertEquals(Map.of(), commit(o));
            }
            o.finished(P0, 0);
            assertEquals(List.of(P0), o.pausePlan(Set.of(P0)).resume());
            assertEquals(Map.of(P0, 1L), commit(o));
        }

        @Test
        void anUnassignedPartitionIsNeitherPausedNorResumed() {
            IntentOffsets o = new IntentOffsets(100, 1);
            o.started(P0, 0);
            assertEquals(List.of(), o.pausePlan(Set.of(P1)).pause(), "P0 is not assigned (any more)");
        }

        @Test
        void limitsMustBePositive() {
            assertThrows(IllegalArgumentException.class, () -> new IntentOffsets(0, 1));
            assertThrows(IllegalArgumentException.class, () -> new IntentOffsets(1, 0));
        }
    }
}
