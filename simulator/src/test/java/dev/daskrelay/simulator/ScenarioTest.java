package dev.daskrelay.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ScenarioTest {

    @Test
    void defaultIsSuccess() {
        assertEquals(Scenario.DEFAULT, Scenario.fromAnnotations(Map.of()));
        assertEquals(Scenario.DEFAULT, Scenario.fromAnnotations(null));
        assertEquals(Scenario.Kind.SUCCESS, Scenario.fromAnnotations(Map.of(Scenario.SCENARIO_ANNOTATION, "success")).kind());
    }

    @Test
    void parsesEveryScenario() {
        assertEquals(new Scenario(Scenario.Kind.RUNNER_EXIT, 3, Optional.empty(), Optional.empty()),
                Scenario.fromAnnotations(Map.of(Scenario.SCENARIO_ANNOTATION, "runner-exit:3")));
        assertEquals(137, Scenario.fromAnnotations(Map.of(Scenario.SCENARIO_ANNOTATION, "oom")).runnerExitCode());
        for (Scenario.Kind kind : Scenario.Kind.values()) {
            if (kind != Scenario.Kind.RUNNER_EXIT) {
                assertEquals(kind, Scenario.fromAnnotations(Map.of(Scenario.SCENARIO_ANNOTATION, kind.value())).kind());
            }
        }
        assertEquals(1, Scenario.fromAnnotations(Map.of(Scenario.SCENARIO_ANNOTATION, "workers-never-ready")).runnerExitCode());
    }

    @Test
    void parsesDurations() {
        assertEquals(Duration.ofSeconds(2), Scenario.parseDuration("2s"));
        assertEquals(Duration.ofMillis(250), Scenario.parseDuration("250ms"));
        assertEquals(Duration.ofSeconds(90), Scenario.parseDuration("1m30s"));
        assertEquals(Duration.ofHours(1), Scenario.parseDuration("1h"));
        var s = Scenario.fromAnnotations(Map.of(Scenario.RUN_FOR_ANNOTATION, "2s", Scenario.START_DELAY_ANNOTATION, "100ms"));
        assertEquals(Optional.of(Duration.ofSeconds(2)), s.runFor());
        assertEquals(Optional.of(Duration.ofMillis(100)), s.startDelay());
    }

    @Test
    void badValuesNameTheAnnotation() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> Scenario.fromAnnotations(Map.of(Scenario.SCENARIO_ANNOTATION, "explode")));
        assertTrue(e.getMessage().startsWith("metadata.annotations[\"simulator.daskrelay.dev/scenario\"]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Scenario.fromAnnotations(Map.of(Scenario.SCENARIO_ANNOTATION, "runner-exit:300")));
        assertTrue(e.getMessage().contains("0..255"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Scenario.fromAnnotations(Map.of(Scenario.RUN_FOR_ANNOTATION, "2 seconds")));
        assertTrue(e.getMessage().startsWith("metadata.annotations[\"simulator.daskrelay.dev/run-for\"]"), e.getMessage());
        assertEquals(Scenario.DEFAULT, Scenario.lenient(Map.of(Scenario.SCENARIO_ANNOTATION, "explode")));
    }
}
