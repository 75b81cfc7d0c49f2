package dev.daskrelay.schemas.config;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.daskrelay.schemas.Topics;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The {@code kafka} section of {@code daskrelay.yaml}. Resolution order for each value: the file, then the
 * environment ({@code DASKRELAY_BOOTSTRAP_SERVERS}, {@code DASKRELAY_TOPIC_PREFIX}), then defaults that point at
 * the local stack ({@code daskrelay local}).
 *
 * @param bootstrapServers {@code bootstrap.servers}
 * @param topicPrefix prefix of the five topics
 * @param properties Kafka client properties passed through unchanged (security.protocol, sasl.*, ssl.* ...), except
 *     the partitioner settings: daskrelay partitions the topics it writes by {@code murmur2(taskId)} itself, and a
 *     task's records must stay together (docs/OPERATIONS.md section 2.3), so those keys are refused
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record KafkaSettings(String bootstrapServers, String topicPrefix, Map<String, String> properties) {

    /** The port {@code daskrelay local} binds its broker to, so other commands need no flags. */
    public static final int LOCAL_STACK_PORT = 19092;
    public static final String LOCAL_STACK_BOOTSTRAP = "127.0.0.1:" + LOCAL_STACK_PORT;
    public static final String ENV_BOOTSTRAP = "DASKRELAY_BOOTSTRAP_SERVERS";
    public static final String ENV_TOPIC_PREFIX = "DASKRELAY_TOPIC_PREFIX";

    public KafkaSettings {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            bootstrapServers = envOr(ENV_BOOTSTRAP, LOCAL_STACK_BOOTSTRAP);
        }
        if (topicPrefix == null || topicPrefix.isBlank()) {
            topicPrefix = envOr(ENV_TOPIC_PREFIX, Topics.DEFAULT_PREFIX);
        }
        properties = properties == null ? Map.of() : Map.copyOf(properties);
        for (String key : properties.keySet()) {
            String bare = key.startsWith("producer.") ? key.substring("producer.".length()) : key;
            if (bare.equals("partitioner.class") || bare.equals("partitioner.ignore.keys")) {
                throw new IllegalArgumentException("kafka.properties." + key + ": not allowed: daskrelay partitions "
                        + "the topics it writes by murmur2(taskId) itself, so that a task's records stay together");
            }
        }
    }

    public static KafkaSettings defaults() {
        return new KafkaSettings(null, null, null);
    }

    public Topics topics() {
        return new Topics(topicPrefix);
    }

    /** Client properties: the pass-through ones plus {@code bootstrap.servers}. */
    public Properties clientProperties() {
        Properties p = new Properties();
        p.putAll(new LinkedHashMap<>(properties));
        p.put("bootstrap.servers", bootstrapServers);
        return p;
    }

    private static String envOr(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}
