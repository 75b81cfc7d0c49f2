package dev.daskrelay.translator;

import dev.daskrelay.schemas.task.DurationText;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.daskrelay.translator.apply.ApplierSettings;
import dev.daskrelay.translator.apply.RetryPolicy;
import java.time.Duration;
import java.util.Map;

/**
 * The {@code translator} section of {@code daskrelay.yaml} (keys and defaults: translator/README.md).
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
 * @param applier the applier
 * @param ops the operations endpoints
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record TranslatorSettings(String applicationId, Boolean createTopics, Integer topicPartitions,
                                 Short topicReplicationFactor, String stateDir, String commitInterval,
                                 Integer streamThreads, Map<String, String> streams, Applier applier, Ops ops) {

    public TranslatorSettings {
        applicationId = applicationId == null || applicationId.isBlank() ? null : applicationId;
        createTopics = createTopics == null || createTopics;
        topicPartitions = topicPartitions == null ? 6 : topicPartitions;
        streamThreads = streamThreads == null ? 1 : streamThreads;
        streams = streams == null ? Map.of() : Map.copyOf(streams);
        applier = applier == null ? new Applier(null, null, null, null, null, null, null, null, null, null) : applier;
        ops = ops == null ? new Ops(null, null) : ops;
        if (commitInterval != null && !commitInterval.isBlank()) {
            DurationText.parse(commitInterval, "translator.commitInterval"); // fail early
        }
        if (topicPartitions < 1 || streamThreads < 1) {
            throw new IllegalArgumentException("translator.topicPartitions and translator.streamThreads: must be >= 1");
        }
    }

    public Duration commitIntervalDuration() {
        return (commitInterval == null || commitInterval.isBlank() ? Duration.ofMillis(100) : DurationText.parse(commitInterval, "translator.commitInterval"));
    }

    /** The {@code translator.applier} section. */
    @JsonIgnoreProperties(ignoreUnknown = false)
    /** The Streams application id: as configured, else {@code <topicPrefix>-translator}. */
    public String applicationId(String topicPrefix) {
        return applicationId != null ? applicationId : topicPrefix + "-translator";
    }

    public record Applier(String groupId, Integer concurrency, Integer maxPending, Integer maxPendingPerPartition,
                          Integer maxAttempts, Integer forbiddenAttempts, String initialBackoff, String maxBackoff,
                          String quotaRetryFor, String shutdownGrace) {

        public Applier {
            groupId = groupId == null || groupId.isBlank() ? null : groupId;
            concurrency = concurrency == null ? 32 : concurrency;
            maxPending = maxPending == null ? 2000 : maxPending;
            maxPendingPerPartition = maxPendingPerPartition == null ? 500 : maxPendingPerPartition;
            maxAttempts = maxAttempts == null ? 8 : maxAttempts;
            forbiddenAttempts = forbiddenAttempts == null ? 3 : forbiddenAttempts;
            // fail at load time, naming the key, rather than at start
            retryPolicy(maxAttempts, forbiddenAttempts, initialBackoff, maxBackoff, quotaRetryFor);
            if (shutdownGrace != null && !shutdownGrace.isBlank()) {
                DurationText.parse(shutdownGrace, "translator.applier.shutdownGrace");
            }
            if (concurrency < 1 || maxPending < 1 || maxPendingPerPartition < 1) {
                throw new IllegalArgumentException("translator.applier: concurrency, maxPending and "
                        + "maxPendingPerPartition must be >= 1");
            }
        }

        public RetryPolicy retryPolicy() {
            return retryPolicy(maxAttempts, forbiddenAttempts, initialBackoff, maxBackoff, quotaRetryFor);
        }

        private static RetryPolicy retryPolicy(int maxAttempts, int forbiddenAttempts, String initialBackoff,
                                               String maxBackoff, String quotaRetryFor) {
            return new RetryPolicy(maxAttempts, forbiddenAttempts,
                    (initialBackoff == null || initialBackoff.isBlank() ? Duration.ofMillis(200) : DurationText.parse(initialBackoff, "translator.applier.initialBackoff")),
                    (maxBackoff == null || maxBackoff.isBlank() ? Duration.ofSeconds(30) : DurationText.parse(maxBackoff, "translator.applier.maxBackoff")),
                    (quotaRetryFor == null || quotaRetryFor.isBlank() ? Duration.ofMinutes(10) : DurationText.parse(quotaRetryFor, "translator.applier.quotaRetryFor")));
        }

        /** The applier's consumer group: as configured, else {@code <topicPrefix>-applier}. */
        public String groupId(String topicPrefix) {
            return groupId != null ? groupId : topicPrefix + "-applier";
        }

        public ApplierSettings settings(String intentsTopic, String observationsTopic) {
            return new ApplierSettings(intentsTopic, observationsTopic, concurrency, maxPending,
                    maxPendingPerPartition, retryPolicy(),
                    (shutdownGrace == null || shutdownGrace.isBlank() ? Duration.ofSeconds(30) : DurationText.parse(shutdownGrace, "translator.applier.shutdownGrace")));
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
        /** The default bind address of the ops endpoint. */
        public static final String DEFAULT_HOST = "127.0.0.1";

        public Ops {
            host = host == null || host.isBlank() ? DEFAULT_HOST : host;
            port = port == null ? 9401 : port;
        }
    }
}
