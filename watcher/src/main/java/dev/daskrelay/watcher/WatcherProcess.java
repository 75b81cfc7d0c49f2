package dev.daskrelay.watcher;

import dev.daskrelay.avro.v1.Observation;
import dev.daskrelay.ops.OpsServer;
import dev.daskrelay.schemas.config.DaskRelayConfig;
import dev.daskrelay.schemas.config.KafkaSettings;
import dev.daskrelay.watcher.bridge.DaskJobResource;
import dev.daskrelay.watcher.bridge.KafkaObservationPublisher;
import dev.daskrelay.watcher.bridge.LeaderElection;
import dev.daskrelay.watcher.bridge.ObservationBridge;
import dev.daskrelay.watcher.bridge.ObservationPublisher;
import dev.daskrelay.watcher.janitor.Janitor;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code daskrelay watcher} process, wired top to bottom:
 * <ol>
 * <li>settings: the {@code watcher}, {@code kafka} and {@code platform} sections of {@code daskrelay.yaml};</li>
 * <li>operations endpoints: {@code /metrics}, {@code /healthz}, {@code /readyz} ({@link OpsServer});</li>
 * <li>the observation publisher (idempotent Kafka producer on {@code <prefix>.observations});</li>
 * <li>the bridge's informers (started at once, so a standby keeps warm caches);</li>
 * <li>the janitor (sweeps only while leading);</li>
 * <li>leader election on the Lease: on becoming leader the bridge publishes (first a full re-observation) and the
 *     janitor starts; on losing the Lease the process stops with exit code 1 (its Deployment restarts it as a
 *     standby).</li>
 * </ol>
 * The status topology (package {@code dev.daskrelay.watcher.status}) runs in the same process once wired in; it
 * runs on every instance (Kafka Streams balances partitions), independent of the Lease.
 *
 * <p>{@link #close()} is idempotent and used by the shutdown hook: it releases the Lease first, so a standby takes
 * over at once instead of after the lease duration.
 */
public final class WatcherProcess implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WatcherProcess.class);

    /** Exit code when the Lease was lost (contracts: 1 = failure of the work). */
    public static final int EXIT_LEADERSHIP_LOST = 1;

    private final OpsServer ops;
    private final ObservationPublisher publisher;
    private final ObservationBridge bridge;
    private final Janitor janitor;
    private final LeaderElection election;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicInteger exitCode = new AtomicInteger(0);

    private WatcherProcess(OpsServer ops, ObservationPublisher publisher, ObservationBridge bridge, Janitor janitor,
                           LeaderElection election) {
        this.ops = ops;
        this.publisher = publisher;
        this.bridge = bridge;
        this.janitor = janitor;
        this.election = election;
    }

    /**
     * Builds and starts the process.
     *
     * @param config the whole {@code daskrelay.yaml}
     * @param client Kubernetes client (owned by the caller)
     * @param observationSerializer configured value serializer of {@link Observation}s (owned by the producer now)
     * @param clock wall clock
     */
    public static WatcherProcess start(DaskRelayConfig config, KubernetesClient client,
                                       Serializer<Observation> observationSerializer, Clock clock) {
        Objects.requireNonNull(observationSerializer, "observationSerializer");
        // 1. settings
        WatcherSettings settings = config.section("watcher", WatcherSettings.class);
        KafkaSettings kafka = config.kafka();
        String leaseNamespace = settings.leaseNamespace() == null ? config.platform().namespace()
                : settings.leaseNamespace();
        String identity = settings.identity() != null ? settings.identity()
                : System.getenv().getOrDefault("HOSTNAME", "watcher-" + UUID.randomUUID());

        // 2. operations endpoints
        OpsServer ops = new OpsServer();
        ObservationPublisher publisher = null;
        ObservationBridge bridge = null;
        Janitor janitor = null;
        try {
            ops.start(settings.opsHost(), settings.opsPort());

            // 3. publisher, 4. bridge
            publisher = new KafkaObservationPublisher(kafka.clientProperties(), kafka.topics().observations(),
                    observationSerializer);
            var options = new ObservationBridge.Options(settings.watchedNamespaces(config.platform().allowedNamespaces()),
                    settings.resyncPeriod(), java.time.Duration.ofSeconds(1), java.time.Duration.ofMinutes(5));
            bridge = new ObservationBridge(client, options, publisher, clock, ops.registry());

            // 5. janitor
            ObservationBridge b = bridge;
            janitor = new Janitor(client, DaskJobResource.CONTEXT, b::cachedJobs, settings.retention(),
                    settings.janitorEvery(), clock, ops.registry());

            // 6. leader election
            Janitor j = janitor;
            WatcherProcess[] self = new WatcherProcess[1];
            LeaderElection election = new LeaderElection(client, leaseNamespace, settings.leaseName(), identity,
                    settings.leaseTiming(),
                    () -> {
                        b.startPublishing();
                        j.start();
                    },
                    () -> self[0].leadershipLost());
            WatcherProcess process = new WatcherProcess(ops, publisher, bridge, janitor, election);
            self[0] = process;
            ops.liveness("leader-election", () -> !process.closed.get());
            ops.readiness("bridge-informers-synced-and-publishing", b::ready);

            bridge.start();
            election.start();
            LOG.info("daskrelay watcher started: identity {}, Lease {}/{}, observations to {}", identity,
                    leaseNamespace, settings.leaseName(), kafka.topics().observations());
            return process;
        } catch (IOException e) {
            closeQuietly(janitor, bridge, publisher, ops);
            throw new UncheckedIOException("cannot bind the operations endpoint " + settings.opsHost() + ":"
                    + settings.opsPort(), e);
        } catch (RuntimeException e) {
            closeQuietly(janitor, bridge, publisher, ops);
            throw e;
        }
    }

    private void leadershipLost() {
        LOG.error("lost the Lease; stopping (exit code {}) so that only the new leader publishes", EXIT_LEADERSHIP_LOST);
        exitCode.compareAndSet(0, EXIT_LEADERSHIP_LOST);
        bridge.stopPublishing();
        // close() releases resources; it may be on the elector's thread, so do it on a fresh one
        Thread t = new Thread(this::close, "daskrelay-watcher-stop");
        t.setDaemon(false);
        t.start();
    }

    public boolean leading() {
        return election.leading();
    }

    public ObservationBridge bridge() {
        return bridge;
    }

    public Janitor janitor() {
        return janitor;
    }

    public OpsServer ops() {
        return ops;
    }

    /** Blocks until the process stopped; returns its exit code (0 after a normal stop, 1 after losing the Lease). */
    public int awaitStop() throws InterruptedException {
        stopped.await();
        return exitCode.get();
    }

    /** Waits at most the given time; true when stopped. */
    public boolean awaitStop(long timeout, TimeUnit unit) throws InterruptedException {
        return stopped.await(timeout, unit);
    }

    public int exitCode() {
        return exitCode.get();
    }

    /** Stops everything in reverse order; idempotent and safe from a shutdown hook. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        LOG.info("stopping daskrelay watcher");
        try {
            bridge.stopPublishing();
            closeQuietly(election, janitor, bridge, publisher, ops);
        } finally {
            stopped.countDown();
        }
    }

    private static void closeQuietly(AutoCloseable... things) {
        for (AutoCloseable c : things) {
            if (c == null) {
                continue;
            }
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("error while stopping {}", c.getClass().getSimpleName(), e);
            }
        }
    }
}
