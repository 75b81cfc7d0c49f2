package dev.daskrelay.watcher.bridge;

import dev.daskrelay.schemas.KubernetesLabels;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventList;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.FilterWatchListDeletable;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.impl.KubernetesClientImpl;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bridge's informers and their caches: construction, enqueue-only event handlers, cache and index queries, and
 * relist detection. Everything that knows fabric8's informers is here; the {@link ObservationBridge} only asks for a
 * job's cached objects and is told which jobs changed.
 *
 * <p>Selection: DaskJobs and pods by a server-side label selector, {@code app.kubernetes.io/managed-by=daskrelay}
 * and {@code daskrelay.dev/installation=<this installation>} (the operator copies the DaskJob's labels to its pods),
 * so another installation's objects never reach the caches; pods grouped by {@code dask.org/cluster-name}. Events carry no labels and a
 * field selector cannot express "objects of this job", so the event informer watches the Events of the watched
 * namespaces and attributes them by involved object ({@link EventAttribution}). Most Events of a busy namespace are
 * progress reports (a pod alone gets Scheduled, Pulling, Pulled, Created, Started), which the bridge never uses, so
 * the informer asks the API server to leave those reasons out ({@link #CHATTY_EVENT_REASONS}, a field selector
 * {@code reason!=Scheduled,reason!=Pulling,...}); every Warning and the notable Normal reasons (Killing,
 * Preempted ...) still arrive. The fabric8 mock server used in tests ignores {@code !=} field selectors, so
 * {@link EventAttribution#relevant} filters again in code. The caches keep slim copies of the objects
 * ({@link SlimItemStore}); with {@link InformerDecoding#STREAMING} (the default) the informers decode the API server's
 * JSON straight into those slim copies ({@link SlimDecoding}). The informers run on a client of their own, on the
 * caller's HTTP client (connections, credentials) with the chosen serialization, their own dispatch threads and,
 * unless switched off, gzip-compressed list responses ({@link GzipLists}).
 */
public final class BridgeInformers {

    private static final Logger LOG = LoggerFactory.getLogger(BridgeInformers.class);

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

    private static final AtomicInteger DISPATCH_THREADS = new AtomicInteger();

    /** What the informers tell: which DaskJob a change concerns, and the final state of a deleted DaskJob. */
    public interface Listener {
        /** Something about this DaskJob changed (the job, one of its pods, an Event about it). */
        void changed(JobRef job);

        /**
         * The DaskJob left the cache; this is its last known state (called before {@link #changed}).
         *
         * @param watched true when the watch delivered its deletion; false when a relist no longer listed it
         *     (fabric8's "final state unknown": the list may be cut short, so this is no proof it is gone)
         */
        void jobDeleted(GenericKubernetesResource job, boolean watched);
    }

    /** How many objects the informer caches hold. */
    public record CacheSizes(int jobs, int pods, int events) {
    }

    private final KubernetesClient client;
    private final List<String> namespaces;
    private final Map<String, String> selector;
    private final Duration resyncPeriod;
    private final Long listLimit;
    private final InformerDecoding decoding;
    private final boolean compressLists;
    private final Listener listener;

    /** The informers, one of each kind per watched namespace; set once by {@link #start()}. */
    private record Informers(List<SharedIndexInformer<GenericKubernetesResource>> jobs,
                             List<SharedIndexInformer<Pod>> pods, List<SharedIndexInformer<Event>> events) {
        static final Informers NONE = new Informers(List.of(), List.of(), List.of());

        Informers {
            jobs = List.copyOf(jobs);
            pods = List.copyOf(pods);
            events = List.copyOf(events);
        }

        List<SharedIndexInformer<?>> all() {
            List<SharedIndexInformer<?>> all = new ArrayList<>(jobs);
            all.addAll(pods);
            all.addAll(events);
            return all;
        }
    }

    private volatile Informers informers = Informers.NONE;
    /** Dispatches the informers' events (the informer client's executor). */
    private ExecutorService dispatch;
    private final Map<SharedIndexInformer<?>, Boolean> watching = new HashMap<>();
    private final Set<SharedIndexInformer<?>> everWatched = new HashSet<>();

    /**
     * @param namespaces namespaces to watch; empty = all namespaces
     * @param selector labels every watched DaskJob and pod carries (the API server filters on them)
     * @param resyncPeriod informer resync: every cached object is handed to the handlers again this often
     * @param listLimit page size of the DaskJob and pod lists; null = one unpaged list (the Event informer is never
     *     paged, see {@link #start()})
     * @param decoding how list and watch responses are decoded
     * @param compressLists ask for gzip-compressed list responses ({@link GzipLists})
     */
    BridgeInformers(KubernetesClient client, List<String> namespaces, Map<String, String> selector,
                    Duration resyncPeriod, Long listLimit, InformerDecoding decoding, boolean compressLists,
                    Listener listener) {
        this.client = client;
        this.namespaces = List.copyOf(namespaces);
        this.selector = Map.copyOf(selector);
        this.resyncPeriod = resyncPeriod;
        this.listLimit = listLimit;
        this.decoding = decoding;
        this.compressLists = compressLists;
        this.listener = listener;
    }

    /** Builds and starts the informers; returns without waiting for their initial lists ({@link #synced()}). */
    synchronized void start() {
        if (informers != Informers.NONE) {
            return;
        }
        List<SharedIndexInformer<GenericKubernetesResource>> jobInformers = new ArrayList<>();
        List<SharedIndexInformer<Pod>> podInformers = new ArrayList<>();
        List<SharedIndexInformer<Event>> eventInformers = new ArrayList<>();
        List<String> scopes = namespaces.isEmpty() ? Collections.singletonList(null) : namespaces;
        long resync = resyncPeriod.toMillis();
        dispatch = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "daskrelay-informer-" + DISPATCH_THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        KubernetesClient client = informerClient(dispatch);
        for (String ns : scopes) {
            var jobsOp = client.genericKubernetesResources(DaskJobResource.CONTEXT);
            var jobs = (ns == null ? jobsOp.inAnyNamespace() : jobsOp.inNamespace(ns))
                    .withLabels(selector).withLimit(listLimit).runnableInformer(resync);
            jobs.itemStore(new SlimItemStore<>(SlimItemStore::daskJob));
            jobs.addEventHandler(handler(j -> List.of(ref(j)), listener::jobDeleted));
            jobInformers.add(jobs);

            var pods = (ns == null ? client.pods().inAnyNamespace() : client.pods().inNamespace(ns))
                    .withLabels(selector).withLimit(listLimit).runnableInformer(resync);
            pods.itemStore(new SlimItemStore<>(SlimItemStore::pod));
            pods.addIndexers(Map.of(JOB_INDEX, BridgeInformers::podJobKeys));
            pods.addEventHandler(handler(BridgeInformers::podJobs, null));
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
            // pod names are cut to 63 characters (generateName), so a pod's Events are attributed by the cached pod's
            // labels first and by name only when the pod is not (yet) cached
            events.addIndexers(Map.of(JOB_INDEX, e -> eventJobs(e, pods).stream().map(JobRef::key).toList()));
            events.addEventHandler(handler(e -> eventJobs(e, pods), null));
            eventInformers.add(events);
        }
        informers = new Informers(jobInformers, podInformers, eventInformers);
        for (SharedIndexInformer<?> i : informers.all()) {
            watching.put(i, false);
            // fabric8's default gives up for good when the initial list or watch fails (a 5xx, a 429, a reset, an
            // API server restarting): the informer stops and never syncs, so the bridge would wait forever. Keep
            // retrying with the informer's back-off, as client-go does; only a WatcherException (an event that
            // cannot be read) still stops it.
            i.exceptionHandler(BridgeInformers::retry);
            i.start();
        }
    }

    /**
     * The informers' client: the caller's HTTP client (its connections and credentials; with {@link GzipLists} when
     * lists are compressed) and configuration, the decoding's serialization, {@code executor} for event dispatch.
     * Never closed: that would close the caller's HTTP client; {@link #stop()} stops the informers.
     */
    private KubernetesClient informerClient(ExecutorService executor) {
        HttpClient http = compressLists
                ? client.getHttpClient().newBuilder().addOrReplaceInterceptor(GzipLists.NAME, new GzipLists()).build()
                : client.getHttpClient();
        KubernetesSerialization serialization = decoding == InformerDecoding.STREAMING ? SlimDecoding.serialization()
                : client.getKubernetesSerialization();
        return new KubernetesClientImpl(http, client.getConfiguration(), () -> executor, serialization);
    }

    /** Whether an informer tries its list and watch again after {@code t} (logged). */
    static boolean retry(boolean started, Throwable t) {
        boolean again = !(t instanceof WatcherException);
        LOG.warn("informer list/watch failed ({}): {}{}", started ? "after it started" : "before its first list",
                t.toString(), again ? "; retrying" : "; giving up");
        return again;
    }

    /** True once every informer has completed its initial list (false before {@link #start()}). */
    boolean synced() {
        List<SharedIndexInformer<?>> all = informers.all();
        return !all.isEmpty() && all.stream().allMatch(SharedIndexInformer::hasSynced);
    }

    /**
     * True when a watch that had been established stopped and came back since the last call: the informer re-listed
     * (after a 410 Gone or a dropped connection), and what happened meanwhile may have been compressed into that
     * list. Called by one thread (the bridge's worker).
     */
    synchronized boolean relisted() {
        boolean relisted = false;
        for (SharedIndexInformer<?> i : informers.all()) {
            boolean now = i.isWatching();
            Boolean before = watching.put(i, now);
            if (now && Boolean.FALSE.equals(before) && i.hasSynced() && everWatched.contains(i)) {
                relisted = true;
            }
            if (now) {
                everWatched.add(i);
            }
        }
        return relisted;
    }

    /** The managed DaskJobs in the caches (a copy). */
    List<GenericKubernetesResource> cachedJobs() {
        List<GenericKubernetesResource> out = new ArrayList<>();
        for (SharedIndexInformer<GenericKubernetesResource> i : informers.jobs()) {
            out.addAll(i.getStore().list());
        }
        return out;
    }

    /** The sizes of the caches (counts keys: nothing is copied). */
    CacheSizes cacheSizes() {
        return new CacheSizes(keys(informers.jobs()), keys(informers.pods()), keys(informers.events()));
    }

    /** The cached DaskJob, or null. */
    GenericKubernetesResource job(JobRef ref) {
        for (SharedIndexInformer<GenericKubernetesResource> i : informers.jobs()) {
            GenericKubernetesResource j = i.getStore().getByKey(ref.key());
            if (j != null) {
                return j;
            }
        }
        return null;
    }

    /** The cached pods of the DaskJob (by {@code dask.org/cluster-name}). */
    Collection<Pod> pods(JobRef ref) {
        return byIndex(informers.pods(), ref);
    }

    /** The cached Events about the DaskJob or its objects ({@link EventAttribution}). */
    Collection<Event> events(JobRef ref) {
        return byIndex(informers.events(), ref);
    }

    /** Stops every informer. */
    synchronized void stop() {
        informers.all().forEach(SharedIndexInformer::stop);
        if (dispatch != null) {
            dispatch.shutdownNow();
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    /**
     * Enqueue-only handler: every add, update and delete tells the listener which jobs changed; a delete first goes to
     * {@code onDelete} with whether the watch delivered it (fabric8 calls {@code onDelete} with
     * {@code deletedFinalStateUnknown = true} for objects a relist no longer lists).
     */
    <T extends HasMetadata> ResourceEventHandler<T> handler(Function<T, List<JobRef>> refs,
                                                                   BiConsumer<T, Boolean> onDelete) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                refs.apply(obj).forEach(listener::changed);
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                refs.apply(newObj).forEach(listener::changed);
                if (oldObj != null) {
                    refs.apply(oldObj).forEach(listener::changed);
                }
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                if (onDelete != null) {
                    onDelete.accept(obj, !deletedFinalStateUnknown);
                }
                refs.apply(obj).forEach(listener::changed);
            }
        };
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

    /** The DaskJob a relevant Event is about: through the cached pod it involves, else by the object's name. */
    static List<JobRef> eventJobs(Event e, SharedIndexInformer<Pod> pods) {
        if (!EventAttribution.relevant(e)) {
            return List.of();
        }
        ObjectReference o = e.getInvolvedObject();
        if (o != null && "Pod".equals(o.getKind()) && o.getName() != null) {
            String ns = o.getNamespace() != null ? o.getNamespace()
                    : e.getMetadata() == null ? null : e.getMetadata().getNamespace();
            Pod pod = ns == null ? null : pods.getStore().getByKey(ns + "/" + o.getName());
            if (pod != null) {
                return podJobs(pod);
            }
        }
        return eventJobs(e);
    }

    private static <T> Collection<T> byIndex(List<SharedIndexInformer<T>> informers, JobRef ref) {
        List<T> out = new ArrayList<>();
        for (SharedIndexInformer<T> i : informers) {
            out.addAll(i.getIndexer().byIndex(JOB_INDEX, ref.key()));
        }
        return out;
    }

    private static int keys(List<? extends SharedIndexInformer<?>> informers) {
        int n = 0;
        for (SharedIndexInformer<?> i : informers) {
            n += i.getStore().listKeys().size();
        }
        return n;
    }
}
