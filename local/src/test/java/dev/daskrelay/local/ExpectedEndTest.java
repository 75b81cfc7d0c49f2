package dev.daskrelay.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.daskrelay.avro.v1.TaskPhase;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExpectedEndTest {

    @Test
    void followsTheScenarioUnlessToldOtherwise() {
        assertEquals(TaskPhase.SUCCEEDED, ExpectedEnd.of(Map.of()));
        assertEquals(TaskPhase.SUCCEEDED, ExpectedEnd.of(Map.of(ExpectedEnd.SCENARIO_ANNOTATION, "success")));
        assertEquals(TaskPhase.SUCCEEDED, ExpectedEnd.of(Map.of(ExpectedEnd.SCENARIO_ANNOTATION, "runner-exit:0")));
        assertEquals(TaskPhase.FAILED, ExpectedEnd.of(Map.of(ExpectedEnd.SCENARIO_ANNOTATION, "runner-exit:1")));
        assertEquals(TaskPhase.FAILED, ExpectedEnd.of(Map.of(ExpectedEnd.SCENARIO_ANNOTATION, "oom")));
        assertEquals(TaskPhase.SUCCEEDED, ExpectedEnd.of(Map.of(ExpectedEnd.SCENARIO_ANNOTATION, "oom",
                ExpectedEnd.EXPECT_ANNOTATION, "succeeded")));
        assertThrows(IllegalArgumentException.class,
                () -> ExpectedEnd.of(Map.of(ExpectedEnd.EXPECT_ANNOTATION, "RUNNING")));
    }
}
