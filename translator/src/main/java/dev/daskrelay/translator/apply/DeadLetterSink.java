package dev.daskrelay.translator.apply;

import dev.daskrelay.schemas.DeadLetterHeaders;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Where an intent record that cannot be decoded goes: the dead-letter topic, with its original key, value and
 * headers plus {@link DeadLetterHeaders}. Returns once the record is durably written.
 */
@FunctionalInterface
public interface DeadLetterSink {

    void deadLetter(RecordDeserializationException undecodable) throws Exception;

    /** Writes to {@code topic} with {@code producer} and waits for the acknowledgement. */
    static DeadLetterSink toTopic(Producer<byte[], byte[]> producer, String topic) {
        return e -> {
            RecordHeaders headers = new RecordHeaders(e.headers() == null ? new Header[0] : e.headers().toArray());
            DeadLetterHeaders.add(headers, e.getCause() == null ? e : e.getCause(), DeadLetterHeaders.Stage.DESERIALIZE,
                    "applier",
                    e.topicPartition().topic(), e.topicPartition().partition(), e.offset(), Instant.now());
            producer.send(new ProducerRecord<>(topic, null, e.timestamp() < 0 ? null : e.timestamp(),
                    bytes(e.keyBuffer()), bytes(e.valueBuffer()), headers)).get(30, TimeUnit.SECONDS);
        };
    }

    private static byte[] bytes(ByteBuffer buffer) {
        if (buffer == null) {
            return null;
        }
        ByteBuffer b = buffer.duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}
