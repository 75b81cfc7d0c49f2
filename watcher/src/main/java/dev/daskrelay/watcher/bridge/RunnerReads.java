package dev.daskrelay.watcher.bridge;

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
 * Reads a failed DaskJob's runner pod straight from the API server when the pod cache has not shown its end within
 * the bridge's hold ({@link PublishDecision.Hold}).
 *
 * <p>Why: the operator writes {@code Failed} on the DaskJob because it saw the runner pod fail, so the pod's end is in
 * the API server. A pod cache that is still behind after the hold is not a moment behind: its watch is broken and is
 * being re-established (API faults, an API server restart, a relist), which can take tens of seconds. Publishing then
 * would report Flyte's generic "Dask Job failed" instead of the runner's exit code or OOMKilled, decided only by how
 * long the pod watch was down. A direct read answers the question; a read that fails is retried after the bridge's
 * retry back-off, on its own thread, never the bridge worker's.
 *
 * <p>Results are kept per DaskJob until {@link #forget}: {@link Pending} while reading, {@link Found} with the pod as
 * the API server returned it, {@link Absent} when the pod does not exist (404). {@code done} is called with the job
 * after every completed read so the worker decides again.
 */
final class RunnerReads implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RunnerReads.class);

    /** Reads one pod: empty when the API server says it does not exist; throws when the read failed. */
    @FunctionalInterface
    interface Reader {
        Optional<Pod> read(String namespace, String name);

        static Reader of(KubernetesClient client) {
            return (namespace, name) -> Optional.ofNullable(client.pods().inNamespace(namespace).withName(name).get());
        }
    }

    /** What is known about a runner pod read. */
    sealed interface Result permits Pending, Found, Absent {
    }

    /** The read is under way (or waiting to be retried). */
    record Pending(String podName) implements Result {
    }

    /** The pod as the API server returned it. */
    record Found(Pod pod) implements Result {
        Found {
            Objects.requireNonNull(pod, "pod");
        }
    }

    /** The API server says the pod does not exist. */
    record Absent(String podName) implements Result {
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

    private final Map<JobRef, Result> results = new ConcurrentHashMap<>();
    private final Reader reader;
    private final Duration retryBackoff;
    private final Consumer<JobRef> done;
    private final Outcomes outcomes;
    private final ScheduledExecutorService executor;

    RunnerReads(Reader reader, Duration retryBackoff, Consumer<JobRef> done, Outcomes outcomes) {
        this.reader = reader;
        this.retryBackoff = retryBackoff;
        this.done = done;
        this.outcomes = outcomes;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "daskrelay-bridge-runner-reads");
            t.setDaemon(true);
            return t;
        });
    }

    /** What is known for this job; null when no read was requested (or it was forgotten). */
    Result result(JobRef job) {
        return results.get(job);
    }

    /** Starts reading the runner pod of this job unless a read was already requested. */
    void request(JobRef job, String podName) {
        Objects.requireNonNull(podName, "podName");
        if (results.putIfAbsent(job, new Pending(podName)) == null) {
            submit(job, podName, 0);
        }
    }

    /** Drops what is known for this job (its decision was published, or it is gone); a read under way is discarded. */
    void forget(JobRef job) {
        results.remove(job);
    }

    /**
     * The cached pods with this result applied: a {@link Found} pod replaces the cached pod of the same name (or is
     * added), an {@link Absent} pod is removed; anything else leaves the list as it is.
     */
    static Collection<Pod> apply(Collection<Pod> cached, Result result) {
        if (result instanceof Found f) {
            List<Pod> pods = new ArrayList<>(cached.size() + 1);
            String name = f.pod().getMetadata().getName();
            for (Pod p : cached) {
                if (!name.equals(p.getMetadata().getName())) {
                    pods.add(p);
                }
            }
            pods.add(f.pod());
            return pods;
        }
        if (result instanceof Absent a) {
            return cached.stream().filter(p -> !a.podName().equals(p.getMetadata().getName())).toList();
        }
        return cached;
    }

    private void submit(JobRef job, String podName, long delayMillis) {
        try {
            executor.schedule(() -> read(job, podName), delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closed) {
            // closing: nothing more to read
        }
    }

    private void read(JobRef job, String podName) {
        if (!(results.get(job) instanceof Pending)) {
            return; // forgotten meanwhile
        }
        Result result;
        try {
            Optional<Pod> pod = reader.read(job.namespace(), podName);
            result = pod.<Result>map(Found::new).orElseGet(() -> new Absent(podName));
        } catch (RuntimeException e) { // KubernetesClientException mostly; anything else is retried the same way
            outcomes.failed();
            LOG.debug("reading runner pod {}/{} of {} failed; retrying in {}: {}", job.namespace(), podName, job,
                    retryBackoff, e.toString());
            submit(job, podName, retryBackoff.toMillis());
            return;
        }
        if (result instanceof Found) {
            outcomes.found();
        } else {
            outcomes.absent();
        }
        if (results.replace(job, new Pending(podName), result)) {
            done.accept(job);
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
