package dev.daskrelay.translator.topology;

import dev.daskrelay.avro.v1.ExecutionIdentity;
import java.util.Objects;

/**
 * What the command topology remembers about one task id (the value of the changelogged fate store).
 *
 * @param state what happened to the task
 * @param launchCommandId the launch command that decided the fate (null while only an abort is known)
 * @param abortCommandId the abort command, once one arrived
 * @param name the DaskJob name of an accepted launch (null otherwise)
 * @param namespace the DaskJob namespace of an accepted launch (null otherwise)
 * @param execution the execution identity of the launch that decided the fate; null while only an abort is known,
 *                  and in fates stored before daskrelay kept it (aborts of those tasks are not checked against it)
 */
public record TaskFate(State state, String launchCommandId, String abortCommandId, String name, String namespace,
                       Execution execution) {

    /** An {@link ExecutionIdentity} as the fate store keeps it (JSON). */
    public record Execution(String project, String domain, String name, String nodeId, int retryAttempt) {

        public static Execution of(ExecutionIdentity e) {
            return e == null ? null
                    : new Execution(e.getProject(), e.getDomain(), e.getName(), e.getNodeId(), e.getRetryAttempt());
        }

        /** {@code project/domain/name/nodeId/retryAttempt}. */
        @Override
        public String toString() {
            return project + "/" + domain + "/" + name + "/" + nodeId + "/" + retryAttempt;
        }
    }

    /** A fate without a recorded execution identity (as stored before it was kept). */
    public TaskFate(State state, String launchCommandId, String abortCommandId, String name, String namespace) {
        this(state, launchCommandId, abortCommandId, name, namespace, null);
    }

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

    TaskFate withLaunch(String commandId, Execution launchExecution) {
        return new TaskFate(state, commandId, abortCommandId, name, namespace, launchExecution);
    }

    TaskFate aborted(String commandId) {
        return new TaskFate(State.ABORTED, launchCommandId, commandId, name, namespace, execution);
    }
}
