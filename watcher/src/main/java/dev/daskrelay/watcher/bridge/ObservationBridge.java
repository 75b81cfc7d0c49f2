package dev.daskrelay.watcher.bridge;

import dev.daskrelay.avro.v1.DaskJobSnapshot;
import dev.daskrelay.avro.v1.Observation;
import dev.daskrelay.avro.v1.ObservationSource;
import dev.daskrelay.ops.Lifecycle;
import dev.daskrelay.schemas.KubernetesLabels;
import dev.daskrelay.schemas.LogKeys;
import dev.daskrelay.schemas.config.Installation;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The observation bridge: {@link BridgeInformers} on managed DaskJobs, their pods and Events about them; every change
 * enqueues the DaskJob it concerns; one worker thread decides for that job what to publish ({@link PublishDecision}:
 * its snapshot derived from the informer caches, "gone", or nothing) and publishes an {@link Observation} when it
 * differs from the last one sent for the job. Bursts coalesce: a job queued twice is derived once, from the latest
 * state.
 *
 * <p>Informers run from {@link #start()} on, leader or not, so a standby has warm caches. Only after
 * {@link #startPublishing()} (the leader callback) does it publish: it recalls the last snapshot published per job
 * ({@link ObservationMemory}, read back from the observations topic), then publishes what differs from it — the
 * current snapshot of every cached job that changed, and "gone" for every job that disappeared meanwhile — then
 * changes. A broken watch that comes back (the informer re-lists after a 410 Gone or a dropped connection) triggers
 * the same full re-observation; identical snapshots are suppressed, so only real differences go out. The
 * lifecycle (CREATED, STANDBY, PUBLISHING, CLOSED) is {@link BridgeState}.
 */
public final class ObservationBridge implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ObservationBridge.class);

    /**
     * @param namespaces namespaces to watch; empty = all namespaces
     * @param resyncPeriod informer resync: every cached job is re-derived this often (identical results suppressed)
     * @param retryBackoff wait before re-deriving a job whose observation could not be sent
     * @param tombstoneTtl how long the final state of a deleted DaskJob is kept to report its disappearance
     * @param runnerHold how long a failed DaskJob may wait for its runner pod's end to reach the cache
     *     ({@link PublishDecision.Hold}); after that the runner pod is read from the API server ({@link ApiReads}),
     *     for at most {@link #runnerReadLimit()} more
     * @param listPageSize the DaskJob and pod informers list in pages of this many objects; 0 = one unpaged list
     *     (the API server answers it from its watch cache, but the whole response and its decoded objects are in the
     *     heap at once: 60,000 pods do not fit 1 GiB that way). The Event informer is never paged.
     * @param decoding how the informers decode the API server's JSON (default {@link InformerDecoding#STREAMING})
     * @param compressLists ask the API server for gzip-compressed list responses, as client-go does (default true;
     *     {@link GzipLists})
     * @param installation whose DaskJobs and pods the informers select (server-side label selector
     *     {@link Installation#selector()}); another installation's objects never reach the caches
     */
    public record Options(List<String> namespaces, Duration resyncPeriod, Duration retryBackoff, Duration tombstoneTtl,
                          int listPageSize, Duration runnerHold, InformerDecoding decoding,
                          boolean compressLists, Installation installation) {
        public static final int DEFAULT_LIST_PAGE_SIZE = 500;
        public static final Duration DEFAULT_RESYNC_PERIOD = Duration.ofMinutes(10);
        public static final Duration DEFAULT_RETRY_BACKOFF = Duration.ofSeconds(1);
        public static final Duration DEFAULT_TOMBSTONE_TTL = Duration.ofMinutes(5);
        /** A pod update trails the DaskJob's by milliseconds; a runner not ended after this is not going to be. */
        public static final Duration DEFAULT_RUNNER_HOLD = Duration.ofSeconds(10);
        static final int RUNNER_READ_LIMIT_FACTOR = 12;

        public Options {
            namespaces = List.copyOf(namespaces);
            Objects.requireNonNull(resyncPeriod, "resyncPeriod");
            Objects.requireNonNull(retryBackoff, "retryBackoff");
            Objects.requireNonNull(tombstoneTtl, "tombstoneTtl");
            Objects.requireNonNull(runnerHold, "runnerHold");
            Objects.requireNonNull(installation, "installation");
            if (listPageSize < 0) {
                throw new IllegalArgumentException("listPageSize: must be 0 (no paging) or more, was " + listPageSize);
            }
            Objects.requireNonNull(decoding, "decoding");
        }

        /** With the default decoding ({@link InformerDecoding#STREAMING}) and compressed lists. */
        public Options(List<String> namespaces, Duration resyncPeriod, Duration retryBackoff, Duration tombstoneTtl,
                       int listPageSize, Duration runnerHold, Installation installation) {
            this(namespaces, resyncPeriod, retryBackoff, tombstoneTtl, listPageSize, runnerHold,
                    InformerDecoding.STREAMING, true, installation);
        }

        public static Options of(List<String> namespaces, Installation installation) {
            return new Options(namespaces, DEFAULT_RESYNC_PERIOD, DEFAULT_RETRY_BACKOFF, DEFAULT_TOMBSTONE_TTL,
                    DEFAULT_LIST_PAGE_SIZE, DEFAULT_RUNNER_HOLD, installation);
        }

        public Options withListPageSize(int pageSize) {
            return new Options(namespaces, resyncPeriod, retryBackoff, tombstoneTtl, pageSize, runnerHold, decoding,
                    compressLists, installation);
        }

        public Options withDecoding(InformerDecoding d) {
            return new Options(namespaces, resyncPeriod, retryBackoff, tombstoneTtl, listPageSize, runnerHold, d,
                    compressLists, installation);
        }

        public Options withCompressedLists(boolean compress) {
            return new Options(namespaces, resyncPeriod, retryBackoff, tombstoneTtl, listPageSize, runnerHold, decoding,
                    compress, installation);
        }

        /**
         * How long a failed DaskJob may wait, after its hold, for a direct read of its runner pod that keeps failing:
         * {@value #RUNNER_READ_LIMIT_FACTOR} × {@code runnerHold} (2 minutes by default). Past it the DaskJob's own
         * failure is published without the runner's.
         */
        public Duration runnerReadLimit() {
            return runnerHold.multipliedBy(RUNNER_READ_LIMIT_FACTOR);
        }

        /** The informer list limit: null = unpaged. */
        Long listLimit() {
            return listPageSize == 0 ? null : (long) listPageSize;
        }
    }

    /**
     * The final state of a DaskJob that left the cache, as the informer delivered it; {@code watched}: its deletion came
     * from the watch (proof it is gone), not from a relist that no longer listed it.
     */
    private record Tombstone(GenericKubernetesResource job, boolean watched, Instant at) {
    }

    private final Options options;
    private final ObservationPublisher publisher;
    private final ObservationMemory memory;
    private final Clock clock;
    private final BridgeMetrics metrics;
    private final BridgeInformers informers;

    private final LinkedBlockingQueue<JobRef> queue = new LinkedBlockingQueue<>();
    private final Set<JobRef> queued = ConcurrentHashMap.newKeySet();
    private final Map<JobRef, PublishDecision.Sent> lastSent = new ConcurrentHashMap<>();
    /**
     * What the publisher acknowledged last per existing DaskJob (recalled ones included): the janitor deletes only a
     * finished DaskJob whose final state is in here ({@link #finalStateReported}).
     */
    private final Map<JobRef, PublishDecision.Sent> acknowledged = new ConcurrentHashMap<>();
    private final Map<JobRef, Tombstone> tombstones = new ConcurrentHashMap<>();
    /** Failed DaskJobs waiting for their runner pod's end, since when (worker thread only). */
    private final Map<JobRef, Instant> holding = new ConcurrentHashMap<>();
    /** Runner pods read from the API server for failed DaskJobs held past {@link Options#runnerHold()}. */
    private final ApiReads<Pod> runnerReads;
    /** DaskJobs read from the API server to confirm a disappearance no deletion showed ({@link PublishDecision.Confirm}). */
    private final ApiReads<GenericKubernetesResource> jobReads;
    /** Jobs to decide once every informer has its initial list (worker thread only). */
    private final Set<JobRef> waitingForSync = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService retries;
    private final Lifecycle<BridgeState> lifecycle = new Lifecycle<>("observation bridge", BridgeState.CREATED);
    private volatile Thread worker;

    public ObservationBridge(KubernetesClient client, Options options, ObservationPublisher publisher, Clock clock,
                             MeterRegistry registry) {
        this(client, options, publisher, ObservationMemory.NONE, clock, registry);
    }

    /**
     * @param memory where a new leader recalls what was last published (normally the observations topic)
     */
    public ObservationBridge(KubernetesClient client, Options options, ObservationPublisher publisher,
                             ObservationMemory memory, Clock clock, MeterRegistry registry) {
        this(client, ApiReads.Reader.pods(client), ApiReads.Reader.daskJobs(client), options, publisher, memory, clock,
                registry);
    }

    /**
     * @param runnerReader how a runner pod is read from the API server when its end is late in the cache (tests pass
     *     their own to model a pod watch that is behind)
     * @param jobReader how a DaskJob missing from the cache is read from the API server before it is reported gone
     *     (tests pass their own to model a DaskJob watch that is behind)
     */
    ObservationBridge(KubernetesClient client, ApiReads.Reader<Pod> runnerReader,
                      ApiReads.Reader<GenericKubernetesResource> jobReader, Options options,
                      ObservationPublisher publisher, ObservationMemory memory, Clock clock, MeterRegistry registry) {
        this.memory = memory;
        this.options = options;
        this.publisher = publisher;
        this.clock = clock;
        this.informers = new BridgeInformers(client, options.namespaces(), options.installation().selector(),
                options.resyncPeriod(), options.listLimit(), options.decoding(), options.compressLists(),
                new BridgeInformers.Listener() {
                    @Override
                    public void changed(JobRef job) {
                        enqueue(job);
                    }

                    @Override
                    public void jobDeleted(GenericKubernetesResource job, boolean watched) {
                        onJobDeleted(job, watched);
                    }
                });
        this.metrics = new BridgeMetrics(registry, informers::cacheSizes);
        this.runnerReads = new ApiReads<>("runner", runnerReader, options.retryBackoff(), this::enqueue,
                metrics.runnerReads());
        this.jobReads = new ApiReads<>("job", jobReader, options.retryBackoff(), this::enqueue, metrics.jobReads());
        this.retries = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "daskrelay-bridge-retry");
            t.setDaemon(true);
            return t;
        });
    }

    public BridgeMetrics metrics() {
        return metrics;
    }

    /** Starts the informers and the worker; returns without waiting for the initial lists ({@link #synced()}). */
    public synchronized void start() {
        if (!lifecycle.transitionTo(BridgeState.STANDBY)) {
            return;
        }
        informers.start();
        Thread t = new Thread(this::work, "daskrelay-bridge");
        t.setDaemon(true);
        worker = t;
        t.start();
        LOG.info("bridge informers started ({}, installation {})", options.namespaces().isEmpty() ? "all namespaces"
                : "namespaces " + options.namespaces(), options.installation());
    }

    /** True once every informer has completed its initial list. */
    public boolean synced() {
        return informers.synced();
    }

    /** Readiness: informers synced and, when publishing, the last send succeeded. */
    public boolean ready() {
        return synced() && (!publishing() || publisher.healthy());
    }

    public boolean publishing() {
        return lifecycle.is(BridgeState.PUBLISHING);
    }

    public BridgeState state() {
        return lifecycle.state();
    }

    /**
     * Leader callback: recall what was last published ({@link ObservationMemory}), then publish the current snapshot
     * of every managed DaskJob that differs from it, a "gone" snapshot for every remembered job that no longer
     * exists, and from then on every change. Ignored when already publishing or closed.
     *
     * @throws IllegalStateException before {@link #start()}: a standby must have its informers running
     */
    public void startPublishing() {
        if (lifecycle.is(BridgeState.CREATED)) {
            throw new IllegalStateException("the bridge publishes only after start()");
        }
        if (lifecycle.is(BridgeState.PUBLISHING) || lifecycle.is(BridgeState.CLOSED)) {
            return;
        }
        Map<JobRef, Observation> recalled;
        try {
            recalled = memory.recall();
        } catch (RuntimeException e) {
            LOG.warn("could not recall the last published snapshots; re-publishing every current one", e);
            recalled = Map.of();
        }
        recalled.forEach((ref, o) -> {
            PublishDecision.Sent sent = new PublishDecision.Sent(new TaskIdentity(o.getTaskId(), o.getExecution()),
                    (DaskJobSnapshot) o.getPayload());
            lastSent.putIfAbsent(ref, sent);
            acknowledged.putIfAbsent(ref, sent);
        });
        if (!lifecycle.transitionTo(BridgeState.PUBLISHING)) {
            return;
        }
        metrics.leading(true);
        LOG.info("bridge publishing: re-observing every managed DaskJob");
        reobserveAll();
    }

    /** Stops publishing (the process exits after losing the Lease; this only keeps a closing bridge quiet). */
    public void stopPublishing() {
        if (lifecycle.transitionTo(BridgeState.STANDBY)) {
            metrics.leading(false);
        }
    }

    /** Enqueues every cached DaskJob, every deleted one still to be reported, and every one last reported existing. */
    public void reobserveAll() {
        informers.cachedJobs().forEach(j -> enqueue(BridgeInformers.ref(j)));
        tombstones.keySet().forEach(this::enqueue);
        lastSent.keySet().forEach(this::enqueue);
    }

    /** The managed DaskJobs in the informer caches (a copy). */
    public List<GenericKubernetesResource> cachedJobs() {
        return informers.cachedJobs();
    }

    /**
     * Whether this finished DaskJob's final state has reached the observations topic, so that deleting it loses
     * nothing: the last snapshot the publisher acknowledged for it (or the previous leader's, as recalled) is of the
     * same task and carries the DaskJob's {@code jobStatus}. A DaskJob the bridge cannot attribute (no task id) has
     * nothing to report and counts as reported. The janitor asks this before deleting: a DaskJob that failed while no
     * leader published (or while the runner pod's end was still awaited) is kept until its end, with the runner's
     * exit code, is out.
     */
    public boolean finalStateReported(GenericKubernetesResource job) {
        TaskIdentity identity = TaskIdentity.of(job);
        if (identity == null) {
            return true;
        }
        PublishDecision.Sent sent = acknowledged.get(BridgeInformers.ref(job));
        Object status = job.getAdditionalProperties().get("status");
        Object jobStatus = status instanceof Map<?, ?> m ? m.get("jobStatus") : null;
        return sent != null && sent.identity().equals(identity) && sent.snapshot().getExists()
                && jobStatus != null && jobStatus.toString().equals(sent.snapshot().getJobStatus());
    }

    /** The sizes of the informer caches (counts keys: nothing is deserialised). */
    public BridgeInformers.CacheSizes cacheSizes() {
        return informers.cacheSizes();
    }

    private void onJobDeleted(GenericKubernetesResource job, boolean watched) {
        Instant now = clock.instant();
        tombstones.values().removeIf(t -> t.at().isBefore(now.minus(options.tombstoneTtl())));
        tombstones.put(BridgeInformers.ref(job), new Tombstone(job, watched, now));
    }

    private void enqueue(JobRef ref) {
        if (queued.add(ref)) {
            queue.add(ref);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // The worker: decide, publish, retry.

    private void work() {
        while (!lifecycle.is(BridgeState.CLOSED)) {
            try {
                JobRef ref = queue.poll(1, TimeUnit.SECONDS);
                if (informers.relisted()) {
                    metrics.relists.increment();
                    LOG.info("a watch was re-established; re-observing every managed DaskJob");
                    reobserveAll();
                }
                if (!waitingForSync.isEmpty() && informers.synced()) {
                    LOG.info("informers synced: deciding the {} DaskJobs that waited for it", waitingForSync.size());
                    waitingForSync.forEach(this::enqueue);
                    waitingForSync.clear();
                }
                if (ref == null) {
                    continue;
                }
                queued.remove(ref);
                if (!publishing()) {
                    continue;
                }
                if (informers.synced()) {
                    process(ref);
                } else {
                    // a snapshot from half-filled caches (the DaskJob listed, its pods not yet) would be wrong
                    waitingForSync.add(ref);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.error("bridge worker: unexpected error, continuing", e);
            }
        }
    }

    private void process(JobRef ref) {
        GenericKubernetesResource job = informers.job(ref);
        PublishDecision.Next next;
        Duration held = Duration.ZERO;
        if (job != null) {
            tombstones.remove(ref);
            Instant heldSince = holding.get(ref);
            held = heldSince == null ? Duration.ZERO : Duration.between(heldSince, clock.instant());
            boolean mayHold = held.compareTo(options.runnerHold()) < 0 || !runnerReads.answered(ref)
                    && held.compareTo(options.runnerHold().plus(options.runnerReadLimit())) < 0;
            next = PublishDecision.next(job, ApiReads.apply(informers.pods(ref), runnerReads.result(ref)),
                    informers.events(ref), null, lastSent.get(ref), mayHold, false);
        } else {
            Tombstone tomb = tombstones.get(ref);
            PublishDecision.Sent last = lastSent.get(ref);
            TaskIdentity expected = last != null ? last.identity() : tomb == null ? null : TaskIdentity.of(tomb.job());
            boolean confirmed = tomb != null && tomb.watched() || confirmedAbsent(jobReads.result(ref), expected);
            next = PublishDecision.next(null, List.of(), List.of(), tomb == null ? null : tomb.job(), last, false,
                    confirmed);
        }
        if (next instanceof PublishDecision.Confirm) {
            confirm(ref);
            return;
        }
        if (next instanceof PublishDecision.Hold hold) {
            if (holding.putIfAbsent(ref, clock.instant()) == null) {
                metrics.held.increment();
                retries.schedule(() -> enqueue(ref), options.runnerHold().toMillis(), TimeUnit.MILLISECONDS);
            } else if (held.compareTo(options.runnerHold()) >= 0 && runnerReads.result(ref) == null) {
                // the pod cache is not a moment behind: its watch is down; ask the API server (answers enqueue)
                LOG.info("DaskJob {} failed {} ago and its runner pod {} has not ended in the cache; reading it from "
                        + "the API server", ref, held, hold.runnerPod());
                runnerReads.request(ref, hold.runnerPod());
                retries.schedule(() -> enqueue(ref), options.runnerReadLimit().toMillis(), TimeUnit.MILLISECONDS);
            }
            return;
        }
        holding.remove(ref);
        runnerReads.forget(ref);
        jobReads.forget(ref);
        if (next instanceof PublishDecision.Publish p) {
            publish(ref, p.identity(), p.snapshot());
        } else if (next instanceof PublishDecision.Unchanged) {
            metrics.suppressed.increment();
        } else if (next instanceof PublishDecision.Skip s && s.reason() == PublishDecision.SkipReason.NO_TASK_ID) {
            LOG.warn("DaskJob {} carries {} but no task id ({} annotation); ignored", ref,
                    options.installation().selectorText(), KubernetesLabels.TASK_ID);
        }
    }

    /**
     * Whether a DaskJob read says the job of this task does not exist: 404, or the name now belongs to a DaskJob of
     * another task.
     */
    private static boolean confirmedAbsent(ApiReads.Result<GenericKubernetesResource> read, TaskIdentity expected) {
        if (read instanceof ApiReads.Absent) {
            return true;
        }
        return read instanceof ApiReads.Found<GenericKubernetesResource> f && expected != null
                && !expected.equals(TaskIdentity.of(f.value()));
    }

    /**
     * A DaskJob is missing from the cache and no deletion came from the watch: read it (the answer enqueues it
     * again). Found on the API server, the cache is behind (its watch is being re-established): decide
     * again after {@link Options#runnerHold()}, reading again unless the cache has it by then.
     */
    private void confirm(JobRef ref) {
        ApiReads.Result<GenericKubernetesResource> read = jobReads.result(ref);
        if (read == null) {
            jobReads.request(ref, ref.name());
        } else if (read instanceof ApiReads.Found) {
            jobReads.forget(ref);
            LOG.info("DaskJob {} is missing from the cache but exists on the API server; its watch is behind, "
                    + "deciding again in {}", ref, options.runnerHold());
            retries.schedule(() -> enqueue(ref), options.runnerHold().toMillis(), TimeUnit.MILLISECONDS);
        }
        // Pending: the answer enqueues the job
    }

    private void publish(JobRef ref, TaskIdentity identity, DaskJobSnapshot snapshot) {
        Observation o = Observation.newBuilder()
                .setObservationId(UUID.randomUUID().toString())
                .setTaskId(identity.taskId())
                .setExecution(identity.execution())
                .setSource(ObservationSource.BRIDGE)
                .setObservedAt(clock.instant())
                .setDaskJobName(ref.name())
                .setDaskJobNamespace(ref.namespace())
                .setPayload(snapshot)
                .build();
        PublishDecision.Sent sent = new PublishDecision.Sent(identity, snapshot);
        lastSent.put(ref, sent);
        try (var ignored = MDC.putCloseable(LogKeys.TASK_ID, identity.taskId())) {
            LOG.debug("publishing snapshot of {}: jobStatus={} exists={}", ref, snapshot.getJobStatus(),
                    snapshot.getExists());
        }
        publisher.publish(o).whenComplete((ok, error) -> {
            if (error == null) {
                metrics.published.increment();
                if (!snapshot.getExists()) {
                    lastSent.remove(ref, sent);
                    acknowledged.remove(ref);
                    tombstones.remove(ref);
                } else {
                    acknowledged.put(ref, sent);
                }
                return;
            }
            metrics.publishFailures.increment();
            try (var ignored = MDC.putCloseable(LogKeys.TASK_ID, identity.taskId())) {
                LOG.warn("could not publish the observation of {}; retrying in {}: {}", ref,
                        options.retryBackoff(), error.toString());
            }
            lastSent.remove(ref, sent);
            if (!lifecycle.is(BridgeState.CLOSED)) {
                retries.schedule(() -> enqueue(ref), options.retryBackoff().toMillis(), TimeUnit.MILLISECONDS);
            }
        });
    }

    /** Stops the worker and the informers; idempotent. Does not close the publisher or the client. */
    @Override
    public synchronized void close() {
        if (!lifecycle.transitionTo(BridgeState.CLOSED)) {
            return;
        }
        metrics.leading(false);
        Thread t = worker;
        if (t != null) {
            t.interrupt();
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        retries.shutdownNow();
        runnerReads.close();
        jobReads.close();
        informers.stop();
    }
}
