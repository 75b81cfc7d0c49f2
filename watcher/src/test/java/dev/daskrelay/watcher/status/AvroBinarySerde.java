package dev.daskrelay.watcher.status;

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

import java.io.ByteArrayOutputStream;
import java.io.IOException;

/** Test-only serde: plain Avro binary of one SpecificRecord class (no registry, no wire-format header). */
final class AvroBinarySerde<T extends SpecificRecord> implements Serde<T> {

    private final Class<T> type;

    AvroBinarySerde(Class<T> type) {
        this.type = type;
    }

    @Override
    public Serializer<T> serializer() {
        return (topic, value) -> {
            if (value == null) {
                return null;
            }
            try {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
                new SpecificDatumWriter<T>(value.getSchema()).write(value, enc);
                enc.flush();
                return out.toByteArray();
            } catch (IOException e) {
                throw new SerializationException(e);
            }
        };
    }

    @Override
    public Deserializer<T> deserializer() {
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            try {
                var schema = SpecificData.get().getSchema(type);
                BinaryDecoder dec = DecoderFactory.get().binaryDecoder(bytes, null);
                T value = new SpecificDatumReader<T>(schema).read(null, dec);
                if (!dec.isEnd()) {
                    throw new SerializationException("trailing bytes after a " + type.getSimpleName());
                }
                return value;
            } catch (IOException | RuntimeException e) {
                throw new SerializationException("not a " + type.getSimpleName() + ": " + e, e);
            }
        };
    }
}
