package dev.daskrelay.translator.apply;

import dev.daskrelay.avro.v1.ApplyResult;
import dev.daskrelay.avro.v1.IntentAction;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * Pure error triage of one API answer, after Flyte's launch triage ({@code launchResource} in
 * flytepropeller/pkg/controller/nodes/task/k8s/plugin_manager.go, Flyte v1.16.8):
 *
 * <table>
 *   <caption>answer → step</caption>
 *   <tr><td>create 2xx</td><td>CREATED</td></tr>
 *   <tr><td>create 409, same spec hash</td><td>ALREADY_EXISTED (success)</td></tr>
 *   <tr><td>create 409, other or no spec hash</td><td>CONFLICT, SpecConflict, not retryable (never overwritten)</td></tr>
 *   <tr><td>create 409, the object is another installation's (or has no installation label)</td><td>CONFLICT,
 *       InstallationConflict, not retryable (never adopted, whatever its spec hash)</td></tr>
 *   <tr><td>400 / 422 / unusable manifest</td><td>FAILED BadTaskFormat, permanent, with the API server's message</td></tr>
 *   <tr><td>413</td><td>FAILED EntityTooLarge, permanent</td></tr>
 *   <tr><td>403 "exceeded quota"</td><td>WAITING_FOR_RESOURCES (reported once) and retry for quotaRetryFor, then
 *       FAILED ExceededQuota, retryable</td></tr>
 *   <tr><td>other 403</td><td>retry forbiddenAttempts times, then FAILED RuntimeFailure, retryable</td></tr>
 *   <tr><td>429, 5xx, I/O, timeout, anything else</td><td>retry maxAttempts times with back-off, then FAILED
 *       (code = the API reason, else SystemError), retryable</td></tr>
 *   <tr><td>delete 2xx / 404</td><td>DELETED / NOT_FOUND (both done)</td></tr>
 * </table>
 */
public final class ApplyTriage {

    /** What to do next with an intent. */
    public sealed interface Step {
    }

    /** The intent is done; report this outcome. */
    public record Finish(ApplyResult outcome, Integer httpCode, String errorCode, String message, boolean retryable)
            implements Step {
        public Finish {
            Objects.requireNonNull(outcome, "outcome");
        }
    }

    /**
     * Try again after {@code delay}; {@code waitingForResources} asks for a WAITING_FOR_RESOURCES observation
     * (the shell reports it once per intent).
     */
    public record Retry(Duration delay, boolean waitingForResources, String message) implements Step {
    }

    private ApplyTriage() {
    }

    /**
     * @param action the intent's action
     * @param wantedSpecHash the intent's spec hash (create)
     * @param answer the API answer of attempt number {@code attempt} (1-based)
     * @param waited time since the first attempt started
     * @param jitter a number in [0, 1)
     */
    public static Step triage(IntentAction action, String wantedSpecHash, ApiResponse answer, int attempt,
                              Duration waited, RetryPolicy policy, double jitter) {
        String verb = action == IntentAction.DELETE ? "delete" : "create";
        switch (answer.kind()) {
            case OK:
                return new Finish(action == IntentAction.DELETE ? ApplyResult.DELETED : ApplyResult.CREATED,
                        answer.httpCode(), null, null, false);
            case NOT_FOUND:
                if (action == IntentAction.DELETE) {
                    return new Finish(ApplyResult.NOT_FOUND, 404, null, answer.message(), false);
                }
                break;
            case EXISTS:
                if (wantedSpecHash != null && wantedSpecHash.equals(answer.existingSpecHash())) {
                    return new Finish(ApplyResult.ALREADY_EXISTED, 409, null, null, false);
                }
                return new Finish(ApplyResult.CONFLICT, 409, "SpecConflict",
                        "a DaskJob of this name exists with spec hash " + answer.existingSpecHash()
                                + ", this task's is " + wantedSpecHash + "; it is left untouched", false);
            case CONFLICT:
                return new Finish(ApplyResult.CONFLICT, 409, answer.reason(), answer.message(), false);
            case INVALID_MANIFEST:
                return new Finish(ApplyResult.FAILED, null, "BadTaskFormat", answer.message(), false);
            default:
                break;
        }
        int code = answer.httpCode();
        String apiMessage = answer.message() == null ? "HTTP " + code : answer.message();
        if (code == 400 || code == 422) {
            return new Finish(ApplyResult.FAILED, code, "BadTaskFormat", apiMessage, false);
        }
        if (code == 413) {
            return new Finish(ApplyResult.FAILED, code, "EntityTooLarge", apiMessage, false);
        }
        if (code == 403 && apiMessage.toLowerCase(Locale.ROOT).contains("exceeded quota")) {
            if (waited.compareTo(policy.quotaRetryFor()) >= 0) {
                return new Finish(ApplyResult.FAILED, code, "ExceededQuota",
                        "still refused by a resource quota after " + waited.toSeconds() + "s: " + apiMessage, true);
            }
            return new Retry(policy.backoff(attempt, jitter), true, "Exceeded resourcequota: " + apiMessage);
        }
        if (code == 403) {
            if (attempt >= policy.forbiddenAttempts()) {
                return new Finish(ApplyResult.FAILED, code, "RuntimeFailure", apiMessage, true);
            }
            return new Retry(policy.backoff(attempt, jitter), false, apiMessage);
        }
        if (attempt >= policy.maxAttempts()) {
            String reason = answer.reason() == null || answer.reason().isBlank() ? "SystemError" : answer.reason();
            return new Finish(ApplyResult.FAILED, code == 0 ? null : code, reason,
                    "failed to " + verb + " resource: " + apiMessage, true);
        }
        return new Retry(policy.backoff(attempt, jitter), false, apiMessage);
    }
}
