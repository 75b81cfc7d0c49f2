package dev.daskrelay.watcher.janitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.daskrelay.embedded.KafkaBroker;
import dev.daskrelay.schemas.FinishedAbove;
import dev.daskrelay.schemas.KubernetesLabels;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

/** The janitor's second question: can the intent that created this DaskJob still be applied again? */
class ApplierProgressTest {

    private static final String INTENTS = "p.intents";
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-01T12:00:00Z"), ZoneOffset.UTC);

    private static GenericKubernetesResource job(String intent) {
        var b = new GenericKubernetesResourceBuilder().withApiVersion("kubernetes.dask.org/v1").withKind("DaskJob")
                .withNewMetadata().withName("j").withNamespace("ns");
        if (intent != null) {
            b = b.addToAnnotations(KubernetesLabels.INTENT, intent);
        }
        return b.endMetadata().build();
    }

    private static ApplierProgress progress(Map<TopicPartition, OffsetAndMetadata> offsets) {
        return new ApplierProgress(() -> offsets, INTENTS, Duration.ofSeconds(5), CLOCK);
    }

    @Test
    void anIntentBelowTheCommittedOffsetOrFinishedAboveItIsDone() {
        // partition 0 committed at 10, with 11 and 13 finished above it (12 still open)
        String metadata = FinishedAbove.encode(10, 14, List.of(12L));
        var p = progress(Map.of(new TopicPartition(INTENTS, 0), new OffsetAndMetadata(10, metadata),
                new TopicPartition("other.intents", 1), new OffsetAndMetadata(500)));
        assertTrue(p.creatingIntentDone(job("0/9")));
        assertFalse(p.creatingIntentDone(job("0/10")), "the committed offset is the lowest unfinished intent");
        assertTrue(p.creatingIntentDone(job("0/11")));
        assertFalse(p.creatingIntentDone(job("0/12")));
        assertTrue(p.creatingIntentDone(job("0/13")));
        assertFalse(p.creatingIntentDone(job("0/14")));
        assertFalse(p.creatingIntentDone(job("1/3")), "no commit of that partition of this topic yet");
    }

    @Test
    void aDaskJobThatNamesNoIntentIsDone() {
        var p = progress(Map.of());
        assertTrue(p.creatingIntentDone(job(null)), "created before the annotation existed, or not by the applier");
        assertTrue(p.creatingIntentDone(job("not a position")), "nothing to wait for");
    }

    @Test
    void aFailedReadKeepsTheOffsetsReadBeforeAndIsNotRepeatedPerCandidate() {
        AtomicInteger reads = new AtomicInteger();
        Map<TopicPartition, OffsetAndMetadata> first = Map.of(new TopicPartition(INTENTS, 0), new OffsetAndMetadata(5));
        AtomicReference<Instant> now = new AtomicReference<>(CLOCK.instant());
        Clock clock = new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now.get();
            }
        };
        var p = new ApplierProgress(() -> {
            if (reads.incrementAndGet() > 1) {
                throw new IllegalStateException("broker down");
            }
            return first;
        }, INTENTS, Duration.ofSeconds(5), clock);
        assertTrue(p.creatingIntentDone(job("0/4")));
        assertTrue(p.creatingIntentDone(job("0/4")));
        assertEquals(1, reads.get(), "one read serves a sweep");
        now.set(now.get().plusSeconds(6));
        assertTrue(p.creatingIntentDone(job("0/4")), "the failed read leaves what was read before");
        assertFalse(p.creatingIntentDone(job("0/5")));
        assertEquals(2, reads.get(), "and is not tried again for every candidate");
    }

    /** Against a real broker: what an applier-like consumer commits, with its metadata, is what the janitor reads. */
    @Test
    void readsTheGroupsCommitsFromTheBroker() {
        try (KafkaBroker broker = KafkaBroker.forTests()) {
            broker.createTopics(2, INTENTS);
            Properties c = broker.clientProperties();
            c.put(ConsumerConfig.GROUP_ID_CONFIG, "p-applier");
            c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            try (var consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
                commit.put(new TopicPartition(INTENTS, 1), new OffsetAndMetadata(0, FinishedAbove.encode(0, 3,
                        List.of())));
                consumer.assign(commit.keySet());
                consumer.commitSync(commit);
            }
            try (Admin admin = Admin.create(broker.clientProperties())) {
                var p = new ApplierProgress(ApplierProgress.groupOffsets(admin, "p-applier", Duration.ofSeconds(30)),
                        INTENTS, Duration.ofSeconds(5), CLOCK);
                assertFalse(p.creatingIntentDone(job("1/0")));
                assertTrue(p.creatingIntentDone(job("1/2")), "finished above the committed offset");
                assertFalse(p.creatingIntentDone(job("0/0")), "nothing committed on partition 0");
            }
        }
    }
}
