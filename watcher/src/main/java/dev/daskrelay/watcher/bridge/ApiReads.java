package dev.daskrelay.watcher.bridge;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one object per DaskJob straight from the API server when the informer caches cannot be trusted to answer a
 * question the bridge must get right. Two uses:
 * <ul>
 *   <li>a failed DaskJob's runner pod, when the pod cache has not shown its end within the bridge's hold
 *       ({@link PublishDecision.Hold}). The operator writes {@code Failed} on the DaskJob because it saw the runner pod
 *       fail, so the pod's end is in the API server; a pod cache still behind after the hold is not a moment behind:
 *       its watch is broken and being re-established (API faults, an API server restart, a relist), which can take
 *       tens of seconds. Publishing then would report Flyte's generic "Dask Job failed" instead of the runner's exit
 *       code or OOMKilled;</li>
 *   <li>a DaskJob last reported existing that is missing from the DaskJob cache although no deletion reached it
 *       ({@link PublishDecision.Confirm}): a new leader recalls the previous leader's snapshots, which can name
 *       DaskJobs created after its own informer's list while its watch is broken. Missing from the cache is then no
 *       proof of deletion; a 404 is.</li>
 * </ul>
 * A read that fails is retried after the bridge's retry back-off, on this class's own thread, never the bridge
 * worker's.
 *
 * <p>Results are kept per DaskJob until {@link #forget}: {@link Pending} while reading, {@link Found} with the object
 * as the API server returned it, {@link Absent} when it does not exist (404). {@code done} is called with the job
 * after every completed read so the worker decides again.
 *
 * @param <T> the kind of object read
 */
final class ApiReads<T> implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ApiReads.class);

    /** Reads one object: empty when the API server says it does not exist; throws when the read failed. */
    @FunctionalInterface
    interface Reader<T> {
        Optional<T> read(String namespace, String name);

        /** {@code GET pods/<name>}. */
        static Reader<Pod> pods(KubernetesClient client) {
            return (namespace, name) -> Optional.ofNullable(client.pods().inNamespace(namespace).withName(name).get());
        }

        /** {@code GET daskjobs/<name>}. */
        static Reader<GenericKubernetesResource> daskJobs(KubernetesClient client) {
            return (namespace, name) -> Optional.ofNullable(client.genericKubernetesResources(DaskJobResource.CONTEXT)
                    .inNamespace(namespace).withName(name).get());
        }
    }

    /** What is known about a read. */
    sealed interface Result<T> permits Pending, Found, Absent {
    }

    /** The read is under way (or waiting to be retried). */
    record Pending<T>(String name) implements Result<T> {
    }

    /** The object as the API server returned it. */
    record Found<T>(T value) implements Result<T> {
        Found {
            Objects.requireNonNull(value, "value");
        }
    }

    /** The API server says the object does not exist. */
    record Absent<T>(String name) implements Result<T> {
    }

    /** Outcome counters for {@link BridgeMetrics}. */
    interface Outcomes {
        void found();

        void absent();

        void failed();

        Outcomes NONE = new Outcomes() {
            @Override
            public void found() {
            }

            @Override
            public void absent() {
            }

            @Override
            public void failed() {
            }
        };
    }

    private final Map<JobRef, Result<T>> results = new ConcurrentHashMap<>();
    private final String what;
    private final Reader<T> reader;
    private final Duration retryBackoff;
    private final Consumer<JobRef> done;
    private final Outcomes outcomes;
    private final ScheduledExecutorService executor;

    /**
     * @param what what is read, for the thread name and logs ("runner", "job")
     */
    ApiReads(String what, Reader<T> reader, Duration retryBackoff, Consumer<JobRef> done, Outcomes outcomes) {
        this.what = what;
        this.reader = reader;
        this.retryBackoff = retryBackoff;
        this.done = done;
        this.outcomes = outcomes;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "daskrelay-bridge-" + what + "-reads");
            t.setDaemon(true);
            return t;
        });
    }

    /** What is known for this job; null when no read was requested (or it was forgotten). */
    Result<T> result(JobRef job) {
        return results.get(job);
    }

    /** Whether a read for this job has been answered (found or absent). */
    boolean answered(JobRef job) {
        Result<T> r = results.get(job);
        return r instanceof Found || r instanceof Absent;
    }

    /** Starts reading the object of this name for this job unless a read was already requested. */
    void request(JobRef job, String name) {
        Objects.requireNonNull(name, "name");
        if (results.putIfAbsent(job, new Pending<>(name)) == null) {
            submit(job, name, 0);
        }
    }

    /** Drops what is known for this job (its decision was published, or it is gone); a read under way is discarded. */
    void forget(JobRef job) {
        results.remove(job);
    }

    /**
     * The cached pods with a runner read applied: a {@link Found} pod replaces the cached pod of the same name (or is
     * added), an {@link Absent} pod is removed; anything else leaves the list as it is.
     */
    static Collection<Pod> apply(Collection<Pod> cached, Result<Pod> result) {
        if (result instanceof Found<Pod> f) {
            List<Pod> pods = new ArrayList<>(cached.size() + 1);
            String name = f.value().getMetadata().getName();
            for (Pod p : cached) {
                if (!name.equals(p.getMetadata().getName())) {
                    pods.add(p);
                }
            }
            pods.add(f.value());
            return pods;
        }
        if (result instanceof Absent<Pod> a) {
            return cached.stream().filter(p -> !a.name().equals(p.getMetadata().getName())).toList();
        }
        return cached;
    }

    private void submit(JobRef job, String name, long delayMillis) {
        try {
            executor.schedule(() -> read(job, name), delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closed) {
            // closing: nothing more to read
        }
    }

    private void read(JobRef job, String name) {
        if (!(results.get(job) instanceof Pending)) {
            return; // forgotten meanwhile
        }
        Result<T> result;
        try {
            Optional<T> read = reader.read(job.namespace(), name);
            result = read.<Result<T>>map(Found::new).orElseGet(() -> new Absent<>(name));
        } catch (RuntimeException e) { // KubernetesClientException mostly; anything else is retried the same way
            outcomes.failed();
            LOG.debug("reading {} {}/{} of {} failed; retrying in {}: {}", what, job.namespace(), name, job,
                    retryBackoff, e.toString());
            submit(job, name, retryBackoff.toMillis());
            return;
        }
        if (result instanceof Found) {
            outcomes.found();
        } else {
            outcomes.absent();
        }
        if (results.replace(job, new Pending<>(name), result)) {
            done.accept(job);
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
