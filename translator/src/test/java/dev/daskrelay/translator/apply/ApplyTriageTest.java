package dev.daskrelay.translator.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.daskrelay.avro.v1.ApplyResult;
import dev.daskrelay.avro.v1.IntentAction;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ApplyTriageTest {

    private final RetryPolicy policy = new RetryPolicy(5, 2, Duration.ofMillis(100), Duration.ofSeconds(2),
            Duration.ofMinutes(1));

    private ApplyTriage.Step create(ApiResponse answer, int attempt) {
        return ApplyTriage.triage(IntentAction.CREATE, "h1", answer, attempt, Duration.ofSeconds(1), policy, 0.5);
    }

    private static ApplyTriage.Finish finish(ApplyTriage.Step s) {
        return assertInstanceOf(ApplyTriage.Finish.class, s);
    }

    @Test
    void createdAndAlreadyExistedWithSameHashAreSuccess() {
        assertEquals(ApplyResult.CREATED, finish(create(ApiResponse.ok(201), 1)).outcome());
        ApplyTriage.Finish f = finish(create(ApiResponse.exists("h1"), 1));
        assertEquals(ApplyResult.ALREADY_EXISTED, f.outcome());
        assertFalse(f.retryable());
    }

    @Test
    void existingObjectWithOtherOrNoHashIsAConflict() {
        ApplyTriage.Finish f = finish(create(ApiResponse.exists("other"), 1));
        assertEquals(ApplyResult.CONFLICT, f.outcome());
        assertEquals("SpecConflict", f.errorCode());
        assertFalse(f.retryable());
        assertEquals(ApplyResult.CONFLICT, finish(create(ApiResponse.exists(null), 1)).outcome());
    }

    @Test
    void schemaRejectionsArePermanentBadTaskFormatWithTheServersMessage() {
        for (int code : new int[] {400, 422}) {
            ApplyTriage.Finish f = finish(create(ApiResponse.error(code, "Invalid", "spec.job: Required value"), 1));
            assertEquals(ApplyResult.FAILED, f.outcome());
            assertEquals("BadTaskFormat", f.errorCode());
            assertEquals("spec.job: Required value", f.message());
            assertEquals(code, f.httpCode());
            assertFalse(f.retryable());
        }
    }

    @Test
    void tooLargeIsPermanent() {
        ApplyTriage.Finish f = finish(create(ApiResponse.error(413, "RequestEntityTooLarge", "too big"), 1));
        assertEquals("EntityTooLarge", f.errorCode());
        assertFalse(f.retryable());
    }

    @Test
    void quotaRefusalWaitsForResourcesThenGivesUp() {
        ApiResponse quota = ApiResponse.error(403, "Forbidden", "daskjobs \"x\" is forbidden: exceeded quota: q1");
        ApplyTriage.Retry r = assertInstanceOf(ApplyTriage.Retry.class, create(quota, 7));
        assertTrue(r.waitingForResources());
        ApplyTriage.Finish f = finish(ApplyTriage.triage(IntentAction.CREATE, "h1", quota, 8, Duration.ofMinutes(2),
                policy, 0.5));
        assertEquals("ExceededQuota", f.errorCode());
        assertTrue(f.retryable());
    }

    @Test
    void otherForbiddenIsRetriedBoundedThenRuntimeFailure() {
        ApiResponse forbidden = ApiResponse.error(403, "Forbidden", "cannot create daskjobs");
        ApplyTriage.Retry r = assertInstanceOf(ApplyTriage.Retry.class, create(forbidden, 1));
        assertFalse(r.waitingForResources());
        ApplyTriage.Finish f = finish(create(forbidden, 2));
        assertEquals("RuntimeFailure", f.errorCode());
        assertTrue(f.retryable());
        assertEquals(403, f.httpCode());
    }

    @Test
    void transientErrorsAreRetriedUpToMaxAttempts() {
        for (ApiResponse a : new ApiResponse[] {ApiResponse.error(500, "InternalError", "boom"),
                ApiResponse.error(429, "TooManyRequests", "slow down"), ApiResponse.error(503, null, null),
                ApiResponse.noResponse("SocketTimeoutException", "timeout")}) {
            for (int attempt = 1; attempt < 5; attempt++) {
                assertInstanceOf(ApplyTriage.Retry.class, create(a, attempt), a + " attempt " + attempt);
            }
            ApplyTriage.Finish f = finish(create(a, 5));
            assertEquals(ApplyResult.FAILED, f.outcome());
            assertTrue(f.retryable());
            assertTrue(f.message().startsWith("failed to create resource"), f.message());
        }
    }

    @Test
    void deleteNotFoundIsDone() {
        ApplyTriage.Finish f = finish(ApplyTriage.triage(IntentAction.DELETE, null, ApiResponse.notFound("gone"), 1,
                Duration.ZERO, policy, 0));
        assertEquals(ApplyResult.NOT_FOUND, f.outcome());
        assertEquals(ApplyResult.DELETED, finish(ApplyTriage.triage(IntentAction.DELETE, null, ApiResponse.ok(200),
                1, Duration.ZERO, policy, 0)).outcome());
    }

    @Test
    void backoffGrowsIsCappedAndJittered() {
        assertEquals(Duration.ofMillis(50), policy.backoff(1, 0));
        assertEquals(Duration.ofMillis(100), policy.backoff(1, 1));
        assertEquals(Duration.ofMillis(400), policy.backoff(3, 1));
        assertEquals(Duration.ofSeconds(2), policy.backoff(20, 1));
    }
}
