package dev.daskrelay.watcher.status;

import static dev.daskrelay.schemas.testing.TestObservations.T0;
import static dev.daskrelay.schemas.testing.TestObservations.TASK;
import static dev.daskrelay.schemas.testing.TestObservations.accepted;
import static dev.daskrelay.schemas.testing.TestObservations.job;
import static dev.daskrelay.schemas.testing.TestObservations.snapshot;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.daskrelay.avro.v1.Observation;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/**
 * The status store's format is unchanged by {@link RecordJson}: over random {@link TaskState}s (every component
 * filled or left out at random, by reflection, so a component added later is covered too) what it writes, Jackson's
 * data binding reads back equal, and what Jackson writes, it reads back equal — a changelog written by an older
 * version reads as before, and an older version reads what this one writes.
 */
class RecordJsonTest {

    private static final ObjectMapper JACKSON = TaskStateSerde.MAPPER;
    private static final TaskStateSerde SERDE = new TaskStateSerde();

    @Property(tries = 500)
    void readsWhatJacksonWritesAndJacksonReadsWhatItWrites(@ForAll("seeds") long seed) throws Exception {
        TaskState s = randomRecord(TaskState.class, new Random(seed));
        byte[] ours = SERDE.serializer().serialize("t", s);
        byte[] jackson = JACKSON.writeValueAsBytes(s);
        assertEquals(s, SERDE.deserializer().deserialize("t", ours), "round trip");
        assertEquals(s, JACKSON.readValue(ours, TaskState.class), "Jackson reads ours: " + text(ours));
        assertEquals(s, SERDE.deserializer().deserialize("t", jackson), "we read Jackson's: " + text(jackson));
    }

    /**
     * A snapshot held until the launch is known ({@link TaskState#heldSnapshots()}, base64 Avro) survives the store in
     * both formats: the state read back answers the launch exactly as the state that was written, and
     * {@link TaskState#launchKnown()} is derived, not stored.
     */
    @Property(tries = 50)
    void aHeldSnapshotSurvivesTheStoreAndIsAppliedOnceTheLaunchIsKnown(@ForAll("jobStatuses") String jobStatus,
                                                                        @ForAll("seconds") int seenAt) throws Exception {
        StatusSettings settings = StatusSettings.defaults();
        TaskState held = TaskStateMachine.apply(TaskState.initial(TASK), snapshot(job(jobStatus).build(),
                T0.plusSeconds(seenAt)), T0.plusSeconds(seenAt), settings).state();
        assertEquals(1, held.heldSnapshots().size(), "the snapshot is held");
        assertFalse(held.launchKnown());
        Observation launch = accepted(T0.plusSeconds(seenAt + 5), null);
        var expected = TaskStateMachine.apply(held, launch, launch.getObservedAt(), settings);
        assertFalse(expected.events().isEmpty(), "the launch answers with the held snapshot");

        byte[] ours = SERDE.serializer().serialize("t", held);
        assertFalse(text(ours).contains("launchKnown"), text(ours));
        for (TaskState read : List.of(SERDE.deserializer().deserialize("t", ours),
                JACKSON.readValue(ours, TaskState.class),
                SERDE.deserializer().deserialize("t", JACKSON.writeValueAsBytes(held)))) {
            assertEquals(held, read);
            var step = TaskStateMachine.apply(read, launch, launch.getObservedAt(), settings);
            assertEquals(expected.events(), step.events());
            assertEquals(expected.state(), step.state());
            assertEquals(List.of(), step.state().heldSnapshots(), "applied once the launch is known");
        }
    }

    @Provide
    Arbitrary<String> jobStatuses() {
        return Arbitraries.of("JobCreated", "ClusterCreated", "Running", "Successful", "Failed");
    }

    @Provide
    Arbitrary<Integer> seconds() {
        return Arbitraries.integers().between(0, 86_400);
    }

    @Property(tries = 2000)
    void instantsAsInstantToStringWritesThem(@ForAll("instants") Instant i) {
        assertEquals(i.toString(), RecordJson.iso(i));
        assertEquals(i, RecordJson.parseIso(i.toString()));
    }

    @Provide
    Arbitrary<Long> seeds() {
        return Arbitraries.longs();
    }

    @Provide
    Arbitrary<Instant> instants() {
        return Arbitraries.longs().between(-62_135_596_800L, 253_402_300_799L).flatMap(s -> Arbitraries.of(0, 1, 999,
                1_000, 120_000, 999_999, 1_000_000, 123_456_789, 999_999_999).map(n -> Instant.ofEpochSecond(s, n)));
    }

    @Test
    void unknownPropertiesAreSkippedAndMissingOnesTakeDefaults() {
        String json = """
                {"taskId":"t1","someday":{"nested":[1,{"x":null}]},"phase":"RUNNING","lastSequence":7,
                 "highestVersions":{"RUNNING":2},"extra":"x"}""";
        TaskState s = SERDE.deserializer().deserialize("t", json.getBytes(StandardCharsets.UTF_8));
        assertEquals("t1", s.taskId());
        assertEquals(Phase.RUNNING, s.phase());
        assertEquals(7, s.lastSequence());
        assertEquals(0, s.phaseVersion());
        assertNull(s.recentObservations());
        assertEquals(Map.of(Phase.RUNNING, 2), s.highestVersions());
        assertNull(s.acceptedAt());
    }

    @Test
    void valuesOfAnotherShapeAreReadAsJacksonReadsThem() throws Exception {
        String json = """
                {"taskId":"t1","phaseVersion":"3","lastSequence":"12","abortRequested":"true",
                 "acceptedAt":1767261600.5,"deadline":"2026-01-01T10:00:00+01:00"}""";
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        TaskState ours = SERDE.deserializer().deserialize("t", bytes);
        assertEquals(JACKSON.readValue(bytes, TaskState.class), ours);
        assertEquals(3, ours.phaseVersion());
        assertEquals(Instant.parse("2026-01-01T09:00:00Z"), ours.deadline());
    }

    @Test
    void unusableValuesFailAsWithJackson() {
        for (String bad : List.of("{\"phase\":\"NOT_A_PHASE\"}", "{\"highestVersions\":{\"NOPE\":1}}",
                "{\"lastSequence\":{}}", "[1]", "{\"acceptedAt\":\"yesterday\"}")) {
            byte[] bytes = bad.getBytes(StandardCharsets.UTF_8);
            assertThrows(Exception.class, () -> JACKSON.readValue(bytes, TaskState.class), bad);
            assertThrows(SerializationException.class, () -> SERDE.deserializer().deserialize("t", bytes), bad);
        }
    }

    /** A component type the codec does not stream itself goes through the mapper. */
    record WithOthers(String name, Duration timeout, List<Integer> numbers, Map<String, String> labels) {
    }

    @Test
    void componentsOfOtherTypesGoThroughTheMapper() throws Exception {
        RecordJson<WithOthers> codec = new RecordJson<>(WithOthers.class, JACKSON);
        WithOthers w = new WithOthers("n", Duration.ofSeconds(90), List.of(1, 2), Map.of("a", "b"));
        var out = new ByteArrayOutputStream();
        try (var g = JACKSON.getFactory().createGenerator(out)) {
            codec.write(w, g);
        }
        assertEquals(w, JACKSON.readValue(out.toByteArray(), WithOthers.class));
        try (var p = JACKSON.getFactory().createParser(JACKSON.writeValueAsBytes(w))) {
            p.nextToken();
            assertEquals(w, codec.read(p));
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    /** A record with every component random or absent (null), by its declared types. */
    static <R extends Record> R randomRecord(Class<R> type, Random r) throws Exception {
        RecordComponent[] rc = type.getRecordComponents();
        Object[] args = new Object[rc.length];
        Class<?>[] types = new Class<?>[rc.length];
        for (int i = 0; i < rc.length; i++) {
            types[i] = rc[i].getType();
            args[i] = random(rc[i].getType(), rc[i].getGenericType(), r);
        }
        return type.getDeclaredConstructor(types).newInstance(args);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object random(Class<?> type, Type generic, Random r) throws Exception {
        boolean absent = !type.isPrimitive() && r.nextInt(4) == 0;
        if (absent) {
            return null;
        }
        if (type == String.class) {
            return List.of("", "a", "task-1", "quote \" and \\ and \n", "ünïcødé ✓", "x".repeat(300))
                    .get(r.nextInt(6));
        }
        if (type == boolean.class || type == Boolean.class) {
            return r.nextBoolean();
        }
        if (type == int.class || type == Integer.class) {
            return r.nextInt(3) == 0 ? r.nextInt() : r.nextInt(10);
        }
        if (type == long.class || type == Long.class) {
            return r.nextInt(3) == 0 ? r.nextLong() : (long) r.nextInt(100);
        }
        if (type == Instant.class) {
            long s = 1_700_000_000L + r.nextInt(100_000_000);
            return Instant.ofEpochSecond(s, List.of(0, 1_000_000, 123_000, 7, 999_999_999).get(r.nextInt(5)));
        }
        if (type.isEnum()) {
            Object[] constants = type.getEnumConstants();
            return constants[r.nextInt(constants.length)];
        }
        if (type.isRecord()) {
            return randomRecord((Class<? extends Record>) type, r);
        }
        if (type == List.class) {
            List<Object> l = new ArrayList<>();
            Type element = ((ParameterizedType) generic).getActualTypeArguments()[0];
            for (int i = r.nextInt(130); i > 0; i--) {
                Object e = random((Class<?>) element, element, r);
                l.add(e != null ? e : "id-" + i);
            }
            return l;
        }
        if (type == Map.class) {
            Type[] kv = ((ParameterizedType) generic).getActualTypeArguments();
            Map m = new LinkedHashMap<>();
            for (int i = r.nextInt(5); i > 0; i--) {
                Object k = random((Class<?>) kv[0], kv[0], r);
                Object v = random((Class<?>) kv[1], kv[1], r);
                if (k != null && v != null) {
                    m.put(k, v);
                }
            }
            return m;
        }
        throw new IllegalArgumentException("no generator for " + generic + ": add one to RecordJsonTest");
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
