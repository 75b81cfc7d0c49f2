package dev.daskrelay.translator.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.daskrelay.avro.v1.DaskJobIntent;
import dev.daskrelay.avro.v1.IntentAction;
import dev.daskrelay.avro.v1.Observation;
import dev.daskrelay.schemas.IntentPosition;
import dev.daskrelay.schemas.testing.TestCommands;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The applier's lifecycle ({@link ApplierState}) with Kafka's own in-memory consumer and producer, whose failure
 * knobs a real broker does not offer: what FAILED means, and that stopping is idempotent. The happy paths run
 * against a real broker in TranslatorPipelineIntegrationTest.
 */
class ApplierLifecycleTest {

    private static final String TOPIC = "lc.intents";
    private static final TopicPartition TP = new TopicPartition(TOPIC, 0);
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final MockConsumer<String, DaskJobIntent> consumer = new MockConsumer<>("earliest");
    private final MockProducer<String, Observation> producer = new MockProducer<>(false, null,
            new StringSerializer(), (topic, observation) -> new byte[0]);
    private final AtomicInteger apiCalls = new AtomicInteger();
    private final DaskJobApi api = new DaskJobApi() {
        @Override
        public ApiResponse create(DaskJobIntent intent, IntentPosition position) {
            apiCalls.incrementAndGet();
            return ApiResponse.ok(201);
        }

        @Override
        public ApiResponse delete(DaskJobIntent intent) {
            apiCalls.incrementAndGet();
            return ApiResponse.ok(200);
        }
    };

    private Applier applier() {
        return new Applier(new ApplierSettings(TOPIC, "lc.observations", 2, 100, 100, RetryPolicy.defaults(),
                Duration.ofSeconds(5)), consumer, producer, api, new SimpleMeterRegistry(), Clock.systemUTC(),
                ApplyHooks.NONE);
    }

    private static ConsumerRecord<String, DaskJobIntent> intent(long offset, String taskId) {
        DaskJobIntent intent = DaskJobIntent.newBuilder().setIntentId("i-" + offset).setTaskId(taskId)
                .setCommandId("c-" + offset).setExecution(TestCommands.execution(taskId)).setAction(IntentAction.CREATE)
                .setNamespace("default").setName("dj-" + taskId).setManifest("{}").setSpecHash("h")
                .setIssuedAt(Instant.parse("2026-01-01T00:00:00Z")).build();
        return new ConsumerRecord<>(TOPIC, 0, offset, taskId, intent);
    }

    private void assignAndAdd(List<ConsumerRecord<String, DaskJobIntent>> records) {
        consumer.schedulePollTask(() -> {
            consumer.rebalance(List.of(TP));
            consumer.updateBeginningOffsets(Map.of(TP, 0L));
            records.forEach(consumer::addRecord);
        });
    }

    /** Waits for a condition (polling every 10 ms, at most 30 s); shared by the applier tests of this package. */
    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for " + what);
            }
            Thread.sleep(10); // polling interval of a condition wait
        }
    }

    @Test
    void anObservationThatCannotBeWrittenFailsTheApplierWhichStopsTakingIntents() throws Exception {
        Applier applier = applier();
        assignAndAdd(List.of(intent(0, "t0")));
        applier.start();
        try {
            await(() -> producer.history().size() == 1, "the outcome of intent 0 sent");
            assertEquals(ApplierState.RUNNING, applier.state());
            assertTrue(applier.healthy(Duration.ofSeconds(60)));

            assertTrue(producer.errorNext(new KafkaException("the producer is fenced")));

            await(() -> applier.state() == ApplierState.FAILED, "FAILED");
            assertFalse(applier.healthy(Duration.ofSeconds(60)), "liveness fails, so the process is restarted");
            await(consumer::closed, "the poll loop ended and closed the consumer (its partitions go elsewhere)");
            assertEquals(1, apiCalls.get(), "nothing more was applied");
            assertEquals(1, applier.inFlight(), "the failed intent stays unfinished: it is re-delivered");
        } finally {
            applier.close();
        }
        applier.close();
        assertEquals(ApplierState.FAILED, applier.state(), "a close after the failure does not hide it");
    }

    @Test
    void aGracefulStopWaitsForWorkInFlightAndEndsStopped() throws Exception {
        Applier applier = applier();
        assignAndAdd(List.of(intent(0, "t0"), intent(1, "t1")));
        applier.start();
        await(() -> producer.history().size() == 2, "both outcomes sent");
        Thread closer = new Thread(applier::close);
        closer.start();
        await(() -> applier.state() == ApplierState.DRAINING, "DRAINING");
        assertTrue(producer.completeNext());
        assertTrue(producer.completeNext());
        closer.join(WAIT.toMillis());
        assertFalse(closer.isAlive());
        assertEquals(ApplierState.STOPPED, applier.state());
        assertTrue(consumer.closed());
        applier.close();
        assertEquals(ApplierState.STOPPED, applier.state(), "close is idempotent");
    }

    @Test
    void closeBeforeStartStopsAndStartAfterwardsDoesNothing() {
        Applier applier = applier();
        applier.close();
        assertEquals(ApplierState.STOPPED, applier.state());
        assertTrue(consumer.closed());
        applier.start();
        assertEquals(ApplierState.STOPPED, applier.state());
    }

    @Test
    void terminalStatesAreFinal() {
        for (ApplierState s : EnumSet.of(ApplierState.FAILED, ApplierState.STOPPED, ApplierState.HALTED)) {
            for (ApplierState next : ApplierState.values()) {
                assertFalse(s.canTransitionTo(next), s + " -> " + next);
            }
        }
        assertTrue(ApplierState.RUNNING.canTransitionTo(ApplierState.FAILED));
        assertTrue(ApplierState.DRAINING.canTransitionTo(ApplierState.FAILED));
        assertFalse(ApplierState.CREATED.canTransitionTo(ApplierState.DRAINING));
    }
}
