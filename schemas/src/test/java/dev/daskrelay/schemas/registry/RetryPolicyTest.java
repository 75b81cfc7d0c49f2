package dev.daskrelay.schemas.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    private final RetryPolicy policy = new RetryPolicy(5, Duration.ofMillis(100), Duration.ofMillis(1000));

    @Test
    void doublesUpToTheCapWithJitterBetweenHalfAndFull() {
        assertEquals(Duration.ofMillis(100), policy.waitBeforeRetry(1, 0.999999999));
        assertEquals(Duration.ofMillis(50), policy.waitBeforeRetry(1, 0.0));
        assertEquals(Duration.ofMillis(200), policy.waitBeforeRetry(2, 0.9999999999));
        assertEquals(Duration.ofMillis(400), policy.waitBeforeRetry(3, 0.9999999999));
        assertEquals(Duration.ofMillis(1000), policy.waitBeforeRetry(5, 0.9999999999));
        assertEquals(Duration.ofMillis(500), policy.waitBeforeRetry(60, 0.0), "capped, no overflow");
    }

    @Test
    void rejectsNonsense() {
        assertThrows(IllegalArgumentException.class, () -> new RetryPolicy(-1, Duration.ZERO, Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> policy.waitBeforeRetry(0, 0.5));
    }
}
