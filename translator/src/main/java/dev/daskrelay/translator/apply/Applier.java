package dev.daskrelay.translator.apply;

import dev.daskrelay.avro.v1.DaskJobIntent;
import dev.daskrelay.avro.v1.Observation;
import dev.daskrelay.ops.Lifecycle;
import dev.daskrelay.schemas.registry.SchemaSerdeException;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The at-least-once edge between {@code <prefix>.intents} and the Kubernetes API: the poll loop and its lifecycle.
 *
 * <p>One poll thread owns the consumer. It hands each intent to the {@link AttemptRunner} (per-task lanes, worker
 * threads, retries on a timer), records it in {@link IntentOffsets}, commits synchronously only up to the lowest
 * unfinished offset of each partition, and pauses partitions as {@link IntentOffsets#pausePlan} says. An intent is
 * finished when its outcome observation is acknowledged by Kafka; only then can its offset be committed. A crash
 * anywhere before that re-delivers the intent; the create is idempotent (409 + same spec hash = ALREADY_EXISTED),
 * the delete too (404 = NOT_FOUND), and observation ids are deterministic. Undecodable intent records go to the
 * {@link DeadLetterSink}. The lifecycle, and what a failure means, is {@link ApplierState}.
 */
public final class Applier implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Applier.class);

    private final ApplierSettings settings;
    private final Consumer<String, DaskJobIntent> consumer;
    private final Producer<String, Observation> producer;
    private final Clock clock;
    private final DeadLetterSink deadLetters;
    private final IntentOffsets offsets;
    private final AttemptRunner attempts;
    private final ApplierMetrics metrics;
    /** Partitions assigned to this applier now (read by worker threads: attempts of revoked ones stop). */
    private final Set<TopicPartition> owned = ConcurrentHashMap.newKeySet();
    private final Lifecycle<ApplierState> lifecycle = new Lifecycle<>("applier", ApplierState.CREATED);
    private volatile long lastLoopMillis;
    private Thread thread;

    /** An applier without a dead-letter sink: an undecodable intent stops the poll loop (tests and benchmarks). */
    public Applier(ApplierSettings settings, Consumer<String, DaskJobIntent> consumer,
                   Producer<String, Observation> producer, DaskJobApi api, MeterRegistry registry, Clock clock,
                   ApplyHooks hooks) {
        this(settings, consumer, producer, api, registry, clock, hooks, null);
    }

    public Applier(ApplierSettings settings, Consumer<String, DaskJobIntent> consumer,
                   Producer<String, Observation> producer, DaskJobApi api, MeterRegistry registry, Clock clock,
                   ApplyHooks hooks, DeadLetterSink deadLetters) {
        this.settings = settings;
        this.consumer = consumer;
        this.producer = producer;
        this.clock = clock;
        this.deadLetters = deadLetters;
        this.offsets = new IntentOffsets(settings.maxPending(), settings.maxPendingPerPartition());
        this.metrics = new ApplierMetrics(registry, offsets::inFlight);
        this.attempts = new AttemptRunner(settings, producer, api, clock, hooks, metrics, new AttemptRunner.Listener() {
            @Override
            public boolean halted() {
                return lifecycle.is(ApplierState.HALTED);
            }

            @Override
            public boolean owns(TopicPartition partition) {
                return owned.contains(partition);
            }

            @Override
            public void finished(IntentInFlight intent) {
                offsets.finished(intent.partition(), intent.offset());
            }

            @Override
            public void failed(String what, Throwable error) {
                fail(what, error);
            }
        });
    }

    /** An unrecoverable error: FAILED (see {@link ApplierState}), unless already stopped; logged either way. */
    private void fail(String what, Throwable error) {
        lifecycle.transitionTo(ApplierState.FAILED);
        LOG.error(what, error);
    }

    /** Consumer properties the applier relies on: read_committed, no auto-commit. */
    public static Properties consumerProperties(Properties base, String groupId) {
        Properties p = new Properties();
        p.putAll(base);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "500");
        return p;
    }

    /** Producer properties for observations: idempotent, acks=all. */
    public static Properties producerProperties(Properties base) {
        Properties p = new Properties();
        p.putAll(base);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "2");
        return p;
    }

    /** Starts the poll loop on its own thread. */
    public synchronized Applier start() {
        if (thread == null && lifecycle.transitionTo(ApplierState.RUNNING)) {
            lastLoopMillis = clock.millis();
            thread = new Thread(this::loop, "applier-poll");
            thread.start();
        }
        return this;
    }

    /** True while RUNNING and the poll loop turns (it polls at least every 100 ms). */
    public boolean healthy(Duration maxLoopGap) {
        return lifecycle.is(ApplierState.RUNNING) && clock.millis() - lastLoopMillis <= maxLoopGap.toMillis();
    }

    public ApplierState state() {
        return lifecycle.state();
    }

    /** Intents in progress (the in-flight gauge). */
    public int inFlight() {
        return offsets.inFlight();
    }

    private void loop() {
        try {
            consumer.subscribe(List.of(settings.intentsTopic()), new Rebalance());
            while (lifecycle.is(ApplierState.RUNNING)) {
                ConsumerRecords<String, DaskJobIntent> records;
                try {
                    records = consumer.poll(Duration.ofMillis(100));
                } catch (WakeupException e) {
                    continue;
                } catch (RecordDeserializationException e) {
                    undecodable(e);
                    lastLoopMillis = clock.millis();
                    continue;
                }
                if (lifecycle.is(ApplierState.HALTED) || lifecycle.is(ApplierState.FAILED)) {
                    break;
                }
                for (ConsumerRecord<String, DaskJobIntent> r : records) {
                    IntentInFlight intent = new IntentInFlight(r);
                    if (offsets.committedUnread(intent.partition())) {
                        offsets.assigned(intent.partition(),
                                consumer.committed(Set.of(intent.partition())).get(intent.partition()));
                    }
                    offsets.started(intent.partition(), intent.offset());
                    if (offsets.alreadyFinished(intent.partition(), intent.offset())) {
                        // applied by the partition's earlier owner (commit metadata): a create applied again after
                        // its task's delete would run the task a second time
                        metrics.skippedAlreadyApplied();
                        offsets.finished(intent.partition(), intent.offset());
                        continue;
                    }
                    attempts.submit(intent);
                }
                commitFinished();
                applyPausePlan();
                lastLoopMillis = clock.millis();
            }
            if (!lifecycle.is(ApplierState.HALTED)) {
                drainGracefully();
                lifecycle.transitionTo(ApplierState.STOPPED); // from DRAINING; FAILED stays FAILED
            }
        } catch (RuntimeException e) {
            fail("applier poll loop failed; intents not committed will be re-delivered", e);
        } finally {
            if (lifecycle.is(ApplierState.HALTED)) {
                consumer.close(Duration.ZERO);
            } else {
                consumer.close();
            }
        }
    }

    /**
     * An intent record the deserializer refused. When the record itself is bad (poison), it goes to the dead-letter
     * topic and the applier moves past it, its offset committed like any finished one. When the cause is not the
     * record's fault (the schema registry unreachable or refusing credentials), nothing moves: the next poll
     * tries the same record again after a short back-off.
     */
    private void undecodable(RecordDeserializationException e) {
        Throwable cause = e.getCause();
        boolean transientCause = cause instanceof SchemaSerdeException sse && !sse.reason().poison();
        if (transientCause || deadLetters == null) {
            if (!transientCause) {
                throw e; // no dead-letter sink configured: stop rather than lose the record
            }
            LOG.warn("intent at {}/{} cannot be decoded yet ({}); retrying", e.topicPartition(), e.offset(),
                    cause.toString());
            LockSupport.parkNanos(Duration.ofSeconds(1).toNanos());
            return;
        }
        try {
            deadLetters.deadLetter(e);
        } catch (Exception sinkError) {
            throw new IllegalStateException("cannot dead-letter the undecodable intent at " + e.topicPartition()
                    + "/" + e.offset(), sinkError);
        }
        LOG.warn("dead-lettered an undecodable intent at {}/{}: {}", e.topicPartition(), e.offset(),
                cause == null ? e.getMessage() : cause.toString());
        offsets.started(e.topicPartition(), e.offset());
        offsets.finished(e.topicPartition(), e.offset());
        consumer.seek(e.topicPartition(), e.offset() + 1);
    }

    private void commitFinished() {
        Map<TopicPartition, OffsetAndMetadata> commit = offsets.toCommit();
        if (commit.isEmpty() || lifecycle.is(ApplierState.HALTED)) {
            return;
        }
        try {
            consumer.commitSync(commit);
        } catch (WakeupException e) {
            if (lifecycle.is(ApplierState.HALTED)) {
                return; // a killed process commits nothing more
            }
            consumer.commitSync(commit); // woken up by close(): the wake-up is used up, commit again
        }
        offsets.committed(commit);
    }

    /** Pauses everything when too much is unfinished, or just the partitions that are stuck (retries). */
    private void applyPausePlan() {
        IntentOffsets.PausePlan plan = offsets.pausePlan(consumer.assignment());
        if (!plan.pause().isEmpty()) {
            consumer.pause(plan.pause());
        }
        if (!plan.resume().isEmpty()) {
            consumer.resume(plan.resume());
        }
    }

    private void drainGracefully() {
        long deadline = clock.millis() + settings.shutdownGrace().toMillis();
        consumer.pause(consumer.assignment());
        while (offsets.inFlight() > 0 && clock.millis() < deadline && !lifecycle.is(ApplierState.FAILED)) {
            try {
                consumer.poll(Duration.ofMillis(50)); // keeps the group membership; partitions are paused
            } catch (WakeupException e) {
                // close() woke us up; keep draining until the deadline
            }
            commitFinished();
        }
        producer.flush();
        commitFinished();
        if (offsets.inFlight() > 0) {
            LOG.warn("stopping with {} intents unfinished; they are re-delivered to the next applier",
                    offsets.inFlight());
        }
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            // no more attempts for these partitions: the new owner applies their unfinished intents, and a retry
            // of ours landing after its delete would create the DaskJob again; an attempt on the wire is waited for
            owned.removeAll(partitions);
            attempts.awaitNoAttemptOn(partitions, settings.shutdownGrace());
            if (!lifecycle.is(ApplierState.HALTED)) {
                commitFinished();
            }
            offsets.revoked(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            // what an earlier owner finished above the committed offset is read before the first intent
            partitions.forEach(offsets::assignedPendingCommitted);
            owned.addAll(partitions);
        }
    }

    /**
     * Simulates a process kill, for tests: from now on nothing is reported or committed, work in progress is
     * dropped, the consumer is closed without committing.
     */
    public void halt() {
        lifecycle.transitionTo(ApplierState.HALTED);
        consumer.wakeup();
        attempts.close();
    }

    /** Graceful and idempotent stop: finishes work in progress (bounded by shutdownGrace), commits, closes. */
    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            t = thread;
            lifecycle.transitionTo(t == null ? ApplierState.STOPPED : ApplierState.DRAINING);
        }
        if (t != null && Thread.currentThread() != t) {
            consumer.wakeup();
            try {
                t.join(settings.shutdownGrace().toMillis() + 10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (t == null) {
            consumer.close(); // never started: the poll loop did not take the consumer over
        }
        attempts.close();
        producer.close(Duration.ofSeconds(5));
    }
}
