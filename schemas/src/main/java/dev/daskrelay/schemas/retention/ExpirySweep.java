package dev.daskrelay.schemas.retention;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * Forgets expired entries of a timestamped Kafka Streams store a slice at a time, from a wall-clock punctuator.
 * Each {@link #sweep} examines at most {@code batch} entries, continuing after the key where the previous sweep
 * stopped and starting over at the end, so one punctuation stays short however large the store is. An entry expires
 * when the rule says so for its value and the time of its last write (the store's timestamp); it is deleted, which
 * writes a tombstone to the store's compacted changelog in the stream task's transaction, so the changelog shrinks
 * too. An entry without a write time (written by a version of daskrelay that kept none, timestamp −1 after the store
 * was upgraded to a timestamped one) is stamped with the current time: it expires one retention later.
 *
 * @param <V> the store's value type
 */
public final class ExpirySweep<V> {

    /** Whether an entry is forgotten. */
    @FunctionalInterface
    public interface Rule<V> {
        /**
         * @param key       the entry's key
         * @param value     its value
         * @param writtenAt wall-clock time of its last write, epoch millis
         * @param now       wall-clock time of this sweep, epoch millis
         */
        boolean expired(String key, V value, long writtenAt, long now);
    }

    /** What one sweep did. */
    public record Result(int examined, List<String> expired, int stamped, boolean wrapped) {
    }

    private final TimestampedKeyValueStore<String, V> store;
    private final Rule<V> rule;
    private final int batch;
    private String after;

    /**
     * @param store the store to sweep
     * @param rule  which entries expire
     * @param batch most entries examined per sweep (≥ 1)
     */
    public ExpirySweep(TimestampedKeyValueStore<String, V> store, Rule<V> rule, int batch) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be 1 or more");
        }
        this.store = Objects.requireNonNull(store, "store");
        this.rule = Objects.requireNonNull(rule, "rule");
        this.batch = batch;
    }

    /** Examines the next slice of the store at wall-clock time {@code now} (epoch millis); deletes what expired. */
    public Result sweep(long now) {
        List<String> expired = new ArrayList<>();
        List<KeyValue<String, V>> unstamped = new ArrayList<>();
        int examined = 0;
        boolean wrapped = false;
        String last = after;
        try (KeyValueIterator<String, ValueAndTimestamp<V>> it = after == null ? store.all() : store.range(after, null)) {
            while (examined < batch) {
                if (!it.hasNext()) {
                    wrapped = true;
                    break;
                }
                KeyValue<String, ValueAndTimestamp<V>> kv = it.next();
                if (kv.key.equals(after)) {
                    continue; // examined by the previous sweep (range() includes its lower bound)
                }
                examined++;
                last = kv.key;
                ValueAndTimestamp<V> v = kv.value;
                if (v == null || v.value() == null) {
                    continue;
                }
                if (v.timestamp() < 0) {
                    unstamped.add(KeyValue.pair(kv.key, v.value()));
                } else if (rule.expired(kv.key, v.value(), v.timestamp(), now)) {
                    expired.add(kv.key);
                }
            }
        }
        for (String key : expired) {
            store.delete(key);
        }
        for (KeyValue<String, V> kv : unstamped) {
            store.put(kv.key, ValueAndTimestamp.make(kv.value, now));
        }
        after = wrapped ? null : last;
        return new Result(examined, List.copyOf(expired), unstamped.size(), wrapped);
    }
}
