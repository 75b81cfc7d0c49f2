package dev.daskrelay.submitter.cli;

import dev.daskrelay.avro.v1.TaskStatus;
import dev.daskrelay.schemas.ExitCodes;
import dev.daskrelay.schemas.config.DaskRelayConfig;
import dev.daskrelay.submitter.client.DaskRelayClient;
import dev.daskrelay.submitter.client.StatusFollow;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code daskrelay follow TASK_ID}: the task's status events from its first to its terminal one. */
@Command(name = "follow", mixinStandardHelpOptions = true,
        description = {"Stream a task's status events, from its first to its terminal one.",
                "Exit 0 when it SUCCEEDED; 1 when it FAILED or was ABORTED, the task is unknown, the timeout passed, "
                + "or Kafka cannot be reached or goes away; 2 on bad usage."},
        footerHeading = "%nExamples:%n",
        footer = {"  daskrelay follow examples-development-hello-dask-n0-0",
                "  daskrelay follow examples-development-hello-dask-n0-0 -o json --timeout 30m"})
public final class FollowCommand extends ClientCommand {

    @Parameters(paramLabel = "TASK_ID", description = "The task to follow (as submit, status and list print it).")
    String taskId;

    @Option(names = {"-o", "--output"}, defaultValue = "text",
            description = "text (default) or json (one JSON object per event and line).")
    StatusPrinter.Format output;

    @Option(names = "--timeout", paramLabel = "DURATION", description = "Give up after this long, e.g. 30m (default: wait).")
    String timeout;

    private Duration limit;

    @Override
    int validate(DaskRelayConfig config) {
        taskIds(List.of(taskId));
        limit = timeout == null ? null : positive("--timeout", timeout);
        return OK;
    }

    @Override
    int run(DaskRelayClient client, DaskRelayConfig config) {
        if (client.status(taskId).isEmpty() && client.latestLaunch(taskId).isEmpty()) {
            err().println("error: no status for task " + taskId + ": no launch or status of it was found "
                    + "('daskrelay list' shows recent tasks)");
            return FAILED;
        }
        try (StatusFollow follow = client.follow(taskId)) {
            Optional<TaskStatus> end = new StatusPrinter(out(), output, interactive(), Clock.systemUTC()).follow(follow, limit);
            if (end.isEmpty()) {
                err().println("error: " + taskId + " did not reach a terminal status within " + timeout);
                return ExitCodes.FAILURE;
            }
            return StatusPrinter.succeeded(end.get()) ? ExitCodes.OK : ExitCodes.FAILURE;
        }
    }
}
