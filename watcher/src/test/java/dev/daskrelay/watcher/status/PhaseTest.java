package dev.daskrelay.watcher.status;

import static dev.daskrelay.watcher.status.Phase.ABORTED;
import static dev.daskrelay.watcher.status.Phase.FAILED;
import static dev.daskrelay.watcher.status.Phase.INITIALIZING;
import static dev.daskrelay.watcher.status.Phase.QUEUED;
import static dev.daskrelay.watcher.status.Phase.RUNNING;
import static dev.daskrelay.watcher.status.Phase.SUCCEEDED;
import static dev.daskrelay.watcher.status.Phase.WAITING_FOR_RESOURCES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PhaseTest {

    /** The whole transition table, row = from, column = to (Q W I R S F A); y = allowed. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "QUEUED,                y y y y y y y",
            "WAITING_FOR_RESOURCES, n y y y y y y",
            "INITIALIZING,          n y y y y y y",
            "RUNNING,               n n n y y y y",
            "SUCCEEDED,             n n n n n n n",
            "FAILED,                n n n n n n n",
            "ABORTED,               n n n n n n n",
    })
    void transitionTable(Phase from, String row) {
        String[] cells = row.trim().split("\\s+");
        Phase[] to = Phase.values();
        assertEquals(to.length, cells.length);
        for (int i = 0; i < to.length; i++) {
            assertEquals(cells[i].equals("y"), from.canTransitionTo(to[i]), from + " -> " + to[i]);
        }
    }

    @Test
    void terminalFlags() {
        assertEquals(EnumSet.of(SUCCEEDED, FAILED, ABORTED), EnumSet.copyOf(
                Arrays.stream(Phase.values()).filter(Phase::isTerminal).toList()));
    }

    @Test
    void noRegressionFromRunning() {
        assertFalse(RUNNING.canTransitionTo(INITIALIZING));
        assertFalse(RUNNING.canTransitionTo(QUEUED));
        assertFalse(RUNNING.canTransitionTo(WAITING_FOR_RESOURCES));
        assertTrue(WAITING_FOR_RESOURCES.canTransitionTo(INITIALIZING));
        assertTrue(INITIALIZING.canTransitionTo(WAITING_FOR_RESOURCES));
        assertFalse(RUNNING.canTransitionTo(null));
    }

    @Test
    void everyPhaseCanStartAndMapsToAvro() {
        for (Phase p : Phase.values()) {
            assertTrue(Phase.canStartWith(p));
            assertEquals(p.name(), p.toAvro().name());
            assertEquals(p.isTerminal() ? EnumSet.noneOf(Phase.class) : p.validTargets(),
                    p.validTargets());
            assertEquals(!p.isTerminal(), p.validTargets().contains(p));
        }
    }
}
