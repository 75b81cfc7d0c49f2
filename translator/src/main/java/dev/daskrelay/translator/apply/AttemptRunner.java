package dev.daskrelay.translator.apply;

import dev.daskrelay.avro.v1.ApplyOutcome;
import dev.daskrelay.avro.v1.ApplyResult;
import dev.daskrelay.avro.v1.DaskJobIntent;
import dev.daskrelay.avro.v1.IntentAction;
import dev.daskrelay.avro.v1.Observation;
import dev.daskrelay.avro.v1.ObservationSource;
import dev.daskrelay.schemas.IntentPosition;
import dev.daskrelay.schemas.LogKeys;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Runs intents against the Kubernetes API and reports their outcomes: one {@link KeyedLanes} lane per task id (a
 * task's intents one at a time, in order), {@code concurrency} worker threads for the blocking API calls, and a timer
 * that re-schedules an attempt after a transient answer ({@link ApplyTriage}), so a retry holds neither a thread nor
 * the other tasks of its partition. Each outcome is written to the observations topic; once Kafka acknowledged the
 * final one, {@link Listener#finished} is told and the intent's offset may be committed.
 */
final class AttemptRunner implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AttemptRunner.class);

    /** What the runner reports back to the poll loop. */
    interface Listener {
        /** True once the process is considered killed: nothing more is reported. */
        boolean halted();

        /**
         * True while the applier owns the partition; attempts of a revoked partition stop (its new owner applies
         * the intent), so a late retry of ours cannot undo what the new owner did after it.
         */
        default boolean owns(TopicPartition partition) {
            return true;
        }

        /** The intent's final outcome is durable in Kafka (any thread). */
        void finished(IntentInFlight intent);

        /** Something broke that a retry cannot mend (a bug, a closed producer); the intent stays unfinished. */
        void failed(String what, Throwable error);
    }

    /**
     * The observation-id suffix of an outcome: {@code <intentId>/<bucket>}. CREATED and ALREADY_EXISTED (likewise
     * DELETED and NOT_FOUND) share {@code applied}, so a re-delivered intent reports under the same id and the
     * status topology drops the repeat.
     */
    private enum Bucket {
        APPLIED("applied"), FAILED("failed"), WAITING("waiting");

        private final String suffix;

        Bucket(String suffix) {
            this.suffix = suffix;
        }

        static Bucket of(ApplyResult outcome) {
            return switch (outcome) {
                case CREATED, ALREADY_EXISTED, DELETED, NOT_FOUND -> APPLIED;
                default -> FAILED;
            };
        }
    }

    private final ApplierSettings settings;
    private final Producer<String, Observation> producer;
    private final DaskJobApi api;
    private final Clock clock;
    private final ApplyHooks hooks;
    private final ApplierMetrics metrics;
    private final Listener listener;
    private final ExecutorService workers;
    private final ScheduledExecutorService timer;
    private final KeyedLanes lanes;
    /** Attempts running now, per partition (for {@link #awaitNoAttemptOn}). */
    private final Map<TopicPartition, AtomicInteger> runningOn = new ConcurrentHashMap<>();

    AttemptRunner(ApplierSettings settings, Producer<String, Observation> producer, DaskJobApi api, Clock clock,
                  ApplyHooks hooks, ApplierMetrics metrics, Listener listener) {
        this.settings = settings;
        this.producer = producer;
        this.api = api;
        this.clock = clock;
        this.hooks = hooks;
        this.metrics = metrics;
        this.listener = listener;
        AtomicInteger n = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(settings.concurrency(),
                r -> daemon(r, "applier-worker-" + n.incrementAndGet()));
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "applier-retry-timer"));
        this.lanes = new KeyedLanes(workers);
    }

    /** Queues the intent behind its task's earlier ones; a tombstone (no intent) finishes at once. */
    void submit(IntentInFlight intent) {
        if (intent.intent() == null) {
            // nothing to apply (the command topology never writes tombstones); skip it but keep offsets exact
            listener.finished(intent);
            return;
        }
        lanes.submit(intent.key(), () -> attempt(intent));
    }

    private void attempt(IntentInFlight inFlight) {
        if (listener.halted()) {
            return;
        }
        TopicPartition partition = inFlight.partition();
        AtomicInteger running = runningOn.computeIfAbsent(partition, p -> new AtomicInteger());
        running.incrementAndGet();
        try {
            if (!listener.owns(partition)) {
                // revoked: the new owner applies it; leave it unfinished here and free the task's lane
                LOG.debug("{} {}: partition {} revoked, not attempted again here", inFlight.intent().getAction(),
                        inFlight.intent().getName(), partition);
                lanes.done(inFlight.key());
                return;
            }
            attemptOwned(inFlight);
        } finally {
            running.decrementAndGet();
        }
    }

    /**
     * Waits (at most {@code timeout}) until no attempt of these partitions is running: called on revocation, after
     * which their attempts stop (see {@link Listener#owns}).
     */
    void awaitNoAttemptOn(Collection<TopicPartition> partitions, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (TopicPartition p : partitions) {
            AtomicInteger running = runningOn.get(p);
            while (running != null && running.get() > 0 && System.nanoTime() < deadline) {
                LockSupport.parkNanos(Duration.ofMillis(5).toNanos()); // polling a counter, bounded by the deadline
            }
        }
    }

    private void attemptOwned(IntentInFlight inFlight) {
        DaskJobIntent intent = inFlight.intent();
        try (var ignored = MDC.putCloseable(LogKeys.TASK_ID, intent.getTaskId())) {
            int attempt = inFlight.beginAttempt(clock.instant());
            TopicPartition tp = inFlight.partition();
            ApiResponse answer = call(intent, new IntentPosition(tp.topic(), tp.partition(), inFlight.offset()));
            hooks.afterApiCall(intent, answer);
            if (listener.halted()) {
                return;
            }
            ApplyTriage.Step step = intent.getAction() == IntentAction.UNKNOWN
                    ? new ApplyTriage.Finish(ApplyResult.FAILED, null, "BadTaskFormat", "intent has no action", false)
                    : ApplyTriage.triage(intent.getAction(), intent.getSpecHash(), answer, attempt,
                    Duration.between(inFlight.firstAttemptAt(), clock.instant()), settings.retry(),
                    ThreadLocalRandom.current().nextDouble());
            if (step instanceof ApplyTriage.Retry retry) {
                retryLater(inFlight, answer, retry);
            } else {
                finish(inFlight, (ApplyTriage.Finish) step);
            }
        } catch (RuntimeException e) {
            // a bug or a closed producer: leave the intent unfinished, so it is re-delivered after a restart
            listener.failed("applying intent " + intent.getIntentId() + " failed unexpectedly", e);
        }
    }

    private ApiResponse call(DaskJobIntent intent, IntentPosition position) {
        try {
            return intent.getAction() == IntentAction.DELETE ? api.delete(intent) : api.create(intent, position);
        } catch (RuntimeException e) {
            return ApiResponse.noResponse(e.getClass().getSimpleName(), String.valueOf(e.getMessage()));
        }
    }

    private void retryLater(IntentInFlight inFlight, ApiResponse answer, ApplyTriage.Retry retry) {
        DaskJobIntent intent = inFlight.intent();
        metrics.retry(intent.getAction());
        LOG.info("{} {} attempt {} answered {} {}: retry in {} ms", intent.getAction(), intent.getName(),
                inFlight.attempts(), answer.httpCode(), answer.reason(), retry.delay().toMillis());
        if (retry.waitingForResources() && inFlight.markWaitingReported()) {
            send(inFlight, outcome(inFlight, ApplyResult.WAITING_FOR_RESOURCES, answer.httpCode(), null,
                    retry.message(), true, clock.instant()), Bucket.WAITING, false);
        }
        timer.schedule(() -> workers.execute(() -> attempt(inFlight)), retry.delay().toMillis(),
                TimeUnit.MILLISECONDS);
    }

    private void finish(IntentInFlight inFlight, ApplyTriage.Finish done) {
        DaskJobIntent intent = inFlight.intent();
        Instant end = clock.instant();
        Observation obs = outcome(inFlight, done.outcome(), done.httpCode(), done.errorCode(), done.message(),
                done.retryable(), end);
        Bucket bucket = Bucket.of(done.outcome());
        metrics.outcome(intent.getAction(), done.outcome(), Duration.between(inFlight.firstAttemptAt(), end));
        if (bucket == Bucket.APPLIED) {
            LOG.debug("{} {}/{}: {} after {} attempt(s)", intent.getAction(), intent.getNamespace(),
                    intent.getName(), done.outcome(), inFlight.attempts());
        } else {
            LOG.warn("{} {}/{}: {} after {} attempt(s): {} {}", intent.getAction(), intent.getNamespace(),
                    intent.getName(), done.outcome(), inFlight.attempts(), done.errorCode(), done.message());
        }
        send(inFlight, obs, bucket, true);
        lanes.done(inFlight.key());
    }

    /**
     * Sends an outcome observation under the id {@code <intentId>/<bucket>}. When {@code final}, the intent is
     * finished once Kafka acknowledged the record.
     */
    private void send(IntentInFlight inFlight, Observation obs, Bucket bucket, boolean last) {
        obs.setObservationId(inFlight.intent().getIntentId() + "/" + bucket.suffix);
        producer.send(new ProducerRecord<>(settings.observationsTopic(), inFlight.key(), obs), (meta, error) -> {
            if (error != null) {
                listener.failed("cannot write observation " + obs.getObservationId()
                        + "; the intent will be re-applied after a restart", error);
            } else if (last) {
                listener.finished(inFlight);
            }
        });
    }

    private Observation outcome(IntentInFlight inFlight, ApplyResult result, Integer httpCode, String errorCode,
                                String message, boolean retryable, Instant at) {
        DaskJobIntent intent = inFlight.intent();
        ApplyOutcome outcome = ApplyOutcome.newBuilder()
                .setIntentId(intent.getIntentId())
                .setAction(intent.getAction())
                .setOutcome(result)
                .setHttpCode(httpCode == null || httpCode == 0 ? null : httpCode)
                .setErrorCode(errorCode)
                .setMessage(message)
                .setRetryable(retryable)
                .setAttempts(inFlight.attempts())
                .setSpecHash(intent.getSpecHash())
                .setStartedAt(inFlight.firstAttemptAt())
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

    /** Stops the workers and the retry timer at once; attempts in progress are abandoned (not reported). */
    @Override
    public void close() {
        workers.shutdownNow();
        timer.shutdownNow();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
