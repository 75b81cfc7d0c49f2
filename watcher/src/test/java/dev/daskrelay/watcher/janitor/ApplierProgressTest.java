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
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/** The janitor's second question: can the intent that created this DaskJob still be applied again? */
class ApplierProgressTest {

    private static final String INTENTS = "p.intents";
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-01T12:00:00Z"), ZoneOffset.UTC);

    private static GenericKubernetesResource job(String intent) {
        return job(intent, "2026-01-01T10:00:00Z");
    }

    private static GenericKubernetesResource job(String intent, String created) {
        var b = new GenericKubernetesResourceBuilder().withApiVersion("kubernetes.dask.org/v1").withKind("DaskJob")
                .withNewMetadata().withName("j").withNamespace("ns").withCreationTimestamp(created);
        if (intent != null) {
            b = b.addToAnnotations(KubernetesLabels.INTENT, intent);
        }
        return b.endMetadata().build();
    }

    private static ApplierProgress progress(Map<Integer, OffsetAndMetadata> commits, Map<Integer, Long> ends) {
        return new ApplierProgress(() -> new ApplierProgress.Offsets(commits, ends), INTENTS, Duration.ofSeconds(5),
                CLOCK);
    }

    @Test
    void anIntentBelowTheCommittedOffsetOrFinishedAboveItIsDone() {
        // partition 0 committed at 10, with 11 and 13 finished above it (12 still open)
        String metadata = FinishedAbove.encode(10, 14, List.of(12L));
        var p = progress(Map.of(0, new OffsetAndMetadata(10, metadata)), Map.of(0, 20L, 1, 20L));
        assertTrue(p.creatingIntentDone(job("p.intents/0/9")));
        assertFalse(p.creatingIntentDone(job("p.intents/0/10")), "the committed offset is the lowest unfinished");
        assertTrue(p.creatingIntentDone(job("p.intents/0/11")));
        assertFalse(p.creatingIntentDone(job("p.intents/0/12")));
        assertTrue(p.creatingIntentDone(job("p.intents/0/13")));
        assertFalse(p.creatingIntentDone(job("p.intents/0/14")));
        assertFalse(p.creatingIntentDone(job("p.intents/1/3")), "no commit of that partition yet");
    }

    @Test
    void aDaskJobThatNamesNoIntentOrAnotherTopicIsDone() {
        var p = progress(Map.of(), Map.of(0, 20L));
        assertTrue(p.creatingIntentDone(job(null)), "created before the annotation existed, or not by the applier");
        assertTrue(p.creatingIntentDone(job("not a position")), "nothing to wait for");
        assertTrue(p.creatingIntentDone(job("old.intents/0/3")), "another prefix: this group never reads it");
    }

    @Test
    void anOffsetBeyondThePartitionsEndIsFromAnEarlierIncarnationOfTheTopic() {
        var p = progress(Map.of(0, new OffsetAndMetadata(4)), Map.of(0, 7L));
        assertTrue(p.creatingIntentDone(job("p.intents/0/7000")), "the topic was created again since");
        assertFalse(p.creatingIntentDone(job("p.intents/0/5")), "within the topic, not committed yet");
        assertFalse(p.creatingIntentDone(job("p.intents/0/7000", "2026-01-01T11:59:30Z")),
                "created moments before the read: its intent may have been written after it");
        assertFalse(p.creatingIntentDone(job("p.intents/0/7000", null)));
    }

    @Test
    void aFailedReadKeepsTheCommitsReadBeforeButNotTheEndsAndIsNotRepeatedPerCandidate() {
        AtomicInteger reads = new AtomicInteger();
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
            return new ApplierProgress.Offsets(Map.of(0, new OffsetAndMetadata(5)), Map.of(0, 9L));
        }, INTENTS, Duration.ofSeconds(5), clock);
        assertTrue(p.creatingIntentDone(job("p.intents/0/4")));
        assertTrue(p.creatingIntentDone(job("p.intents/0/900")));
        assertEquals(1, reads.get(), "one read serves a sweep");
        now.set(now.get().plusSeconds(6));
        assertTrue(p.creatingIntentDone(job("p.intents/0/4")), "the failed read leaves the commits read before");
        assertFalse(p.creatingIntentDone(job("p.intents/0/5")));
        assertFalse(p.creatingIntentDone(job("p.intents/0/900")), "an old end is no evidence any more");
        assertEquals(2, reads.get(), "and is not tried again for every candidate");
    }

    /** Against a real broker: what an applier-like consumer commits, with its metadata, is what the janitor reads. */
    @Test
    void readsTheGroupsCommitsFromTheBroker() throws Exception {
        try (KafkaBroker broker = KafkaBroker.forTests()) {
            broker.createTopics(2, INTENTS);
            try (var producer = new KafkaProducer<>(broker.clientProperties(), new ByteArraySerializer(),
                    new ByteArraySerializer())) {
                for (int i = 0; i < 3; i++) {
                    producer.send(new ProducerRecord<>(INTENTS, 1, null, new byte[] {(byte) i})).get();
                }
            }
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
                var p = new ApplierProgress(ApplierProgress.fromAdmin(admin, "p-applier", INTENTS,
                        Duration.ofSeconds(30)), INTENTS, Duration.ofSeconds(5), CLOCK);
                assertFalse(p.creatingIntentDone(job("p.intents/1/0")));
                assertTrue(p.creatingIntentDone(job("p.intents/1/2")), "finished above the committed offset");
                assertTrue(p.creatingIntentDone(job("p.intents/0/0")), "beyond the end of the empty partition 0");
                assertFalse(p.creatingIntentDone(job("p.intents/0/0", CLOCK.instant().toString())),
                        "unless created just now");
            }
        }
    }
}
