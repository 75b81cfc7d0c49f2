package dev.daskrelay.watcher.bridge;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One active bridge at a time: a fabric8 {@code LeaderElector} on a {@code coordination.k8s.io/v1} Lease. The
 * holder renews every retry period; a candidate takes over once the Lease has not been renewed for the lease
 * duration. {@code onStarted} runs when this instance becomes leader; {@code onLost} runs when it stops being leader
 * for any reason other than {@link #close()} (the process wiring exits then: a bridge that may have lost the Lease
 * must not keep publishing next to the new leader).
 *
 * <p>The Lease's own requests go through a client of their own whose request timeout is the retry period (2 s by
 * default) and that never retries by itself. With the process's client (10 s request timeout), one renewal request
 * held by a slow or broken connection used the whole renew deadline and the leader lost the Lease; with the short
 * timeout a hung renewal fails fast and is tried again, several times within the deadline.
 */
public final class LeaderElection implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LeaderElection.class);

    /** Lease timing; the Kubernetes defaults used by controllers (15 s / 10 s / 2 s). */
    public record Timing(Duration leaseDuration, Duration renewDeadline, Duration retryPeriod) {
        public static final Timing DEFAULT = new Timing(Duration.ofSeconds(15), Duration.ofSeconds(10),
                Duration.ofSeconds(2));

        public Timing {
            Objects.requireNonNull(leaseDuration);
            Objects.requireNonNull(renewDeadline);
            Objects.requireNonNull(retryPeriod);
            if (renewDeadline.compareTo(leaseDuration) >= 0 || retryPeriod.compareTo(renewDeadline) >= 0) {
                throw new IllegalArgumentException("lease timing: need retryPeriod < renewDeadline < leaseDuration");
            }
        }
    }

    private final KubernetesClient client;
    private final String leaseNamespace;
    private final String leaseName;
    private final String identity;
    private final Timing timing;
    private final Runnable onStarted;
    private final Runnable onLost;
    private final AtomicBoolean leading = new AtomicBoolean();
    private final AtomicBoolean closing = new AtomicBoolean();
    private volatile CompletableFuture<?> running;
    private KubernetesClient leaseClient;

    public LeaderElection(KubernetesClient client, String leaseNamespace, String leaseName, String identity,
                          Timing timing, Runnable onStarted, Runnable onLost) {
        this.client = client;
        this.leaseNamespace = leaseNamespace;
        this.leaseName = leaseName;
        this.identity = identity;
        this.timing = timing;
        this.onStarted = onStarted;
        this.onLost = onLost;
    }

    /** Starts competing for the Lease in the background. */
    public synchronized void start() {
        if (running != null) {
            return;
        }
        var config = new LeaderElectionConfigBuilder()
                .withName(leaseName)
                .withLock(new LeaseLock(leaseNamespace, leaseName, identity))
                .withLeaseDuration(timing.leaseDuration())
                .withRenewDeadline(timing.renewDeadline())
                .withRetryPeriod(timing.retryPeriod())
                .withReleaseOnCancel(true)
                .withLeaderCallbacks(new LeaderCallbacks(this::started, this::stopped,
                        leader -> LOG.info("Lease {}/{} is held by {}", leaseNamespace, leaseName, leader)))
                .build();
        LOG.info("competing for Lease {}/{} as {}", leaseNamespace, leaseName, identity);
        leaseClient = leaseClient(client, timing.retryPeriod());
        running = leaseClient.leaderElector().withConfig(config).build().start();
        running.whenComplete((ok, error) -> {
            if (error != null && !closing.get() && !(error instanceof CancellationException)) {
                LOG.error("leader election ended with an error", error);
                stopped();
            }
        });
    }

    /** The process's client with a request and connect timeout of {@code timeout} and no client-side retries. */
    static KubernetesClient leaseClient(KubernetesClient client, Duration timeout) {
        int millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        Config config = new ConfigBuilder(client.getConfiguration())
                .withRequestTimeout(millis)
                .withConnectionTimeout(millis)
                .withRequestRetryBackoffLimit(0)
                .build();
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    public boolean leading() {
        return leading.get();
    }

    public String identity() {
        return identity;
    }

    private void started() {
        if (closing.get()) {
            return;
        }
        leading.set(true);
        LOG.info("became leader of Lease {}/{} as {}", leaseNamespace, leaseName, identity);
        onStarted.run();
    }

    private void stopped() {
        boolean was = leading.getAndSet(false);
        if (closing.get()) {
            return;
        }
        LOG.warn("no longer leader of Lease {}/{} (was leading: {})", leaseNamespace, leaseName, was);
        onLost.run();
    }

    /** Stops competing and releases the Lease if held; idempotent; {@code onLost} is not called. */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        CompletableFuture<?> r;
        KubernetesClient c;
        synchronized (this) {
            r = running;
            c = leaseClient;
        }
        if (r != null) {
            r.cancel(true); // releases the Lease if held (synchronously, through the Lease's client)
        }
        leading.set(false);
        if (c != null) {
            c.close();
        }
    }
}
