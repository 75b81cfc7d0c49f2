package dev.daskrelay.schemas.serde;

import dev.daskrelay.schemas.registry.SchemaRegistryClient;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A Kafka Streams {@link Serde} of a Confluent-format {@link AvroSerializer} and {@link AvroDeserializer}
 * sharing one registry client. Built configured by {@link AvroSerdes}; {@link #configure} is a no-op
 * (Kafka Streams calls it for serdes passed to the DSL). Closing it closes the client it owns.
 */
public final class AvroSerde<T> implements Serde<T> {

    private final AvroSerializer<T> serializer;
    private final AvroDeserializer<T> deserializer;
    private final SchemaRegistryClient ownedRegistry;

    AvroSerde(AvroSerializer<T> serializer, AvroDeserializer<T> deserializer, SchemaRegistryClient ownedRegistry) {
        this.serializer = serializer;
        this.deserializer = deserializer;
        this.ownedRegistry = ownedRegistry;
    }

    @Override
    public Serializer<T> serializer() {
        return serializer;
    }

    @Override
    public Deserializer<T> deserializer() {
        return deserializer;
    }

    @Override
    public void close() {
        if (ownedRegistry != null) {
            ownedRegistry.close();
        }
    }
}
