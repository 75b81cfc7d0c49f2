package dev.daskrelay.chaos.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.daskrelay.avro.v1.CommandOutcome;
import dev.daskrelay.avro.v1.CommandOutcomeKind;
import dev.daskrelay.avro.v1.DaskJobIntent;
import dev.daskrelay.avro.v1.Observation;
import dev.daskrelay.avro.v1.TaskCommand;
import dev.daskrelay.chaos.load.Commands;
import dev.daskrelay.schemas.DeadLetterHeaders;
import dev.daskrelay.schemas.Topics;
import dev.daskrelay.schemas.config.DaskRelayConfig;
import dev.daskrelay.schemas.config.Installation;
import dev.daskrelay.schemas.config.PlatformConfig;
import dev.daskrelay.schemas.serde.AvroSerdes;
import dev.daskrelay.translator.topology.CommandTopology;
import dev.daskrelay.translator.topology.RenderingPreparation;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/**
 * The bad-input suite against the real command topology in a TopologyTestDriver (the chaos run does the same on
 * real processes): hostile records, the corpus and jqwik's random ones, mixed into good launches. Every undecodable
 * record ends on the dead-letter topic with its bytes, every invalid launch is rejected naming each problem's field
 * path, every good launch is accepted with its CREATE intent, every record gets exactly one answer, and nothing
 * throws (the stream thread would die).
 */
class HostileRecordsTest {

    private static final String PLATFORM = """
            platform:
              namespace: chaos
              allowedNamespaces: [chaos]
              allowedImages: ["ghcr.io/example/*"]
              maxWorkers: 50
              resources:
                defaults: {cpu: 100m, memory: 128Mi}
                limits: {cpu: "4", memory: 8Gi}
            """;
    private static final int BROKER_MAX = 1_048_576;
    private static final Map<String, String> REGISTRY = Map.of("schema.registry.url", "bundled://");

    private final Topics topics = new Topics("prop");
    private final HostileRecords hostile = new HostileRecords("prop", topics.commands());
    private final PlatformConfig platform = DaskRelayConfig.parse(PLATFORM, "chaos platform").platform();

    @Provide
    Arbitrary<List<HostileRecord>> records() {
        // distinct task ids: a second launch of a task is a duplicate, not a rejection (shrinking can make two the same)
        return hostile.arbitrary().list().ofMinSize(1).ofMaxSize(12)
                .uniqueElements(r -> r.taskId() == null ? r : r.taskId());
    }

    @Example
    void theCorpusEndsWhereItMust() {
        List<HostileRecord> corpus = hostile.corpus();
        assertTrue(corpus.size() >= 12 + HostileRecords.mutationNames().size(), "one of each kind");
        check(corpus, 3);
    }

    @Property(tries = 40)
    void hostileRecordsMixedIntoGoodLaunchesEndWhereTheyMustAndLeaveTheGoodOnesAlone(
            @ForAll("records") List<HostileRecord> bad, @ForAll @IntRange(min = 1, max = 6) int good) {
        check(bad, good);
    }

    @Example
    void sampledWithTheSameSeedTheRecordsAreTheSame() {
        List<String> a = hostile.sample(30, 99).stream().map(r -> r.kind() + Arrays.hashCode(r.value())).toList();
        List<String> b = hostile.sample(30, 99).stream().map(r -> r.kind() + Arrays.hashCode(r.value())).toList();
        assertEquals(a, b);
    }

    private void check(List<HostileRecord> bad, int good) {
        Properties p = CommandTopology.requiredProperties("hostile-prop");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        try {
            p.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("hostile").toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        var commandSerde = AvroSerdes.specific(TaskCommand.class, REGISTRY, false);
        try (TopologyTestDriver driver = new TopologyTestDriver(CommandTopology.build(topics, commandSerde,
                AvroSerdes.specific(DaskJobIntent.class, REGISTRY, false),
                AvroSerdes.specific(Observation.class, REGISTRY, false), new RenderingPreparation(platform, Installation.DEFAULT),
                new SimpleMeterRegistry()), p, Instant.parse("2026-12-01T00:00:00Z"))) {
            TestInputTopic<byte[], byte[]> in = driver.createInputTopic(topics.commands(), new ByteArraySerializer(),
                    new ByteArraySerializer());
            TestOutputTopic<String, Observation> observations = driver.createOutputTopic(topics.observations(),
                    new StringDeserializer(), AvroSerdes.specific(Observation.class, REGISTRY, false).deserializer());
            TestOutputTopic<String, DaskJobIntent> intents = driver.createOutputTopic(topics.intents(),
                    new StringDeserializer(), AvroSerdes.specific(DaskJobIntent.class, REGISTRY, false).deserializer());
            TestOutputTopic<byte[], byte[]> dead = driver.createOutputTopic(topics.deadLetters(),
                    new ByteArrayDeserializer(), new ByteArrayDeserializer());

            List<String> goodTasks = new ArrayList<>();
            int piped = 0;
            int g = 0;
            for (int i = 0; i < bad.size() || g < good; i++) {
                if (g < good && (i % 2 == 0 || i >= bad.size())) { // good and bad interleaved
                    String name = "good" + g++ + "x" + System.nanoTime();
                    TaskCommand c = Commands.launch("prop", name, "c-" + name, "success", "1s", Instant.now());
                    in.pipeInput(c.getTaskId().getBytes(StandardCharsets.UTF_8),
                            commandSerde.serializer().serialize(topics.commands(), c));
                    goodTasks.add(c.getTaskId());
                    piped++;
                }
                if (i < bad.size()) {
                    HostileRecord h = bad.get(i);
                    if (h.expect() == HostileRecord.Expect.REFUSED) {
                        assertTrue(h.value().length > BROKER_MAX, h + " is larger than the broker accepts");
                        continue;
                    }
                    assertTrue(h.value() == null || h.value().length < BROKER_MAX, h + " fits the broker");
                    in.pipeInput(new TestRecord<>(h.key(), h.value()));
                    piped++;
                }
            }

            List<Observation> outcomes = observations.readValuesToList();
            List<TestRecord<byte[], byte[]>> letters = dead.readRecordsToList();
            assertEquals(piped, outcomes.size() + letters.size(), "every record answered exactly once");
            Map<String, CommandOutcome> byTask = new HashMap<>();
            for (Observation o : outcomes) {
                byTask.put(o.getTaskId(), (CommandOutcome) o.getPayload());
            }
            for (String t : goodTasks) {
                assertNotNull(byTask.get(t), "good launch " + t + " answered");
                assertEquals(CommandOutcomeKind.LAUNCH_ACCEPTED, byTask.get(t).getKind(), t);
            }
            assertEquals(goodTasks.size(), intents.readValuesToList().size(), "a CREATE intent per good launch only");
            for (HostileRecord h : bad) {
                switch (h.expect()) {
                    case DEAD_LETTER -> assertTrue(letters.stream().anyMatch(d -> Arrays.equals(d.value(), h.value())
                            && Arrays.equals(d.key(), h.key())
                            && DeadLetterHeaders.get(d.headers(), DeadLetterHeaders.ERROR_CLASS) != null
                            && DeadLetterHeaders.get(d.headers(), DeadLetterHeaders.ERROR_MESSAGE) != null),
                            h + " dead-lettered with its bytes and the error");
                    case REJECTED -> {
                        CommandOutcome o = byTask.get(h.taskId());
                        assertNotNull(o, h + " answered");
                        assertEquals(CommandOutcomeKind.LAUNCH_REJECTED, o.getKind(), h.toString());
                        String problems = String.join("; ", o.getProblems());
                        for (String path : h.paths()) {
                            assertTrue(problems.contains(path), h + ": no problem names " + path + ": " + problems);
                        }
                    }
                    default -> { }
                }
            }
        }
    }
}
