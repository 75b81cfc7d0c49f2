package dev.daskrelay.schemas.retention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ExpirySweepTest {

    private static final long RETAIN = 1_000;
    private TimestampedKeyValueStore<String, String> store;

    @BeforeEach
    void store() {
        MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
        store = Stores.timestampedKeyValueStoreBuilder(Stores.inMemoryKeyValueStore("sweep-test"), Serdes.String(),
                Serdes.String()).withLoggingDisabled().build();
        store.init(context.getStateStoreContext(), store);
    }

    private void put(String key, String value, long writtenAt) {
        store.put(key, ValueAndTimestamp.make(value, writtenAt));
    }

    private static ExpirySweep.Rule<String> olderThanRetention() {
        return (key, value, writtenAt, now) -> now - writtenAt >= RETAIN;
    }

    @Test
    void deletesWhatTheRuleSaysAndKeepsTheRest() {
        put("a", "done", 0);
        put("b", "done", 500);
        put("c", "running", 0);
        ExpirySweep<String> sweep = new ExpirySweep<>(store,
                (key, value, writtenAt, now) -> value.equals("done") && now - writtenAt >= RETAIN, 100);

        ExpirySweep.Result r = sweep.sweep(1_200);

        assertEquals(List.of("a"), r.expired());
        assertEquals(3, r.examined());
        assertTrue(r.wrapped());
        assertNull(store.get("a"));
        assertNotNull(store.get("b"), "written 700 ms ago: kept");
        assertNotNull(store.get("c"), "the rule keeps it however old");
    }

    @Test
    void eachSweepExaminesAtMostOneBatchAndTheNextOneContinuesWhereItStopped() {
        for (String k : List.of("k1", "k2", "k3", "k4", "k5")) {
            put(k, "v", 0);
        }
        ExpirySweep<String> sweep = new ExpirySweep<>(store, (key, value, writtenAt, now) -> false, 2);
        List<Integer> examined = new ArrayList<>();
        List<Boolean> wrapped = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ExpirySweep.Result r = sweep.sweep(10);
            examined.add(r.examined());
            wrapped.add(r.wrapped());
        }
        assertEquals(List.of(2, 2, 1, 2), examined, "k1 k2 | k3 k4 | k5, end | k1 k2 again");
        assertEquals(List.of(false, false, true, false), wrapped);
    }

    @Test
    void aSliceThatEndsOnAnExpiredKeyContinuesAfterIt() {
        put("k1", "v", 0);
        put("k2", "v", 0);
        put("k3", "v", 5_000);
        ExpirySweep<String> sweep = new ExpirySweep<>(store, olderThanRetention(), 2);
        assertEquals(List.of("k1", "k2"), sweep.sweep(2_000).expired());
        ExpirySweep.Result second = sweep.sweep(2_000);
        assertEquals(1, second.examined(), "k3 only, although k2 (where the first stopped) is gone");
        assertTrue(second.expired().isEmpty());
        assertNotNull(store.get("k3"));
    }

    @Test
    void entriesWithoutAWriteTimeAreStampedAndExpireOneRetentionLater() {
        put("old", "from an earlier version", -1);
        ExpirySweep<String> sweep = new ExpirySweep<>(store, olderThanRetention(), 10);

        ExpirySweep.Result first = sweep.sweep(50_000);
        assertEquals(1, first.stamped());
        assertTrue(first.expired().isEmpty(), "no write time: not expired at once");
        assertEquals(50_000, store.get("old").timestamp());

        assertTrue(sweep.sweep(50_500).expired().isEmpty());
        assertEquals(List.of("old"), sweep.sweep(51_000).expired());
    }

    @Test
    void anEmptyStoreIsSweptWithoutEffect() {
        ExpirySweep.Result r = new ExpirySweep<>(store, olderThanRetention(), 10).sweep(1);
        assertEquals(0, r.examined());
        assertTrue(r.wrapped());
        assertFalse(store.all().hasNext());
    }
}
