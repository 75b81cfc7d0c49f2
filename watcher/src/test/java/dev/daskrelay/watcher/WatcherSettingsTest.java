package dev.daskrelay.watcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.daskrelay.schemas.config.DaskRelayConfig;
import dev.daskrelay.schemas.retention.StateRetention;
import dev.daskrelay.schemas.retention.TopicRetention;
import dev.daskrelay.watcher.status.StatusTopology;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class WatcherSettingsTest {

    private static WatcherSettings watcher(String yaml) {
        return DaskRelayConfig.parse(yaml, "test.yaml").section("watcher", WatcherSettings.class);
    }

    @Test
    void defaults() {
        WatcherSettings s = watcher("");
        assertEquals(Duration.ofHours(1), s.retention().retain());
        assertEquals(Duration.ofMinutes(1), s.janitorInterval());
        assertEquals("daskrelay-watcher", s.leaseName());
        assertEquals(Duration.ofSeconds(15), s.leaseTiming().leaseDuration());
        assertEquals(Duration.ofSeconds(10), s.leaseTiming().renewDeadline());
        assertEquals(Duration.ofSeconds(2), s.leaseTiming().retryPeriod());
        assertEquals(List.of("a", "b"), s.watchedNamespaces(List.of("a", "b")), "the platform allow-list by default");
        assertEquals(8081, s.opsPort());
        assertEquals(500, s.listPageSize());
        assertEquals(StatusTopology.DEFAULT_COMMIT_INTERVAL, s.statusCommitInterval());
    }

    @Test
    void theStatusTopologysKeysAreToleratedAndOwnKeysRead() {
        WatcherSettings s = watcher("""
                watcher:
                  stuckAfter: 15m
                  imagePullGrace: 3m
                  punctuationInterval: 1s
                  logLinks: [{name: k8s, uri: "http://x/{{ .podName }}"}]
                  retainFinished: 2h30m
                  leaseName: my-lease
                  leaseNamespace: ops
                  namespaces: [team-a]
                  resync: 5m
                  listPageSize: 0
                  statusCommitInterval: 20ms
                """);
        assertEquals(Duration.ofMinutes(150), s.retention().retain());
        assertEquals("my-lease", s.leaseName());
        assertEquals("ops", s.leaseNamespace());
        assertEquals(List.of("team-a"), s.watchedNamespaces(List.of("default")));
        assertEquals(Duration.ofMinutes(5), s.resync());
        assertEquals(0, s.listPageSize());
        assertEquals(Duration.ofMillis(20), s.statusCommitInterval());
    }

    @Test
    void retentionZeroAndMinusOne() {
        assertEquals(Duration.ZERO, watcher("watcher: {retainFinished: 0}").retention().retain());
        assertTrue(watcher("watcher: {retainFinished: -1}").retention().never());
        assertTrue(watcher("watcher: {retainFinished: \"-1\"}").retention().never());
    }

    @Test
    void allNamespacesWins() {
        assertEquals(List.of(), watcher("watcher: {allNamespaces: true, namespaces: [x]}").watchedNamespaces(List.of("d")));
    }

    @Test
    void badValuesNameTheirKey() {
        var e = assertThrows(DaskRelayConfig.ConfigException.class,
                () -> watcher("watcher: {retainFinished: soon, resync: -5m, listPageSize: -1, statusCommitInterval: 0}"));
        assertTrue(e.getMessage().contains("watcher.retainFinished: must be a duration like 90s, 15m, 2h or 1h30m (was \"soon\")"), e.getMessage());
        assertTrue(e.getMessage().contains("watcher.resync"), e.getMessage());
        assertTrue(e.getMessage().contains("watcher.listPageSize: must be 0 (no paging) or more, was -1"), e.getMessage());
        assertTrue(e.getMessage().contains("watcher.statusCommitInterval: must be greater than 0"), e.getMessage());
    }

    @Test
    void misspeltKeyIsRejected() {
        var e = assertThrows(DaskRelayConfig.ConfigException.class, () -> watcher("watcher: {retainFinnished: 1h}"));
        assertTrue(e.getMessage().contains("watcher.retainFinnished: unknown key"), e.getMessage());
    }

    @Test
    void leaseTimingMustBeOrdered() {
        var e = assertThrows(DaskRelayConfig.ConfigException.class,
                () -> watcher("watcher: {leaseDuration: 5s, renewDeadline: 10s}"));
        assertTrue(e.problems().get(0).startsWith("watcher.lease timing"), e.getMessage());
    }

    @Test
    void statusRetentionOutlivesTheCommandsTopicAndTheJanitorsRetention() {
        TopicRetention week = new TopicRetention.Finite(Duration.ofDays(7));
        assertEquals(StateRetention.AUTO, watcher("").statusRetention());
        assertEquals(Duration.ofDays(9), watcher("").statusRetention("p.commands", week).retain(),
                "auto: the topic's 7 days + 2, a day longer than the translator's fates");
        assertEquals(Duration.ofDays(30), watcher("watcher: {statusRetention: 30d}").statusRetention("p.commands", week)
                .retain());
        var shorter = assertThrows(IllegalArgumentException.class,
                () -> watcher("watcher: {statusRetention: 3d}").statusRetention("p.commands", week));
        assertTrue(shorter.getMessage().startsWith("watcher.statusRetention: 3d must be longer than the retention of "
                + "p.commands (7d)"), shorter.getMessage());
        var janitor = assertThrows(IllegalArgumentException.class,
                () -> watcher("watcher: {statusRetention: 10d, retainFinished: 14d}").statusRetention("p.commands", week));
        assertEquals("watcher.statusRetention: 10d must be longer than watcher.retainFinished (14d): the janitor's "
                + "deletion of a finished DaskJob would reach a forgotten task", janitor.getMessage());
        assertTrue(watcher("watcher: {statusRetention: -1, retainFinished: -1}").statusRetention("p.commands", week)
                .forever());
    }
}
