package dev.daskrelay.translator.topology;

import dev.daskrelay.avro.v1.AbortDaskJob;
import dev.daskrelay.avro.v1.LaunchDaskJob;
import dev.daskrelay.avro.v1.TaskCommand;
import dev.daskrelay.schemas.DeadLetterHeaders;
import dev.daskrelay.schemas.LogKeys;
import dev.daskrelay.schemas.registry.SchemaSerdeException;
import dev.daskrelay.schemas.retention.ExpirySweep;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The shell around {@link CommandDecider}: decodes the raw command, reads and writes the fate store, forwards the
 * intent and the observation, and sends what cannot be decoded (or processed) to the dead-letter sink with the
 * original key and value bytes and the record's place on the commands topic ({@link CommandOrigin}, when it comes
 * through the repartition topic). Everything it forwards goes out in the stream task's transaction. With a
 * {@link FateExpiry}, a wall-clock punctuator forgets fates whose last write is older than the retention.
 */
final class CommandProcessor implements Processor<byte[], byte[], Object, Object> {

    private static final Logger LOG = LoggerFactory.getLogger(CommandProcessor.class);
    static final String PROCESSOR_NAME = "translator";

    private final Deserializer<TaskCommand> commands;
    private final LaunchPreparation preparation;
    private final CommandMetrics metrics;
    private final boolean repartitioned;
    private final FateExpiry expiry;
    private ProcessorContext<Object, Object> context;
    private TimestampedKeyValueStore<String, TaskFate> fates;
    private ExpirySweep<TaskFate> sweep;

    /**
     * @param repartitioned true when the records come from the repartition topic and carry their origin in headers
     * @param expiry when fates are forgotten; null = never
     */
    CommandProcessor(Deserializer<TaskCommand> commands, LaunchPreparation preparation, CommandMetrics metrics,
                     boolean repartitioned, FateExpiry expiry) {
        this.commands = commands;
        this.preparation = preparation;
        this.metrics = metrics;
        this.repartitioned = repartitioned;
        this.expiry = expiry;
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
        this.fates = context.getStateStore(CommandTopology.FATE_STORE);
        if (expiry != null) {
            sweep = new ExpirySweep<>(fates, (taskId, fate, writtenAt, now) -> expiry.expired(writtenAt, now),
                    FateExpiry.SWEEP_BATCH);
            context.schedule(FateExpiry.SWEEP_INTERVAL, PunctuationType.WALL_CLOCK_TIME, this::forgetExpired);
        }
    }

    private void forgetExpired(long now) {
        ExpirySweep.Result r = sweep.sweep(now);
        if (!r.expired().isEmpty()) {
            metrics.fatesExpired(r.expired().size());
            LOG.debug("forgot {} fates older than {} (examined {})", r.expired().size(), expiry.retention(),
                    r.examined());
        }
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        CommandOrigin origin = origin(record);
        String topic = origin.topic();
        if (repartitioned && context.recordMetadata().map(RecordMetadata::partition).orElse(-1) != origin.partition()) {
            metrics.rerouted();
        }
        TaskCommand command;
        try {
            if (record.value() == null) {
                throw new IllegalArgumentException("record has no value (tombstone)");
            }
            command = commands.deserialize(topic, record.headers(), record.value());
            if (command == null) {
                throw new IllegalArgumentException("value decoded to null");
            }
            String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
            if (!command.getTaskId().equals(key)) {
                throw new IllegalArgumentException("record key " + (key == null ? "null" : "\"" + key + "\"")
                        + " is not the command's taskId \"" + command.getTaskId() + "\"");
            }
        } catch (RuntimeException e) {
            if (SchemaSerdeException.isTransient(e)) {
                throw e; // the registry, not the record: fail the task, the thread is replaced and retries it
            }
            deadLetter(record, origin, e, DeadLetterHeaders.Stage.DESERIALIZE);
            return;
        }
        try (var ignored = MDC.putCloseable(LogKeys.TASK_ID, command.getTaskId())) {
            try {
                decide(command);
            } catch (RuntimeException e) {
                deadLetter(record, origin, e, DeadLetterHeaders.Stage.PROCESS); // logged with the task id
            }
        }
    }

    private void decide(TaskCommand command) {
        boolean launch = command.getPayload() instanceof LaunchDaskJob;
        if (!launch && !(command.getPayload() instanceof AbortDaskJob)) {
            throw new IllegalArgumentException("payload: unsupported type");
        }
        metrics.command(launch);
        Instant now = Instant.ofEpochMilli(context.currentSystemTimeMs());
        TaskFate fate = ValueAndTimestamp.getValueOrNull(fates.get(command.getTaskId()));
        CommandDecider.Decision d = CommandDecider.decide(fate, command, preparation::prepare, now);
        if (d.fate() != null) {
            fates.put(command.getTaskId(), ValueAndTimestamp.make(d.fate(), now.toEpochMilli()));
        }
        long ts = now.toEpochMilli();
        if (d.intent() != null) {
            context.forward(new Record<>(command.getTaskId(), d.intent(), ts, new RecordHeaders()),
                    CommandTopology.INTENTS_SINK);
            metrics.intent(d.intent().getAction());
        }
        context.forward(new Record<>(command.getTaskId(), d.observation(), ts, new RecordHeaders()),
                CommandTopology.OBSERVATIONS_SINK);
        metrics.outcome(d.kind());
        LOG.info("command {} ({}): {}", command.getCommandId(), launch ? "launch" : "abort", d.kind());
    }

    /** Where the record was written by its producer: stamped before the repartition, else this record's place. */
    private CommandOrigin origin(Record<byte[], byte[]> record) {
        CommandOrigin stamped = repartitioned ? CommandOrigin.from(record.headers()) : null;
        if (stamped != null) {
            return stamped;
        }
        RecordMetadata meta = context.recordMetadata().orElse(null);
        return meta == null ? new CommandOrigin("?", -1, -1) : new CommandOrigin(meta.topic(), meta.partition(),
                meta.offset());
    }

    private void deadLetter(Record<byte[], byte[]> record, CommandOrigin origin, RuntimeException error,
                            DeadLetterHeaders.Stage stage) {
        RecordHeaders headers = new RecordHeaders(record.headers().toArray());
        DeadLetterHeaders.add(headers, error, stage, PROCESSOR_NAME, origin.topic(), origin.partition(),
                origin.offset(), Instant.ofEpochMilli(context.currentSystemTimeMs()));
        context.forward(new Record<Object, Object>(record.key(), record.value(), record.timestamp(), headers),
                CommandTopology.DEAD_LETTER_SINK);
        metrics.deadLetter(stage);
        LOG.warn("dead-lettered a record of {} at {}/{} ({}): {}", origin.topic(), origin.partition(), origin.offset(),
                stage, error.toString());
    }
}
