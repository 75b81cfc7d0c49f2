package dev.daskrelay.translator.topology;

import dev.daskrelay.avro.v1.AbortDaskJob;
import dev.daskrelay.avro.v1.CommandOutcome;
import dev.daskrelay.avro.v1.CommandOutcomeKind;
import dev.daskrelay.avro.v1.DaskJobIntent;
import dev.daskrelay.avro.v1.IntentAction;
import dev.daskrelay.avro.v1.LaunchDaskJob;
import dev.daskrelay.avro.v1.Observation;
import dev.daskrelay.avro.v1.ObservationSource;
import dev.daskrelay.avro.v1.TaskCommand;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The decision of the command topology, as a pure function of what is known about the task (its {@link TaskFate},
 * or null), the command, the launch preparation (called only when a launch can still happen) and the time.
 *
 * <table>
 *   <caption>fate × command → outcome</caption>
 *   <tr><th>fate</th><th>launch</th><th>abort</th></tr>
 *   <tr><td>none</td><td>valid: CREATE intent + LAUNCH_ACCEPTED; invalid: LAUNCH_REJECTED (every problem)</td>
 *       <td>ABORT_UNKNOWN_TASK, remembered (ABORTED_BEFORE_LAUNCH)</td></tr>
 *   <tr><td>LAUNCHED</td><td>LAUNCH_DUPLICATE</td><td>DELETE intent + ABORT_ACCEPTED</td></tr>
 *   <tr><td>REJECTED</td><td>LAUNCH_DUPLICATE</td><td>ABORT_OF_FINISHED_TASK</td></tr>
 *   <tr><td>ABORTED_BEFORE_LAUNCH</td><td>first launch: LAUNCH_AFTER_ABORT; later ones: LAUNCH_DUPLICATE</td>
 *       <td>ABORT_DUPLICATE</td></tr>
 *   <tr><td>ABORTED</td><td>LAUNCH_DUPLICATE</td><td>ABORT_DUPLICATE</td></tr>
 * </table>
 *
 * <p>An abort is checked against the launch its task id belongs to: when the fate knows the launch's execution
 * identity and the abort names another one, the abort is ABORT_REJECTED (with the problem, nothing changes).
 * With no launch known there is nothing to check against, and the abort is remembered as above.
 *
 * <p>Ids are deterministic so replays de-duplicate: intent {@code <taskId>/<ACTION>}, observation
 * {@code <commandId>/<KIND>}.
 */
public final class CommandDecider {

    /** What to do for one command. {@code fate} null = store unchanged; {@code intent} null = none. */
    public record Decision(TaskFate fate, DaskJobIntent intent, Observation observation) {
        public CommandOutcomeKind kind() {
            return ((CommandOutcome) observation.getPayload()).getKind();
        }
    }

    private CommandDecider() {
    }

    public static Decision decide(TaskFate fate, TaskCommand command, Function<TaskCommand, PreparedLaunch> prepare,
                                  Instant now) {
        if (command.getPayload() instanceof LaunchDaskJob launch) {
            return launch(fate, command, launch, prepare, now);
        }
        if (command.getPayload() instanceof AbortDaskJob abort) {
            return abort(fate, command, abort, now);
        }
        throw new IllegalArgumentException("payload: neither LaunchDaskJob nor AbortDaskJob");
    }

    private static Decision launch(TaskFate fate, TaskCommand command, LaunchDaskJob launch,
                                   Function<TaskCommand, PreparedLaunch> prepare, Instant now) {
        String cmdId = command.getCommandId();
        if (fate == null) {
            PreparedLaunch prepared = prepare.apply(command);
            if (prepared instanceof PreparedLaunch.Accepted ok) {
                DaskJobIntent intent = DaskJobIntent.newBuilder()
                        .setIntentId(intentId(command.getTaskId(), IntentAction.CREATE))
                        .setTaskId(command.getTaskId())
                        .setCommandId(cmdId)
                        .setExecution(command.getExecution())
                        .setAction(IntentAction.CREATE)
                        .setNamespace(ok.namespace())
                        .setName(ok.name())
                        .setManifest(ok.manifestJson())
                        .setSpecHash(ok.specHash())
                        .setReason(null)
                        .setIssuedAt(now)
                        .setTrace(command.getTrace())
                        .build();
                CommandOutcome outcome = outcome(cmdId, CommandOutcomeKind.LAUNCH_ACCEPTED, List.of(),
                        "DaskJob " + ok.namespace() + "/" + ok.name() + " to be created", launch.getTimeoutSeconds());
                return new Decision(new TaskFate(TaskFate.State.LAUNCHED, cmdId, null, ok.name(), ok.namespace(),
                        TaskFate.Execution.of(command.getExecution())),
                        intent, observation(command, outcome, ok.name(), ok.namespace(), now));
            }
            List<String> problems = ((PreparedLaunch.Rejected) prepared).problems();
            CommandOutcome outcome = outcome(cmdId, CommandOutcomeKind.LAUNCH_REJECTED, problems,
                    problems.size() + (problems.size() == 1 ? " problem" : " problems") + " in the launch", null);
            return new Decision(new TaskFate(TaskFate.State.REJECTED, cmdId, null, null, null,
                    TaskFate.Execution.of(command.getExecution())), null,
                    observation(command, outcome, null, null, now));
        }
        if (fate.state() == TaskFate.State.ABORTED_BEFORE_LAUNCH && fate.launchCommandId() == null) {
            CommandOutcome outcome = outcome(cmdId, CommandOutcomeKind.LAUNCH_AFTER_ABORT, List.of(),
                    "task " + command.getTaskId() + " was aborted (command " + fate.abortCommandId()
                            + ") before this launch arrived; nothing is created", null);
            return new Decision(fate.withLaunch(cmdId, TaskFate.Execution.of(command.getExecution())), null,
                    observation(command, outcome, null, null, now));
        }
        String first = fate.launchCommandId() == null ? "" : " by command " + fate.launchCommandId();
        CommandOutcome outcome = outcome(cmdId, CommandOutcomeKind.LAUNCH_DUPLICATE, List.of(),
                "task " + command.getTaskId() + " was already launched" + first + " ("
                        + fate.state().name().toLowerCase(Locale.ROOT) + "); no second DaskJob", null);
        return new Decision(null, null, observation(command, outcome, fate.name(), fate.namespace(), now));
    }

    private static Decision abort(TaskFate fate, TaskCommand command, AbortDaskJob abort, Instant now) {
        String cmdId = command.getCommandId();
        String reason = abort.getReason() == null || abort.getReason().isBlank() ? null : abort.getReason();
        if (fate == null) {
            CommandOutcome outcome = outcome(cmdId, CommandOutcomeKind.ABORT_UNKNOWN_TASK, List.of(),
                    "no launch is known for task " + command.getTaskId()
                            + "; the abort is remembered and a later launch of this task is refused", null);
            return new Decision(new TaskFate(TaskFate.State.ABORTED_BEFORE_LAUNCH, null, cmdId, null, null), null,
                    observation(command, outcome, null, null, now));
        }
        TaskFate.Execution named = TaskFate.Execution.of(command.getExecution());
        if (fate.execution() != null && !fate.execution().equals(named)) {
            String problem = "execution: the abort names execution " + named + " but task " + command.getTaskId()
                    + " was launched as " + fate.execution() + (fate.launchCommandId() == null ? ""
                    : " (command " + fate.launchCommandId() + ")");
            return new Decision(null, null, observation(command, outcome(cmdId, CommandOutcomeKind.ABORT_REJECTED,
                    List.of(problem), "abort rejected: its execution identity is not the task's; nothing changed",
                    null), fate.name(), fate.namespace(), now));
        }
        return switch (fate.state()) {
            case LAUNCHED -> {
                DaskJobIntent intent = DaskJobIntent.newBuilder()
                        .setIntentId(intentId(command.getTaskId(), IntentAction.DELETE))
                        .setTaskId(command.getTaskId())
                        .setCommandId(cmdId)
                        .setExecution(command.getExecution())
                        .setAction(IntentAction.DELETE)
                        .setNamespace(fate.namespace())
                        .setName(fate.name())
                        .setManifest(null)
                        .setSpecHash(null)
                        .setReason(reason == null ? "aborted" : reason)
                        .setIssuedAt(now)
                        .setTrace(command.getTrace())
                        .build();
                CommandOutcome outcome = outcome(cmdId, CommandOutcomeKind.ABORT_ACCEPTED, List.of(), reason, null);
                yield new Decision(fate.aborted(cmdId), intent,
                        observation(command, outcome, fate.name(), fate.namespace(), now));
            }
            case REJECTED -> new Decision(null, null, observation(command,
                    outcome(cmdId, CommandOutcomeKind.ABORT_OF_FINISHED_TASK, List.of(),
                            "the launch of task " + command.getTaskId() + " was rejected; nothing to abort", null),
                    null, null, now));
            case ABORTED_BEFORE_LAUNCH, ABORTED -> new Decision(null, null, observation(command,
                    outcome(cmdId, CommandOutcomeKind.ABORT_DUPLICATE, List.of(),
                            "task " + command.getTaskId() + " was already aborted by command " + fate.abortCommandId(),
                            null),
                    fate.name(), fate.namespace(), now));
        };
    }

    /** Deterministic intent id: {@code <taskId>/<ACTION>}. */
    public static String intentId(String taskId, IntentAction action) {
        return taskId + "/" + action.name();
    }

    /** Deterministic observation id of a command outcome: {@code <commandId>/<KIND>}. */
    public static String observationId(String commandId, CommandOutcomeKind kind) {
        return commandId + "/" + kind.name();
    }

    private static CommandOutcome outcome(String commandId, CommandOutcomeKind kind, List<String> problems,
                                          String message, Long timeoutSeconds) {
        return CommandOutcome.newBuilder()
                .setCommandId(commandId)
                .setKind(kind)
                .setProblems(problems)
                .setMessage(message)
                .setTimeoutSeconds(timeoutSeconds)
                .build();
    }

    private static Observation observation(TaskCommand command, CommandOutcome outcome, String name,
                                           String namespace, Instant now) {
        return Observation.newBuilder()
                .setObservationId(observationId(command.getCommandId(), outcome.getKind()))
                .setTaskId(command.getTaskId())
                .setExecution(command.getExecution())
                .setSource(ObservationSource.COMMANDS)
                .setObservedAt(now)
                .setDaskJobName(name)
                .setDaskJobNamespace(namespace)
                .setPayload(outcome)
                .build();
    }
}
