package dev.daskrelay.watcher.bridge;

import dev.daskrelay.avro.v1.DaskJobSnapshot;
import dev.daskrelay.avro.v1.Observation;
import dev.daskrelay.avro.v1.ObservationSource;
import dev.daskrelay.schemas.KubernetesLabels;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventList;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.FilterWatchListDeletable;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The observation bridge: informers on managed DaskJobs, their pods and Events about them; every change enqueues
 * the DaskJob it concerns; one worker thread re-derives that job's snapshot from the informer caches
 * ({@link SnapshotDerivation}) and publishes an {@link Observation} when it differs from the last one sent for the
 * job. Bursts coalesce: a job queued twice is derived once, from the latest state.
 *
 * <p>Informers run from {@link #start()} on, leader or not, so a standby has warm caches. Only after
 * {@link #startPublishing()} (the leader callback) does it publish: it recalls the last snapshot published per job
 * ({@link ObservationMemory}, read back from the observations topic), then publishes what differs from it — the
 * current snapshot of every cached job that changed, and "gone" for every job that disappeared meanwhile — then
 * changes. A broken watch that comes back (the
 * informer re-lists after a 410 Gone or a dropped connection) triggers the same full re-observation; identical
 * snapshots are suppressed, so only real differences go out.
 *
 * <p>Selection: DaskJobs and pods by the label {@code app.kubernetes.io/managed-by=daskrelay} (the operator copies
 * the DaskJob's labels to its pods), pods grouped by {@code dask.org/cluster-name}. Events carry no labels and a
 * field selector cannot express "objects of this job", so the event informer watches the Events of the watched
 * namespaces and attributes them by involved object ({@link EventAttribution}). Most Events of a busy namespace are
 * progress reports (a pod alone gets Scheduled, Pulling, Pulled, Created, Started), which the bridge never uses, so
 * the informer asks the API server to leave those reasons out ({@link #CHATTY_EVENT_REASONS}, a field selector
 * {@code reason!=Scheduled,reason!=Pulling,...}); every Warning and the notable Normal reasons (Killing,
 * Preempted ...) still arrive. The fabric8 mock server used in tests ignores {@code !=} field selectors, so
 * {@link EventAttribution#relevant} filters again in code. The caches keep slim copies of the objects
 * ({@link SlimItemStore}).
 */
public final class ObservationBridge implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ObservationBridge.class);
    static final String JOB_INDEX = "daskrelay-job";
    /**
     * Event reasons the API server is asked not to send: progress reports of the scheduler, the kubelet and the
     * Deployment/ReplicaSet controllers, which are most of a namespace's Events. Kubernetes only ever emits them as
     * type Normal, and no Normal event of these reasons is {@link EventAttribution#relevant}, so nothing the bridge
     * uses is left out. (kopf's {@code Logging} events stay: the operator reports handler errors as type Error with
     * that reason, and a field selector cannot say "Normal and Logging".)
     */
    static final List<String> CHATTY_EVENT_REASONS = List.of("Scheduled", "Pulling", "Pulled", "Created", "Started",
            "SuccessfulCreate", "SuccessfulDelete", "ScalingReplicaSet");

    /**
     * @param namespaces namespaces to watch; empty = all namespaces
     * @param resyncPeriod informer resync: every cached job is re-derived this often (identical results suppressed)
     * @param retryBackoff wait before re-deriving a job whose observation could not be sent
     * @param tombstoneTtl how long the final state of a deleted DaskJob is kept to report its disappearance
     * @param listPageSize the DaskJob and pod informers list in pages of this many objects; 0 = one unpaged list
     *     (the API server answers it from its watch cache, but the whole response and its decoded objects are in the
     *     heap at once: 60,000 pods do not fit 1 GiB that way). The Event informer is never paged (see start()).
     */
    public record Options(List<String> namespaces, Duration resyncPeriod, Duration retryBackoff, Duration tombstoneTtl,
                          int listPageSize) {
        public static final int DEFAULT_LIST_PAGE_SIZE = 500;

        public Options {
            namespaces = List.copyOf(namespaces);
            Objects.requireNonNull(resyncPeriod, "resyncPeriod");
            Objects.requireNonNull(retryBackoff, "retryBackoff");
            Objects.requireNonNull(tombstoneTtl, "tombstoneTtl");
            if (listPageSize < 0) {
                throw new IllegalArgumentException("listPageSize: must be 0 (no paging) or more, was " + listPageSize);
            }
        }

        public static Options of(List<String> namespaces) {
            return new Options(namespaces, Duration.ofMinutes(10), Duration.ofSeconds(1), Duration.ofMinutes(5),
                    DEFAULT_LIST_PAGE_SIZE);
        }

        public Options withListPageSize(int pageSize) {
            return new Options(namespaces, resyncPeriod, retryBackoff, tombstoneTtl, pageSize);
        }

        /** The informer list limit: null = unpaged. */
        Long listLimit() {
            return listPageSize == 0 ? null : (long) listPageSize;
        }
    }

    /** What was last sent for a job, and for whom. */
    private record Sent(TaskIdentity identity, DaskJobSnapshot snapshot) {
    }

    /** The final state of a deleted DaskJob, as the informer delivered it. */
    private record Tombstone(GenericKubernetesResource job, Instant at) {
    }

    private final KubernetesClient client;
    private final Options options;
    private final ObservationPublisher publisher;
    private final ObservationMemory memory;
    private final Clock clock;
    private final BridgeMetrics metrics;

    private final List<SharedIndexInformer<GenericKubernetesResource>> jobInformers = new ArrayList<>();
    private final List<SharedIndexInformer<Pod>> podInformers = new ArrayList<>();
    private final List<SharedIndexInformer<Event>> eventInformers = new ArrayList<>();
    private final Map<SharedIndexInformer<?>, Boolean> watching = new HashMap<>();

    private final LinkedBlockingQueue<JobRef> queue = new LinkedBlockingQueue<>();
    private final Set<JobRef> queued = ConcurrentHashMap.newKeySet();
    private final Map<JobRef, Sent> lastSent = new ConcurrentHashMap<>();
    private final Map<JobRef, Tombstone> tombstones = new ConcurrentHashMap<>();
    private final ScheduledExecutorService retries;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean publishing;
    private volatile Thread worker;

    public ObservationBridge(KubernetesClient client, Options options, ObservationPublisher publisher, Clock clock,
                             io.micrometer.core.instrument.MeterRegistry registry) {
        this(client, options, publisher, ObservationMemory.NONE, clock, registry);
    }

    /**
     * @param memory where a new leader recalls what was last published (normally the observations topic)
     */
    public ObservationBridge(KubernetesClient client, Options options, ObservationPublisher publisher,
                             ObservationMemory memory, Clock clock, io.micrometer.core.instrument.MeterRegistry registry) {
        this.memory = memory;
        this.client = client;
        this.options = options;
        this.publisher = publisher;
        this.clock = clock;
        this.metrics = new BridgeMetrics(registry, this::cacheSizes);
        this.retries = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "daskrelay-bridge-retry"));
    }

    public BridgeMetrics metrics() {
        return metrics;
    }

    /** Starts the informers and the worker; returns without waiting for the initial lists ({@link #synced()}). */
    public void start() {
        if (!started.compareAndSet(false, true)) {
            return;
        }
        List<String> scopes = options.namespaces().isEmpty() ? java.util.Collections.singletonList(null)
                : options.namespaces();
        long resync = options.resyncPeriod().toMillis();
        for (String ns : scopes) {
            var jobsOp = client.genericKubernetesResources(DaskJobResource.CONTEXT);
            var jobs = (ns == null ? jobsOp.inAnyNamespace() : jobsOp.inNamespace(ns))
                    .withLabel(KubernetesLabels.MANAGED_BY, KubernetesLabels.MANAGED_BY_VALUE)
                    .withLimit(options.listLimit()).runnableInformer(resync);
            jobs.itemStore(new SlimItemStore<>(SlimItemStore::daskJob));
            jobs.addEventHandler(handler(j -> List.of(ref(j)), this::onJobDeleted));
            jobInformers.add(jobs);

            var pods = (ns == null ? client.pods().inAnyNamespace() : client.pods().inNamespace(ns))
                    .withLabel(KubernetesLabels.MANAGED_BY, KubernetesLabels.MANAGED_BY_VALUE)
                    .withLimit(options.listLimit()).runnableInformer(resync);
            pods.itemStore(new SlimItemStore<>(SlimItemStore::pod));
            pods.addIndexers(Map.of(JOB_INDEX, ObservationBridge::podJobKeys));
            pods.addEventHandler(handler(ObservationBridge::podJobs, null));
            podInformers.add(pods);

            FilterWatchListDeletable<Event, EventList, Resource<Event>> eventsOp = ns == null
                    ? client.v1().events().inAnyNamespace() : client.v1().events().inNamespace(ns);
            for (String reason : CHATTY_EVENT_REASONS) {
                eventsOp = eventsOp.withoutField("reason", reason);
            }
            // Not paged: the field selector leaves few Events, and a paged (etcd-served) list with a selector makes
            // the API server read every Event of the namespace from etcd to fill each page; unpaged, it filters
            // its watch cache in memory.
            var events = eventsOp.runnableInformer(resync);
            events.itemStore(new SlimItemStore<>(SlimItemStore::event));
            events.addIndexers(Map.of(JOB_INDEX, ObservationBridge::eventJobKeys));
            events.addEventHandler(handler(ObservationBridge::eventJobs, null));
            eventInformers.add(events);
        }
        allInformers().forEach(i -> {
            watching.put(i, false);
            i.start();
        });
        Thread t = new Thread(this::work, "daskrelay-bridge");
        t.setDaemon(true);
        worker = t;
        t.start();
        LOG.info("bridge informers started ({})", options.namespaces().isEmpty() ? "all namespaces"
                : "namespaces " + options.namespaces());
    }

    /** True once every informer has completed its initial list. */
    public boolean synced() {
        return started.get() && allInformers().stream().allMatch(SharedIndexInformer::hasSynced);
    }

    /** Readiness: informers synced and, when publishing, the last send succeeded. */
    public boolean ready() {
        return synced() && (!publishing || publisher.healthy());
    }

    public boolean publishing() {
        return publishing;
    }

    /**
     * Leader callback: recall what was last published ({@link ObservationMemory}), then publish the current snapshot
     * of every managed DaskJob that differs from it, a "gone" snapshot for every remembered job that no longer
     * exists, and from then on every change.
     */
    public void startPublishing() {
        Map<JobRef, Observation> recalled;
        try {
            recalled = memory.recall();
        } catch (RuntimeException e) {
            LOG.warn("could not recall the last published snapshots; re-publishing every current one", e);
            recalled = Map.of();
        }
        recalled.forEach((ref, o) -> lastSent.putIfAbsent(ref, new Sent(
                new TaskIdentity(o.getTaskId(), o.getExecution()), (DaskJobSnapshot) o.getPayload())));
        publishing = true;
        metrics.leading(true);
        LOG.info("bridge publishing: re-observing every managed DaskJob");
        reobserveAll();
    }

    /** Stops publishing (the process exits after losing the Lease; this only keeps a closing bridge quiet). */
    public void stopPublishing() {
        publishing = false;
        metrics.leading(false);
    }

    /** Enqueues every cached DaskJob, every deleted one still to be reported, and every one last reported existing. */
    public void reobserveAll() {
        cachedJobs().forEach(j -> enqueue(ref(j)));
        tombstones.keySet().forEach(this::enqueue);
        lastSent.keySet().forEach(this::enqueue);
    }

    /** The managed DaskJobs in the informer caches (a copy). */
    public List<GenericKubernetesResource> cachedJobs() {
        List<GenericKubernetesResource> out = new ArrayList<>();
        jobInformers.forEach(i -> out.addAll(i.getStore().list()));
        return out;
    }

    /** How many objects the informer caches hold. */
    public record CacheSizes(int jobs, int pods, int events) {
    }

    /** The sizes of the informer caches (counts keys: nothing is deserialised). */
    public CacheSizes cacheSizes() {
        return new CacheSizes(keys(jobInformers), keys(podInformers), keys(eventInformers));
    }

    private static int keys(List<? extends SharedIndexInformer<?>> informers) {
        int n = 0;
        for (var i : informers) {
            n += i.getStore().listKeys().size();
        }
        return n;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Handlers: enqueue only.

    private <T extends HasMetadata> ResourceEventHandler<T> handler(Function<T, List<JobRef>> refs,
                                                                   java.util.function.Consumer<T> onDelete) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                refs.apply(obj).forEach(ObservationBridge.this::enqueue);
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                refs.apply(newObj).forEach(ObservationBridge.this::enqueue);
                if (oldObj != null) {
                    refs.apply(oldObj).forEach(ObservationBridge.this::enqueue);
                }
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                if (onDelete != null) {
                    onDelete.accept(obj);
                }
                refs.apply(obj).forEach(ObservationBridge.this::enqueue);
            }
        };
    }

    private void onJobDeleted(GenericKubernetesResource job) {
        Instant now = clock.instant();
        tombstones.values().removeIf(t -> t.at().isBefore(now.minus(options.tombstoneTtl())));
        tombstones.put(ref(job), new Tombstone(job, now));
    }

    private void enqueue(JobRef ref) {
        if (queued.add(ref)) {
            queue.add(ref);
        }
    }

    static JobRef ref(HasMetadata job) {
        return new JobRef(job.getMetadata().getNamespace(), job.getMetadata().getName());
    }

    static List<JobRef> podJobs(Pod p) {
        Map<String, String> labels = p.getMetadata().getLabels();
        String cluster = labels == null ? null : labels.get(KubernetesLabels.DASK_CLUSTER_NAME);
        return cluster == null || p.getMetadata().getNamespace() == null ? List.of()
                : List.of(new JobRef(p.getMetadata().getNamespace(), cluster));
    }

    static List<String> podJobKeys(Pod p) {
        return podJobs(p).stream().map(JobRef::key).toList();
    }

    static List<JobRef> eventJobs(Event e) {
        return EventAttribution.relevant(e) ? EventAttribution.jobOf(e).map(List::of).orElse(List.of()) : List.of();
    }

    static List<String> eventJobKeys(Event e) {
        return eventJobs(e).stream().map(JobRef::key).toList();
    }

    // ---------------------------------------------------------------------------------------------------------
    // The worker: derive, compare, publish.

    private void work() {
        while (!closed.get()) {
            try {
                JobRef ref = queue.poll(1, TimeUnit.SECONDS);
                checkWatches();
                if (ref == null) {
                    continue;
                }
                queued.remove(ref);
                if (publishing) {
                    process(ref);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.error("bridge worker: unexpected error, continuing", e);
            }
        }
    }

    /** A watch that stopped and came back means the informer re-listed: re-observe everything. */
    private void checkWatches() {
        boolean relisted = false;
        for (var i : allInformers()) {
            boolean now = i.isWatching();
            Boolean before = watching.put(i, now);
            if (now && Boolean.FALSE.equals(before) && i.hasSynced() && everWatched.contains(i)) {
                relisted = true;
            }
            if (now) {
                everWatched.add(i);
            }
        }
        if (relisted) {
            metrics.relists.increment();
            LOG.info("a watch was re-established; re-observing every managed DaskJob");
            reobserveAll();
        }
    }

    private final Set<SharedIndexInformer<?>> everWatched = ConcurrentHashMap.newKeySet();

    private void process(JobRef ref) {
        GenericKubernetesResource job = findJob(ref);
        Sent last = lastSent.get(ref);
        TaskIdentity identity;
        DaskJobSnapshot snapshot;
        if (job != null) {
            tombstones.remove(ref);
            identity = TaskIdentity.of(job);
            if (identity == null) {
                LOG.warn("DaskJob {} carries {} but no task id ({} annotation); ignored", ref,
                        DaskJobResource.MANAGED_SELECTOR, KubernetesLabels.TASK_ID);
                return;
            }
            snapshot = SnapshotDerivation.derive(job, byIndex(podInformers, ref), byIndex(eventInformers, ref));
        } else {
            Tombstone tomb = tombstones.get(ref);
            if (last != null) {
                if (!last.snapshot().getExists()) {
                    return;
                }
                identity = last.identity();
                snapshot = SnapshotDerivation.gone(last.snapshot());
            } else if (tomb != null && TaskIdentity.of(tomb.job()) != null) {
                identity = TaskIdentity.of(tomb.job());
                snapshot = SnapshotDerivation.gone(SnapshotDerivation.derive(tomb.job(), List.of(), List.of()));
            } else {
                return;
            }
        }
        if (last != null && !SnapshotDerivation.changed(last.snapshot(), snapshot)) {
            metrics.suppressed.increment();
            return;
        }
        publish(ref, identity, snapshot);
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
        Sent sent = new Sent(identity, snapshot);
        lastSent.put(ref, sent);
        MDC.put("taskId", identity.taskId());
        try {
            LOG.debug("publishing snapshot of {}: jobStatus={} exists={}", ref, snapshot.getJobStatus(),
                    snapshot.getExists());
        } finally {
            MDC.remove("taskId");
        }
        CompletableFuture<Void> f = publisher.publish(o);
        f.whenComplete((ok, error) -> {
            if (error == null) {
                metrics.published.increment();
                if (!snapshot.getExists()) {
                    lastSent.remove(ref, sent);
                    tombstones.remove(ref);
                }
            } else {
                metrics.publishFailures.increment();
                MDC.put("taskId", identity.taskId());
                try {
                    LOG.warn("could not publish the observation of {}; retrying in {}: {}", ref,
                            options.retryBackoff(), error.toString());
                } finally {
                    MDC.remove("taskId");
                }
                lastSent.remove(ref, sent);
                if (!closed.get()) {
                    retries.schedule(() -> enqueue(ref), options.retryBackoff().toMillis(), TimeUnit.MILLISECONDS);
                }
            }
        });
    }

    private GenericKubernetesResource findJob(JobRef ref) {
        for (var i : jobInformers) {
            GenericKubernetesResource j = i.getStore().getByKey(ref.key());
            if (j != null) {
                return j;
            }
        }
        return null;
    }

    private static <T> Collection<T> byIndex(List<SharedIndexInformer<T>> informers, JobRef ref) {
        List<T> out = new ArrayList<>();
        for (var i : informers) {
            out.addAll(i.getIndexer().byIndex(JOB_INDEX, ref.key()));
        }
        return out;
    }

    private List<SharedIndexInformer<?>> allInformers() {
        List<SharedIndexInformer<?>> all = new ArrayList<>();
        all.addAll(jobInformers);
        all.addAll(podInformers);
        all.addAll(eventInformers);
        return all;
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** Stops the worker and the informers; idempotent. Does not close the publisher or the client. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        publishing = false;
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
        allInformers().forEach(SharedIndexInformer::stop);
    }
}
