package dev.daskrelay.translator;

import dev.daskrelay.schemas.config.KubernetesSettings;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import dev.daskrelay.schemas.registry.SchemaSerdeException;
import java.time.Instant;
import dev.daskrelay.schemas.DeadLetterHeaders;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import dev.daskrelay.avro.v1.DaskJobIntent;
import dev.daskrelay.avro.v1.Observation;
import dev.daskrelay.avro.v1.TaskCommand;
import dev.daskrelay.ops.OpsServer;
import dev.daskrelay.schemas.Topics;
import dev.daskrelay.schemas.config.DaskRelayConfig;
import dev.daskrelay.schemas.config.KafkaSettings;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code daskrelay translator} process, wired top to bottom: configuration → metrics and operations endpoints
 * → topics → serdes → command topology (Kafka Streams, exactly-once) → Kubernetes client → applier → health
 * checks → shutdown hook. {@link #close()} is idempotent and stops in reverse order.
 */
public final class TranslatorProcess implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TranslatorProcess.class);

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private OpsServer ops;
    private KafkaStreams streams;
    private Applier applier;

    private TranslatorProcess() {
    }

    /** Starts everything; on failure, whatever was started is stopped again and the error is thrown. */
    public static TranslatorProcess start(DaskRelayConfig config) {
        TranslatorProcess p = new TranslatorProcess();
        try {
            p.wire(config);
            return p;
        } catch (RuntimeException e) {
            p.close();
            throw e;
        }
    }

    private void wire(DaskRelayConfig config) {
        // 1. configuration: one typed object per section
        TranslatorSettings settings = config.section("translator", TranslatorSettings.class);
        KubernetesSettings kubernetes = config.section("kubernetes", KubernetesSettings.class);
        KafkaSettings kafka = config.kafka();
        Topics topics = kafka.topics();
        Map<String, String> registryConfig = config.registry().config();

        // 2. metrics and operations endpoints
        ops = new OpsServer();
        try {
            ops.start(settings.ops().host(), settings.ops().port());
        } catch (IOException e) {
            throw new UncheckedIOException("translator.ops: cannot listen on " + settings.ops().host() + ":"
                    + settings.ops().port(), e);
        }
        resources.add(ops);

        // 3. topics
        if (settings.createTopics()) {
            createTopics(kafka, topics, settings);
        }

        // 4. serdes (Confluent wire format through the configured registry)
        AvroSerde<TaskCommand> commandSerde = own(AvroSerdes.specific(TaskCommand.class, registryConfig, false));
        AvroSerde<DaskJobIntent> intentSerde = own(AvroSerdes.specific(DaskJobIntent.class, registryConfig, false));
        AvroSerde<Observation> observationSerde = own(AvroSerdes.specific(Observation.class, registryConfig, false));

        // 5. command topology
        Properties streamsProps = kafka.clientProperties();
        streamsProps.putAll(settings.streams());
        streamsProps.putAll(CommandTopology.requiredProperties(settings.applicationId(kafka.topicPrefix())));
        streamsProps.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, settings.commitIntervalDuration().toMillis());
        streamsProps.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, settings.streamThreads());
        if (settings.stateDir() != null) {
            streamsProps.put(StreamsConfig.STATE_DIR_CONFIG, settings.stateDir());
        }
        if (settings.topicReplicationFactor() != null) {
            streamsProps.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) settings.topicReplicationFactor());
        }
        streams = new KafkaStreams(CommandTopology.build(topics, commandSerde, intentSerde, observationSerde,
                new RenderingPreparation(config.platform()), ops.registry()), streamsProps);
        KafkaStreamsMetrics streamsMetrics = new KafkaStreamsMetrics(streams);
        streamsMetrics.bindTo(ops.registry());
        resources.add(streamsMetrics);
        streams.setStateListener((now, before) -> LOG.info("command topology: {} -> {}", before, now));
        streams.setUncaughtExceptionHandler(e -> {
            if (SchemaSerdeException.isTransient(e)) {
                LOG.warn("command topology: schema registry unavailable ({}); replacing the stream thread", e.toString());
                return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
            }
            LOG.error("command topology failed; shutting the client down", e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        streams.start();

        // 6. Kubernetes client and applier
        KubernetesClient kube = kubernetes.client();
        resources.add(kube);
        LOG.info("Kubernetes API at {}", kube.getMasterUrl());
        Properties base = kafka.clientProperties();
        applier = new Applier(settings.applier().settings(topics.intents(), topics.observations()),
                new KafkaConsumer<>(Applier.consumerProperties(base, settings.applier().groupId(kafka.topicPrefix())),
                        new StringDeserializer(), intentSerde.deserializer()),
                new KafkaProducer<>(Applier.producerProperties(base), new StringSerializer(),
                        observationSerde.serializer()),
                new Fabric8DaskJobApi(kube), ops.registry(), Clock.systemUTC(), ApplyHooks.NONE,
                intentDeadLetters(base, topics)).start();

        // 7. health: liveness = not broken beyond repair; readiness = doing the work
        ops.liveness("kafka-streams not failed", () -> streams.state() != KafkaStreams.State.ERROR
                        && streams.state() != KafkaStreams.State.NOT_RUNNING)
                .liveness("applier loop turning", () -> applier.healthy(Duration.ofSeconds(60)))
                .readiness("kafka-streams RUNNING", () -> streams.state() == KafkaStreams.State.RUNNING)
                .readiness("applier polling", () -> applier.healthy(Duration.ofSeconds(5)));
        LOG.info("translator started: commands {} -> intents {} -> Kubernetes -> observations {}",
                topics.commands(), topics.intents(), topics.observations());
    }

    private <T extends AutoCloseable> T own(T resource) {
        resources.add(resource);
        return resource;
    }

    private static void createTopics(KafkaSettings kafka, Topics topics, TranslatorSettings settings) {
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

    /** Undecodable intents go to the dead-letter topic, original bytes and headers kept (DeadLetterHeaders). */
    private DeadLetterSink intentDeadLetters(Properties base, Topics topics) {
        Properties p = Applier.producerProperties(base);
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(),
                new ByteArraySerializer());
        resources.add(producer);
        return DeadLetterSink.toTopic(producer, topics.deadLetters());
    }

    /** The port the operations endpoints listen on. */
    public int opsPort() {
        return ops.port();
    }

    /** Blocks until {@link #close()} ran. */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    /** Stops the applier (finishing work in progress), the topology, the clients and the endpoints; idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        LOG.info("translator stopping");
        if (applier != null) {
            applier.close();
        }
        if (streams != null) {
            streams.close(Duration.ofSeconds(30));
        }
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                LOG.warn("while stopping: {}", e.toString());
            }
        }
        stopped.countDown();
        LOG.info("translator stopped");
    }
}
