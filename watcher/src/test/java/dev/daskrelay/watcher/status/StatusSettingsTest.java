package dev.daskrelay.watcher.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.daskrelay.avro.v1.ApplyResult;
import dev.daskrelay.avro.v1.IntentAction;
import dev.daskrelay.schemas.config.DaskRelayConfig;
import dev.daskrelay.schemas.task.DurationText;
import dev.daskrelay.schemas.testing.TestObservations;
import dev.daskrelay.watcher.WatcherSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StatusSettingsTest {

    /** The status settings as the watcher binds them: from the watcher section of a daskrelay.yaml. */
    private static StatusSettings status(String yaml, String topicPrefix) {
        return DaskRelayConfig.parse(yaml, "test.yaml").section("watcher", WatcherSettings.class).status(topicPrefix);
    }

    @ParameterizedTest
    @CsvSource({"90s,PT1M30S", "15m,PT15M", "2h,PT2H", "500ms,PT0.5S", "1d,PT24H", "1h30m,PT1H30M", "0,PT0S",
            "PT15M,PT15M"})
    void durations(String text, String iso) {
        assertEquals(Duration.parse(iso), DurationText.parse(text, "watcher.x"));
        assertEquals(Duration.parse(iso), DurationText.parse(DurationText.format(Duration.parse(iso)), "x"));
    }

    @ParameterizedTest
    @CsvSource({"15", "15 m", "m", "-1m", "1.5h", "abc"})
    void badDurationsNameTheField(String text) {
        var e = assertThrows(IllegalArgumentException.class, () -> DurationText.parse(text, "watcher.stuckAfter"));
        assertTrue(e.getMessage().startsWith("watcher.stuckAfter: "), e.getMessage());
    }

    @Test
    void defaults() {
        StatusSettings s = status("watcher: {retainFinished: 1h}", null);
        assertEquals(Duration.ofMinutes(15), s.stuckAfter());
        assertEquals(Duration.ofMinutes(3), s.imagePullGrace());
        assertEquals(Duration.ofSeconds(1), s.punctuationInterval());
        assertEquals(List.of(StatusSettings.DEFAULT_LOG_LINK), s.logLinks());
        assertEquals("daskrelay.observations", s.observationsTopic());
        assertEquals("daskrelay.status", s.statusTopic());
        assertEquals("daskrelay.intents", s.intentsTopic());
        assertEquals("daskrelay.dead-letters", s.deadLettersTopic());
        assertEquals("/daskrelay/daskrelay", s.cloudEventsSource());
        assertEquals(s, StatusSettings.defaults());
    }

    @Test
    void theDefaultSourceNamesTheInstallation() {
        assertEquals("/daskrelay/prod-eu-1/flyte", watcher("watcher: {clusterName: prod-eu-1}").status("flyte")
                .cloudEventsSource());
        assertEquals("/daskrelay/flyte", watcher("watcher: {}").status("flyte").cloudEventsSource());
        assertEquals("/mine", watcher("watcher: {clusterName: prod-eu-1, cloudEventsSource: /mine}").status("flyte")
                .cloudEventsSource());
        DaskRelayConfig.ConfigException e = assertThrows(DaskRelayConfig.ConfigException.class,
                () -> watcher("watcher: {clusterName: a/b}"));
        assertTrue(e.getMessage().contains("watcher.clusterName:"), e.getMessage());
    }

    private static WatcherSettings watcher(String yaml) {
        return DaskRelayConfig.parse(yaml, "daskrelay.yaml").section("watcher", WatcherSettings.class);
    }

    @Test
    void section() {
        StatusSettings s = status("""
                watcher:
                  stuckAfter: 90s
                  imagePullGrace: "0"
                  punctuationInterval: 250ms
                  cloudEventsSource: /prod/status
                  logLinks: [{name: Grafana, uri: "https://g/{{ .namespace }}/{{.podName}}"}]
                """, "prod");
        assertEquals(Duration.ofSeconds(90), s.stuckAfter());
        assertEquals(Duration.ZERO, s.imagePullGrace());
        assertEquals(Duration.ofMillis(250), s.punctuationInterval());
        assertEquals("prod.status", s.statusTopic());
        assertEquals("/prod/status", s.cloudEventsSource());
        assertEquals("Grafana", s.logLinks().get(0).name());
    }

    @Test
    void everyProblemIsReportedWithItsPath() {
        var e = assertThrows(DaskRelayConfig.ConfigException.class, () -> status("""
                watcher:
                  stuckAfter: soon
                  imagePullGrace: 3 minutes
                  logLinks: [{name: x, uri: "https://x/{{ .pod }}"}, nope]
                """, null));
        String m = e.getMessage();
        assertTrue(m.contains("watcher.stuckAfter: must be a duration like 90s, 15m, 2h or 1h30m (was \"soon\")"), m);
        assertTrue(m.contains("watcher.imagePullGrace: must be a duration like 90s, 15m, 2h or 1h30m (was \"3 minutes\")"), m);
        assertTrue(m.contains("watcher.logLinks[0].uri: unknown placeholder {{ .pod }}"), m);
        assertTrue(m.contains("watcher.logLinks[1]: expected {name, uri}"), m);
        var zero = assertThrows(DaskRelayConfig.ConfigException.class,
                () -> status("watcher: {stuckAfter: 0}", null));
        assertTrue(zero.problems().get(0).startsWith("watcher.stuckAfter: "));
    }

    @Test
    void logLinkNeedsEveryPlaceholder() {
        LogLinkTemplate t = new LogLinkTemplate("L", "https://x/{{ .namespace }}/{{.podName}}?t={{ .taskId }}");
        assertEquals(Optional.empty(), t.render(Map.of("namespace", "ns", "taskId", "t1")));
        assertEquals("https://x/ns/p$1?t=t1", t.render(Map.of("namespace", "ns", "podName", "p$1", "taskId", "t1"))
                .orElseThrow());
        assertEquals("https://static", new LogLinkTemplate("S", "https://static").render(Map.of()).orElseThrow());
    }

    @Test
    void taskStateSurvivesTheStoreSerde() {
        TaskStateMachine.Step step = TaskStateMachine.apply(TaskState.initial(TestObservations.TASK),
                TestObservations.accepted(TestObservations.T0, 600L), TestObservations.T0, StatusSettings.defaults());
        step = TaskStateMachine.apply(step.state(), TestObservations.apply(IntentAction.CREATE, ApplyResult.CREATED, TestObservations.T0),
                TestObservations.T0, StatusSettings.defaults());
        step = TaskStateMachine.apply(step.state(), TestObservations.snapshot(TestObservations.job("JobCreated").build(), TestObservations.T0), TestObservations.T0,
                StatusSettings.defaults());
        TaskState s = step.state();
        TaskStateSerde serde = new TaskStateSerde();
        byte[] bytes = serde.serializer().serialize("t", s);
        assertEquals(s, serde.deserializer().deserialize("t", bytes));
        assertTrue(new String(bytes).contains("\"deadline\":\"2026-11-27T10:10:00Z\""), new String(bytes));
        assertTrue(!new String(bytes).contains("\"terminal\""), new String(bytes));
        TaskState old = serde.deserializer().deserialize("t",
                "{\"taskId\":\"t1\",\"phase\":\"RUNNING\",\"lastSequence\":3,\"futureField\":1}".getBytes());
        assertEquals(Phase.RUNNING, old.phase());
        assertNull(old.recentObservations());
        assertEquals(Map.of(), old.highestVersions());
    }
}
