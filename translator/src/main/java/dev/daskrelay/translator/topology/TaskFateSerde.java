package dev.daskrelay.translator.topology;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * JSON serde of {@link TaskFate} for the fate store and its changelog (internal topic, not a contract). Missing
 * fields read as null (fates written before a field existed), unknown ones are ignored (fates written by a later
 * version, after a rollback).
 */
public final class TaskFateSerde implements Serde<TaskFate> {

    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    @Override
    public Serializer<TaskFate> serializer() {
        return (topic, fate) -> {
            if (fate == null) {
                return null;
            }
            try {
                return JSON.writeValueAsBytes(fate);
            } catch (IOException e) {
                throw new SerializationException("cannot write task fate", e);
            }
        };
    }

    @Override
    public Deserializer<TaskFate> deserializer() {
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            try {
                return JSON.readValue(bytes, TaskFate.class);
            } catch (IOException e) {
                throw new SerializationException("cannot read task fate", e);
            }
        };
    }
}
