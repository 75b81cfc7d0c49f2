package dev.daskrelay.watcher;

import dev.daskrelay.avro.v1.DaskJobIntent;
import dev.daskrelay.avro.v1.Observation;
import dev.daskrelay.avro.v1.TaskStatus;
import dev.daskrelay.ops.OpsServer;
import dev.daskrelay.ops.ServiceProcess;
import dev.daskrelay.schemas.config.DaskRelayConfig;
import dev.daskrelay.schemas.config.Installation;
import dev.daskrelay.schemas.config.KafkaSettings;
import dev.daskrelay.schemas.config.PlatformConfig;
import dev.daskrelay.schemas.retention.StateRetention;
import dev.daskrelay.schemas.retention.TopicRetention;
import dev.daskrelay.schemas.serde.AvroSerdes;
import dev.daskrelay.watcher.bridge.DaskJobResource;
import dev.daskrelay.watcher.bridge.KafkaObservationPublisher;
import dev.daskrelay.watcher.bridge.LeaderElection;
import dev.daskrelay.watcher.bridge.ObservationBridge;
import dev.daskrelay.watcher.bridge.ObservationMemory;
import dev.daskrelay.watcher.bridge.ObservationTopicMemory;
import dev.daskrelay.watcher.janitor.ApplierProgress;
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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code daskrelay watcher} process, wired top to bottom ({@link ServiceProcess}):
 * <ol>
 * <li>settings: the {@code watcher}, {@code kafka}, {@code registry} and {@code platform} sections and the
 *     {@code installation} of {@code daskrelay.yaml} (bound in the constructor);</li>
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
 * {@link #close()} is idempotent and used by the shutdown hook: it stops publishing first and releases the Lease
 * first of all parts, so a standby takes over at once instead of after the lease duration.
 */
public final class WatcherProcess extends ServiceProcess {

    private static final Logger LOG = LoggerFactory.getLogger(WatcherProcess.class);

    /** Exit code after losing the Lease or the status topology (docs/OPERATIONS.md §7.3: 1 = failure of the work). */
    public static final int EXIT_FAILURE = 1;
    /** How long one read of the applier group's committed offsets serves the janitor (one read per sweep). */
    private static final Duration APPLIER_PROGRESS_MAX_AGE = Duration.ofSeconds(5);

    private final WatcherSettings settings;
    private final StatusSettings statusSettings;
    private final KafkaSettings kafka;
    private final Map<String, String> registry;
    private final String registryUrl;
    private final PlatformConfig platform;
    private final Installation installation;
    private final KubernetesClient client;
    private final Clock clock;
    private final String leaseNamespace;
    private final String identity;
    private OpsServer ops;
    private StatusService status;
    private ObservationBridge bridge;
    private Janitor janitor;
    private LeaderElection election;

    /**
     * Binds the configuration; starts nothing.
     *
     * @param config the whole {@code daskrelay.yaml}
     * @param client Kubernetes client (the caller's: not closed here)
     * @param clock wall clock
     * @throws DaskRelayConfig.ConfigException when a section cannot be used
     */
    public WatcherProcess(DaskRelayConfig config, KubernetesClient client, Clock clock) {
        super("watcher");
        this.settings = config.section("watcher", WatcherSettings.class);
        this.kafka = config.kafka();
        this.statusSettings = settings.status(kafka.topicPrefix());
        this.registry = config.registry().config();
        this.registryUrl = config.registry().url();
        this.platform = config.platform();
        this.installation = config.installation();
        this.client = client;
        this.clock = clock;
        this.leaseNamespace = settings.leaseNamespace() == null ? platform.namespace() : settings.leaseNamespace();
        this.identity = settings.identity() != null ? settings.identity()
                : System.getenv().getOrDefault("HOSTNAME", "watcher-" + UUID.randomUUID());
    }

    /** Builds and starts the process; on failure, whatever was started is stopped again and the error is thrown. */
    public static WatcherProcess start(DaskRelayConfig config, KubernetesClient client, Clock clock) {
        WatcherProcess p = new WatcherProcess(config, client, clock);
        p.start();
        return p;
    }

    @Override
    protected void startParts() {
        startOps();
        startStatusTopology();
        startBridge();
        startJanitor();
        registerHealthChecks();
        startWatchdog();
        startLeaderElection();
        LOG.info("daskrelay watcher started: identity {}, installation {}, Lease {}/{}, {} → {}", identity,
                installation, leaseNamespace, settings.leaseName(), kafka.topics().observations(),
                kafka.topics().status());
    }

    /** Stop publishing before anything else: a new leader may be publishing already. */
    @Override
    protected void beforeStop() {
        if (bridge != null) {
            bridge.stopPublishing();
        }
    }

    private void startOps() {
        try {
            ops = own(new OpsServer().start(settings.opsHost(), settings.opsPort()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind the operations endpoint " + settings.opsHost() + ":"
                    + settings.opsPort(), e);
        }
    }

    /** Observations → status events, exactly once, on every instance. */
    private void startStatusTopology() {
        var statuses = AvroSerdes.specific(TaskStatus.class, registry, false);
        // status records carry ce_dataschema: the registry URL of the schema id the serializer just wrote
        var serdes = new StatusSerdes(AvroSerdes.specific(Observation.class, registry, false),
                Serdes.serdeFrom(new DataSchemaSerializer<>(statuses.serializer(),
                        DataSchemaSerializer.baseOf(registryUrl)), statuses.deserializer()),
                AvroSerdes.specific(DaskJobIntent.class, registry, false));
        Properties streamsProps = new Properties();
        streamsProps.putAll(kafka.properties());
        streamsProps.put(StreamsConfig.STATE_DIR_CONFIG, settings.streamsStateDir().toString());
        streamsProps.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, settings.statusCommitInterval().toMillis());
        status = own(new StatusService(statusSettings, serdes, ops.registry(),
                settings.statusApplicationId(kafka.topicPrefix()), kafka.bootstrapServers(), streamsProps,
                statusRetention()));
        status.start();
    }

    /**
     * {@code watcher.statusRetention} against the commands topic's retention (as the broker tells it) and the janitor's:
     * null = finished tasks are remembered forever.
     *
     * @throws DaskRelayConfig.ConfigException when a fixed retention does not outlive them
     */
    private Duration statusRetention() {
        String commands = kafka.topics().commands();
        TopicRetention retention;
        try (Admin admin = Admin.create(kafka.clientProperties())) {
            retention = TopicRetention.read(admin, commands, Duration.ofSeconds(30));
        }
        StateRetention.Resolved r;
        try {
            r = settings.statusRetention(commands, retention);
        } catch (IllegalArgumentException e) {
            throw new DaskRelayConfig.ConfigException(e.getMessage());
        }
        if (retention instanceof TopicRetention.Unknown) {
            LOG.warn("{}", r.explanation());
        } else {
            LOG.info("{}", r.explanation());
        }
        return r.retain();
    }

    /** The publisher and the bridge; the informers start now, publishing only once leading. */
    private void startBridge() {
        KafkaObservationPublisher publisher = own(new KafkaObservationPublisher(kafka.clientProperties(),
                kafka.topics().observations(), AvroSerdes.specific(Observation.class, registry, false).serializer()));
        ObservationMemory memory = settings.recallLookback().isZero() ? ObservationMemory.NONE
                : new ObservationTopicMemory(kafka.clientProperties(), kafka.topics().observations(),
                AvroSerdes.specific(Observation.class, registry, false).deserializer(), settings.recallLookback(), clock);
        bridge = own(new ObservationBridge(client, new ObservationBridge.Options(
                settings.watchedNamespaces(platform.allowedNamespaces()), settings.resync(),
                ObservationBridge.Options.DEFAULT_RETRY_BACKOFF, ObservationBridge.Options.DEFAULT_TOMBSTONE_TTL,
                settings.listPageSize(), ObservationBridge.Options.DEFAULT_RUNNER_HOLD, installation), publisher,
                memory, clock, ops.registry()));
        bridge.start();
    }

    /**
     * The janitor (it sweeps once leading) deletes a finished DaskJob only once the bridge has published its end and
     * the applier's group has committed the intent that created it (no replay can create it again).
     */
    private void startJanitor() {
        Admin admin = own(Admin.create(kafka.clientProperties()));
        String group = settings.applierGroup(kafka.topicPrefix());
        String intents = kafka.topics().intents();
        ApplierProgress applier = new ApplierProgress(ApplierProgress.fromAdmin(admin, group, intents,
                Duration.ofSeconds(10)), intents, APPLIER_PROGRESS_MAX_AGE, clock);
        janitor = own(new Janitor(client, DaskJobResource.CONTEXT, bridge::cachedJobs,
                job -> bridge.finalStateReported(job) && applier.creatingIntentDone(job), settings.retention(),
                installation, settings.janitorInterval(), clock, ops.registry()));
    }

    /** Liveness = not broken beyond repair; readiness = doing the work. Names: see {@link ServiceProcess}. */
    private void registerHealthChecks() {
        ops.liveness("process", this::alive)
                .liveness("status-topology", status::isAlive)
                .readiness("status-topology-running", status::isReady)
                .readiness("bridge-synced-and-publishing", bridge::ready);
    }

    /** The status topology failing for good stops the process (exit 1), checked every 5 s. */
    private void startWatchdog() {
        ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "daskrelay-watcher-watchdog");
            t.setDaemon(true);
            return t;
        });
        own(watchdog::shutdownNow);
        watchdog.scheduleWithFixedDelay(() -> {
            if (!status.isAlive()) {
                fail("the status topology stopped with an error");
            }
        }, 5, 5, TimeUnit.SECONDS);
    }

    /** The Lease: leading → publish and sweep; losing it → exit 1 (only the new leader may publish). */
    private void startLeaderElection() {
        election = own(new LeaderElection(client, leaseNamespace, settings.leaseName(), identity,
                settings.leaseTiming(), this::lead, () -> fail("lost the Lease; only the new leader may publish")));
        election.start();
    }

    private void lead() {
        bridge.startPublishing();
        janitor.start();
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
}
