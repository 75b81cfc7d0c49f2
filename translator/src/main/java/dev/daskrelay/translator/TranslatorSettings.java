package dev.daskrelay.translator;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.daskrelay.schemas.config.CheckedSection;
import dev.daskrelay.schemas.config.ConfigCheck;
import dev.daskrelay.schemas.retention.StateRetention;
import dev.daskrelay.translator.apply.ApplierSettings;
import dev.daskrelay.translator.apply.RetryPolicy;
import java.time.Duration;
import java.util.Map;

/**
 * The {@code translator} section of {@code daskrelay.yaml} (keys and defaults: translator/README.md), bound once by
 * {@code DaskRelayConfig.section}: absent keys take their defaults here, durations arrive as {@link Duration}, and
 * {@link #check} reports every value that cannot be used with its key path.
 *
 * @param applicationId Kafka Streams {@code application.id} of the command topology (default
 *     {@code <kafka.topicPrefix>-translator}, so two installations on one Kafka never share state)
 * @param createTopics create the five topics at start when missing
 * @param topicPartitions partitions of topics created here
 * @param topicReplicationFactor replication of topics created here; null = the broker's default
 * @param stateDir Kafka Streams state directory; null = Kafka's default
 * @param commitInterval Kafka Streams commit interval (under exactly-once: transaction length)
 * @param streamThreads Kafka Streams threads
 * @param streams further Kafka Streams properties, passed through
 * @param fateRetention how long the command topology remembers a task after its last command ({@code auto}: the
 *     commands topic's retention + {@link #FATE_RETENTION_MARGIN}; {@code -1}: forever; a duration: that long, which
 *     must be longer than the commands topic's retention, checked at start-up)
 * @param applier the applier
 * @param ops the operations endpoints
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record TranslatorSettings(String applicationId, Boolean createTopics, Integer topicPartitions,
                                 Short topicReplicationFactor, String stateDir, Duration commitInterval,
                                 Integer streamThreads, Map<String, String> streams, StateRetention fateRetention,
                                 ApplierSection applier, Ops ops)
        implements CheckedSection {

    public static final int DEFAULT_TOPIC_PARTITIONS = 6;
    public static final Duration DEFAULT_COMMIT_INTERVAL = Duration.ofMillis(100);
    public static final int DEFAULT_STREAM_THREADS = 1;
    /** How much longer than the commands topic {@code fateRetention: auto} keeps fates. */
    public static final Duration FATE_RETENTION_MARGIN = Duration.ofDays(1);

    public TranslatorSettings {
        applicationId = applicationId == null || applicationId.isBlank() ? null : applicationId;
        createTopics = createTopics == null || createTopics;
        topicPartitions = topicPartitions == null ? DEFAULT_TOPIC_PARTITIONS : topicPartitions;
        commitInterval = commitInterval == null ? DEFAULT_COMMIT_INTERVAL : commitInterval;
        streamThreads = streamThreads == null ? DEFAULT_STREAM_THREADS : streamThreads;
        streams = streams == null ? Map.of() : Map.copyOf(streams);
        fateRetention = fateRetention == null ? StateRetention.AUTO : fateRetention;
        applier = applier == null ? ApplierSection.DEFAULT : applier;
        ops = ops == null ? Ops.DEFAULT : ops;
    }

    @Override
    public void check(ConfigCheck check) {
        check.atLeast("topicPartitions", topicPartitions, 1);
        check.atLeast("streamThreads", streamThreads, 1);
        if (topicReplicationFactor != null) {
            check.atLeast("topicReplicationFactor", topicReplicationFactor, 1);
        }
        applier.check(check.at("applier"));
        ops.check(check.at("ops"));
    }

    /** The Streams application id: as configured, else {@code <topicPrefix>-translator}. */
    public String applicationId(String topicPrefix) {
        return applicationId != null ? applicationId : topicPrefix + "-translator";
    }

    /**
     * The {@code translator.applier} section; defaults are those of {@link ApplierSettings} and {@link RetryPolicy}.
     */
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record ApplierSection(String groupId, Integer concurrency, Integer maxPending, Integer maxPendingPerPartition,
                                 Integer maxAttempts, Integer forbiddenAttempts, Duration initialBackoff,
                                 Duration maxBackoff, Duration quotaRetryFor, Duration shutdownGrace) {

        public static final ApplierSection DEFAULT = new ApplierSection(null, null, null, null, null, null, null,
                null, null, null);

        public ApplierSection {
            RetryPolicy retry = RetryPolicy.defaults();
            groupId = groupId == null || groupId.isBlank() ? null : groupId;
            concurrency = concurrency == null ? ApplierSettings.DEFAULT_CONCURRENCY : concurrency;
            maxPending = maxPending == null ? ApplierSettings.DEFAULT_MAX_PENDING : maxPending;
            maxPendingPerPartition = maxPendingPerPartition == null
                    ? ApplierSettings.DEFAULT_MAX_PENDING_PER_PARTITION : maxPendingPerPartition;
            maxAttempts = maxAttempts == null ? retry.maxAttempts() : maxAttempts;
            forbiddenAttempts = forbiddenAttempts == null ? retry.forbiddenAttempts() : forbiddenAttempts;
            initialBackoff = initialBackoff == null ? retry.initialBackoff() : initialBackoff;
            maxBackoff = maxBackoff == null ? retry.maxBackoff() : maxBackoff;
            quotaRetryFor = quotaRetryFor == null ? retry.quotaRetryFor() : quotaRetryFor;
            shutdownGrace = shutdownGrace == null ? ApplierSettings.DEFAULT_SHUTDOWN_GRACE : shutdownGrace;
        }

        void check(ConfigCheck check) {
            check.atLeast("concurrency", concurrency, 1);
            check.atLeast("maxPending", maxPending, 1);
            check.atLeast("maxPendingPerPartition", maxPendingPerPartition, 1);
            check.atLeast("maxAttempts", maxAttempts, 1);
            check.atLeast("forbiddenAttempts", forbiddenAttempts, 1);
            if (maxBackoff.compareTo(initialBackoff) < 0) {
                check.problem("maxBackoff", "must not be shorter than initialBackoff");
            }
        }

        public RetryPolicy retryPolicy() {
            return new RetryPolicy(maxAttempts, forbiddenAttempts, initialBackoff, maxBackoff, quotaRetryFor);
        }

        /** The applier's consumer group: as configured, else {@code <topicPrefix>-applier}. */
        public String groupId(String topicPrefix) {
            return groupId != null ? groupId : topicPrefix + "-applier";
        }

        public ApplierSettings settings(String intentsTopic, String observationsTopic) {
            return new ApplierSettings(intentsTopic, observationsTopic, concurrency, maxPending,
                    maxPendingPerPartition, retryPolicy(), shutdownGrace);
        }
    }

    /**
     * The {@code translator.ops} section: where /metrics, /healthz and /readyz are served. The host defaults to
     * the loopback interface: nothing outside the machine reaches the endpoint unless the configuration says so (the
     * Kubernetes manifests and the compose file set {@code 0.0.0.0}, because probes and Prometheus come from outside
     * the container).
     */
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record Ops(String host, Integer port) {
        /** The default bind address of the ops endpoint: loopback only unless configured. */
        public static final String DEFAULT_HOST = "127.0.0.1";
        public static final int DEFAULT_PORT = 9401;
        public static final Ops DEFAULT = new Ops(null, null);

        public Ops {
            host = host == null || host.isBlank() ? DEFAULT_HOST : host;
            port = port == null ? DEFAULT_PORT : port;
        }

        void check(ConfigCheck check) {
            check.port("port", port);
        }
    }
}
