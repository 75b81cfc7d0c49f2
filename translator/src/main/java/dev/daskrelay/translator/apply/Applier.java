package dev.daskrelay.translator.apply;

import dev.daskrelay.schemas.DeadLetterHeaders;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.header.Header;
import dev.daskrelay.avro.v1.ApplyOutcome;
import dev.daskrelay.avro.v1.ApplyResult;
import dev.daskrelay.avro.v1.DaskJobIntent;
import dev.daskrelay.avro.v1.IntentAction;
import dev.daskrelay.avro.v1.Observation;
import dev.daskrelay.avro.v1.ObservationSource;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.errors.RecordDeserializationException;
import dev.daskrelay.schemas.registry.SchemaSerdeException;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The at-least-once edge between {@code <prefix>.intents} and the Kubernetes API.
 *
 * <p>One poll thread owns the consumer: it hands each intent to a {@link KeyedLanes} lane of its task id (same task
 * never concurrently, order kept), tracks unfinished offsets per partition and commits, synchronously, only up to
 * the lowest unfinished offset. Worker threads ({@code concurrency}) make the API calls; a transient failure is
 * re-scheduled on a timer with back-off, so it holds neither a thread nor the other tasks of its partition. An
 * intent is finished when its outcome observation is acknowledged by Kafka; only then can its offset be committed.
 * A crash anywhere before that re-delivers the intent; the create is idempotent (409 + same spec hash =
 * ALREADY_EXISTED), the delete too (404 = NOT_FOUND), and observation ids are deterministic.
 */
public final class Applier implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Applier.class);

    private final ApplierSettings settings;
    private final Consumer<String, DaskJobIntent> consumer;
    private final Producer<String, Observation> producer;
    private final DaskJobApi api;
    private final Clock clock;
    private final ApplyHooks hooks;
    private final ApplierMetrics metrics;
    private final ExecutorService workers;
    private final ScheduledExecutorService timer;
    private final KeyedLanes lanes;
    private final ConcurrentLinkedQueue<Finished> finished = new ConcurrentLinkedQueue<>();
    private final Map<TopicPartition, PartitionProgress> progress = new HashMap<>();
    private final Set<TopicPartition> paused = new HashSet<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean running = true;
    private volatile boolean halted;
    private volatile boolean failed;
    private volatile long lastLoopMillis;
    private Thread thread;

    private final DeadLetterSink deadLetters;

    private record Finished(TopicPartition partition, long offset) {
    }

    /** One intent on its way through attempts. Fields are touched by one thread at a time (its lane). */
    private static final class Job {
        final ConsumerRecord<String, DaskJobIntent> record;
        Instant startedAt;
        int attempts;
        boolean waitingReported;

        Job(ConsumerRecord<String, DaskJobIntent> record) {
            this.record = record;
        }
    }

    /**
     * Where an intent record that cannot be decoded goes: the dead-letter topic, with its original key, value and
     * headers plus {@code DeadLetterHeaders}. Returns once the record is durably written.
     */
    @FunctionalInterface
    public interface DeadLetterSink {
        void deadLetter(RecordDeserializationException undecodable) throws Exception;

        /** Writes to {@code topic} with {@code producer} and waits for the acknowledgement. */
        static DeadLetterSink toTopic(Producer<byte[], byte[]> producer, String topic) {
            return e -> {
                RecordHeaders headers = new RecordHeaders(e.headers() == null ? new Header[0] : e.headers().toArray());
                DeadLetterHeaders.add(headers, e.getCause() == null ? e : e.getCause(), "deserialize", "applier",
                        e.topicPartition().topic(), e.topicPartition().partition(), e.offset(), Instant.now());
                producer.send(new ProducerRecord<>(topic, null, e.timestamp() < 0 ? null : e.timestamp(),
                        bytes(e.keyBuffer()), bytes(e.valueBuffer()), headers)).get(30, TimeUnit.SECONDS);
            };
        }

        private static byte[] bytes(java.nio.ByteBuffer buffer) {
            if (buffer == null) {
                return null;
            }
            java.nio.ByteBuffer b = buffer.duplicate();
            byte[] out = new byte[b.remaining()];
            b.get(out);
            return out;
        }
    }

    /** An applier without a dead-letter sink: an undecodable intent stops the poll loop (tests and benchmarks). */
    public Applier(ApplierSettings settings, Consumer<String, DaskJobIntent> consumer,
                   Producer<String, Observation> producer, DaskJobApi api, MeterRegistry registry, Clock clock,
                   ApplyHooks hooks) {
        this(settings, consumer, producer, api, registry, clock, hooks, null);
    }

    public Applier(ApplierSettings settings, Consumer<String, DaskJobIntent> consumer,
                   Producer<String, Observation> producer, DaskJobApi api, MeterRegistry registry, Clock clock,
                   ApplyHooks hooks, DeadLetterSink deadLetters) {
        this.deadLetters = deadLetters;
        this.settings = settings;
        this.consumer = consumer;
        this.producer = producer;
        this.api = api;
        this.clock = clock;
        this.hooks = hooks;
        this.metrics = new ApplierMetrics(registry, inFlight::get);
        AtomicInteger n = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(settings.concurrency(), r -> daemon(r, "applier-worker-" + n.incrementAndGet()));
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "applier-retry-timer"));
        this.lanes = new KeyedLanes(workers);
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
        if (thread == null) {
            lastLoopMillis = clock.millis();
            thread = new Thread(this::loop, "applier-poll");
            thread.start();
        }
        return this;
    }

    /** True while the poll loop turns (it polls at least every 100 ms) and has not failed. */
    public boolean healthy(Duration maxLoopGap) {
        return running && !failed && clock.millis() - lastLoopMillis <= maxLoopGap.toMillis();
    }

    /** Intents in progress (the in-flight gauge). */
    public int inFlight() {
        return inFlight.get();
    }

    private void loop() {
        try {
            consumer.subscribe(List.of(settings.intentsTopic()), new Rebalance());
            while (running) {
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
                if (halted) {
                    break;
                }
                for (ConsumerRecord<String, DaskJobIntent> r : records) {
                    accept(r);
                }
                commitFinished();
                backPressure();
                lastLoopMillis = clock.millis();
            }
            if (!halted) {
                drainGracefully();
            }
        } catch (RuntimeException e) {
            failed = true;
            LOG.error("applier poll loop failed; intents not committed will be re-delivered", e);
        } finally {
            if (halted) {
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
            java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofSeconds(1).toNanos());
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
        progress.computeIfAbsent(e.topicPartition(), k -> new PartitionProgress()).started(e.offset());
        finished.add(new Finished(e.topicPartition(), e.offset()));
        consumer.seek(e.topicPartition(), e.offset() + 1);
    }

    private void accept(ConsumerRecord<String, DaskJobIntent> r) {
        TopicPartition tp = new TopicPartition(r.topic(), r.partition());
        progress.computeIfAbsent(tp, k -> new PartitionProgress()).started(r.offset());
        inFlight.incrementAndGet();
        if (r.value() == null) {
            // nothing to apply (the command topology never writes tombstones); skip it but keep offsets exact
            finish(new Job(r));
            return;
        }
        Job job = new Job(r);
        lanes.submit(r.key(), () -> attempt(job));
    }

    private void attempt(Job job) {
        if (halted) {
            return;
        }
        DaskJobIntent intent = job.record.value();
        MDC.put("taskId", intent.getTaskId());
        try {
            Instant start = clock.instant();
            if (job.startedAt == null) {
                job.startedAt = start;
            }
            job.attempts++;
            ApiResponse answer;
            try {
                answer = intent.getAction() == IntentAction.DELETE ? api.delete(intent) : api.create(intent);
            } catch (RuntimeException e) {
                answer = ApiResponse.noResponse(e.getClass().getSimpleName(), String.valueOf(e.getMessage()));
            }
            hooks.afterApiCall(intent, answer);
            if (halted) {
                return;
            }
            ApplyTriage.Step step = intent.getAction() == IntentAction.UNKNOWN
                    ? new ApplyTriage.Finish(ApplyResult.FAILED, null, "BadTaskFormat", "intent has no action", false)
                    : ApplyTriage.triage(intent.getAction(), intent.getSpecHash(), answer, job.attempts,
                    Duration.between(job.startedAt, clock.instant()), settings.retry(),
                    ThreadLocalRandom.current().nextDouble());
            if (step instanceof ApplyTriage.Retry retry) {
                metrics.retry(intent.getAction());
                LOG.info("{} {} attempt {} answered {} {}: retry in {} ms", intent.getAction(), intent.getName(),
                        job.attempts, answer.httpCode(), answer.reason(), retry.delay().toMillis());
                if (retry.waitingForResources() && !job.waitingReported) {
                    job.waitingReported = true;
                    send(job, outcome(job, ApplyResult.WAITING_FOR_RESOURCES, answer.httpCode(), null,
                            retry.message(), true, clock.instant()), "waiting", null);
                }
                timer.schedule(() -> workers.execute(() -> attempt(job)), retry.delay().toMillis(),
                        TimeUnit.MILLISECONDS);
                return;
            }
            ApplyTriage.Finish done = (ApplyTriage.Finish) step;
            Instant end = clock.instant();
            Observation obs = outcome(job, done.outcome(), done.httpCode(), done.errorCode(), done.message(),
                    done.retryable(), end);
            String bucket = switch (done.outcome()) {
                case CREATED, ALREADY_EXISTED, DELETED, NOT_FOUND -> "applied";
                default -> "failed";
            };
            metrics.outcome(intent.getAction(), done.outcome(), Duration.between(job.startedAt, end));
            if (bucket.equals("applied")) {
                LOG.debug("{} {}/{}: {} after {} attempt(s)", intent.getAction(), intent.getNamespace(),
                        intent.getName(), done.outcome(), job.attempts);
            } else {
                LOG.warn("{} {}/{}: {} after {} attempt(s): {} {}", intent.getAction(), intent.getNamespace(),
                        intent.getName(), done.outcome(), job.attempts, done.errorCode(), done.message());
            }
            send(job, obs, bucket, job);
            lanes.done(job.record.key());
        } catch (RuntimeException e) {
            // a bug or a closed producer: leave the intent unfinished, so it is re-delivered after a restart
            failed = true;
            LOG.error("applying intent {} failed unexpectedly", intent.getIntentId(), e);
        } finally {
            MDC.remove("taskId");
        }
    }

    /**
     * Sends an outcome observation. Id: {@code <intentId>/<bucket>}, where CREATED and ALREADY_EXISTED (likewise
     * DELETED and NOT_FOUND) share the bucket {@code applied}: a re-delivered intent reports under the same id.
     * When {@code finishing} is given, its offset becomes committable once Kafka acknowledged the record.
     */
    private void send(Job job, Observation obs, String bucket, Job finishing) {
        obs.setObservationId(job.record.value().getIntentId() + "/" + bucket);
        producer.send(new ProducerRecord<>(settings.observationsTopic(), job.record.key(), obs), (meta, error) -> {
            if (error != null) {
                failed = true;
                LOG.error("cannot write observation {}; the intent will be re-applied after a restart",
                        obs.getObservationId(), error);
            } else if (finishing != null) {
                finish(finishing);
            }
        });
    }

    private void finish(Job job) {
        inFlight.decrementAndGet();
        finished.add(new Finished(new TopicPartition(job.record.topic(), job.record.partition()), job.record.offset()));
    }

    private Observation outcome(Job job, ApplyResult result, Integer httpCode, String errorCode, String message,
                                boolean retryable, Instant at) {
        DaskJobIntent intent = job.record.value();
        ApplyOutcome outcome = ApplyOutcome.newBuilder()
                .setIntentId(intent.getIntentId())
                .setAction(intent.getAction())
                .setOutcome(result)
                .setHttpCode(httpCode == null || httpCode == 0 ? null : httpCode)
                .setErrorCode(errorCode)
                .setMessage(message)
                .setRetryable(retryable)
                .setAttempts(job.attempts)
                .setSpecHash(intent.getSpecHash())
                .setStartedAt(job.startedAt)
                .setFinishedAt(at)
                .build();
        return Observation.newBuilder()
                .setObservationId(intent.getIntentId())
                .setTaskId(intent.getTaskId())
                .setExecution(intent.getExecution())
                .setSource(ObservationSource.APPLIER)
                .setObservedAt(at)
                .setDaskJobName(intent.getName())
                .setDaskJobNamespace(intent.getNamespace())
                .setPayload(outcome)
                .build();
    }

    private void commitFinished() {
        for (Finished f; (f = finished.poll()) != null; ) {
            PartitionProgress p = progress.get(f.partition());
            if (p != null) {
                p.finished(f.offset());
            }
        }
        Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
        progress.forEach((tp, p) -> {
            long offset = p.toCommit();
            if (offset >= 0) {
                commit.put(tp, new OffsetAndMetadata(offset));
            }
        });
        if (commit.isEmpty() || halted) {
            return;
        }
        try {
            consumer.commitSync(commit);
        } catch (WakeupException e) {
            if (halted) {
                return; // a killed process commits nothing more
            }
            consumer.commitSync(commit); // woken up by close(): the wake-up is used up, commit again
        }
        commit.forEach((tp, o) -> {
            PartitionProgress p = progress.get(tp);
            if (p != null) {
                p.committed(o.offset());
            }
        });
    }

    /** Pauses everything when too much is unfinished, or just the partitions that are stuck (retries). */
    private void backPressure() {
        Set<TopicPartition> want = new HashSet<>();
        Set<TopicPartition> assigned = consumer.assignment();
        if (inFlight.get() >= settings.maxPending()) {
            want.addAll(assigned);
        } else {
            progress.forEach((tp, p) -> {
                if (p.unfinished() >= settings.maxPendingPerPartition() && assigned.contains(tp)) {
                    want.add(tp);
                }
            });
        }
        List<TopicPartition> resume = new ArrayList<>();
        for (TopicPartition tp : paused) {
            if (!want.contains(tp) && assigned.contains(tp)) {
                resume.add(tp);
            }
        }
        List<TopicPartition> pause = new ArrayList<>();
        for (TopicPartition tp : want) {
            if (!paused.contains(tp)) {
                pause.add(tp);
            }
        }
        if (!pause.isEmpty()) {
            consumer.pause(pause);
        }
        if (!resume.isEmpty()) {
            consumer.resume(resume);
        }
        paused.clear();
        paused.addAll(want);
    }

    private void drainGracefully() {
        long deadline = clock.millis() + settings.shutdownGrace().toMillis();
        consumer.pause(consumer.assignment());
        while (inFlight.get() > 0 && clock.millis() < deadline && !failed) {
            try {
                consumer.poll(Duration.ofMillis(50)); // keeps the group membership; partitions are paused
            } catch (WakeupException e) {
                // close() woke us up; keep draining until the deadline
            }
            commitFinished();
        }
        producer.flush();
        commitFinished();
        if (inFlight.get() > 0) {
            LOG.warn("stopping with {} intents unfinished; they are re-delivered to the next applier", inFlight.get());
        }
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (!halted) {
                commitFinished();
            }
            // unfinished work of revoked partitions goes on; the new owner may re-apply it (idempotent)
            partitions.forEach(progress::remove);
            paused.removeAll(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        }
    }

    /**
     * Simulates a process kill, for tests: from now on nothing is reported or committed, work in progress is
     * dropped, the consumer is closed without committing.
     */
    public void halt() {
        halted = true;
        running = false;
        consumer.wakeup();
        workers.shutdownNow();
        timer.shutdownNow();
    }

    /** Graceful and idempotent stop: finishes work in progress (bounded by shutdownGrace), commits, closes. */
    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            running = false;
            t = thread;
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
        workers.shutdownNow();
        timer.shutdownNow();
        producer.close(Duration.ofSeconds(5));
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
