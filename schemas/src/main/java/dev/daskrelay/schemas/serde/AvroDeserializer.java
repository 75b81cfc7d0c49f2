package dev.daskrelay.schemas.serde;

import dev.daskrelay.schemas.registry.IncompatibleSchemaException;
import dev.daskrelay.schemas.registry.SchemaRegistryClient;
import dev.daskrelay.schemas.registry.SchemaSerdeException;
import java.io.EOFException;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.DatumReader;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Kafka deserializer for Confluent's wire format. It resolves the writer's schema by the id in the frame
 * (cached: the hot path never calls the registry) and reads into the reader's schema: the generated class's
 * schema for {@link #specific}, a given schema, or the writer's own schema for plain generic reading.
 * Schema evolution therefore works both ways as far as Avro's resolution rules allow.
 *
 * <p>Never hangs or loops on poison input: every failure is a {@link SchemaSerdeException} (a Kafka
 * {@code SerializationException}) of a closed {@link SchemaSerdeException.Reason}, meant for the dead-letter
 * topic. {@code null} deserializes to {@code null}. Thread-safe.
 */
public final class AvroDeserializer<T> implements Deserializer<T> {

    /** How one writer id is read: a reader, or the incompatibility found once and remembered. */
    private record Plan(DatumReader<Object> reader, String incompatibility) {
    }

    private static final ThreadLocal<BoundedBinaryDecoder> DECODERS = ThreadLocal.withInitial(BoundedBinaryDecoder::new);

    private SchemaRegistryClient registry;
    private boolean ownsRegistry;
    private Class<? extends SpecificRecord> targetClass;
    private Schema readerSchema;
    private boolean specificAvroReader;
    private final Map<Integer, Plan> plans = new ConcurrentHashMap<>();

    /** For Kafka's class-name configuration (generic, or {@code specific.avro.reader=true}); call {@link #configure}. */
    public AvroDeserializer() {
    }

    private AvroDeserializer(SchemaRegistryClient registry, Class<? extends SpecificRecord> targetClass,
                             Schema readerSchema, boolean specificAvroReader) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.targetClass = targetClass;
        this.readerSchema = readerSchema;
        this.specificAvroReader = specificAvroReader;
    }

    /** Reads into the generated class {@code type} (its schema is the reader's schema). */
    public static <R extends SpecificRecord> AvroDeserializer<R> specific(SchemaRegistryClient registry, Class<R> type) {
        return new AvroDeserializer<>(registry, Objects.requireNonNull(type, "type"), null, false);
    }

    /**
     * Reads {@code GenericRecord}s, into {@code readerSchema} when given, else with the writer's schema
     * (or into generated classes found by the writer's name when {@code specificAvroReader}).
     */
    public static <R> AvroDeserializer<R> generic(SchemaRegistryClient registry, Schema readerSchema, boolean specificAvroReader) {
        return new AvroDeserializer<>(registry, null, readerSchema, specificAvroReader);
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        AvroSerdeConfig config = AvroSerdeConfig.from(configs);
        this.registry = config.registry().open();
        this.ownsRegistry = true;
        this.specificAvroReader = config.specificAvroReader();
    }

    @Override
    @SuppressWarnings("unchecked")
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        if (registry == null) {
            throw new IllegalStateException("AvroDeserializer used before configure()");
        }
        int id = WireFormat.schemaId(data);
        Plan plan = plans.get(id);
        if (plan == null) {
            plan = plan(id, topic);
            plans.put(id, plan);
        }
        if (plan.incompatibility() != null) {
            throw new IncompatibleSchemaException(plan.incompatibility());
        }
        BoundedBinaryDecoder decoder = DECODERS.get().reset(data, WireFormat.HEADER_LENGTH,
                data.length - WireFormat.HEADER_LENGTH);
        Object value;
        try {
            value = plan.reader().read(null, decoder);
        } catch (EOFException e) {
            throw new TruncatedFrameException("Avro body of " + (data.length - WireFormat.HEADER_LENGTH)
                    + " bytes ends early for writer schema id " + id + " (topic " + topic + ")", e);
        } catch (Exception | StackOverflowError e) {
            throw new CorruptBodyException("Avro body does not decode with writer schema id " + id + " (topic "
                    + topic + "): " + e.getClass().getSimpleName() + ": " + e.getMessage(), e);
        }
        if (!decoder.isEnd()) {
            throw new CorruptBodyException("bytes left over after the Avro record of writer schema id " + id
                    + " (topic " + topic + "): the body is not one record of that schema");
        }
        return (T) value;
    }

    private Plan plan(int id, String topic) {
        Schema writer = registry.schemaById(id);
        Schema reader;
        SpecificData model;
        if (targetClass != null) {
            model = SpecificData.getForClass(targetClass);
            reader = model.getSchema(targetClass);
        } else if (readerSchema != null) {
            model = null;
            reader = readerSchema;
        } else if (specificAvroReader && SpecificData.get().getClass(writer) != null) {
            Class<?> generated = SpecificData.get().getClass(writer);
            model = SpecificData.getForClass(generated);
            reader = model.getSchema(generated);
        } else {
            model = null;
            reader = writer;
        }
        if (reader != writer) {
            SchemaCompatibility.SchemaPairCompatibility check = SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
            if (check.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
                return new Plan(null, "writer schema id " + id + " (" + writer.getFullName() + ") cannot be read as "
                        + reader.getFullName() + " (topic " + topic + "): " + check.getDescription());
            }
        }
        DatumReader<Object> datumReader = model != null
                ? new SpecificDatumReader<>(writer, reader, model)
                : new GenericDatumReader<>(writer, reader, GenericData.get());
        return new Plan(datumReader, null);
    }

    @Override
    public void close() {
        if (ownsRegistry && registry != null) {
            registry.close();
        }
    }
}
