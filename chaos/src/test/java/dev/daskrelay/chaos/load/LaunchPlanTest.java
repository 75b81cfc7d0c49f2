package dev.daskrelay.chaos.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LaunchPlanTest {

    @Test
    void theSameSeedPlansTheSameRun() {
        assertEquals(LaunchPlan.of(300, 2.0, 5).tasks(), LaunchPlan.of(300, 2.0, 5).tasks());
        assertEquals(LaunchPlan.of(300, 2.0, 5).sends(), LaunchPlan.of(300, 2.0, 5).sends());
    }

    @Test
    void kindsComeInTheirSharesAndSendsInTimeOrder() {
        LaunchPlan plan = LaunchPlan.of(4000, 10.0, 11);
        Map<LaunchPlan.Kind, Integer> kinds = new EnumMap<>(LaunchPlan.Kind.class);
        plan.tasks().forEach(t -> kinds.merge(t.kind(), 1, Integer::sum));
        assertEquals(4000, kinds.values().stream().mapToInt(i -> i).sum());
        assertNear(0.10, kinds.get(LaunchPlan.Kind.ABORTED), 4000);
        assertNear(0.03, kinds.get(LaunchPlan.Kind.ABORT_FIRST), 4000);
        assertNear(0.07, kinds.get(LaunchPlan.Kind.INVALID), 4000);
        assertNear(0.70, kinds.get(LaunchPlan.Kind.GOOD), 4000);
        List<LaunchPlan.Send> sends = plan.sends();
        for (int i = 1; i < sends.size(); i++) {
            assertTrue(sends.get(i - 1).at().compareTo(sends.get(i).at()) <= 0);
        }
    }

    @Test
    void eachKindSendsWhatItSaysAndExpectsItsEnd() {
        LaunchPlan plan = LaunchPlan.of(2000, 1.0, 3);
        for (LaunchPlan.Task t : plan.tasks()) {
            List<LaunchPlan.Send> own = plan.sends().stream().filter(s -> s.task() == t.index()).toList();
            Duration first = Duration.ofMillis(t.index() * 1000L);
            switch (t.kind()) {
                case GOOD -> assertEquals(List.of(LaunchPlan.Step.LAUNCH), steps(own));
                case INVALID -> {
                    assertEquals(List.of(LaunchPlan.Step.INVALID), steps(own));
                    assertEquals("FAILED BadTaskSpecification", t.expectedEnd());
                    assertEquals(0, t.expectedDaskJobs());
                }
                case ABORTED -> {
                    assertEquals(List.of(LaunchPlan.Step.LAUNCH, LaunchPlan.Step.ABORT), steps(own));
                    assertEquals("ABORTED", t.expectedEnd());
                    assertEquals("120s", t.runFor(), "runs long enough to be aborted");
                }
                case ABORT_FIRST -> {
                    assertEquals(List.of(LaunchPlan.Step.ABORT, LaunchPlan.Step.LAUNCH), steps(own));
                    assertEquals(0, t.expectedDaskJobs());
                }
                case DUPLICATE_RECORD -> assertEquals(LaunchPlan.Step.LAUNCH_AGAIN_SAME_RECORD, own.get(1).step());
                case DUPLICATE_LAUNCH -> assertEquals(LaunchPlan.Step.LAUNCH_AGAIN_NEW_ID, own.get(1).step());
                default -> throw new AssertionError(t.kind());
            }
            assertEquals(first, own.get(0).at(), "the first command of task i at i / rate");
        }
    }

    private static List<LaunchPlan.Step> steps(List<LaunchPlan.Send> sends) {
        return sends.stream().map(LaunchPlan.Send::step).toList();
    }

    private static void assertNear(double share, int count, int total) {
        double got = (double) count / total;
        assertTrue(Math.abs(got - share) < 0.02, "share " + got + ", expected about " + share);
    }
}
