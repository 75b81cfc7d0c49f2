package dev.daskrelay.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ServiceProcessTest {

    /** A process of three parts that records what was closed; {@code failAt} makes part n fail to start. */
    private static final class Parts extends ServiceProcess {
        final List<String> closed = new ArrayList<>();
        final int failAt;

        Parts(int failAt) {
            super("test-process");
            this.failAt = failAt;
        }

        @Override
        protected void startParts() {
            for (int i = 1; i <= 3; i++) {
                if (i == failAt) {
                    throw new IllegalStateException("part " + i + " did not start");
                }
                String name = "part" + i;
                own(() -> closed.add(name));
            }
        }

        @Override
        protected void beforeStop() {
            closed.add("beforeStop");
        }

        void failNow(String why) {
            fail(why);
        }
    }

    @Test
    void closeStopsInReverseOrderOnceAndExitsZero() throws Exception {
        Parts p = new Parts(0);
        p.start();
        assertEquals(ProcessState.RUNNING, p.state());
        assertTrue(p.alive());
        p.close();
        p.close();
        assertEquals(List.of("beforeStop", "part3", "part2", "part1"), p.closed);
        assertEquals(ProcessState.STOPPED, p.state());
        assertEquals(0, p.awaitStop());
        assertFalse(p.alive());
    }

    @Test
    void aPartThatDoesNotStartStopsTheOnesBeforeItAndThrows() {
        Parts p = new Parts(3);
        var e = assertThrows(IllegalStateException.class, p::start);
        assertEquals("part 3 did not start", e.getMessage());
        assertEquals(List.of("part2", "part1"), p.closed);
        assertEquals(ProcessState.FAILED, p.state());
        assertEquals(1, p.exitCode());
        assertThrows(IllegalStateException.class, p::start, "a process starts once");
    }

    @Test
    void aFailureStopsTheProcessWithExitCodeOneAndACloseMeanwhileWaitsForIt() throws Exception {
        Parts p = new Parts(0);
        p.start();
        p.failNow("lost the Lease");
        p.failNow("and something else");
        p.close(); // the shutdown hook: waits for the stop the failure began
        assertTrue(p.awaitStop(30, TimeUnit.SECONDS));
        assertEquals(ProcessState.FAILED, p.state());
        assertEquals(1, p.awaitStop());
        assertEquals(List.of("beforeStop", "part3", "part2", "part1"), p.closed);
    }

    @Test
    void aFailureAfterANormalStopChangesNothing() throws Exception {
        Parts p = new Parts(0);
        p.start();
        p.close();
        p.failNow("too late");
        assertEquals(0, p.awaitStop());
        assertEquals(ProcessState.STOPPED, p.state());
    }

    @Test
    void transitions() {
        for (ProcessState s : ProcessState.values()) {
            assertFalse(s.canTransitionTo(s), s + " to itself");
            if (s.isTerminal()) {
                assertTrue(EnumSet.allOf(ProcessState.class).stream().noneMatch(s::canTransitionTo), s + " is final");
            }
        }
        assertTrue(ProcessState.RUNNING.canTransitionTo(ProcessState.FAILING));
        assertFalse(ProcessState.STOPPING.canTransitionTo(ProcessState.FAILING), "too late to fail");
        assertFalse(ProcessState.FAILING.canTransitionTo(ProcessState.STOPPED), "a failure ends FAILED");
    }

    @Test
    void lifecycleRefusesWhatItsEnumForbids() {
        Lifecycle<ProcessState> l = new Lifecycle<>("x", ProcessState.CREATED);
        assertFalse(l.transitionTo(ProcessState.RUNNING));
        assertSame(ProcessState.CREATED, l.state());
        assertTrue(l.transitionTo(ProcessState.STARTING));
        assertTrue(l.is(ProcessState.STARTING));
    }
}
