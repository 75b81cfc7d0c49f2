package dev.daskrelay.watcher.status;

import dev.daskrelay.schemas.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Typed settings of the status part of {@code daskrelay watcher}. From {@code daskrelay.yaml} they come out of the
 * {@code watcher:} section, bound once ({@code WatcherSettings.status(topicPrefix)}); tests build them directly.
 *
 * @param stuckAfter          INITIALIZING longer than this: FAILED (Stuck) and the DaskJob deleted
 * @param imagePullGrace      runner image pull failing longer than this: FAILED and the DaskJob deleted
 * @param punctuationInterval how often the wall-clock punctuation looks for stuck tasks and deadlines
 * @param logLinks            log link templates (see {@link LogLinkTemplate})
 * @param topicPrefix         topics are {@code <prefix>.observations}, {@code .status}, {@code .intents},
 *                            {@code .dead-letters}
 * @param cloudEventsSource   the {@code ce_source} header of status records (default {@link #defaultSource})
 */
public record StatusSettings(
        Duration stuckAfter,
        Duration imagePullGrace,
        Duration punctuationInterval,
        List<LogLinkTemplate> logLinks,
        String topicPrefix,
        String cloudEventsSource) {

    public static final Duration DEFAULT_STUCK_AFTER = Duration.ofMinutes(15);
    public static final Duration DEFAULT_IMAGE_PULL_GRACE = Duration.ofMinutes(3);
    public static final Duration DEFAULT_PUNCTUATION_INTERVAL = Duration.ofSeconds(1);
    public static final String DEFAULT_TOPIC_PREFIX = Topics.DEFAULT_PREFIX;
    public static final String DEFAULT_CLOUDEVENTS_SOURCE = defaultSource(Topics.DEFAULT_PREFIX, null);
    /** Flyte's default Kubernetes-dashboard link for the Dask runner. */
    public static final LogLinkTemplate DEFAULT_LOG_LINK = new LogLinkTemplate("Kubernetes Logs (Dask Runner Logs)",
            "http://localhost:30082/#!/log/{{ .namespace }}/{{ .podName }}/pod?namespace={{ .namespace }}");

    public StatusSettings {
        requirePositive(stuckAfter, "stuckAfter");
        requireNonNegative(imagePullGrace, "imagePullGrace");
        requirePositive(punctuationInterval, "punctuationInterval");
        logLinks = List.copyOf(Objects.requireNonNull(logLinks, "logLinks"));
        topicPrefix = new Topics(topicPrefix).prefix();
        if (cloudEventsSource == null || cloudEventsSource.isBlank()) {
            throw new IllegalArgumentException("cloudEventsSource: must not be empty");
        }
    }

    public static StatusSettings defaults() {
        return new StatusSettings(DEFAULT_STUCK_AFTER, DEFAULT_IMAGE_PULL_GRACE, DEFAULT_PUNCTUATION_INTERVAL,
                List.of(DEFAULT_LOG_LINK), DEFAULT_TOPIC_PREFIX, DEFAULT_CLOUDEVENTS_SOURCE);
    }

    /** The defaults with the topics of {@code topicPrefix}. */
    public static StatusSettings defaults(String topicPrefix) {
        return new StatusSettings(DEFAULT_STUCK_AFTER, DEFAULT_IMAGE_PULL_GRACE, DEFAULT_PUNCTUATION_INTERVAL,
                List.of(DEFAULT_LOG_LINK), topicPrefix, defaultSource(topicPrefix, null));
    }

    /**
     * The default {@code ce_source}: {@code /daskrelay/<clusterName>/<topicPrefix>}, or {@code /daskrelay/<topicPrefix>}
     * without a cluster name, so that two installations' status records can be told apart.
     */
    public static String defaultSource(String topicPrefix, String clusterName) {
        String prefix = new Topics(topicPrefix).prefix();
        return clusterName == null || clusterName.isBlank() ? "/daskrelay/" + prefix
                : "/daskrelay/" + clusterName.strip() + "/" + prefix;
    }

    public StatusSettings withStuckAfter(Duration d) {
        return new StatusSettings(d, imagePullGrace, punctuationInterval, logLinks, topicPrefix, cloudEventsSource);
    }

    public StatusSettings withImagePullGrace(Duration d) {
        return new StatusSettings(stuckAfter, d, punctuationInterval, logLinks, topicPrefix, cloudEventsSource);
    }

    public StatusSettings withLogLinks(List<LogLinkTemplate> links) {
        return new StatusSettings(stuckAfter, imagePullGrace, punctuationInterval, links, topicPrefix,
                cloudEventsSource);
    }

    public Topics topics() {
        return new Topics(topicPrefix);
    }

    public String observationsTopic() {
        return topics().observations();
    }

    public String statusTopic() {
        return topics().status();
    }

    public String intentsTopic() {
        return topics().intents();
    }

    public String deadLettersTopic() {
        return topics().deadLetters();
    }

    private static void requirePositive(Duration d, String path) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(path + ": must be a duration greater than 0");
        }
    }

    private static void requireNonNegative(Duration d, String path) {
        if (d == null || d.isNegative()) {
            throw new IllegalArgumentException(path + ": must be a duration of 0 or more");
        }
    }
}
