package dev.daskrelay.watcher;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;
import dev.daskrelay.watcher.bridge.LeaderElection;
import dev.daskrelay.watcher.janitor.RetentionPolicy;
import dev.daskrelay.schemas.task.DurationText;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code watcher:} section of {@code daskrelay.yaml} as the bridge, the janitor and the process wiring read it.
 * The status topology reads its own keys ({@code stuckAfter}, {@code imagePullGrace}, {@code punctuationInterval},
 * {@code cloudEventsSource}, {@code logLinks}) from the same section; they are declared here too, so that the
 * section as a whole still rejects unknown (misspelt) keys. Durations: {@code 500ms}, {@code 90s}, {@code 15m},
 * {@code 2h}, {@code 1d}, compounds ({@code 1h30m}), {@code 0}, or ISO-8601 ({@code PT15M}).
 *
 * @param retainFinished janitor: delete DaskJobs this long after they finished; {@code 0} = at once; {@code -1} =
 *     never (default {@code 1h})
 * @param janitorInterval how often the janitor looks (default {@code 1m})
 * @param leaseName the Lease the bridges compete for (default {@code daskrelay-watcher})
 * @param leaseNamespace its namespace (default: {@code platform.namespace})
 * @param leaseDuration / renewDeadline / retryPeriod Lease timing (defaults 15s / 10s / 2s)
 * @param identity this instance's name in the Lease (default: {@code HOSTNAME}, else a random id)
 * @param namespaces namespaces to watch (default: {@code platform.allowedNamespaces})
 * @param allNamespaces watch every namespace instead (needs cluster-wide list/watch RBAC; default false)
 * @param resync informer resync period: every cached DaskJob is re-derived this often (default {@code 10m})
 * @param opsHost / opsPort the {@code /metrics}, {@code /healthz}, {@code /readyz} endpoint (default 127.0.0.1:8081:
 *     loopback only unless configured; the manifests set 0.0.0.0 for the kubelet's probes and Prometheus)
 * @param statusApplicationId Kafka Streams {@code application.id} of the status topology (default
 *     {@code <topicPrefix>-status}); every watcher instance uses the same one
 * @param stateDir Kafka Streams state directory (default {@code <tmpdir>/daskrelay-watcher-streams})
 * @param recallLookback how far back a new leader reads the observations topic to recall what was last published
 *     per DaskJob (default {@code 24h}; {@code 0} = no recall)
 * @param listPageSize informers list in pages of this many objects (default {@code 500};
 *     {@code 0} = one unpaged list, served from the API server's watch cache but held whole in the watcher's heap)
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record WatcherSettings(
        String stuckAfter,
        String imagePullGrace,
        String punctuationInterval,
        String cloudEventsSource,
        JsonNode logLinks,
        String retainFinished,
        String janitorInterval,
        String leaseName,
        String leaseNamespace,
        String leaseDuration,
        String renewDeadline,
        String retryPeriod,
        String identity,
        List<String> namespaces,
        Boolean allNamespaces,
        String resync,
        String opsHost,
        Integer opsPort,
        String statusApplicationId,
        String stateDir,
        String recallLookback,
        Integer listPageSize) {

    public static final String DEFAULT_LEASE_NAME = "daskrelay-watcher";
    /** The page size of client-go's reflectors, for the same reason: a list of 60,000 pods does not fit one heap. */
    public static final int DEFAULT_LIST_PAGE_SIZE = dev.daskrelay.watcher.bridge.ObservationBridge.Options.DEFAULT_LIST_PAGE_SIZE;
    public static final int DEFAULT_OPS_PORT = 8081;

    /** Validates every value at once; the message lists each problem with its key path. */
    public WatcherSettings {
        namespaces = namespaces == null ? List.of() : List.copyOf(namespaces);
        allNamespaces = Boolean.TRUE.equals(allNamespaces);
        leaseName = leaseName == null || leaseName.isBlank() ? DEFAULT_LEASE_NAME : leaseName;
        opsHost = opsHost == null || opsHost.isBlank() ? "127.0.0.1" : opsHost;
        opsPort = opsPort == null ? DEFAULT_OPS_PORT : opsPort;
        listPageSize = listPageSize == null ? DEFAULT_LIST_PAGE_SIZE : listPageSize;
        List<String> problems = new ArrayList<>();
        check(problems, "retainFinished", retainFinished, true);
        check(problems, "janitorInterval", janitorInterval, false);
        check(problems, "leaseDuration", leaseDuration, false);
        check(problems, "renewDeadline", renewDeadline, false);
        check(problems, "retryPeriod", retryPeriod, false);
        check(problems, "resync", resync, false);
        check(problems, "recallLookback", recallLookback, false);
        if (opsPort < 0 || opsPort > 65535) {
            problems.add("watcher.opsPort: must be 0..65535");
        }
        if (listPageSize < 0) {
            problems.add("watcher.listPageSize: must be 0 (no paging) or more, was " + listPageSize);
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
    }

    public static WatcherSettings defaults() {
        return new WatcherSettings(null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null, null, null, null, null);
    }

    public Duration recallWindow() {
        return recallLookback == null ? Duration.ofHours(24) : parse(recallLookback, "watcher.recallLookback");
    }

    /** The status topology's {@code application.id}. */
    public String statusApplicationId(String topicPrefix) {
        return statusApplicationId == null || statusApplicationId.isBlank() ? topicPrefix + "-status"
                : statusApplicationId;
    }

    /** The status topology's state directory. */
    public java.nio.file.Path streamsStateDir() {
        return stateDir == null || stateDir.isBlank()
                ? java.nio.file.Path.of(System.getProperty("java.io.tmpdir"), "daskrelay-watcher-streams")
                : java.nio.file.Path.of(stateDir);
    }

    /** The janitor's policy (default: 1 hour). */
    public RetentionPolicy retention() {
        if (retainFinished == null) {
            return new RetentionPolicy(RetentionPolicy.DEFAULT_RETAIN);
        }
        return retainFinished.trim().equals("-1") ? RetentionPolicy.NEVER
                : new RetentionPolicy(parse(retainFinished, "watcher.retainFinished"));
    }

    public Duration janitorEvery() {
        return janitorInterval == null ? Duration.ofMinutes(1) : parse(janitorInterval, "watcher.janitorInterval");
    }

    public Duration resyncPeriod() {
        return resync == null ? Duration.ofMinutes(10) : parse(resync, "watcher.resync");
    }

    public LeaderElection.Timing leaseTiming() {
        LeaderElection.Timing d = LeaderElection.Timing.DEFAULT;
        try {
            return new LeaderElection.Timing(
                    leaseDuration == null ? d.leaseDuration() : parse(leaseDuration, "watcher.leaseDuration"),
                    renewDeadline == null ? d.renewDeadline() : parse(renewDeadline, "watcher.renewDeadline"),
                    retryPeriod == null ? d.retryPeriod() : parse(retryPeriod, "watcher.retryPeriod"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("watcher." + e.getMessage());
        }
    }

    /** The namespaces to watch: empty = all; else these, or the platform's allow-list when none are set. */
    public List<String> watchedNamespaces(List<String> platformAllowed) {
        if (allNamespaces) {
            return List.of();
        }
        return namespaces.isEmpty() ? List.copyOf(platformAllowed) : namespaces;
    }

    private static void check(List<String> problems, String key, String value, boolean minusOneAllowed) {
        if (value == null || (minusOneAllowed && value.trim().equals("-1"))) {
            return;
        }
        try {
            parse(value, "watcher." + key);
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
    }

    /** Parses a duration as written in the config ({@link DurationText}, never negative); errors name {@code path}. */
    static Duration parse(String text, String path) {
        return DurationText.parse(text, path);
    }
}
