package dev.daskrelay.watcher.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DaskJobStatusTest {

    @Test
    void theOperatorsWordsAndFlytesRuleForTheRest() {
        assertEquals(DaskJobStatus.ABSENT, DaskJobStatus.of(null));
        assertEquals(DaskJobStatus.ABSENT, DaskJobStatus.of(" "));
        assertEquals(DaskJobStatus.JOB_CREATED, DaskJobStatus.of("JobCreated"));
        assertEquals(DaskJobStatus.CLUSTER_CREATED, DaskJobStatus.of("ClusterCreated"));
        assertEquals(DaskJobStatus.RUNNING, DaskJobStatus.of("Running"));
        assertEquals(DaskJobStatus.SUCCESSFUL, DaskJobStatus.of("Successful"));
        assertEquals(DaskJobStatus.FAILED, DaskJobStatus.of("Failed"));
        assertEquals(DaskJobStatus.UNKNOWN, DaskJobStatus.of("Suspended"), "a newer operator's word");
        assertEquals(DaskJobStatus.UNKNOWN, DaskJobStatus.of("running"), "the operator's words are case-sensitive");
        for (DaskJobStatus s : DaskJobStatus.values()) {
            int classes = (s.isInitializing() ? 1 : 0) + (s.countsAsRunning() ? 1 : 0) + (s.isTerminal() ? 1 : 0);
            assertEquals(1, classes, s + " is exactly one of initializing, running, terminal");
            if (s.text() != null) {
                assertEquals(s, DaskJobStatus.of(s.text()));
            }
        }
        assertTrue(DaskJobStatus.UNKNOWN.countsAsRunning());
        assertFalse(DaskJobStatus.ABSENT.countsAsRunning());
    }
}
