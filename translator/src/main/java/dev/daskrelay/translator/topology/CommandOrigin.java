package dev.daskrelay.translator.topology;

import dev.daskrelay.schemas.DeadLetterHeaders;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Where a command was read from, carried across the repartition topic in the record's headers (the
 * {@link DeadLetterHeaders} source headers), so that a command dead-lettered after the repartition names its
 * place on {@code <prefix>.commands}, not on the internal topic.
 *
 * @param topic the topic the producer wrote to
 * @param partition its partition
 * @param offset its offset
 */
record CommandOrigin(String topic, int partition, long offset) {

    /** The origin stamped by {@link Stamp}, or null when the headers carry none. */
    static CommandOrigin from(Headers headers) {
        String topic = DeadLetterHeaders.get(headers, DeadLetterHeaders.SOURCE_TOPIC);
        String partition = DeadLetterHeaders.get(headers, DeadLetterHeaders.SOURCE_PARTITION);
        String offset = DeadLetterHeaders.get(headers, DeadLetterHeaders.SOURCE_OFFSET);
        if (topic == null || partition == null || offset == null) {
            return null;
        }
        try {
            return new CommandOrigin(topic, Integer.parseInt(partition), Long.parseLong(offset));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    void writeTo(Headers headers) {
        put(headers, DeadLetterHeaders.SOURCE_TOPIC, topic);
        put(headers, DeadLetterHeaders.SOURCE_PARTITION, Integer.toString(partition));
        put(headers, DeadLetterHeaders.SOURCE_OFFSET, Long.toString(offset));
    }

    private static void put(Headers headers, String key, String value) {
        headers.remove(key);
        headers.add(key, value.getBytes(StandardCharsets.UTF_8));
    }

    /** The first step of the command topology: stamps the origin on the record, changes nothing else. */
    static final class Stamp implements FixedKeyProcessor<byte[], byte[], byte[]> {
        private FixedKeyProcessorContext<byte[], byte[]> context;

        @Override
        public void init(FixedKeyProcessorContext<byte[], byte[]> context) {
            this.context = context;
        }

        @Override
        public void process(FixedKeyRecord<byte[], byte[]> record) {
            RecordMetadata meta = context.recordMetadata().orElse(null);
            if (meta != null) {
                new CommandOrigin(meta.topic(), meta.partition(), meta.offset()).writeTo(record.headers());
            }
            context.forward(record);
        }
    }
}
