package dev.daskrelay.schemas.serde;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Test-only serde: plain Avro binary of one SpecificRecord class, no registry, no wire-format header; trailing
 * bytes are refused. Shared with the translator's and the watcher's tests through this module's test-jar.
 */
public final class AvroBinarySerde<T extends SpecificRecord> implements Serde<T> {

    private final Schema schema;

    public AvroBinarySerde(Class<T> type) {
        this.schema = SpecificData.get().getSchema(type);
    }

    @Override
    public Serializer<T> serializer() {
        SpecificDatumWriter<T> writer = new SpecificDatumWriter<>(schema);
        return (topic, value) -> {
            if (value == null) {
                return null;
            }
            try {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
                writer.write(value, enc);
                enc.flush();
                return out.toByteArray();
            } catch (IOException e) {
                throw new SerializationException(e);
            }
        };
    }

    @Override
    public Deserializer<T> deserializer() {
        SpecificDatumReader<T> reader = new SpecificDatumReader<>(schema);
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            T value;
            BinaryDecoder dec = DecoderFactory.get().binaryDecoder(bytes, null);
            try {
                value = reader.read(null, dec);
                if (!dec.isEnd()) {
                    throw new IOException("trailing bytes");
                }
            } catch (IOException | RuntimeException e) {
                throw new SerializationException("not a " + schema.getName() + ": " + e, e);
            }
            return value;
        };
    }
}
