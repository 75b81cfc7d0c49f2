package dev.daskrelay.watcher.status;

import dev.daskrelay.schemas.task.DurationText;
import dev.daskrelay.avro.v1.ApplyResult;
import dev.daskrelay.avro.v1.IntentAction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StatusSettingsTest {

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
        StatusSettings s = StatusSettings.fromWatcherSection(Map.of("retainFinished", "1h"), null);
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
        assertEquals("/daskrelay/prod-eu-1/flyte", StatusSettings.fromWatcherSection(
                Map.of("clusterName", "prod-eu-1"), "flyte").cloudEventsSource());
        assertEquals("/daskrelay/flyte", StatusSettings.fromWatcherSection(Map.of(), "flyte").cloudEventsSource());
        assertEquals("/mine", StatusSettings.fromWatcherSection(
                Map.of("clusterName", "prod-eu-1", "cloudEventsSource", "/mine"), "flyte").cloudEventsSource());
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> StatusSettings.fromWatcherSection(Map.of("clusterName", "a/b"), "flyte"));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().startsWith("watcher.clusterName:"), e.getMessage());
    }

    @Test
    void section() {
        StatusSettings s = StatusSettings.fromWatcherSection(Map.of("stuckAfter", "90s", "imagePullGrace", "0",
                "punctuationInterval", "250ms", "cloudEventsSource", "/prod/status",
                "logLinks", List.of(Map.of("name", "Grafana", "uri", "https://g/{{ .namespace }}/{{.podName}}"))),
                "prod");
        assertEquals(Duration.ofSeconds(90), s.stuckAfter());
        assertEquals(Duration.ZERO, s.imagePullGrace());
        assertEquals(Duration.ofMillis(250), s.punctuationInterval());
        assertEquals("prod.status", s.statusTopic());
        assertEquals("/prod/status", s.cloudEventsSource());
        assertEquals("Grafana", s.logLinks().get(0).name());
    }

    @Test
    void everyProblemIsReportedWithItsPath() {
        var e = assertThrows(IllegalArgumentException.class, () -> StatusSettings.fromWatcherSection(Map.of(
                "stuckAfter", "soon", "imagePullGrace", "3 minutes",
                "logLinks", List.of(Map.of("name", "x", "uri", "https://x/{{ .pod }}"), "nope")), null));
        String m = e.getMessage();
        assertTrue(m.contains("watcher.stuckAfter: must be a duration like 90s, 15m, 2h or 1h30m (was \"soon\")"), m);
        assertTrue(m.contains("watcher.imagePullGrace: must be a duration like 90s, 15m, 2h or 1h30m (was \"3 minutes\")"), m);
        assertTrue(m.contains("watcher.logLinks[0].uri: unknown placeholder {{ .pod }}"), m);
        assertTrue(m.contains("watcher.logLinks[1]: expected {name, uri}"), m);
        var zero = assertThrows(IllegalArgumentException.class,
                () -> StatusSettings.fromWatcherSection(Map.of("stuckAfter", "0"), null));
        assertTrue(zero.getMessage().startsWith("watcher.stuckAfter: "));
    }

    @Test
    void logLinkNeedsEveryPlaceholder() {
        LogLinkTemplate t = new LogLinkTemplate("L", "https://x/{{ .namespace }}/{{.podName}}?t={{ .taskId }}");
        assertEquals(java.util.Optional.empty(), t.render(Map.of("namespace", "ns", "taskId", "t1")));
        assertEquals("https://x/ns/p$1?t=t1", t.render(Map.of("namespace", "ns", "podName", "p$1", "taskId", "t1"))
                .orElseThrow());
        assertEquals("https://static", new LogLinkTemplate("S", "https://static").render(Map.of()).orElseThrow());
    }

    @Test
    void taskStateSurvivesTheStoreSerde() {
        TaskStateMachine.Step step = TaskStateMachine.apply(TaskState.initial(Obs.TASK),
                Obs.accepted(Obs.T0, 600L), Obs.T0, StatusSettings.defaults());
        step = TaskStateMachine.apply(step.state(), Obs.apply(IntentAction.CREATE, ApplyResult.CREATED, Obs.T0),
                Obs.T0, StatusSettings.defaults());
        step = TaskStateMachine.apply(step.state(), Obs.snapshot(Obs.job("JobCreated").build(), Obs.T0), Obs.T0,
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
        assertEquals(List.of(), old.recentObservationIds());
        assertEquals(Map.of(), old.highestVersions());
    }
}
