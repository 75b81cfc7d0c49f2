package dev.daskrelay.submitter.query;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Wraps a value deserializer so that an undecodable record (a poison record on the commands topic, say) becomes
 * a record with a null value instead of an exception that would stall the reader on that offset. Readers skip
 * or report such records; {@link #failures()} counts them. The inner deserializer belongs to the caller:
 * {@link #close()} leaves it open, so one thread-safe deserializer can serve many short-lived consumers.
 */
public final class LenientDeserializer<V> implements Deserializer<V> {

    private final Deserializer<V> inner;
    private final AtomicLong failures = new AtomicLong();

    public LenientDeserializer(Deserializer<V> inner) {
        this.inner = inner;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        // the inner deserializer comes configured
    }

    @Override
    public V deserialize(String topic, byte[] data) {
        return deserialize(topic, null, data);
    }

    @Override
    public V deserialize(String topic, Headers headers, byte[] data) {
        if (data == null) {
            return null;
        }
        try {
            return headers == null ? inner.deserialize(topic, data) : inner.deserialize(topic, headers, data);
        } catch (RuntimeException e) {
            failures.incrementAndGet();
            return null;
        }
    }

    public long failures() {
        return failures.get();
    }

    @Override
    public void close() {
        // the inner deserializer is shared and owned by whoever created this wrapper
    }
}
