package dev.daskrelay.watcher.status;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Serde of the status store's values: {@link TaskState} as JSON (ISO-8601 instants). Unknown properties are
 * ignored and missing ones take their Java defaults, so fields can be added to {@link TaskState} without
 * breaking a changelog written by an older version. The store is internal; no other process reads it.
 *
 * <p>Every observation reads and writes one value, so the JSON is read and written by {@link RecordJson} (streamed,
 * components resolved once) rather than by Jackson's data binding, which took about 40 % of the status topology's
 * CPU (docs/PERFORMANCE.md); the format is the same, and the mapper below stays the reference for anything
 * {@link RecordJson} does not read itself.
 */
public final class TaskStateSerde implements Serde<TaskState> {

    /** The reference mapping of the format (Jackson data binding); {@link RecordJson} reads and writes the same. */
    static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private static final RecordJson<TaskState> JSON = new RecordJson<>(TaskState.class, MAPPER);

    @Override
    public Serializer<TaskState> serializer() {
        return (topic, state) -> {
            if (state == null) {
                return null;
            }
            try (ByteArrayBuilder out = new ByteArrayBuilder(1024);
                 JsonGenerator g = MAPPER.getFactory().createGenerator(out)) {
                JSON.write(state, g);
                g.flush();
                return out.toByteArray();
            } catch (IOException e) {
                throw new SerializationException("task state of " + state.taskId() + " cannot be written", e);
            }
        };
    }

    @Override
    public Deserializer<TaskState> deserializer() {
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            try (JsonParser p = MAPPER.getFactory().createParser(bytes)) {
                p.nextToken();
                return JSON.read(p);
            } catch (IOException | RuntimeException e) {
                throw new SerializationException("status store value cannot be read: " + e.getMessage(), e);
            }
        };
    }
}
