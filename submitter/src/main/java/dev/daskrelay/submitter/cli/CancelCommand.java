package dev.daskrelay.submitter.cli;

import dev.daskrelay.schemas.ExitCodes;
import dev.daskrelay.schemas.config.DaskRelayConfig;
import dev.daskrelay.submitter.client.DaskRelayClient;
import dev.daskrelay.submitter.client.TaskHandle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code daskrelay cancel TASK_ID [--reason TEXT]}: publishes an abort command. */
@Command(name = "cancel", mixinStandardHelpOptions = true,
        description = {"Publish an abort command for a task.", "Exit 0 when published, 1 when Kafka cannot be reached."})
public final class CancelCommand extends ClientCommand {

    @Parameters(paramLabel = "TASK_ID")
    String taskId;

    @Option(names = "--reason", description = "why (goes into the ABORTED status)", defaultValue = "cancelled from the daskrelay CLI")
    String reason;

    @Override
    int run(DaskRelayConfig config) {
        try (DaskRelayClient client = connection.client(config)) {
            TaskHandle h = client.cancel(taskId, reason);
            out().println("abort requested for " + h.taskId() + " (command " + h.commandId() + ")");
            return ExitCodes.OK;
        }
    }
}
