package dev.daskrelay.schemas.serde;

import dev.daskrelay.schemas.registry.SchemaRegistryClient;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;

/**
 * The entry point for other modules: Confluent-format Avro serdes from a Kafka-style config map.
 *
 * <pre>{@code
 * Map<String, Object> cfg = Map.of("schema.registry.url", "http://registry:8081");   // or mock://tests, bundled://
 * Serde<TaskCommand> commands = AvroSerdes.specific(TaskCommand.class, cfg, false);
 * Serde<String> keys = Serdes.String();
 * builder.stream(topic, Consumed.with(keys, commands));
 * }</pre>
 *
 * Config keys (Confluent's names): {@code schema.registry.url}, {@code auto.register.schemas},
 * {@code use.latest.version}, {@code key.subject.name.strategy}, {@code value.subject.name.strategy},
 * {@code basic.auth.*}, {@code bearer.auth.*}, {@code schema.registry.ssl.truststore.*}, {@code max.retries},
 * {@code retries.wait.ms}, {@code retries.max.wait.ms}. Other keys are ignored, so a whole Kafka client
 * config can be passed. Failures are {@link dev.daskrelay.schemas.registry.SchemaSerdeException}s.
 */
public final class AvroSerdes {

    private AvroSerdes() {
    }

    /** Serde of a generated record class; the deserializer reads any compatible writer schema into it. */
    public static <T extends SpecificRecord> AvroSerde<T> specific(Class<T> type, Map<String, ?> config, boolean isKey) {
        AvroSerdeConfig parsed = AvroSerdeConfig.from(config);
        SchemaRegistryClient registry = parsed.registry().open();
        return new AvroSerde<>(new AvroSerializer<>(registry, parsed, isKey), AvroDeserializer.specific(registry, type), registry);
    }

    /** Serde of a generated record class over a client the caller owns (and closes). */
    public static <T extends SpecificRecord> AvroSerde<T> specific(Class<T> type, SchemaRegistryClient registry,
                                                                   AvroSerdeConfig config, boolean isKey) {
        return new AvroSerde<>(new AvroSerializer<>(registry, config, isKey), AvroDeserializer.specific(registry, type), null);
    }

    /** Serde of {@link GenericRecord}s read with the writer's schema. */
    public static AvroSerde<GenericRecord> generic(Map<String, ?> config, boolean isKey) {
        return generic(null, config, isKey);
    }

    /** Serde of {@link GenericRecord}s read into {@code readerSchema} (null: the writer's schema). */
    public static AvroSerde<GenericRecord> generic(Schema readerSchema, Map<String, ?> config, boolean isKey) {
        AvroSerdeConfig parsed = AvroSerdeConfig.from(config);
        SchemaRegistryClient registry = parsed.registry().open();
        return new AvroSerde<>(new AvroSerializer<>(registry, parsed, isKey),
                AvroDeserializer.generic(registry, readerSchema, false), registry);
    }

    /** Serde of {@link GenericRecord}s over a client the caller owns (and closes). */
    public static AvroSerde<GenericRecord> generic(Schema readerSchema, SchemaRegistryClient registry,
                                                   AvroSerdeConfig config, boolean isKey) {
        return new AvroSerde<>(new AvroSerializer<>(registry, config, isKey),
                AvroDeserializer.generic(registry, readerSchema, false), null);
    }
}
