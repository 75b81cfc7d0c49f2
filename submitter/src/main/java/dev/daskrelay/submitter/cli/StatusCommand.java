package dev.daskrelay.submitter.cli;

import dev.daskrelay.avro.v1.TaskStatus;
import dev.daskrelay.schemas.ExitCodes;
import dev.daskrelay.schemas.config.DaskRelayConfig;
import dev.daskrelay.submitter.client.DaskRelayClient;
import dev.daskrelay.submitter.output.StatusFormat;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code daskrelay status TASK_ID}: the latest status, found without scanning the topic (docs/STATUS-QUERIES.md). */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Print the latest status of a task.", "Exit 0 when found, 1 when the task has no status or Kafka cannot be reached."})
public final class StatusCommand extends ClientCommand {

    @Parameters(paramLabel = "TASK_ID")
    String taskId;

    @Option(names = {"-o", "--output"}, defaultValue = "text", description = "text or json")
    StatusPrinter.Format output;

    @Override
    int run(DaskRelayConfig config) {
        try (DaskRelayClient client = connection.client(config)) {
            Optional<TaskStatus> s = client.status(taskId);
            if (s.isEmpty()) {
                err().println("error: no status for task " + taskId);
                return ExitCodes.FAILURE;
            }
            out().println(output == StatusPrinter.Format.json ? StatusFormat.jsonLine(s.get()) : StatusFormat.textLine(s.get()));
            return ExitCodes.OK;
        }
    }
}
