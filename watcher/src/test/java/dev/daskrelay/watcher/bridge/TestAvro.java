package dev.daskrelay.watcher.bridge;

import dev.daskrelay.avro.v1.Observation;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Test-only plain Avro binary serde of {@link Observation} (no registry, no Confluent framing): the bridge takes any
 * configured serializer; production passes the Confluent-format one.
 */
final class TestAvro {

    private TestAvro() {
    }

    static Serializer<Observation> serializer() {
        SpecificDatumWriter<Observation> writer = new SpecificDatumWriter<>(Observation.class);
        return (topic, o) -> {
            try {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
                writer.write(o, enc);
                enc.flush();
                return out.toByteArray();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }

    static Deserializer<Observation> deserializer() {
        SpecificDatumReader<Observation> reader = new SpecificDatumReader<>(Observation.class);
        return (topic, bytes) -> {
            try {
                return reader.read(null, DecoderFactory.get().binaryDecoder(bytes, null));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }
}
