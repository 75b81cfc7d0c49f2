package dev.daskrelay.schemas.serde;

import dev.daskrelay.schemas.registry.IncompatibleSchemaException;
import dev.daskrelay.schemas.registry.RegisteredSchema;
import dev.daskrelay.schemas.registry.RegistryForm;
import dev.daskrelay.schemas.registry.SchemaNotRegisteredException;
import dev.daskrelay.schemas.registry.SchemaRegistryClient;
import dev.daskrelay.schemas.registry.SchemaSerdeException;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka serializer writing Avro records (generated {@link SpecificRecord}s or {@code GenericRecord}s, or any
 * {@link GenericContainer}) in Confluent's wire format. Thread-safe (a producer shares one instance between
 * threads). After the first record of a (topic, schema) the hot path touches no registry and no lock.
 *
 * <p>{@code null} serializes to {@code null} (tombstones). Failures are {@link SchemaSerdeException}s.
 *
 * <p>What it registers (or looks up) is the schema's {@link RegistryForm}: without the Java-only properties of
 * generated classes, so it is the same text a non-Java producer registers from {@code schemas/registry/}. With
 * {@code auto.register.schemas=false} a lookup that does not find it tries the generated text too (what daskrelay
 * registered before it used the registry form).
 */
public final class AvroSerializer<T> implements Serializer<T> {

    private record TopicSchema(String topic, Schema schema) {
    }

    /** Reused per thread: an output buffer and its encoder. */
    private static final class Buffer extends OutputStream {
        byte[] bytes = new byte[1024];
        int size;
        BinaryEncoder encoder;

        @Override
        public void write(int b) {
            ensure(1);
            bytes[size++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            ensure(len);
            System.arraycopy(b, off, bytes, size, len);
            size += len;
        }

        private void ensure(int more) {
            if (size + more > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
            }
        }
    }

    private static final ThreadLocal<Buffer> BUFFERS = ThreadLocal.withInitial(Buffer::new);

    private SchemaRegistryClient registry;
    private AvroSerdeConfig config;
    private boolean isKey;
    private boolean ownsRegistry;
    private final Map<TopicSchema, Integer> ids = new ConcurrentHashMap<>();
    private final Map<Schema, DatumWriter<Object>> specificWriters = new ConcurrentHashMap<>();
    private final Map<Schema, DatumWriter<Object>> genericWriters = new ConcurrentHashMap<>();
    /** Identity fast path for the common case of one record type per topic. */
    private record Last(String topic, Schema schema, int id, DatumWriter<Object> writer) {
    }

    private volatile Last last = new Last(null, null, 0, null);

    /** For Kafka's class-name configuration; {@link #configure} must be called. */
    public AvroSerializer() {
    }

    /** A configured serializer over a given client (which the caller closes). */
    public AvroSerializer(SchemaRegistryClient registry, AvroSerdeConfig config, boolean isKey) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.config = Objects.requireNonNull(config, "config");
        this.isKey = isKey;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        this.config = AvroSerdeConfig.from(configs);
        this.registry = config.registry().open();
        this.ownsRegistry = true;
        this.isKey = isKey;
    }

    @Override
    public byte[] serialize(String topic, T data) {
        if (data == null) {
            return null;
        }
        if (!(data instanceof GenericContainer container)) {
            throw new InvalidRecordException("cannot serialize " + data.getClass().getName()
                    + " with the Avro serializer: expected a generated Avro record or a GenericRecord");
        }
        if (registry == null) {
            throw new IllegalStateException("AvroSerializer used before configure()");
        }
        Schema schema = container.getSchema();
        Last hit = last;
        int id;
        DatumWriter<Object> writer;
        if (hit.topic() == topic && hit.schema() == schema && hit.writer() != null
                && (data instanceof SpecificRecord) == (hit.writer() instanceof SpecificDatumWriter)) {
            id = hit.id();
            writer = hit.writer();
        } else {
            id = schemaId(topic, schema);
            writer = writer(data, schema);
            last = new Last(topic, schema, id, writer);
        }
        Buffer buffer = BUFFERS.get();
        buffer.size = 0;
        buffer.ensure(WireFormat.HEADER_LENGTH);
        WireFormat.writeHeader(id, buffer.bytes, 0);
        buffer.size = WireFormat.HEADER_LENGTH;
        try {
            BinaryEncoder encoder = buffer.encoder;
            if (encoder == null) { // bound to this thread's buffer once: flush() leaves it empty for the next record
                encoder = EncoderFactory.get().binaryEncoder(buffer, null);
                buffer.encoder = encoder;
            }
            writer.write(data, encoder);
            encoder.flush();
        } catch (IOException | RuntimeException e) {
            buffer.encoder = null; // the encoder may hold half a record: start the next one with a fresh encoder
            throw new InvalidRecordException("cannot serialize " + schema.getFullName() + " for topic " + topic
                    + ": " + e.getMessage(), e);
        }
        return Arrays.copyOf(buffer.bytes, buffer.size);
    }

    private int schemaId(String topic, Schema schema) {
        TopicSchema key = new TopicSchema(topic, schema);
        Integer id = ids.get(key);
        if (id == null) {
            id = resolveId(topic, schema);
            ids.put(key, id);
        }
        return id;
    }

    private int resolveId(String topic, Schema schema) {
        String subject = config.strategy(isKey).subject(topic, isKey, schema);
        if (config.useLatestVersion()) {
            RegisteredSchema latest = registry.latest(subject).orElseThrow(() -> new SchemaNotRegisteredException(
                    "use.latest.version: subject '" + subject + "' has no version"));
            if (!SchemaNormalization.toParsingForm(latest.schema()).equals(SchemaNormalization.toParsingForm(schema))) {
                throw new IncompatibleSchemaException("use.latest.version: the latest version (" + latest.version()
                        + ", id " + latest.id() + ") of subject '" + subject + "' differs from the record's schema "
                        + schema.getFullName() + "; upgrade the producer or register its schema");
            }
            return latest.id();
        }
        Schema registered = RegistryForm.of(schema); // the text any other producer registers, too
        if (config.autoRegisterSchemas()) {
            return registry.register(subject, registered);
        }
        try {
            return registry.lookup(subject, registered).id();
        } catch (SchemaNotRegisteredException e) {
            if (registered == schema) {
                throw e;
            }
            // a subject filled by an older daskrelay, which registered the generated text with its Java properties
            return registry.lookup(subject, schema).id();
        }
    }

    @SuppressWarnings("unchecked")
    private DatumWriter<Object> writer(Object data, Schema schema) {
        boolean specific = data instanceof SpecificRecord;
        Map<Schema, DatumWriter<Object>> writers = specific ? specificWriters : genericWriters;
        DatumWriter<Object> writer = writers.get(schema);
        if (writer == null) {
            writer = specific
                    ? new SpecificDatumWriter<>(schema, SpecificData.getForClass(data.getClass()))
                    : new GenericDatumWriter<>(schema, GenericData.get());
            writers.put(schema, writer);
        }
        return writer;
    }

    @Override
    public void close() {
        if (ownsRegistry && registry != null) {
            registry.close();
        }
    }
}
