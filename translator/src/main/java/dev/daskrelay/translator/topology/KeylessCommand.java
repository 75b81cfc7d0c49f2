package dev.daskrelay.translator.topology;

import dev.daskrelay.schemas.DeadLetterHeaders;
import java.time.Instant;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A command record without a key cannot be routed to its task (the key is the task id), and a repartition would
 * drop it: so it is dead-lettered before the repartition, with its original bytes and its place on the commands
 * topic, in the same transaction as the read.
 */
final class KeylessCommand implements FixedKeyProcessor<byte[], byte[], byte[]> {

    private static final Logger LOG = LoggerFactory.getLogger(KeylessCommand.class);

    private final CommandMetrics metrics;
    private FixedKeyProcessorContext<byte[], byte[]> context;

    KeylessCommand(CommandMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void init(FixedKeyProcessorContext<byte[], byte[]> context) {
        this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<byte[], byte[]> record) {
        RecordMetadata meta = context.recordMetadata().orElse(null);
        IllegalArgumentException error = new IllegalArgumentException(
                "record key null is not the command's taskId (every command must be keyed by its task id)");
        DeadLetterHeaders.add(record.headers(), error, DeadLetterHeaders.Stage.DESERIALIZE, CommandProcessor.PROCESSOR_NAME,
                meta == null ? "?" : meta.topic(), meta == null ? -1 : meta.partition(),
                meta == null ? -1 : meta.offset(), Instant.ofEpochMilli(context.currentSystemTimeMs()));
        context.forward(record);
        metrics.deadLetter(DeadLetterHeaders.Stage.DESERIALIZE);
        LOG.warn("dead-lettered a command without a key at {}/{}", meta == null ? -1 : meta.partition(),
                meta == null ? -1 : meta.offset());
    }
}
