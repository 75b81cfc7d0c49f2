package dev.daskrelay.local;

import dev.daskrelay.avro.v1.TaskPhase;
import dev.daskrelay.simulator.Scenario;
import java.util.Locale;
import java.util.Map;

/**
 * The terminal phase the local stack expects a task to reach, so {@code daskrelay local} can say whether the run
 * went as intended. An explicit {@code simulator.daskrelay.dev/expect} annotation wins; otherwise it follows from
 * the simulator scenario: {@code success} and {@code runner-exit:0} succeed, every other scenario fails.
 */
public final class ExpectedEnd {

    public static final String EXPECT_ANNOTATION = "simulator.daskrelay.dev/expect";
    public static final String SCENARIO_ANNOTATION = "simulator.daskrelay.dev/scenario";

    private ExpectedEnd() {
    }

    /**
     * Checks the simulator annotations ({@code scenario}, {@code run-for}, {@code start-delay}) as the simulator
     * reads them, so that a misspelt scenario is refused before the run instead of being run as a success.
     *
     * @throws IllegalArgumentException {@code annotations["simulator.daskrelay.dev/scenario"]: invalid value ...}
     */
    public static void checkScenario(Map<String, String> annotations) {
        try {
            Scenario.fromAnnotations(annotations);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage().replaceFirst("^metadata\\.", ""), e);
        }
    }

    /** The expected terminal phase of a task with these annotations. */
    public static TaskPhase of(Map<String, String> annotations) {
        String explicit = annotations.get(EXPECT_ANNOTATION);
        if (explicit != null && !explicit.isBlank()) {
            TaskPhase phase = TaskPhase.valueOf(explicit.trim().toUpperCase(Locale.ROOT));
            if (phase != TaskPhase.SUCCEEDED && phase != TaskPhase.FAILED && phase != TaskPhase.ABORTED) {
                throw new IllegalArgumentException("annotations." + EXPECT_ANNOTATION
                        + ": must be SUCCEEDED, FAILED or ABORTED (was " + explicit + ")");
            }
            return phase;
        }
        String scenario = annotations.getOrDefault(SCENARIO_ANNOTATION, "success").trim();
        if (scenario.isEmpty() || scenario.equals("success") || scenario.equals("runner-exit:0")) {
            return TaskPhase.SUCCEEDED;
        }
        return TaskPhase.FAILED;
    }
}
