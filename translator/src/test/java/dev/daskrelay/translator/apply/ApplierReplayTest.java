package dev.daskrelay.translator.apply;

import static dev.daskrelay.translator.apply.ApplierLifecycleTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.daskrelay.avro.v1.DaskJobIntent;
import dev.daskrelay.avro.v1.IntentAction;
import dev.daskrelay.avro.v1.Observation;
import dev.daskrelay.schemas.FinishedAbove;
import dev.daskrelay.schemas.IntentPosition;
import dev.daskrelay.schemas.testing.TestCommands;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * An applier that takes a partition over never applies again what its earlier owner finished above the committed
 * offset: one stuck intent holds the committed offset back, and re-applying a task's create after its delete would
 * run the task a second time (found by the full chaos run: aborted tasks got their DaskJob back after restarts).
 */
class ApplierReplayTest {

    private static final String TOPIC = "replay.intents";
    private static final TopicPartition TP = new TopicPartition(TOPIC, 0);

    /** API calls as "ACTION taskId"; the task "stuck" is answered 503 every time. */
    private final List<String> calls = new ArrayList<>();
    private final DaskJobApi api = new DaskJobApi() {
        @Override
        public ApiResponse create(DaskJobIntent intent, IntentPosition position) {
            return answer("CREATE", intent);
        }

        @Override
        public ApiResponse delete(DaskJobIntent intent) {
            return answer("DELETE", intent);
        }

        private ApiResponse answer(String action, DaskJobIntent intent) {
            synchronized (calls) {
                calls.add(action + " " + intent.getTaskId());
            }
            return intent.getTaskId().equals("stuck") ? ApiResponse.error(503, "ServiceUnavailable", "down")
                    : ApiResponse.ok(action.equals("CREATE") ? 201 : 200);
        }
    };

    private Applier applier(MockConsumer<String, DaskJobIntent> consumer) {
        MockProducer<String, Observation> producer = new MockProducer<>(true, null, new StringSerializer(),
                (topic, observation) -> new byte[0]);
        return new Applier(new ApplierSettings(TOPIC, "replay.observations", 4, 100, 100, RetryPolicy.defaults(),
                Duration.ofSeconds(5)), consumer, producer, api, new SimpleMeterRegistry(), Clock.systemUTC(),
                ApplyHooks.NONE);
    }

    private static ConsumerRecord<String, DaskJobIntent> intent(long offset, String taskId, IntentAction action) {
        DaskJobIntent intent = DaskJobIntent.newBuilder().setIntentId("i-" + offset).setTaskId(taskId)
                .setCommandId("c-" + offset).setExecution(TestCommands.execution(taskId)).setAction(action)
                .setNamespace("default").setName("dj-" + taskId).setManifest("{}").setSpecHash("h")
                .setIssuedAt(Instant.parse("2026-01-01T00:00:00Z")).build();
        return new ConsumerRecord<>(TOPIC, 0, offset, taskId, intent);
    }

    private static final List<ConsumerRecord<String, DaskJobIntent>> LOG = List.of(
            intent(0, "stuck", IntentAction.CREATE),
            intent(1, "x", IntentAction.CREATE),
            intent(2, "x", IntentAction.DELETE),
            intent(3, "y", IntentAction.CREATE));

    private static void assignAndAdd(MockConsumer<String, DaskJobIntent> consumer) {
        consumer.schedulePollTask(() -> {
            consumer.rebalance(List.of(TP));
            consumer.updateBeginningOffsets(Map.of(TP, 0L));
            LOG.forEach(consumer::addRecord);
        });
    }

    private List<String> calls() {
        synchronized (calls) {
            return List.copyOf(calls);
        }
    }

    @Test
    void theNextOwnerSkipsWhatTheFirstFinishedBehindAStuckIntent() throws Exception {
        MockConsumer<String, DaskJobIntent> first = new MockConsumer<>("earliest");
        Applier a = applier(first);
        a.start();
        assignAndAdd(first);
        await(() -> calls().containsAll(List.of("CREATE x", "DELETE x", "CREATE y")), "x created and deleted, y");
        await(() -> {
            OffsetAndMetadata c = first.committed(Set.of(TP)).get(TP);
            return c != null && FinishedAbove.decode(c.offset(), c.metadata()).finished(1)
                    && FinishedAbove.decode(c.offset(), c.metadata()).finished(2)
                    && FinishedAbove.decode(c.offset(), c.metadata()).finished(3);
        }, "a commit saying 1, 2 and 3 are finished above the stuck intent");
        OffsetAndMetadata committed = first.committed(Set.of(TP)).get(TP);
        assertEquals(0, committed.offset(), "the stuck intent holds the committed offset");
        a.halt(); // a kill: the stuck intent is never finished
        await(() -> a.state() == ApplierState.HALTED, "halted");
        synchronized (calls) {
            calls.clear();
        }

        MockConsumer<String, DaskJobIntent> second = new MockConsumer<>("earliest");
        Applier b = applier(second);
        b.start();
        second.schedulePollTask(() -> {
            second.rebalance(List.of(TP));
            second.commitSync(Map.of(TP, committed)); // what the broker returns to the partition's next owner
            second.updateBeginningOffsets(Map.of(TP, 0L));
            LOG.forEach(second::addRecord);
        });
        await(() -> calls().contains("CREATE stuck"), "the unfinished intent applied again");
        await(() -> {
            OffsetAndMetadata c = second.committed(Set.of(TP)).get(TP);
            return c != null && c.offset() == 0 && !c.metadata().isEmpty();
        }, "the next owner's own commit");
        b.halt();
        List<String> again = calls();
        assertFalse(again.contains("CREATE x"), "x was created and deleted: creating it again runs it twice " + again);
        assertFalse(again.contains("DELETE x") || again.contains("CREATE y"), again.toString());
        assertTrue(again.stream().allMatch("CREATE stuck"::equals), again.toString());
    }

    @Test
    void theMetadataRoundTripsAndAnythingElseMeansNothingIsKnown() {
        String m = FinishedAbove.encode(1_000, 1_500, List.of(1_001L, 1_400L));
        FinishedAbove f = FinishedAbove.decode(1_000, m);
        assertFalse(f.finished(1_000), "the committed offset itself is unfinished");
        assertFalse(f.finished(1_001));
        assertTrue(f.finished(1_002));
        assertTrue(f.finished(1_399));
        assertFalse(f.finished(1_400));
        assertTrue(f.finished(1_499));
        assertFalse(f.finished(1_500), "not handed out when the commit was written");
        for (String other : new String[] {"", "garbage", "a1:zz", "a1:-5:", "a1:x:1,,2", null}) {
            assertFalse(FinishedAbove.decode(1_000, other).finished(1_002), String.valueOf(other));
        }
        List<Long> many = new ArrayList<>();
        for (long o = 1_001; o < 10_000; o += 2) {
            many.add(o);
        }
        assertEquals("", FinishedAbove.encode(1_000, 10_000, many), "too long for the broker: left out");
    }

    @Test
    void partitionProgressOffersACommitWhenOnlyTheFinishedSetChanged() {
        PartitionProgress p = new PartitionProgress();
        p.started(10);
        p.started(11);
        p.started(12);
        assertEquals(10, p.toCommit());
        assertEquals("", p.metadata().isEmpty() ? "" : "unexpected", "nothing above 10 is finished yet");
        p.committed(10, p.metadata());
        p.finished(12);
        assertEquals(10, p.toCommit(), "same offset, but 12 is now finished");
        FinishedAbove f = FinishedAbove.decode(10, p.metadata());
        assertTrue(f.finished(12));
        assertFalse(f.finished(11));
        p.committed(10, p.metadata());
        assertEquals(-1, p.toCommit(), "nothing changed since");
        p.finished(10);
        p.finished(11);
        assertEquals(13, p.toCommit());
        assertEquals("", p.metadata());
    }
}
