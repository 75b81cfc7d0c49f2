package dev.daskrelay.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.daskrelay.schemas.KubernetesLabels;
import dev.daskrelay.schemas.LogKeys;
import org.junit.jupiter.api.Test;

/** The simulator keeps its own copies of daskrelay's keys (it models the operator on its own); they must agree. */
class SharedVocabularyTest {

    @Test
    void theSimulatorsCopiesEqualDaskrelaysKeys() {
        assertEquals(KubernetesLabels.TASK_ID, DaskOperator.TASK_ID_ANNOTATION);
        assertEquals(LogKeys.TASK_ID, DaskOperator.MDC_TASK_ID);
    }
}
