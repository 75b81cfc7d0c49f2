package dev.daskrelay.submitter.cli;

import dev.daskrelay.avro.v1.TaskCommand;
import dev.daskrelay.avro.v1.TaskStatus;
import dev.daskrelay.schemas.ExitCodes;
import dev.daskrelay.schemas.config.DaskRelayConfig;
import dev.daskrelay.schemas.task.InvalidTaskException;
import dev.daskrelay.schemas.task.TaskFile;
import dev.daskrelay.submitter.client.DaskRelayClient;
import dev.daskrelay.submitter.client.StatusFollow;
import dev.daskrelay.submitter.client.TaskHandle;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code daskrelay submit TASK_FILE... [--follow]}: reads and validates every file first (against the platform
 * section of {@code --config}); if any is invalid, prints one line per problem ({@code file: path: message}) and
 * exits 2 without publishing anything. Then publishes the launches in order and, with {@code --follow}, follows
 * each task to its terminal status.
 */
@Command(name = "submit", mixinStandardHelpOptions = true,
        description = {"Publish launch commands from task files (YAML or JSON). Every file is validated first; "
                + "if any is invalid, nothing is published.",
                "Exit 0 when published (with --follow: when every task SUCCEEDED), 1 when a followed task FAILED or "
                + "was ABORTED or Kafka cannot be reached, 2 when a task file is invalid."})
public final class SubmitCommand extends ClientCommand {

    @Parameters(paramLabel = "TASK_FILE", arity = "1..*")
    List<Path> files;

    @Option(names = "--follow", description = "stream each task's status until it is terminal, with progress")
    boolean follow;

    @Option(names = {"-o", "--output"}, defaultValue = "text", description = "text or json (for --follow)")
    StatusPrinter.Format output;

    @Override
    int run(DaskRelayConfig config) {
        Clock clock = Clock.systemUTC();
        List<TaskCommand> launches = new ArrayList<>();
        boolean invalid = false;
        for (Path file : files) {
            try {
                launches.add(TaskFile.load(file, config.platform(), clock));
            } catch (InvalidTaskException e) {
                invalid = true;
                e.problems().forEach(p -> err().println(file + ": " + p));
            }
        }
        if (invalid) {
            return ExitCodes.USAGE;
        }
        try (DaskRelayClient client = connection.client(config)) {
            List<TaskHandle> handles = new ArrayList<>();
            for (TaskCommand launch : launches) {
                TaskHandle h = client.submit(launch);
                handles.add(h);
                // with -o json stdout carries only status objects; the confirmation goes to stderr
                (output == StatusPrinter.Format.text ? out() : err()).println("submitted " + h.taskId() + " (command " + h.commandId() + ")");
            }
            if (!follow) {
                return ExitCodes.OK;
            }
            boolean allSucceeded = true;
            StatusPrinter printer = new StatusPrinter(out(), output, interactive(), clock);
            for (TaskHandle h : handles) {
                try (StatusFollow f = client.follow(h)) {
                    Optional<TaskStatus> end = printer.follow(f, null);
                    allSucceeded &= end.map(StatusPrinter::succeeded).orElse(false);
                }
            }
            return allSucceeded ? ExitCodes.OK : ExitCodes.FAILURE;
        }
    }
}
