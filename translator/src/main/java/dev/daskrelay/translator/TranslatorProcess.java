package dev.daskrelay.translator;

import dev.daskrelay.avro.v1.DaskJobIntent;
import dev.daskrelay.avro.v1.Observation;
import dev.daskrelay.avro.v1.TaskCommand;
import dev.daskrelay.ops.OpsServer;
import dev.daskrelay.ops.ServiceProcess;
import dev.daskrelay.schemas.Topics;
import dev.daskrelay.schemas.config.DaskRelayConfig;
import dev.daskrelay.schemas.config.Installation;
import dev.daskrelay.schemas.config.KafkaSettings;
import dev.daskrelay.schemas.config.PlatformConfig;
import dev.daskrelay.schemas.registry.SchemaSerdeException;
import dev.daskrelay.schemas.retention.StateRetention;
import dev.daskrelay.schemas.retention.TopicRetention;
import dev.daskrelay.schemas.serde.AvroSerde;
import dev.daskrelay.schemas.serde.AvroSerdes;
import dev.daskrelay.translator.apply.Applier;
import dev.daskrelay.translator.apply.ApplyHooks;
import dev.daskrelay.translator.apply.DeadLetterSink;
import dev.daskrelay.translator.apply.Fabric8DaskJobApi;
import dev.daskrelay.translator.topology.CommandTopology;
import dev.daskrelay.translator.topology.RenderingPreparation;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code daskrelay translator} process, wired top to bottom ({@link ServiceProcess}): configuration → metrics and
 * operations endpoints → topics → serdes → command topology (Kafka Streams, exactly-once) → applier on the given
 * Kubernetes client → health checks. {@link #close()} is idempotent and stops in reverse order: the applier (finishing
 * work in progress), the topology, the clients, the endpoints.
 */
public final class TranslatorProcess extends ServiceProcess {

    private static final Logger LOG = LoggerFactory.getLogger(TranslatorProcess.class);

    private final TranslatorSettings settings;
    private final KafkaSettings kafka;
    private final Topics topics;
    private final Map<String, String> registryConfig;
    private final PlatformConfig platform;
    private final Installation installation;
    private final KubernetesClient kube;
    private OpsServer ops;
    private KafkaStreams streams;
    private Applier applier;

    /**
     * Binds the configuration; starts nothing.
     *
     * @param config the whole {@code daskrelay.yaml}
     * @param kube the Kubernetes client the applier uses (the caller's: not closed here)
     * @throws DaskRelayConfig.ConfigException when a section cannot be used
     */
    public TranslatorProcess(DaskRelayConfig config, KubernetesClient kube) {
        super("translator");
        this.settings = config.section("translator", TranslatorSettings.class);
        this.kafka = config.kafka();
        this.topics = kafka.topics();
        this.registryConfig = config.registry().config();
        this.platform = config.platform();
        this.installation = config.installation();
        this.kube = kube;
    }

    /** Builds and starts the process; on failure, whatever was started is stopped again and the error is thrown. */
    public static TranslatorProcess start(DaskRelayConfig config, KubernetesClient kube) {
        TranslatorProcess p = new TranslatorProcess(config, kube);
        p.start();
        return p;
    }

    @Override
    protected void startParts() {
        startOps();
        if (settings.createTopics()) {
            createTopics();
        }
        Duration fateRetention = fateRetention();
        // serdes: Confluent wire format through the configured registry
        AvroSerde<TaskCommand> commandSerde = own(AvroSerdes.specific(TaskCommand.class, registryConfig, false));
        AvroSerde<DaskJobIntent> intentSerde = own(AvroSerdes.specific(DaskJobIntent.class, registryConfig, false));
        AvroSerde<Observation> observationSerde = own(AvroSerdes.specific(Observation.class, registryConfig, false));
        startCommandTopology(commandSerde, intentSerde, observationSerde, fateRetention);
        startApplier(intentSerde, observationSerde);
        registerHealthChecks();
        LOG.info("translator started: commands {} -> intents {} -> Kubernetes {} (installation {}) -> observations {}",
                topics.commands(), topics.intents(), kube.getMasterUrl(), installation, topics.observations());
    }

    /** Metrics and operations endpoints. */
    private void startOps() {
        try {
            ops = own(new OpsServer().start(settings.ops().host(), settings.ops().port()));
        } catch (IOException e) {
            throw new UncheckedIOException("translator.ops: cannot listen on " + settings.ops().host() + ":"
                    + settings.ops().port(), e);
        }
    }

    /** The command topology: commands → intents and command observations, exactly once. */
    private void startCommandTopology(AvroSerde<TaskCommand> commandSerde, AvroSerde<DaskJobIntent> intentSerde,
                                      AvroSerde<Observation> observationSerde, Duration fateRetention) {
        Properties streamsProps = kafka.clientProperties();
        streamsProps.putAll(settings.streams());
        streamsProps.putAll(CommandTopology.requiredProperties(settings.applicationId(kafka.topicPrefix())));
        streamsProps.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, settings.commitInterval().toMillis());
        streamsProps.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, settings.streamThreads());
        if (settings.stateDir() != null) {
            streamsProps.put(StreamsConfig.STATE_DIR_CONFIG, settings.stateDir());
        }
        if (settings.topicReplicationFactor() != null) {
            streamsProps.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) settings.topicReplicationFactor());
        }
        KafkaStreams s = new KafkaStreams(CommandTopology.build(topics, commandSerde, intentSerde, observationSerde,
                new RenderingPreparation(platform, installation), ops.registry(), fateRetention), streamsProps);
        streams = s;
        // leaveGroup: also a static member (kafka.properties main.consumer.group.instance.id) leaves on a clean stop
        own(() -> s.close(new KafkaStreams.CloseOptions().leaveGroup(true).timeout(Duration.ofSeconds(30))));
        own(new KafkaStreamsMetrics(s)).bindTo(ops.registry());
        s.setStateListener((now, before) -> LOG.info("command topology: {} -> {}", before, now));
        s.setUncaughtExceptionHandler(e -> {
            if (SchemaSerdeException.isTransient(e)) {
                LOG.warn("command topology: schema registry unavailable ({}); replacing the stream thread",
                        e.toString());
                return StreamThreadExceptionResponse.REPLACE_THREAD;
            }
            LOG.error("command topology failed; shutting the client down", e);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        s.start();
    }

    /**
     * {@code translator.fateRetention} against the commands topic's retention, as the broker tells it: null = fates
     * are kept forever.
     *
     * @throws DaskRelayConfig.ConfigException when a fixed retention does not outlive the topic's
     */
    private Duration fateRetention() {
        TopicRetention commands;
        try (Admin admin = Admin.create(kafka.clientProperties())) {
            commands = TopicRetention.read(admin, topics.commands(), Duration.ofSeconds(30));
        }
        StateRetention.Resolved r;
        try {
            r = settings.fateRetention().resolve("translator.fateRetention", topics.commands(), commands,
                    TranslatorSettings.FATE_RETENTION_MARGIN);
        } catch (IllegalArgumentException e) {
            throw new DaskRelayConfig.ConfigException(e.getMessage());
        }
        if (commands instanceof TopicRetention.Unknown) {
            LOG.warn("{}", r.explanation());
        } else {
            LOG.info("{}", r.explanation());
        }
        return r.retain();
    }

    /** The applier: intents → Kubernetes → outcome observations; undecodable intents to the dead-letter topic. */
    private void startApplier(AvroSerde<DaskJobIntent> intentSerde, AvroSerde<Observation> observationSerde) {
        Properties base = kafka.clientProperties();
        KafkaProducer<byte[], byte[]> deadLetterProducer = own(new KafkaProducer<>(Applier.producerProperties(base),
                new ByteArraySerializer(), new ByteArraySerializer()));
        applier = own(new Applier(settings.applier().settings(topics.intents(), topics.observations()),
                new KafkaConsumer<>(Applier.consumerProperties(base, settings.applier().groupId(kafka.topicPrefix())),
                        new StringDeserializer(), intentSerde.deserializer()),
                new KafkaProducer<>(Applier.producerProperties(base), new StringSerializer(),
                        observationSerde.serializer()),
                new Fabric8DaskJobApi(kube, installation), ops.registry(), Clock.systemUTC(), ApplyHooks.NONE,
                DeadLetterSink.toTopic(deadLetterProducer, topics.deadLetters())));
        applier.start();
    }

    /** Liveness = not broken beyond repair; readiness = doing the work. Names: see {@link ServiceProcess}. */
    private void registerHealthChecks() {
        ops.liveness("process", this::alive)
                .liveness("command-topology", () -> streams.state() != KafkaStreams.State.ERROR
                        && streams.state() != KafkaStreams.State.NOT_RUNNING)
                .liveness("applier", () -> applier.healthy(Duration.ofSeconds(60)))
                .readiness("command-topology-running", () -> streams.state() == KafkaStreams.State.RUNNING)
                .readiness("applier-polling", () -> applier.healthy(Duration.ofSeconds(5)));
    }

    private void createTopics() {
        Optional<Short> replication = Optional.ofNullable(settings.topicReplicationFactor());
        try (Admin admin = Admin.create(kafka.clientProperties())) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            for (String name : topics.all()) {
                if (existing.contains(name)) {
                    continue;
                }
                try {
                    admin.createTopics(List.of(new NewTopic(name, Optional.of(settings.topicPartitions()), replication)))
                            .all().get(30, TimeUnit.SECONDS);
                    LOG.info("created topic {} ({} partitions)", name, settings.topicPartitions());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + name + ": " + e.getCause(), e);
                    }
                }
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot reach Kafka at " + kafka.bootstrapServers() + " to check topics: "
                    + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        }
    }

    /** The port the operations endpoints listen on. */
    public int opsPort() {
        return ops.port();
    }
}
