package dev.daskrelay.watcher.janitor;

import dev.daskrelay.schemas.KubernetesLabels;
import dev.daskrelay.schemas.LogKeys;
import dev.daskrelay.schemas.config.Installation;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Deletes this installation's DaskJobs whose {@link RetentionPolicy} expired. Only a DaskJob labelled
 * {@code daskrelay.dev/installation=<this installation>} is ever deleted: the label is checked on the cached candidate
 * and again on the live object (another installation's job, or one created before installations were labelled, is
 * left alone whatever the cache holds). Reads candidates from the bridge's informer cache
 * (no list calls), re-reads each candidate before deleting it and decides again on the live object (a job re-created
 * under the same name, still running, is kept), then deletes with that {@code resourceVersion} as a precondition
 * (a real API server refuses with 409 if it changed in between; the fabric8 mock server ignores preconditions). A
 * finished DaskJob whose deletion could lose something is kept (see the constructor). Runs only while this instance leads ({@link #start()} is called
 * from the leader callback). Deleting a finished job publishes nothing itself; the bridge reports the disappearance
 * ({@code exists=false}), which the status topology ignores after a terminal phase.
 */
public final class Janitor implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Janitor.class);

    private final KubernetesClient client;
    private final ResourceDefinitionContext daskJobs;
    private final Supplier<Collection<GenericKubernetesResource>> candidates;
    private final Predicate<GenericKubernetesResource> safeToDelete;
    private final RetentionPolicy policy;
    private final Installation installation;
    /** How often the janitor looks, unless configured ({@code watcher.janitorInterval}). */
    public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(1);

    private final Duration interval;
    private final Clock clock;
    private final Counter deletions;
    private final Counter failures;
    private final Counter deferred;
    private ScheduledExecutorService timer;
    private ScheduledFuture<?> task;

    /**
     * @param candidates DaskJobs to consider (the bridge's cache); each is re-read and deleted only when it is
     *     {@code installation}'s and expired
     * @param safeToDelete whether deleting an expired candidate loses nothing: in the watcher, the bridge has
     *     published its final state ({@code ObservationBridge.finalStateReported}: deleted earlier, its end would be
     *     reported from the tombstone, without the runner pod's exit code) and the applier has committed the intent
     *     that created it ({@link ApplierProgress}: deleted earlier, a replay of that intent would create it again);
     *     an expired DaskJob is kept until then (metric {@code daskrelay.watcher.janitor.deferred})
     * @param installation the only installation whose DaskJobs this janitor deletes
     */
    public Janitor(KubernetesClient client, ResourceDefinitionContext daskJobs,
                   Supplier<Collection<GenericKubernetesResource>> candidates,
                   Predicate<GenericKubernetesResource> safeToDelete, RetentionPolicy policy,
                   Installation installation, Duration interval, Clock clock, MeterRegistry registry) {
        this.client = client;
        this.daskJobs = daskJobs;
        this.candidates = candidates;
        this.safeToDelete = safeToDelete;
        this.policy = policy;
        this.installation = installation;
        this.interval = interval;
        this.clock = clock;
        this.deletions = Counter.builder("daskrelay.watcher.janitor.deletions")
                .description("finished DaskJobs deleted after their retention").register(registry);
        this.failures = Counter.builder("daskrelay.watcher.janitor.failures")
                .description("janitor deletes that failed (retried next sweep)").register(registry);
        this.deferred = Counter.builder("daskrelay.watcher.janitor.deferred")
                .description("expired DaskJobs kept for a sweep: final state not published or creating intent not committed")
                .register(registry);
    }

    /** Sweeps every {@code interval} until closed; no-op when the policy is "never". */
    public synchronized void start() {
        if (task != null || policy.never()) {
            if (policy.never()) {
                LOG.info("janitor off (watcher.retainFinished: -1)");
            }
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "daskrelay-janitor");
            t.setDaemon(true);
            return t;
        });
        task = timer.scheduleWithFixedDelay(this::sweepSafely, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        LOG.info("janitor deletes installation {}'s finished DaskJobs {} after their end, checking every {}",
                installation, policy.retain(), interval);
    }

    private void sweepSafely() {
        try {
            sweep();
        } catch (RuntimeException e) {
            LOG.warn("janitor sweep failed; next sweep in {}", interval, e);
        }
    }

    /** One pass over the candidates; returns how many DaskJobs were deleted. */
    public int sweep() {
        Instant now = clock.instant();
        int deleted = 0;
        int kept = 0;
        for (GenericKubernetesResource job : candidates.get()) {
            if (!installation.owns(job.getMetadata().getLabels())) {
                continue;
            }
            Map<String, Object> status = status(job);
            String jobStatus = str(status.get("jobStatus"));
            String endTime = str(status.get("endTime"));
            boolean deleting = job.getMetadata().getDeletionTimestamp() != null;
            if (!policy.expired(jobStatus, endTime, deleting, now)) {
                continue;
            }
            if (!safeToDelete.test(job)) {
                deferred.increment();
                kept++;
                continue;
            }
            if (delete(job, jobStatus, endTime)) {
                deleted++;
            }
        }
        if (kept > 0) {
            LOG.info("kept {} expired DaskJobs whose final state is not published yet or whose creating intent the "
                    + "applier has not committed yet; looking again in {}", kept, interval);
        }
        return deleted;
    }

    private boolean delete(GenericKubernetesResource job, String jobStatus, String endTime) {
        String ns = job.getMetadata().getNamespace();
        String name = job.getMetadata().getName();
        String taskId = job.getMetadata().getAnnotations() == null ? null
                : job.getMetadata().getAnnotations().get(KubernetesLabels.TASK_ID);
        try (var ignored = taskId == null ? null : MDC.putCloseable(LogKeys.TASK_ID, taskId)) {
            var resource = client.genericKubernetesResources(daskJobs).inNamespace(ns).withName(name);
            // The cache may be stale (the job re-created under the same name, or not finished after all): decide on
            // the live object, and delete exactly that version (a real API server answers 409 if it changed since).
            GenericKubernetesResource live = resource.get();
            if (live == null) {
                return false;
            }
            if (!installation.owns(live.getMetadata().getLabels())) {
                LOG.info("DaskJob {}/{} is not installation {}'s (any more); not deleted", ns, name, installation);
                return false;
            }
            Map<String, Object> liveStatus = status(live);
            if (!policy.expired(str(liveStatus.get("jobStatus")), str(liveStatus.get("endTime")),
                    live.getMetadata().getDeletionTimestamp() != null, clock.instant())) {
                LOG.info("DaskJob {}/{} changed since it was cached; not deleted", ns, name);
                return false;
            }
            String rv = live.getMetadata().getResourceVersion();
            var result = rv == null ? resource.delete() : resource.lockResourceVersion(rv).delete();
            boolean ok = result != null && !result.isEmpty();
            if (ok) {
                deletions.increment();
                LOG.info("deleted DaskJob {}/{} ({} at {}, retention {})", ns, name, jobStatus, endTime, policy.retain());
            }
            return ok;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return false;
            }
            failures.increment();
            LOG.warn("could not delete DaskJob {}/{} (HTTP {}); will retry", ns, name, e.getCode());
            return false;
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> status(GenericKubernetesResource job) {
        Object s = job.getAdditionalProperties().get("status");
        return s instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    private static String str(Object o) {
        return o == null ? null : o.toString();
    }

    /** Stops sweeping; idempotent. */
    @Override
    public synchronized void close() {
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
            task = null;
        }
    }
}
