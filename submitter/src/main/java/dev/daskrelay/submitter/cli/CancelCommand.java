package dev.daskrelay.submitter.cli;

import dev.daskrelay.avro.v1.ExecutionIdentity;
import dev.daskrelay.avro.v1.TaskCommand;
import dev.daskrelay.avro.v1.TaskPhase;
import dev.daskrelay.avro.v1.TaskStatus;
import dev.daskrelay.schemas.config.DaskRelayConfig;
import dev.daskrelay.schemas.task.DurationText;
import dev.daskrelay.submitter.client.DaskRelayClient;
import dev.daskrelay.submitter.client.StatusFollow;
import dev.daskrelay.submitter.client.TaskHandle;
import dev.daskrelay.submitter.output.StatusFormat;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code daskrelay cancel TASK_ID... [--reason TEXT] [--wait DURATION] [--force]}: aborts tasks and says what
 * happened to each. A task that is unknown (no launch, no status) is not aborted: an abort of an unknown id would
 * make the translator refuse a later launch of it ({@code --force} publishes it anyway, e.g. to stop a launch that
 * is still on its way). A finished task is not aborted either. The others get an abort command; then the command
 * waits up to {@code --wait} for their terminal status.
 */
@Command(name = "cancel", mixinStandardHelpOptions = true,
        description = {"Abort tasks and report what happened to each: ABORTED, already finished, unknown, or no "
                + "outcome within --wait.",
                "Exit 0 when every task is ABORTED (or, with --wait 0, the aborts were published); 1 when one was "
                + "unknown, had already finished otherwise, did not end within --wait, or Kafka cannot be reached; "
                + "2 on bad usage."},
        footerHeading = "%nExamples:%n",
        footer = {"  daskrelay cancel examples-development-hello-dask-n0-0",
                "  daskrelay cancel TASK_A TASK_B --reason 'wrong input data' --wait 2m",
                "  daskrelay cancel TASK_ID --wait 0      # publish the abort, do not wait"})
public final class CancelCommand extends ClientCommand {

    @Parameters(paramLabel = "TASK_ID", arity = "1..*", description = "One or more task ids to abort.")
    List<String> taskIds;

    @Option(names = "--reason", description = "Why; goes into the ABORTED status (default: ${DEFAULT-VALUE}).",
            defaultValue = "cancelled from the daskrelay CLI")
    String reason;

    @Option(names = "--wait", paramLabel = "DURATION", defaultValue = "30s",
            description = "How long to wait for the outcome (default ${DEFAULT-VALUE}; 0 = do not wait).")
    String waitText;

    @Option(names = "--force", description = "Publish the abort even for a task id nothing is known of (it then "
            + "also refuses a later launch of that id).")
    boolean force;

    private Duration wait;

    @Override
    int validate(DaskRelayConfig config) {
        taskIds(taskIds);
        wait = nonNegative("--wait", waitText);
        return OK;
    }

    @Override
    int run(DaskRelayClient client, DaskRelayConfig config) {
        int code = OK;
        Map<String, TaskHandle> published = new LinkedHashMap<>();
        for (String taskId : taskIds) {
            Optional<TaskStatus> latest = client.status(taskId);
            Optional<TaskCommand> launch = latest.isPresent() ? Optional.empty() : client.latestLaunch(taskId);
            if (latest.isEmpty() && launch.isEmpty() && !force) {
                out().println(taskId + ": unknown task: no launch or status of it was found; nothing cancelled "
                        + "(--force publishes the abort anyway, which also refuses a later launch of this id)");
                code = FAILED;
                continue;
            }
            if (latest.isPresent() && latest.get().getTerminal()) {
                TaskStatus s = latest.get();
                boolean aborted = s.getPhase() == TaskPhase.ABORTED;
                out().println(taskId + ": already " + (aborted ? "ABORTED" : "finished: " + s.getPhase()) + " at "
                        + StatusFormat.iso(s.getOccurredAt()) + "; nothing cancelled");
                code = aborted ? code : FAILED;
                continue;
            }
            ExecutionIdentity execution = latest.map(TaskStatus::getExecution)
                    .or(() -> launch.map(TaskCommand::getExecution)).orElse(null);
            TaskHandle h = client.cancel(taskId, reason, execution);
            published.put(taskId, h);
            if (wait.isZero()) {
                out().println(taskId + ": abort requested (command " + h.commandId() + ")");
            }
        }
        if (wait.isZero() || published.isEmpty()) {
            return code;
        }
        Instant deadline = Instant.now().plus(wait);
        for (Map.Entry<String, TaskHandle> e : published.entrySet()) {
            String taskId = e.getKey();
            Optional<TaskStatus> end = awaitTerminal(client, taskId, deadline);
            if (end.isEmpty()) {
                out().println(taskId + ": abort requested (command " + e.getValue().commandId() + "), no outcome within "
                        + DurationText.format(wait) + "; follow it with 'daskrelay follow " + taskId + "'");
                code = FAILED;
            } else if (end.get().getPhase() == TaskPhase.ABORTED) {
                out().println(taskId + ": ABORTED" + (end.get().getReason() == null ? "" : " (" + StatusFormat.detail(end.get()) + ")"));
            } else {
                out().println(taskId + ": finished " + end.get().getPhase() + " before the abort took effect: "
                        + StatusFormat.detail(end.get()));
                code = FAILED;
            }
        }
        return code;
    }

    private static Optional<TaskStatus> awaitTerminal(DaskRelayClient client, String taskId, Instant deadline) {
        try (StatusFollow f = client.follow(taskId)) {
            while (true) {
                Duration left = Duration.between(Instant.now(), deadline);
                if (left.isNegative() || left.isZero()) {
                    return Optional.empty();
                }
                Optional<TaskStatus> s = f.next(left);
                if (s.isPresent() && s.get().getTerminal()) {
                    return s;
                }
            }
        }
    }
}
