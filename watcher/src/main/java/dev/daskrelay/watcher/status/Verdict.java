package dev.daskrelay.watcher.status;

import dev.daskrelay.avro.v1.ComponentsDetail;
import dev.daskrelay.avro.v1.ErrorKind;
import dev.daskrelay.avro.v1.TaskError;

/**
 * What one observation (or the clock) says a task's status should be. Whether it becomes an event is the state
 * machine's decision ({@link TaskStateMachine}).
 *
 * @param phase        the phase the observation points at
 * @param reason       short human text; a change of it while the phase stays bumps phaseVersion
 * @param message      longer detail; a change of the message alone is not a new event
 * @param error        for FAILED: code, message, kind, retryable
 * @param deleteReason non-null when the DaskJob must be deleted because of this verdict (Stuck, Timeout, image)
 * @param components   runner/scheduler/workers detail of the snapshot behind the verdict, if any
 */
public record Verdict(Phase phase, String reason, String message, TaskError error, String deleteReason,
                      ComponentsDetail components) {

    static Verdict of(Phase phase, String reason, String message) {
        return new Verdict(phase, reason, message, null, null, null);
    }

    static Verdict failed(String code, String message, ErrorKind kind, boolean retryable) {
        TaskError e = TaskError.newBuilder().setCode(code).setMessage(message).setKind(kind).setRetryable(retryable)
                .build();
        return new Verdict(Phase.FAILED, code, message, e, null, null);
    }

    Verdict withDelete(String why) {
        return new Verdict(phase, reason, message, error, why, components);
    }

    Verdict withComponents(ComponentsDetail c) {
        return new Verdict(phase, reason, message, error, deleteReason, c);
    }
}
