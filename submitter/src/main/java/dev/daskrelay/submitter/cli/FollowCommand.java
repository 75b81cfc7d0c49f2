package dev.daskrelay.submitter.cli;

import dev.daskrelay.avro.v1.TaskStatus;
import dev.daskrelay.schemas.ExitCodes;
import dev.daskrelay.schemas.config.DaskRelayConfig;
import dev.daskrelay.schemas.task.DurationText;
import dev.daskrelay.submitter.client.DaskRelayClient;
import dev.daskrelay.submitter.client.StatusFollow;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code daskrelay follow TASK_ID}: the task's status events from its first to its terminal one. */
@Command(name = "follow", mixinStandardHelpOptions = true,
        description = {"Stream a task's status events, from its first to its terminal one.",
                "Exit 0 when it SUCCEEDED, 1 when it FAILED or was ABORTED, the timeout passed or Kafka cannot be "
                + "reached."})
public final class FollowCommand extends ClientCommand {

    @Parameters(paramLabel = "TASK_ID")
    String taskId;

    @Option(names = {"-o", "--output"}, defaultValue = "text", description = "text or json (one JSON object per event and line)")
    StatusPrinter.Format output;

    @Option(names = "--timeout", paramLabel = "DURATION", description = "give up after this long, e.g. 30m (default: wait)")
    String timeout;

    @Override
    int run(DaskRelayConfig config) {
        Duration limit = timeout == null ? null : DurationText.parse(timeout);
        try (DaskRelayClient client = connection.client(config); StatusFollow follow = client.follow(taskId)) {
            Optional<TaskStatus> end = new StatusPrinter(out(), output, interactive(), Clock.systemUTC()).follow(follow, limit);
            if (end.isEmpty()) {
                err().println("error: " + taskId + " did not reach a terminal status within " + timeout);
                return ExitCodes.FAILURE;
            }
            return StatusPrinter.succeeded(end.get()) ? ExitCodes.OK : ExitCodes.FAILURE;
        }
    }
}
