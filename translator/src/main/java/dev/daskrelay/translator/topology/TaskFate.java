package dev.daskrelay.translator.topology;

import java.util.Objects;

/**
 * What the command topology remembers about one task id (the value of the changelogged fate store).
 *
 * @param state what happened to the task
 * @param launchCommandId the launch command that decided the fate (null while only an abort is known)
 * @param abortCommandId the abort command, once one arrived
 * @param name the DaskJob name of an accepted launch (null otherwise)
 * @param namespace the DaskJob namespace of an accepted launch (null otherwise)
 */
public record TaskFate(State state, String launchCommandId, String abortCommandId, String name, String namespace) {

    public enum State {
        /** Launch accepted, CREATE intent emitted. */
        LAUNCHED,
        /** Launch invalid, rejected with its problems; nothing exists in Kubernetes. */
        REJECTED,
        /** An abort arrived while no launch was known; a later launch is refused. */
        ABORTED_BEFORE_LAUNCH,
        /** Launched, then aborted: DELETE intent emitted. */
        ABORTED
    }

    public TaskFate {
        Objects.requireNonNull(state, "state");
    }

    TaskFate withLaunch(String commandId) {
        return new TaskFate(state, commandId, abortCommandId, name, namespace);
    }

    TaskFate aborted(String commandId) {
        return new TaskFate(State.ABORTED, launchCommandId, commandId, name, namespace);
    }
}
