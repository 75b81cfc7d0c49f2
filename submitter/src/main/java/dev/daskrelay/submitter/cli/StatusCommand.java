package dev.daskrelay.submitter.cli;

import dev.daskrelay.avro.v1.TaskCommand;
import dev.daskrelay.avro.v1.TaskStatus;
import dev.daskrelay.schemas.config.DaskRelayConfig;
import dev.daskrelay.submitter.client.DaskRelayClient;
import dev.daskrelay.submitter.output.StatusFormat;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code daskrelay status TASK_ID...}: the latest status, found without scanning the topic (docs/STATUS-QUERIES.md). */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Print the latest status of tasks, with where each runs: DaskJob, runner pod, the "
                + "'kubectl logs' and dashboard port-forward commands, and the configured log links.",
                "Exit 0 when every task was found; 1 when one has no status or Kafka cannot be reached; 2 on bad usage."},
        footerHeading = "%nExamples:%n",
        footer = {"  daskrelay status examples-development-hello-dask-n0-0",
                "  daskrelay status TASK_A TASK_B -o json"})
public final class StatusCommand extends ClientCommand {

    @Parameters(paramLabel = "TASK_ID", arity = "1..*", description = "One or more task ids.")
    List<String> taskIds;

    @Option(names = {"-o", "--output"}, defaultValue = "text",
            description = "text (default) or json (one JSON object per task and line).")
    StatusPrinter.Format output;

    @Override
    int validate(DaskRelayConfig config) {
        taskIds(taskIds);
        return OK;
    }

    @Override
    int run(DaskRelayClient client, DaskRelayConfig config) {
        int code = OK;
        for (String taskId : taskIds) {
            Optional<TaskStatus> s = client.status(taskId);
            if (s.isPresent()) {
                if (output == StatusPrinter.Format.json) {
                    out().println(StatusFormat.jsonLine(s.get()));
                } else {
                    out().println(StatusFormat.textLine(s.get()));
                    StatusFormat.whereLines(s.get()).forEach(l -> out().println("    " + l));
                }
                continue;
            }
            Optional<TaskCommand> launch = client.latestLaunch(taskId);
            if (launch.isPresent()) {
                TaskCommand l = launch.get();
                if (output == StatusPrinter.Format.json) {
                    out().println(StatusFormat.write(StatusFormat.JSON.createObjectNode().put("type", "launch")
                            .put("taskId", taskId).put("commandId", l.getCommandId())
                            .put("issuedAt", StatusFormat.iso(l.getIssuedAt())).put("issuedBy", l.getIssuedBy())));
                } else {
                    out().println(StatusFormat.iso(l.getIssuedAt()) + "  " + taskId + "  SUBMITTED  no status yet "
                            + "(launch command " + l.getCommandId() + ")");
                }
                continue;
            }
            err().println("error: no status for task " + taskId + ": no launch or status of it was found "
                    + "('daskrelay list' shows recent tasks)");
            code = FAILED;
        }
        return code;
    }
}
