package dev.daskrelay.watcher.status;

import dev.daskrelay.schemas.task.DurationText;
import dev.daskrelay.schemas.Topics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Typed settings of the status part of {@code daskrelay watcher} (the {@code watcher:} section of
 * {@code daskrelay.yaml}; keys of other parts of the watcher, e.g. {@code retainFinished}, are ignored here).
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
    /** The {@code ce_source} of {@link #defaults()}: the default topic prefix and no cluster name. */
    public static final String DEFAULT_CLOUDEVENTS_SOURCE = defaultSource(Topics.DEFAULT_PREFIX, null);
    /** Flyte's default Kubernetes-dashboard link for the Dask runner. */
    public static final LogLinkTemplate DEFAULT_LOG_LINK = new LogLinkTemplate("Kubernetes Logs (Dask Runner Logs)",
            "http://localhost:30082/#!/log/{{ .namespace }}/{{ .podName }}/pod?namespace={{ .namespace }}");

    public StatusSettings {
        requirePositive(stuckAfter, "watcher.stuckAfter");
        requireNonNegative(imagePullGrace, "watcher.imagePullGrace");
        requirePositive(punctuationInterval, "watcher.punctuationInterval");
        logLinks = List.copyOf(Objects.requireNonNull(logLinks, "watcher.logLinks"));
        topicPrefix = new Topics(topicPrefix).prefix();
        if (cloudEventsSource == null || cloudEventsSource.isBlank()) {
            throw new IllegalArgumentException("watcher.cloudEventsSource: must not be empty");
        }
    }

    /**
     * The default {@code ce_source}: {@code /daskrelay/<clusterName>/<topicPrefix>}, or {@code /daskrelay/<topicPrefix>}
     * without a cluster name, so that the status events of two installations have different sources (CloudEvents
     * identifies an event by source + id, and event ids are {@code <taskId>:<sequence>}).
     */
    public static String defaultSource(String topicPrefix, String clusterName) {
        String prefix = new Topics(topicPrefix).prefix();
        return clusterName == null || clusterName.isBlank() ? "/daskrelay/" + prefix
                : "/daskrelay/" + clusterName.strip() + "/" + prefix;
    }

    public static StatusSettings defaults() {
        return new StatusSettings(DEFAULT_STUCK_AFTER, DEFAULT_IMAGE_PULL_GRACE, DEFAULT_PUNCTUATION_INTERVAL,
                List.of(DEFAULT_LOG_LINK), DEFAULT_TOPIC_PREFIX, DEFAULT_CLOUDEVENTS_SOURCE);
    }

    /**
     * Reads the {@code watcher:} section (as parsed from YAML/JSON into maps and lists). Known keys:
     * {@code stuckAfter}, {@code imagePullGrace}, {@code punctuationInterval}, {@code cloudEventsSource},
     * {@code clusterName} (for the default source), {@code logLinks: [{name, uri}]}; others are ignored. Every problem is reported at once, each naming its path.
     */
    public static StatusSettings fromWatcherSection(Map<String, ?> section, String topicPrefix) {
        Map<String, ?> s = section == null ? Map.of() : section;
        List<String> problems = new ArrayList<>();
        Duration stuck = duration(s, "stuckAfter", DEFAULT_STUCK_AFTER, problems);
        Duration grace = duration(s, "imagePullGrace", DEFAULT_IMAGE_PULL_GRACE, problems);
        Duration tick = duration(s, "punctuationInterval", DEFAULT_PUNCTUATION_INTERVAL, problems);
        String clusterName = s.get("clusterName") == null ? null : String.valueOf(s.get("clusterName"));
        if (clusterName != null && !clusterName.strip().matches("[A-Za-z0-9._~-]{1,100}")) {
            problems.add("watcher.clusterName: letters, digits, '.', '_', '~' or '-', at most 100 (was \""
                    + clusterName + "\")");
            clusterName = null;
        }
        String source = s.get("cloudEventsSource") == null ? defaultSource(topicPrefix, clusterName)
                : String.valueOf(s.get("cloudEventsSource"));
        List<LogLinkTemplate> links = new ArrayList<>();
        Object rawLinks = s.get("logLinks");
        if (rawLinks == null) {
            links.add(DEFAULT_LOG_LINK);
        } else if (rawLinks instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                String path = "watcher.logLinks[" + i + "]";
                if (!(list.get(i) instanceof Map<?, ?> m)) {
                    problems.add(path + ": expected {name, uri}");
                    continue;
                }
                try {
                    links.add(new LogLinkTemplate(str(m.get("name")), str(m.get("uri"))));
                } catch (IllegalArgumentException e) {
                    problems.add(path + "." + e.getMessage());
                }
            }
        } else {
            problems.add("watcher.logLinks: expected a list of {name, uri}");
        }
        if (stuck != null && !stuck.isNegative() && stuck.isZero()) {
            problems.add("watcher.stuckAfter: must be greater than 0");
        }
        if (tick != null && tick.isZero()) {
            problems.add("watcher.punctuationInterval: must be greater than 0");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("\n", problems));
        }
        return new StatusSettings(stuck, grace, tick, links,
                topicPrefix, source);
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

    private static String str(Object o) {
        return o == null ? null : String.valueOf(o);
    }

    private static Duration duration(Map<String, ?> s, String key, Duration dflt, List<String> problems) {
        Object v = s.get(key);
        if (v == null) {
            return dflt;
        }
        try {
            return DurationText.parse(String.valueOf(v), "watcher." + key);
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
            return dflt;
        }
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
