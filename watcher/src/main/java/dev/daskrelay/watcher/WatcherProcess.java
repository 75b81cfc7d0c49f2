package dev.daskrelay.watcher;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.daskrelay.avro.v1.DaskJobIntent;
import dev.daskrelay.avro.v1.Observation;
import dev.daskrelay.avro.v1.TaskStatus;
import dev.daskrelay.ops.OpsServer;
import dev.daskrelay.schemas.config.DaskRelayConfig;
import dev.daskrelay.schemas.config.KafkaSettings;
import dev.daskrelay.schemas.serde.AvroSerdes;
import dev.daskrelay.watcher.bridge.DaskJobResource;
import dev.daskrelay.watcher.bridge.KafkaObservationPublisher;
import dev.daskrelay.watcher.bridge.LeaderElection;
import dev.daskrelay.watcher.bridge.ObservationBridge;
import dev.daskrelay.watcher.bridge.ObservationMemory;
import dev.daskrelay.watcher.bridge.ObservationTopicMemory;
import dev.daskrelay.watcher.janitor.Janitor;
import dev.daskrelay.watcher.status.DataSchemaSerializer;
import dev.daskrelay.watcher.status.StatusSerdes;
import dev.daskrelay.watcher.status.StatusService;
import dev.daskrelay.watcher.status.StatusSettings;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code daskrelay watcher} process, wired top to bottom:
 * <ol>
 * <li>settings: the {@code watcher}, {@code kafka}, {@code registry} and {@code platform} sections of
 *     {@code daskrelay.yaml};</li>
 * <li>operations endpoints: {@code /metrics}, {@code /healthz}, {@code /readyz} ({@link OpsServer});</li>
 * <li>the status topology (Kafka Streams, exactly-once): observations → status events; it runs on every instance
 *     (Kafka Streams shares the partitions), independent of the Lease;</li>
 * <li>the observation publisher (idempotent producer on {@code <prefix>.observations}) and the bridge's informers
 *     (started at once, so a standby keeps warm caches);</li>
 * <li>the janitor (sweeps only while leading);</li>
 * <li>leader election on the Lease: on becoming leader the bridge publishes (a full re-observation first) and the
 *     janitor starts; on losing the Lease the process stops with exit code 1 (its Deployment restarts it as a
 *     standby). The status topology failing for good (Kafka Streams ERROR) stops it with exit code 1 too.</li>
 * </ol>
 * {@link #close()} is idempotent and used by the shutdown hook: it releases the Lease first, so a standby takes over
 * at once instead of after the lease duration.
 */
public final class WatcherProcess implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WatcherProcess.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Exit code after losing the Lease or the status topology (contracts: 1 = failure of the work). */
    public static final int EXIT_FAILURE = 1;

    private final OpsServer ops;
    private final StatusService status;
    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "daskrelay-watcher-watchdog");
        t.setDaemon(true);
        return t;
    });
    private final KafkaObservationPublisher publisher;
    private final ObservationBridge bridge;
    private final Janitor janitor;
    private final LeaderElection election;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicInteger exitCode = new AtomicInteger(0);

    private WatcherProcess(Parts p) {
        this.ops = p.ops;
        this.status = p.status;
        this.publisher = p.publisher;
        this.bridge = p.bridge;
        this.janitor = p.janitor;
        this.election = p.election;
    }

    /** The parts under construction, so a failure half-way closes what was built. */
    private static final class Parts {
        OpsServer ops;
        StatusService status;
        KafkaObservationPublisher publisher;
        ObservationBridge bridge;
        Janitor janitor;
        LeaderElection election;

        void closeQuietly() {
            WatcherProcess.closeQuietly(election, janitor, bridge, publisher, status, ops);
        }
    }

    /**
     * Builds and starts the process.
     *
     * @param config the whole {@code daskrelay.yaml}
     * @param client Kubernetes client (owned by the caller)
     * @param clock wall clock
     */
    @SuppressWarnings("unchecked")
    public static WatcherProcess start(DaskRelayConfig config, KubernetesClient client, Clock clock) {
        // 1. settings
        WatcherSettings settings = config.section("watcher", WatcherSettings.class);
        KafkaSettings kafka = config.kafka();
        StatusSettings statusSettings = StatusSettings.fromWatcherSection(
                JSON.convertValue(config.sectionTree("watcher").isMissingNode() ? JSON.createObjectNode()
                        : config.sectionTree("watcher"), Map.class), kafka.topicPrefix());
        Map<String, String> registry = config.registry().config();
        String leaseNamespace = settings.leaseNamespace() == null ? config.platform().namespace()
                : settings.leaseNamespace();
        String identity = settings.identity() != null ? settings.identity()
                : System.getenv().getOrDefault("HOSTNAME", "watcher-" + UUID.randomUUID());

        Parts p = new Parts();
        WatcherProcess[] self = new WatcherProcess[1];
        try {
            // 2. operations endpoints
            p.ops = new OpsServer().start(settings.opsHost(), settings.opsPort());

            // 3. status topology
            var statuses = AvroSerdes.specific(TaskStatus.class, registry, false);
            var serdes = new StatusSerdes(AvroSerdes.specific(Observation.class, registry, false),
                    Serdes.serdeFrom(new DataSchemaSerializer<>(statuses.serializer(),
                            DataSchemaSerializer.baseOf(config.registry().url())), statuses.deserializer()),
                    AvroSerdes.specific(DaskJobIntent.class, registry, false));
            Properties streamsProps = new Properties();
            streamsProps.putAll(kafka.properties());
            streamsProps.put(StreamsConfig.STATE_DIR_CONFIG, settings.streamsStateDir().toString());
            p.status = new StatusService(statusSettings, serdes, p.ops.registry(),
                    settings.statusApplicationId(kafka.topicPrefix()), kafka.bootstrapServers(), streamsProps);

            // 4. publisher and bridge
            p.publisher = new KafkaObservationPublisher(kafka.clientProperties(), kafka.topics().observations(),
                    AvroSerdes.specific(Observation.class, registry, false).serializer());
            ObservationMemory memory = settings.recallWindow().isZero() ? ObservationMemory.NONE
                    : new ObservationTopicMemory(kafka.clientProperties(), kafka.topics().observations(),
                    AvroSerdes.specific(Observation.class, registry, false).deserializer(), settings.recallWindow(), clock);
            p.bridge = new ObservationBridge(client, new ObservationBridge.Options(
                    settings.watchedNamespaces(config.platform().allowedNamespaces()), settings.resyncPeriod(),
                    Duration.ofSeconds(1), Duration.ofMinutes(5), settings.listPageSize()), p.publisher, memory, clock,
                    p.ops.registry());

            // 5. janitor
            ObservationBridge bridge = p.bridge;
            p.janitor = new Janitor(client, DaskJobResource.CONTEXT, bridge::cachedJobs, settings.retention(),
                    settings.janitorEvery(), clock, p.ops.registry());

            // 6. leader election
            Janitor janitor = p.janitor;
            p.election = new LeaderElection(client, leaseNamespace, settings.leaseName(), identity,
                    settings.leaseTiming(),
                    () -> {
                        bridge.startPublishing();
                        janitor.start();
                    },
                    () -> self[0].fail("lost the Lease; only the new leader may publish"));

            WatcherProcess process = new WatcherProcess(p);
            self[0] = process;
            StatusService status = p.status;
            p.ops.liveness("status-topology", status::isAlive)
                    .liveness("watcher", () -> !process.closed.get())
                    .readiness("status-topology-running", status::isReady)
                    .readiness("bridge-synced-and-publishing", bridge::ready);

            p.status.start();
            process.watchdog.scheduleWithFixedDelay(() -> {
                if (!status.isAlive()) {
                    process.fail("the status topology stopped with an error");
                }
            }, 5, 5, TimeUnit.SECONDS);
            p.bridge.start();
            p.election.start();
            LOG.info("daskrelay watcher started: identity {}, Lease {}/{}, {} → {}", identity, leaseNamespace,
                    settings.leaseName(), kafka.topics().observations(), kafka.topics().status());
            return process;
        } catch (IOException e) {
            p.closeQuietly();
            throw new UncheckedIOException("cannot bind the operations endpoint " + settings.opsHost() + ":"
                    + settings.opsPort(), e);
        } catch (RuntimeException e) {
            p.closeQuietly();
            throw e;
        }
    }

    private void fail(String why) {
        if (closed.get() || exitCode.get() != 0) {
            return;
        }
        LOG.error("{}: stopping with exit code {}", why, EXIT_FAILURE);
        exitCode.compareAndSet(0, EXIT_FAILURE);
        bridge.stopPublishing();
        // close() may be called from the elector's or a stream thread; stop on a fresh thread
        Thread t = new Thread(this::close, "daskrelay-watcher-stop");
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

    public KafkaStreams.State statusTopologyState() {
        return status.state();
    }

    /** Blocks until the process stopped; returns its exit code (0 after a normal stop, 1 after a failure). */
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
            watchdog.shutdownNow();
            closeQuietly(election, janitor, bridge, publisher, status, ops);
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
