package dev.daskrelay.translator;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.daskrelay.translator.apply.ApplierSettings;
import dev.daskrelay.translator.apply.RetryPolicy;
import java.time.Duration;
import java.util.Map;

/**
 * The {@code translator} section of {@code daskrelay.yaml} (keys and defaults: translator/README.md).
 *
 * @param applicationId Kafka Streams {@code application.id} of the command topology
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
        applicationId = applicationId == null || applicationId.isBlank() ? "daskrelay-translator" : applicationId;
        createTopics = createTopics == null || createTopics;
        topicPartitions = topicPartitions == null ? 6 : topicPartitions;
        streamThreads = streamThreads == null ? 1 : streamThreads;
        streams = streams == null ? Map.of() : Map.copyOf(streams);
        applier = applier == null ? new Applier(null, null, null, null, null, null, null, null, null, null) : applier;
        ops = ops == null ? new Ops(null, null) : ops;
        if (topicPartitions < 1 || streamThreads < 1) {
            throw new IllegalArgumentException("translator.topicPartitions and translator.streamThreads: must be >= 1");
        }
    }

    public Duration commitIntervalDuration() {
        return DurationSetting.parse("translator.commitInterval", commitInterval, Duration.ofMillis(100));
    }

    /** The {@code translator.applier} section. */
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record Applier(String groupId, Integer concurrency, Integer maxPending, Integer maxPendingPerPartition,
                          Integer maxAttempts, Integer forbiddenAttempts, String initialBackoff, String maxBackoff,
                          String quotaRetryFor, String shutdownGrace) {

        public Applier {
            groupId = groupId == null || groupId.isBlank() ? "daskrelay-applier" : groupId;
            concurrency = concurrency == null ? 32 : concurrency;
            maxPending = maxPending == null ? 2000 : maxPending;
            maxPendingPerPartition = maxPendingPerPartition == null ? 500 : maxPendingPerPartition;
            maxAttempts = maxAttempts == null ? 8 : maxAttempts;
            forbiddenAttempts = forbiddenAttempts == null ? 3 : forbiddenAttempts;
        }

        public RetryPolicy retryPolicy() {
            return new RetryPolicy(maxAttempts, forbiddenAttempts,
                    DurationSetting.parse("translator.applier.initialBackoff", initialBackoff, Duration.ofMillis(200)),
                    DurationSetting.parse("translator.applier.maxBackoff", maxBackoff, Duration.ofSeconds(30)),
                    DurationSetting.parse("translator.applier.quotaRetryFor", quotaRetryFor, Duration.ofMinutes(10)));
        }

        public ApplierSettings settings(String intentsTopic, String observationsTopic) {
            return new ApplierSettings(intentsTopic, observationsTopic, concurrency, maxPending,
                    maxPendingPerPartition, retryPolicy(),
                    DurationSetting.parse("translator.applier.shutdownGrace", shutdownGrace, Duration.ofSeconds(30)));
        }
    }

    /** The {@code translator.ops} section: where /metrics, /healthz and /readyz are served. */
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record Ops(String host, Integer port) {
        public Ops {
            host = host == null || host.isBlank() ? "0.0.0.0" : host;
            port = port == null ? 9401 : port;
        }
    }
}
