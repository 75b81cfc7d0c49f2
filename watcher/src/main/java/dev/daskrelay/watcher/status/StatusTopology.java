package dev.daskrelay.watcher.status;

import dev.daskrelay.avro.v1.DaskJobIntent;
import dev.daskrelay.avro.v1.Observation;
import dev.daskrelay.avro.v1.TaskStatus;
import dev.daskrelay.schemas.DeadLetterHeaders;
import dev.daskrelay.schemas.KeyPartitioning;
import dev.daskrelay.schemas.LogKeys;
import dev.daskrelay.schemas.registry.SchemaSerdeException;
import dev.daskrelay.schemas.retention.ExpirySweep;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
/**
 * The status topology: {@code <prefix>.observations} → per-task state machine → {@code <prefix>.status} (the only
 * writer), plus DaskJob DELETE intents to {@code <prefix>.intents} for Stuck/Timeout/image failures and
 * undecodable or unusable observations to {@code <prefix>.dead-letters} (original key, value and headers plus the
 * project's {@link DeadLetterHeaders}; Kafka 4.1.1 has no built-in Streams dead-letter queue, KIP-1034 arrives
 * in 4.2, so the processor forwards them itself, inside the same transaction). Run it with exactly_once_v2
 * ({@link #streamsProperties}): the state store, status events, intents, dead letters and the input offsets commit
 * together.
 *
 * <pre>
 *  observations (bytes) ─► status-processor ─┬─► status        (TaskStatus + CloudEvents headers)
 *                          │ stores:          ├─► intents       (DaskJobIntent DELETE)
 *                          │  status-tasks    └─► dead-letters  (original bytes + error headers)
 *                          │  status-timers
 *                          └ wall-clock punctuation: timers due → tick; finished tasks forgotten after the
 *                            retention ({@link StatusExpiry})
 * </pre>
 */
public final class StatusTopology {

    public static final String TASKS_STORE = "status-tasks";
    public static final String TIMERS_STORE = "status-timers";
    static final String SOURCE = "observations-source";
    static final String PROCESSOR = "status-processor";
    static final String STATUS_SINK = "status-sink";
    static final String INTENTS_SINK = "intents-sink";
    static final String DEAD_LETTER_SINK = "dead-letter-sink";
    /** {@link DeadLetterHeaders#ERROR_PROCESSOR} of records this topology dead-letters. */
    public static final String PROCESSOR_NAME = "status";
    /**
     * Default commit interval (under exactly-once, the transaction length; Kafka Streams' own default is 100 ms).
     * A status event waits on average half of it, at most all of it, before read_committed readers see it;
     * docs/PERFORMANCE.md measures the latency and the broker's cost at several values.
     */
    public static final Duration DEFAULT_COMMIT_INTERVAL = Duration.ofMillis(100);

    private static final Logger LOG = LoggerFactory.getLogger(StatusTopology.class);

    private final StatusSettings settings;
    private final StatusSerdes serdes;
    private final StatusMetrics metrics;
    private final StatusExpiry expiry;

    /** A status topology that never forgets a task. */
    public StatusTopology(StatusSettings settings, StatusSerdes serdes, MeterRegistry registry) {
        this(settings, serdes, registry, null);
    }

    /**
     * @param retention how long after its last change a finished task is forgotten ({@link StatusExpiry}); null =
     *                  never
     */
    public StatusTopology(StatusSettings settings, StatusSerdes serdes, MeterRegistry registry, Duration retention) {
        this.settings = settings;
        this.serdes = serdes;
        this.metrics = new StatusMetrics(registry);
        this.expiry = retention == null ? null : new StatusExpiry(retention);
    }

    /** Kafka Streams properties this topology needs (merge Kafka client properties on top, but keep these). */
    public static Properties streamsProperties(String applicationId, String bootstrapServers) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class.getName());
        p.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class.getName());
        return p;
    }

    public Topology build() {
        Topology t = new Topology();
        t.addSource(SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(), settings.observationsTopic());
        t.addProcessor(PROCESSOR, StatusProcessor::new, SOURCE);
        // timestamped: a finished task's expiry counts from its last write (a store of an earlier version without
        // timestamps is upgraded in place by Kafka Streams; its entries get a time at the first sweep)
        t.addStateStore(Stores.timestampedKeyValueStoreBuilder(Stores.persistentTimestampedKeyValueStore(TASKS_STORE),
                Serdes.String(), new TaskStateSerde()), PROCESSOR);
        t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(TIMERS_STORE), Serdes.String(),
                Serdes.Long()), PROCESSOR);
        // partitioned by murmur2(taskId) explicitly, whatever partitioner.class the Kafka properties set: the
        // submitter finds a task's status by computing its partition, the applier's lanes follow the intents' keys
        t.addSink(STATUS_SINK, settings.statusTopic(), new StringSerializer(), serdes.statuses().serializer(),
                StatusTopology::taskPartition, PROCESSOR);
        t.addSink(INTENTS_SINK, settings.intentsTopic(), new StringSerializer(), serdes.intents().serializer(),
                StatusTopology::taskPartition, PROCESSOR);
        t.addSink(DEAD_LETTER_SINK, settings.deadLettersTopic(), new ByteArraySerializer(), new ByteArraySerializer(),
                PROCESSOR);
        return t;
    }

    private static Optional<Set<Integer>> taskPartition(String topic, String key, Object value, int partitions) {
        return Optional.of(Set.of(KeyPartitioning.murmur2(key, partitions)));
    }

    /** Thin shell around {@link TaskStateMachine}: decode, load, step, store, forward, count. */
    private final class StatusProcessor implements Processor<byte[], byte[], Object, Object> {
        private ProcessorContext<Object, Object> context;
        private TimestampedKeyValueStore<String, TaskState> tasks;
        private KeyValueStore<String, Long> timers;
        private ExpirySweep<TaskState> sweep;
        private final RecentStates recent = new RecentStates(RecentStates.DEFAULT_CAPACITY);

        @Override
        public void init(ProcessorContext<Object, Object> context) {
            this.context = context;
            recent.clear(); // the store may have been wiped and restored since this processor last ran
            this.tasks = context.getStateStore(TASKS_STORE);
            this.timers = context.getStateStore(TIMERS_STORE);
            context.schedule(settings.punctuationInterval(), PunctuationType.WALL_CLOCK_TIME, this::punctuate);
            if (expiry != null) {
                sweep = new ExpirySweep<>(tasks, (taskId, state, writtenAt, now) -> expiry.expired(state, writtenAt, now),
                        StatusExpiry.SWEEP_BATCH);
                context.schedule(StatusExpiry.SWEEP_INTERVAL, PunctuationType.WALL_CLOCK_TIME, this::forgetExpired);
            }
        }

        private void forgetExpired(long now) {
            ExpirySweep.Result r = sweep.sweep(now);
            for (String taskId : r.expired()) {
                recent.forget(taskId);
                timers.delete(taskId); // none for a finished task; an orphan's, if it had one
            }
            if (!r.expired().isEmpty()) {
                metrics.expired(r.expired().size());
                LOG.debug("forgot {} finished tasks older than {} (examined {})", r.expired().size(),
                        expiry.retention(), r.examined());
            }
        }

        @Override
        public void process(Record<byte[], byte[]> record) {
            RecordMetadata meta = context.recordMetadata().orElse(null);
            String topic = meta == null ? settings.observationsTopic() : meta.topic();
            Observation o;
            try {
                o = serdes.observations().deserializer().deserialize(topic, record.headers(), record.value());
                if (o == null) {
                    throw new IllegalArgumentException("value: an observation is required (null record value)");
                }
            } catch (RuntimeException e) {
                if (SchemaSerdeException.isTransient(e)) {
                    throw e; // the registry, not the record: the thread is replaced and the record retried
                }
                deadLetter(record, meta, e, DeadLetterHeaders.Stage.DESERIALIZE);
                return;
            }
            String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
            String taskId = key != null ? key : o.getTaskId();
            if (taskId == null || taskId.isBlank() || !taskId.equals(o.getTaskId())) {
                deadLetter(record, meta, new IllegalArgumentException("taskId: the record key '" + key
                        + "' and the observation's taskId '" + o.getTaskId() + "' must be the same task id"),
                        DeadLetterHeaders.Stage.PROCESS);
                return;
            }
            Instant now = Instant.ofEpochMilli(context.currentSystemTimeMs());
            try (var ignored = MDC.putCloseable(LogKeys.TASK_ID, taskId)) {
                TaskState state = load(taskId);
                TaskStateMachine.Step step;
                try {
                    step = TaskStateMachine.apply(state == null ? TaskState.initial(taskId) : state, o, now,
                            settings);
                } catch (RuntimeException e) {
                    // A decodable observation the pure core cannot use (a bug or a contract breach): park it.
                    LOG.warn("observation {} cannot be applied: {}", o.getObservationId(), e.toString());
                    deadLetter(record, meta, e, DeadLetterHeaders.Stage.PROCESS);
                    return;
                }
                metrics.observation(o, step.ignored());
                commit(taskId, state, step);
            }
        }

        private void punctuate(long wallClockMs) {
            Instant now = Instant.ofEpochMilli(wallClockMs);
            List<String> due = new ArrayList<>();
            try (KeyValueIterator<String, Long> it = timers.all()) {
                while (it.hasNext()) {
                    var kv = it.next();
                    if (kv.value != null && kv.value <= wallClockMs) {
                        due.add(kv.key);
                    }
                }
            }
            for (String taskId : due) {
                try (var ignored = MDC.putCloseable(LogKeys.TASK_ID, taskId)) {
                    TaskState state = load(taskId);
                    if (state == null) {
                        timers.delete(taskId);
                        continue;
                    }
                    commit(taskId, state, TaskStateMachine.tick(state, now, settings));
                }
            }
        }

        /** The task's state: the one this processor last wrote or read, else the store's (null: none). */
        private TaskState load(String taskId) {
            TaskState state = recent.get(taskId);
            if (state == null) {
                state = ValueAndTimestamp.getValueOrNull(tasks.get(taskId));
                if (state != null) {
                    recent.stored(taskId, state);
                }
            }
            return state;
        }

        private void commit(String taskId, TaskState before, TaskStateMachine.Step step) {
            TaskState after = step.state();
            if (!after.equals(before)) {
                recent.forget(taskId); // a put that fails must not leave the older state behind
                tasks.put(taskId, ValueAndTimestamp.make(after, context.currentSystemTimeMs()));
                recent.stored(taskId, after);
            }
            Instant due = PhaseDerivation.nextTimerDue(after, settings);
            Instant dueBefore = before == null ? null : PhaseDerivation.nextTimerDue(before, settings);
            if (due == null && dueBefore != null) {
                timers.delete(taskId);
            } else if (due != null && !due.equals(dueBefore)) {
                timers.put(taskId, due.toEpochMilli());
            }
            for (TaskStateMachine.RejectedTransition r : step.rejected()) {
                LOG.debug("transition {} -> {} rejected", r.from(), r.to());
                metrics.rejected(r);
            }
            for (TaskStatus e : step.events()) {
                Headers h = CloudEventHeaders.of(e, settings.cloudEventsSource());
                context.forward(new Record<Object, Object>(taskId, e, e.getObservedAt().toEpochMilli(), h), STATUS_SINK);
                metrics.event(e, after);
                LOG.info("status {} {} v{} {}", e.getSequence(), e.getPhase(), e.getPhaseVersion(), e.getReason());
            }
            for (DaskJobIntent i : step.intents()) {
                context.forward(new Record<Object, Object>(taskId, i, i.getIssuedAt().toEpochMilli()), INTENTS_SINK);
                metrics.deleteIntent(i);
                LOG.info("asked to delete DaskJob {}/{}: {}", i.getNamespace(), i.getName(), i.getReason());
            }
        }

        @Override
        public void close() {
            recent.clear();
        }

        private void deadLetter(Record<byte[], byte[]> record, RecordMetadata meta, Exception e,
                                DeadLetterHeaders.Stage stage) {
            LOG.warn("observation at {}-{}@{} sent to {}: {}", meta == null ? "?" : meta.topic(),
                    meta == null ? -1 : meta.partition(), meta == null ? -1 : meta.offset(),
                    settings.deadLettersTopic(), e.toString());
            Headers h = new RecordHeaders(record.headers().toArray());
            DeadLetterHeaders.add(h, e, stage, PROCESSOR_NAME, meta == null ? settings.observationsTopic() : meta.topic(),
                    meta == null ? -1 : meta.partition(), meta == null ? -1 : meta.offset(),
                    Instant.ofEpochMilli(context.currentSystemTimeMs()));
            context.forward(new Record<Object, Object>(record.key(), record.value(), record.timestamp(), h), DEAD_LETTER_SINK);
            metrics.deadLetter(stage);
        }
    }
}
