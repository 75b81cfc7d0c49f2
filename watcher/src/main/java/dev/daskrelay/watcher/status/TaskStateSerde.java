package dev.daskrelay.watcher.status;

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
 */
public final class TaskStateSerde implements Serde<TaskState> {

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    @Override
    public Serializer<TaskState> serializer() {
        return (topic, state) -> {
            if (state == null) {
                return null;
            }
            try {
                return MAPPER.writeValueAsBytes(state);
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
            try {
                return MAPPER.readValue(bytes, TaskState.class);
            } catch (IOException e) {
                throw new SerializationException("status store value cannot be read: " + e.getMessage(), e);
            }
        };
    }
}
