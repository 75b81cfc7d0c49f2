package dev.daskrelay.submitter.client;

import dev.daskrelay.avro.v1.AbortDaskJob;
import dev.daskrelay.avro.v1.ExecutionIdentity;
import dev.daskrelay.avro.v1.LaunchDaskJob;
import dev.daskrelay.avro.v1.TaskCommand;
import dev.daskrelay.avro.v1.TaskStatus;
import dev.daskrelay.schemas.LogKeys;
import dev.daskrelay.schemas.Topics;
import dev.daskrelay.schemas.config.DaskRelayConfig;
import dev.daskrelay.schemas.config.KafkaSettings;
import dev.daskrelay.schemas.config.PlatformConfig;
import dev.daskrelay.schemas.config.RegistrySettings;
import dev.daskrelay.schemas.serde.AvroSerde;
import dev.daskrelay.schemas.serde.AvroSerdes;
import dev.daskrelay.schemas.task.DurationText;
import dev.daskrelay.schemas.task.TaskValidator;
import dev.daskrelay.submitter.query.LenientDeserializer;
import dev.daskrelay.submitter.query.PartitionSearch;
import dev.daskrelay.submitter.query.SearchLimits;
import dev.daskrelay.submitter.query.SearchResult;
import dev.daskrelay.submitter.sdk.DaskTask;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The Java SDK's entry point: publishes launch and abort commands and reads a task's status.
 *
 * <ul>
 *   <li>Thread-safe. One idempotent producer per client ({@code enable.idempotence=true}, {@code acks=all}),
 *       created on the first publish and shared by all threads; every read opens a short-lived assigned consumer (no group id, nothing
 *       committed).</li>
 *   <li>{@link #submit} validates with {@link TaskValidator} (the task-file validation) and waits for the
 *       broker's acknowledgement. Re-submitting a command with the same command id is idempotent: the translator's
 *       command topology remembers command ids and launched task ids, so a second record with the same id never
 *       produces a second DaskJob.</li>
 *   <li>{@link #status} and {@link #follow} never scan the status topic from its beginning; see
 *       docs/STATUS-QUERIES.md and {@link PartitionSearch}.</li>
 * </ul>
 */
public final class DaskRelayClient implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DaskRelayClient.class);
    /** How far before a launch's record time follow starts reading the status partition (producer clock skew). */
    static final Duration FOLLOW_SKEW = Duration.ofMinutes(1);

    private final Topics topics;
    private final Properties clientProperties;
    private final PlatformConfig platform;
    private final Clock clock;
    private final String issuedBy;
    private final SearchLimits limits;
    private final Duration sendTimeout;
    private final AvroSerde<TaskCommand> commandSerde;
    private final AvroSerde<TaskStatus> statusSerde;
    private final Properties producerProperties;
    private volatile Producer<String, TaskCommand> producer;
    private final AtomicBoolean closed = new AtomicBoolean();

    private DaskRelayClient(Builder b) {
        this.topics = b.kafka.topics();
        this.clientProperties = b.kafka.clientProperties();
        this.platform = b.platform;
        this.clock = b.clock;
        this.issuedBy = b.issuedBy;
        this.limits = b.limits;
        this.sendTimeout = b.sendTimeout;
        Map<String, String> registry = b.registry.config();
        this.commandSerde = AvroSerdes.specific(TaskCommand.class, registry, false);
        this.statusSerde = AvroSerdes.specific(TaskStatus.class, registry, false);
        Properties p = new Properties();
        p.putAll(clientProperties);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "daskrelay-submitter-" + UUID.randomUUID().toString().substring(0, 8));
        p.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(sendTimeout.toMillis()));
        p.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(Math.min(sendTimeout.toMillis(), 30_000)));
        long request = Long.parseLong(p.get(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG).toString());
        long linger = Long.parseLong(p.getOrDefault(ProducerConfig.LINGER_MS_CONFIG, "5").toString());
        p.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, String.valueOf(Math.max(sendTimeout.toMillis(), request + linger + 1)));
        this.producerProperties = p;
    }

    /** The client's one producer, created on the first publish (read-only use never connects a producer). */
    private Producer<String, TaskCommand> producer() {
        Producer<String, TaskCommand> p = producer;
        if (p == null) {
            synchronized (this) {
                if (closed.get()) {
                    throw new IllegalStateException("client closed");
                }
                p = producer;
                if (p == null) {
                    p = new KafkaProducer<>(producerProperties, new StringSerializer(), commandSerde.serializer());
                    producer = p;
                }
            }
        }
        return p;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A client configured from the {@code kafka}, {@code registry} and {@code platform} sections. */
    public static DaskRelayClient create(DaskRelayConfig config) {
        return builder().config(config).build();
    }

    public Topics topics() {
        return topics;
    }

    /** Builds, validates and publishes a launch. */
    public TaskHandle submit(DaskTask.Builder task) {
        return submit(task.build(platform, clock));
    }

    /**
     * Validates and publishes a launch command; returns when the broker acknowledged it.
     *
     * @throws dev.daskrelay.schemas.task.InvalidTaskException nothing published; every problem with its path
     * @throws DaskRelayException the broker could not be reached or refused the record
     */
    public TaskHandle submit(TaskCommand launch) {
        if (!(launch.getPayload() instanceof LaunchDaskJob)) {
            throw new IllegalArgumentException("payload: submit takes a launch command (use cancel to abort)");
        }
        if (launch.getIssuedBy() == null && issuedBy != null) {
            launch = TaskCommand.newBuilder(launch).setIssuedBy(issuedBy).build();
        }
        TaskValidator.validate(launch, platform).throwIfInvalid();
        try (MDC.MDCCloseable ignored = MDC.putCloseable(LogKeys.TASK_ID, launch.getTaskId())) {
            RecordMetadata md = send(launch);
            LOG.info("submitted launch command {} to {}-{}@{}", launch.getCommandId(), md.topic(), md.partition(), md.offset());
            return new TaskHandle(launch.getTaskId(), launch.getCommandId(), launch.getIssuedAt(), md.partition(), md.offset());
        }
    }

    /**
     * {@link #submit(TaskCommand)} with {@code issuedAt} set to now (the client's clock), the moment of publishing:
     * for a command read from a file some time before (the CLI's {@code submit} and {@code local}).
     */
    public TaskHandle submitNow(TaskCommand launch) {
        return submit(TaskCommand.newBuilder(launch).setIssuedAt(clock.instant().truncatedTo(ChronoUnit.MILLIS)).build());
    }

    /**
     * Publishes an abort of a task. The command carries the task's execution identity, found from its latest
     * status or launch; for a task never seen, the execution is {@code unknown/unknown/unknown/unknown/0} (the
     * command topology answers an abort of an unknown task with a status all the same).
     */
    public TaskHandle cancel(String taskId, String reason) {
        ExecutionIdentity execution = status(taskId).map(TaskStatus::getExecution)
                .or(() -> latestLaunch(taskId).map(TaskCommand::getExecution))
                .orElse(null);
        return cancel(taskId, reason, execution);
    }

    /**
     * Publishes an abort of a task whose execution identity the caller already knows (null: not known, written
     * as {@code unknown/unknown/unknown/unknown/0}).
     */
    public TaskHandle cancel(String taskId, String reason, ExecutionIdentity execution) {
        if (execution == null) {
            execution = new ExecutionIdentity("unknown", "unknown", "unknown", "unknown", 0);
        }
        TaskCommand abort = TaskCommand.newBuilder()
                .setCommandId(UUID.randomUUID().toString())
                .setTaskId(taskId)
                .setExecution(execution)
                .setIssuedAt(clock.instant().truncatedTo(ChronoUnit.MILLIS))
                .setIssuedBy(issuedBy)
                .setPayload(new AbortDaskJob(reason))
                .build();
        TaskValidator.validate(abort, platform).throwIfInvalid();
        try (MDC.MDCCloseable ignored = MDC.putCloseable(LogKeys.TASK_ID, taskId)) {
            RecordMetadata md = send(abort);
            LOG.info("published abort command {} to {}-{}@{}", abort.getCommandId(), md.topic(), md.partition(), md.offset());
            return new TaskHandle(taskId, abort.getCommandId(), abort.getIssuedAt(), md.partition(), md.offset());
        }
    }

    /**
     * Checks within {@code timeout} that a broker answers and that the given topics exist (default: the commands
     * and status topics), so that a command fails at once with a clear reason instead of after the clients'
     * own timeouts.
     *
     * @throws KafkaUnavailableException naming the bootstrap servers, or the missing topics
     */
    public void ping(Duration timeout, String... topicNames) {
        List<String> wanted = topicNames.length == 0 ? List.of(topics.commands(), topics.status())
                : List.of(topicNames);
        Properties p = new Properties();
        p.putAll(clientProperties);
        int ms = (int) Math.max(1, timeout.toMillis());
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, String.valueOf(ms));
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(ms));
        p.put(AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MS_CONFIG,
                String.valueOf(Math.min(ms, 10_000)));
        p.put(AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS_CONFIG,
                String.valueOf(Math.min(ms, 10_000)));
        p.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "500");
        p.put(AdminClientConfig.CLIENT_ID_CONFIG,
                "daskrelay-ping-" + UUID.randomUUID().toString().substring(0, 8));
        String servers = bootstrap();
        Admin admin;
        try {
            admin = Admin.create(p);
        } catch (KafkaException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new KafkaUnavailableException(KafkaUnavailableException.Reason.UNREACHABLE, servers,
                    "cannot reach Kafka at " + servers + ": " + cause.getMessage(), e);
        }
        try {
            try {
                admin.describeCluster().nodes().get(ms, TimeUnit.MILLISECONDS);
            } catch (ExecutionException | TimeoutException e) {
                throw new KafkaUnavailableException(KafkaUnavailableException.Reason.UNREACHABLE, servers,
                        "cannot reach Kafka at " + servers + ": no broker answered within "
                                + DurationText.format(timeout), e);
            }
            List<String> missing = new ArrayList<>();
            var described = admin.describeTopics(wanted).topicNameValues();
            for (String topic : wanted) {
                var e = Map.entry(topic, described.get(topic));
                try {
                    e.getValue().get(ms, TimeUnit.MILLISECONDS);
                } catch (ExecutionException ex) {
                    if (ex.getCause() instanceof UnknownTopicOrPartitionException) {
                        missing.add(e.getKey());
                    } else {
                        throw new KafkaUnavailableException(KafkaUnavailableException.Reason.UNREACHABLE, servers,
                                "cannot use topic " + e.getKey() + " at " + servers + ": " + ex.getCause().getMessage(), ex);
                    }
                } catch (TimeoutException ex) {
                    throw new KafkaUnavailableException(KafkaUnavailableException.Reason.UNREACHABLE, servers,
                            "Kafka at " + servers + " did not describe topic " + e.getKey() + " within "
                                    + DurationText.format(timeout), ex);
                }
            }
            if (!missing.isEmpty()) {
                throw new KafkaUnavailableException(KafkaUnavailableException.Reason.NO_TOPICS, servers,
                        "Kafka at " + servers + " has no topic " + String.join(", ", missing), null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DaskRelayException("interrupted while connecting to Kafka", e);
        } finally {
            admin.close(Duration.ZERO); // a call still waiting for an unreachable broker is dropped, not waited for
        }
    }

    /** The latest status of a task; empty when the task has none (yet) within the search limits. */
    public Optional<TaskStatus> status(String taskId) {
        return statusSearch(taskId).record().map(r -> r.value());
    }

    /** {@link #status} with the cost of the search (records read), for tests and diagnostics. */
    public SearchResult<TaskStatus> statusSearch(String taskId) {
        try (KafkaConsumer<String, TaskStatus> c = statusConsumer()) {
            return new PartitionSearch<>(c, limits, clock).latest(topics.status(), taskId, s -> true);
        } catch (KafkaException e) {
            throw new DaskRelayException("cannot read " + topics.status() + " at " + bootstrap() + ": " + e.getMessage(), e);
        }
    }

    /**
     * The task's latest launch command on the commands topic, if within the search limits. Producers may partition
     * by any rule, so the search tries the Java clients' partition, librdkafka's, then the others
     * ({@link PartitionSearch#latestOnAnyPartition}).
     */
    public Optional<TaskCommand> latestLaunch(String taskId) {
        try (KafkaConsumer<String, TaskCommand> c = consumer(commandSerde)) {
            Predicate<TaskCommand> isLaunch = cmd -> cmd.getPayload() instanceof LaunchDaskJob;
            return new PartitionSearch<>(c, limits, clock).latestOnAnyPartition(topics.commands(), taskId, isLaunch)
                    .record().map(r -> r.value());
        } catch (KafkaException e) {
            throw new DaskRelayException("cannot read " + topics.commands() + " at " + bootstrap() + ": " + e.getMessage(), e);
        }
    }

    /**
     * The task's status events from its first one (sequence 1) to the terminal one. The start is found by
     * searching the task's partition backwards for sequence 1, no further back than its launch command (when
     * found) and the search limits; events published after this call are never missed.
     */
    public StatusFollow follow(String taskId) {
        Instant notBefore = latestLaunch(taskId).map(TaskCommand::getIssuedAt).orElse(null);
        return follow(taskId, notBefore);
    }

    /** {@link #follow(String)} of a task just submitted: the search starts just before its launch. */
    public StatusFollow follow(TaskHandle handle) {
        return follow(handle.taskId(), handle.issuedAt());
    }

    private StatusFollow follow(String taskId, Instant notBefore) {
        KafkaConsumer<String, TaskStatus> c = statusConsumer();
        try {
            PartitionSearch<TaskStatus> search = new PartitionSearch<>(c, limits, clock);
            TopicPartition tp = search.partitionOf(topics.status(), taskId).orElseThrow(() ->
                    new DaskRelayException("topic " + topics.status() + " does not exist (is daskrelay running?)", null));
            long softFloor = notBefore == null ? 0 : search.offsetAt(tp, notBefore.minus(FOLLOW_SKEW)).orElse(Long.MAX_VALUE);
            SearchResult<TaskStatus> first = search.earliest(topics.status(), taskId, s -> s.getSequence() <= 1,
                    Math.min(softFloor, search.endOffset(tp)));
            long start = first.record().map(r -> r.offset()).orElse(first.endOffset());
            LOG.debug("following {} from {}@{} ({} records searched)", taskId, tp, start, first.recordsRead());
            return new StatusFollow(c, tp, start, taskId, clock);
        } catch (KafkaException e) {
            c.close();
            throw new DaskRelayException("cannot read " + topics.status() + " at " + bootstrap() + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** Waits for the terminal status; empty when {@code timeout} passed first. */
    public Optional<TaskStatus> awaitTerminal(String taskId, Duration timeout) {
        Instant deadline = clock.instant().plus(timeout);
        try (StatusFollow f = follow(taskId)) {
            while (true) {
                Duration left = Duration.between(clock.instant(), deadline);
                if (left.isNegative() || left.isZero()) {
                    return Optional.empty();
                }
                Optional<TaskStatus> s = f.next(left);
                if (s.isPresent() && s.get().getTerminal()) {
                    return s;
                }
            }
        }
    }

    private RecordMetadata send(TaskCommand command) {
        if (closed.get()) {
            throw new IllegalStateException("client closed");
        }
        try {
            return producer().send(new ProducerRecord<>(topics.commands(), command.getTaskId(), command))
                    .get(sendTimeout.toMillis() + 5_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new DaskRelayException("cannot publish to " + topics.commands() + " at " + bootstrap() + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException | KafkaException e) {
            throw new DaskRelayException("cannot publish to " + topics.commands() + " at " + bootstrap() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DaskRelayException("interrupted while publishing", e);
        }
    }

    private String bootstrap() {
        return String.valueOf(clientProperties.get("bootstrap.servers"));
    }

    private KafkaConsumer<String, TaskStatus> statusConsumer() {
        return consumer(statusSerde);
    }

    private <V> KafkaConsumer<String, V> consumer(AvroSerde<V> serde) {
        return new KafkaConsumer<>(readerProperties(clientProperties), new StringDeserializer(),
                new LenientDeserializer<>(serde.deserializer()));
    }

    /** Properties of a reader that belongs to no group and commits nothing. */
    public static Properties readerProperties(Properties base) {
        Properties p = new Properties();
        p.putAll(base);
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "64");
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "daskrelay-reader-" + UUID.randomUUID().toString().substring(0, 8));
        return p;
    }

    /** Flushes and closes the producer; idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            synchronized (this) {
                if (producer != null) {
                    producer.close(Duration.ofSeconds(10));
                }
            }
            commandSerde.close();
            statusSerde.close();
        }
    }

    /** Configuration of a client; defaults point at the local stack ({@code daskrelay local}). */
    public static final class Builder {
        private KafkaSettings kafka = KafkaSettings.defaults();
        private RegistrySettings registry = RegistrySettings.defaults();
        private PlatformConfig platform = PlatformConfig.defaults();
        private Clock clock = Clock.systemUTC();
        private String issuedBy = System.getProperty("user.name", "unknown") + " via daskrelay-sdk";
        private SearchLimits limits = SearchLimits.DEFAULT;
        private Duration sendTimeout = Duration.ofSeconds(30);

        private Builder() {
        }

        /** The {@code kafka}, {@code registry}, {@code platform} and {@code submitter} sections of a {@code daskrelay.yaml}. */
        public Builder config(DaskRelayConfig config) {
            return kafka(config.kafka()).registry(config.registry()).platform(config.platform())
                    .searchLimits(config.section("submitter", SubmitterSettings.class).searchLimits());
        }

        public Builder kafka(KafkaSettings value) {
            this.kafka = Objects.requireNonNull(value);
            return this;
        }

        public Builder registry(RegistrySettings value) {
            this.registry = Objects.requireNonNull(value);
            return this;
        }

        /** The platform section commands are validated against (as the translator will). */
        public Builder platform(PlatformConfig value) {
            this.platform = Objects.requireNonNull(value);
            return this;
        }

        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value);
            return this;
        }

        /** Written into {@code issuedBy} of every command. */
        public Builder issuedBy(String value) {
            this.issuedBy = value;
            return this;
        }

        public Builder searchLimits(SearchLimits value) {
            this.limits = Objects.requireNonNull(value);
            return this;
        }

        /** How long a publish may take before it fails (broker unreachable). */
        public Builder sendTimeout(Duration value) {
            this.sendTimeout = Objects.requireNonNull(value);
            return this;
        }

        public DaskRelayClient build() {
            return new DaskRelayClient(this);
        }
    }
}
