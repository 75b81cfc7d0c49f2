package dev.daskrelay.schemas.retention;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;

/**
 * How long a topic keeps its records, as the broker says ({@code describeConfigs}: {@code retention.ms} and
 * {@code cleanup.policy}). A compacted topic without {@code delete} keeps the last record of every key forever.
 * Size-based retention ({@code retention.bytes}) can only drop records earlier, so time is the upper bound.
 */
public sealed interface TopicRetention {

    /** Records are deleted this long after they were written. */
    record Finite(Duration retention) implements TopicRetention {
    }

    /** Records are never deleted by time ({@code retention.ms=-1}, or compaction only). */
    record Infinite() implements TopicRetention {
    }

    /** The broker did not tell (no DESCRIBE_CONFIGS permission, unreachable, topic missing): why. */
    record Unknown(String why) implements TopicRetention {
    }

    /** From the two configs' values (null when absent). */
    static TopicRetention of(String retentionMs, String cleanupPolicy) {
        if (cleanupPolicy != null) {
            List<String> policies = List.of(cleanupPolicy.toLowerCase(Locale.ROOT).replace(" ", "").split(","));
            if (!policies.contains(TopicConfig.CLEANUP_POLICY_DELETE)) {
                return new Infinite();
            }
        }
        if (retentionMs == null) {
            return new Unknown("no retention.ms in the topic's configuration");
        }
        long ms;
        try {
            ms = Long.parseLong(retentionMs.strip());
        } catch (NumberFormatException e) {
            return new Unknown("retention.ms is \"" + retentionMs + "\"");
        }
        return ms < 0 ? new Infinite() : new Finite(Duration.ofMillis(ms));
    }

    /** Asks the broker; never throws for a broker's refusal or silence (that is {@link Unknown}). */
    static TopicRetention read(Admin admin, String topic, Duration timeout) {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        try {
            Map<ConfigResource, Config> configs = admin.describeConfigs(List.of(resource)).all()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            Config config = configs.get(resource);
            if (config == null) {
                return new Unknown("the broker returned no configuration for " + topic);
            }
            ConfigEntry retention = config.get(TopicConfig.RETENTION_MS_CONFIG);
            ConfigEntry cleanup = config.get(TopicConfig.CLEANUP_POLICY_CONFIG);
            return of(retention == null ? null : retention.value(), cleanup == null ? null : cleanup.value());
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            return new Unknown(cause.getClass().getSimpleName() + ": " + cause.getMessage());
        } catch (TimeoutException e) {
            return new Unknown("no answer within " + timeout.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Unknown("interrupted");
        }
    }
}
