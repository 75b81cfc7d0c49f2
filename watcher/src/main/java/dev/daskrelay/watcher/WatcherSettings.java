package dev.daskrelay.watcher;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.daskrelay.schemas.config.CheckedSection;
import dev.daskrelay.schemas.config.ConfigCheck;
import dev.daskrelay.schemas.retention.StateRetention;
import dev.daskrelay.schemas.retention.TopicRetention;
import dev.daskrelay.watcher.bridge.LeaderElection;
import dev.daskrelay.watcher.bridge.ObservationBridge;
import dev.daskrelay.watcher.bridge.ObservationTopicMemory;
import dev.daskrelay.watcher.janitor.ApplierProgress;
import dev.daskrelay.watcher.janitor.Janitor;
import dev.daskrelay.watcher.janitor.RetentionPolicy;
import dev.daskrelay.watcher.status.LogLinkTemplate;
import dev.daskrelay.watcher.status.StatusSettings;
import dev.daskrelay.watcher.status.StatusTopology;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The {@code watcher:} section of {@code daskrelay.yaml}, bound once by {@code DaskRelayConfig.section}: the bridge,
 * the janitor, the process wiring and the status topology ({@link #status(String)}) all read it from here. Absent
 * keys take the defaults declared by the parts that use them; {@link #check} reports every value that cannot be used
 * with its key path. Durations: {@code 500ms}, {@code 90s}, {@code 15m}, {@code 2h}, {@code 1d}, compounds
 * ({@code 1h30m}), {@code 0}, or ISO-8601 ({@code PT15M}).
 *
 * @param stuckAfter status topology: INITIALIZING longer than this fails the task (default {@code 15m})
 * @param imagePullGrace status topology: runner image pull failing longer than this fails it (default {@code 3m})
 * @param punctuationInterval status topology: how often timers are checked (default {@code 1s})
 * @param cloudEventsSource the {@code ce_source} header of status records (default
 *     {@code /daskrelay/<clusterName>/<topicPrefix>}, see {@link StatusSettings#defaultSource})
 * @param clusterName this installation's cluster, for the default {@code ce_source} (optional)
 * @param logLinks log link templates (default: Flyte's Kubernetes-dashboard link)
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
 * @param statusRetention how long the status topology remembers a finished task after its last change
 *     ({@code auto}: the commands topic's retention + {@link #STATUS_RETENTION_MARGIN}; {@code -1}: forever; a duration:
 *     that long, which must be longer than the commands topic's retention and than {@code retainFinished}, checked at
 *     start-up)
 * @param listPageSize informers list in pages of this many objects (default {@code 500};
 *     {@code 0} = one unpaged list, served from the API server's watch cache but held whole in the watcher's heap)
 * @param statusCommitInterval the status topology's Kafka Streams commit interval, under exactly-once the length
 *     of its transactions: a status event is visible to read_committed readers only once its transaction commits
 *     (default {@link StatusTopology#DEFAULT_COMMIT_INTERVAL}; docs/OPERATIONS.md weighs latency against
 *     transactions per second)
 * @param applierGroup the translator's applier consumer group (default {@code <topicPrefix>-applier}, as the
 *     translator's {@code applier.groupId}; set both or neither): the janitor deletes a finished DaskJob only once
 *     this group has committed the intent that created it ({@link ApplierProgress})
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record WatcherSettings(
        Duration stuckAfter,
        Duration imagePullGrace,
        Duration punctuationInterval,
        String cloudEventsSource,
        String clusterName,
        List<LogLink> logLinks,
        RetentionPolicy retainFinished,
        Duration janitorInterval,
        String leaseName,
        String leaseNamespace,
        Duration leaseDuration,
        Duration renewDeadline,
        Duration retryPeriod,
        String identity,
        List<String> namespaces,
        Boolean allNamespaces,
        Duration resync,
        String opsHost,
        Integer opsPort,
        String statusApplicationId,
        String stateDir,
        Duration recallLookback,
        StateRetention statusRetention,
        Integer listPageSize,
        Duration statusCommitInterval,
        String applierGroup) implements CheckedSection {

    public static final String DEFAULT_LEASE_NAME = "daskrelay-watcher";
    /** The page size of client-go's reflectors, for the same reason: a list of 60,000 pods does not fit one heap. */
    public static final int DEFAULT_LIST_PAGE_SIZE = ObservationBridge.Options.DEFAULT_LIST_PAGE_SIZE;
    /** Loopback only unless configured: the manifests set 0.0.0.0 for the kubelet's probes and Prometheus. */
    public static final String DEFAULT_OPS_HOST = "127.0.0.1";
    public static final int DEFAULT_OPS_PORT = 8081;
    /**
     * How much longer than the commands topic {@code statusRetention: auto} remembers finished tasks: a day more than
     * the translator's fates ({@code translator.fateRetention: auto}), so no late abort finds a fate whose status is
     * forgotten.
     */
    public static final Duration STATUS_RETENTION_MARGIN = Duration.ofDays(2);

    /** One entry of {@code watcher.logLinks}. */
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record LogLink(String name, String uri) {
    }

    public WatcherSettings {
        LeaderElection.Timing lease = LeaderElection.Timing.DEFAULT;
        stuckAfter = stuckAfter == null ? StatusSettings.DEFAULT_STUCK_AFTER : stuckAfter;
        imagePullGrace = imagePullGrace == null ? StatusSettings.DEFAULT_IMAGE_PULL_GRACE : imagePullGrace;
        punctuationInterval = punctuationInterval == null ? StatusSettings.DEFAULT_PUNCTUATION_INTERVAL
                : punctuationInterval;
        clusterName = clusterName == null || clusterName.isBlank() ? null : clusterName.strip();
        logLinks = logLinks == null ? null : Collections.unmodifiableList(new ArrayList<>(logLinks)); // nulls kept
        retainFinished = retainFinished == null ? RetentionPolicy.DEFAULT : retainFinished;
        janitorInterval = janitorInterval == null ? Janitor.DEFAULT_INTERVAL : janitorInterval;
        leaseName = leaseName == null || leaseName.isBlank() ? DEFAULT_LEASE_NAME : leaseName;
        leaseDuration = leaseDuration == null ? lease.leaseDuration() : leaseDuration;
        renewDeadline = renewDeadline == null ? lease.renewDeadline() : renewDeadline;
        retryPeriod = retryPeriod == null ? lease.retryPeriod() : retryPeriod;
        namespaces = namespaces == null ? List.of() : List.copyOf(namespaces);
        allNamespaces = Boolean.TRUE.equals(allNamespaces);
        resync = resync == null ? ObservationBridge.Options.DEFAULT_RESYNC_PERIOD : resync;
        opsHost = opsHost == null || opsHost.isBlank() ? DEFAULT_OPS_HOST : opsHost;
        opsPort = opsPort == null ? DEFAULT_OPS_PORT : opsPort;
        recallLookback = recallLookback == null ? ObservationTopicMemory.DEFAULT_LOOKBACK : recallLookback;
        statusRetention = statusRetention == null ? StateRetention.AUTO : statusRetention;
        listPageSize = listPageSize == null ? DEFAULT_LIST_PAGE_SIZE : listPageSize;
        statusCommitInterval = statusCommitInterval == null ? StatusTopology.DEFAULT_COMMIT_INTERVAL
                : statusCommitInterval;
    }

    public static WatcherSettings defaults() {
        return new WatcherSettings(null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    /** Every value that cannot be used, each with its key path. */
    @Override
    public void check(ConfigCheck check) {
        if (stuckAfter.isZero()) {
            check.problem("stuckAfter", "must be greater than 0");
        }
        if (punctuationInterval.isZero()) {
            check.problem("punctuationInterval", "must be greater than 0");
        }
        if (cloudEventsSource != null && cloudEventsSource.isBlank()) {
            check.problem("cloudEventsSource", "must not be empty");
        }
        if (clusterName != null && !clusterName.matches("[A-Za-z0-9._~-]{1,100}")) {
            check.problem("clusterName", "letters, digits, '.', '_', '~' or '-', at most 100 (was \"" + clusterName
                    + "\")");
        }
        if (logLinks != null) {
            for (int i = 0; i < logLinks.size(); i++) {
                LogLink link = logLinks.get(i);
                if (link == null) {
                    continue; // not a mapping: reported by the binding already
                }
                try {
                    new LogLinkTemplate(link.name(), link.uri());
                } catch (IllegalArgumentException e) {
                    String m = e.getMessage(); // "uri: unknown placeholder ..."
                    int colon = m.indexOf(": ");
                    check.problem("logLinks[" + i + "]" + (colon > 0 ? "." + m.substring(0, colon) : ""),
                            colon > 0 ? m.substring(colon + 2) : m);
                }
            }
        }
        if (janitorInterval.isZero()) {
            check.problem("janitorInterval", "must be greater than 0");
        }
        try {
            leaseTiming();
        } catch (IllegalArgumentException e) {
            check.problem("lease timing", "need retryPeriod < renewDeadline < leaseDuration");
        }
        if (resync.isZero()) {
            check.problem("resync", "must be greater than 0");
        }
        check.port("opsPort", opsPort);
        if (listPageSize < 0) {
            check.problem("listPageSize", "must be 0 (no paging) or more, was " + listPageSize);
        }
        if (statusCommitInterval.isZero() || statusCommitInterval.isNegative()) {
            check.problem("statusCommitInterval", "must be greater than 0");
        }
    }

    /** The status topology's settings, from the same section. */
    public StatusSettings status(String topicPrefix) {
        List<LogLinkTemplate> links = logLinks == null ? List.of(StatusSettings.DEFAULT_LOG_LINK)
                : logLinks.stream().map(l -> new LogLinkTemplate(l.name(), l.uri())).toList();
        return new StatusSettings(stuckAfter, imagePullGrace, punctuationInterval, links, topicPrefix,
                cloudEventsSource != null ? cloudEventsSource : StatusSettings.defaultSource(topicPrefix, clusterName));
    }

    /** The status topology's {@code application.id}. */
    public String statusApplicationId(String topicPrefix) {
        return statusApplicationId == null || statusApplicationId.isBlank() ? topicPrefix + "-status"
                : statusApplicationId;
    }

    /** The status topology's state directory. */
    public Path streamsStateDir() {
        return stateDir == null || stateDir.isBlank()
                ? Path.of(System.getProperty("java.io.tmpdir"), "daskrelay-watcher-streams")
                : Path.of(stateDir);
    }

    /**
     * {@code statusRetention} resolved against the commands topic's retention ({@link StateRetention#resolve}) and
     * checked against {@code retainFinished}: a finished task must be remembered longer than its DaskJob stays.
     *
     * @throws IllegalArgumentException {@code watcher.statusRetention: ...} when it does not outlive either
     */
    public StateRetention.Resolved statusRetention(String commandsTopic, TopicRetention commands) {
        StateRetention.Resolved r = statusRetention.resolve("watcher.statusRetention", commandsTopic, commands,
                STATUS_RETENTION_MARGIN);
        if (r.retain() != null && !retainFinished.never() && r.retain().compareTo(retainFinished.retain()) <= 0) {
            throw new IllegalArgumentException("watcher.statusRetention: " + StateRetention.text(r.retain())
                    + " must be longer than watcher.retainFinished (" + StateRetention.text(retainFinished.retain())
                    + "): the janitor's deletion of a finished DaskJob would reach a forgotten task");
        }
        return r;
    }

    /** The applier's consumer group as configured, else {@code <topicPrefix>-applier} (the translator's default). */
    public String applierGroup(String topicPrefix) {
        return applierGroup == null || applierGroup.isBlank() ? topicPrefix + "-applier" : applierGroup;
    }

    /** The janitor's policy. */
    public RetentionPolicy retention() {
        return retainFinished;
    }

    /**
     * The Lease timing.
     *
     * @throws IllegalArgumentException {@code lease timing: need retryPeriod < renewDeadline < leaseDuration}
     */
    public LeaderElection.Timing leaseTiming() {
        return new LeaderElection.Timing(leaseDuration, renewDeadline, retryPeriod);
    }

    /** The namespaces to watch: empty = all; else these, or the platform's allow-list when none are set. */
    public List<String> watchedNamespaces(List<String> platformAllowed) {
        if (allNamespaces) {
            return List.of();
        }
        return namespaces.isEmpty() ? List.copyOf(platformAllowed) : namespaces;
    }
}
