package dev.daskrelay.submitter.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.daskrelay.avro.v1.LaunchDaskJob;
import dev.daskrelay.avro.v1.TaskCommand;
import dev.daskrelay.avro.v1.TaskStatus;
import dev.daskrelay.schemas.config.DaskRelayConfig;
import dev.daskrelay.schemas.task.TaskFile;
import dev.daskrelay.schemas.task.TaskId;
import dev.daskrelay.submitter.client.DaskRelayClient;
import dev.daskrelay.submitter.client.TaskHandle;
import dev.daskrelay.submitter.output.StatusFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code daskrelay submit TASK_FILE... [--follow] [--timeout DURATION]}: reads and validates every file first
 * (against the platform section of {@code --config}; two files of the same task are a problem too); if any is
 * invalid, prints one line per problem ({@code file: path: message}) and exits 2 without publishing anything. Then
 * it looks each task up: a task id that was launched before is a duplicate (the translator would drop the new
 * launch), reported with the launch it duplicates and how to run the task again, exit 3, nothing published. Then
 * it publishes the launches (each stamped with the time of publishing) and, with {@code --follow}, follows all of
 * them together to their terminal statuses, ending with a summary.
 */
@Command(name = "submit", mixinStandardHelpOptions = true,
        description = {"Publish launch commands from task files (YAML or JSON). Every file is checked first: if any "
                + "is invalid or was launched before, nothing is published.",
                "Exit 0 when published (with --follow: when every task SUCCEEDED); 1 when a followed task FAILED, was "
                + "ABORTED or did not finish within --timeout, or Kafka cannot be reached; 2 when a task file is "
                + "invalid; 3 when a task was already launched (a duplicate: nothing published)."},
        footerHeading = "%nExamples:%n",
        footer = {"  daskrelay submit task.yaml",
                "  daskrelay submit a.yaml b.yaml --follow --timeout 30m",
                "  daskrelay submit task.yaml -o json          # one JSON object per submitted task",
                "  cat task.yaml | daskrelay submit -",
                "To run a task that already ran again, raise execution.retryAttempt in its file: each attempt is a "
                + "new task id."})
public final class SubmitCommand extends ClientCommand {

    @Parameters(paramLabel = "TASK_FILE", arity = "1..*",
            description = "Task files (YAML or JSON, docs/TASK-FILES.md); - reads one from standard input.")
    List<Path> files;

    @Option(names = "--follow", description = "Follow the tasks together until each is terminal, then print a summary.")
    boolean follow;

    @Option(names = "--timeout", paramLabel = "DURATION",
            description = "With --follow: stop waiting after this long, e.g. 30m (unfinished tasks make the exit 1).")
    String timeout;

    @Option(names = {"-o", "--output"}, defaultValue = "text",
            description = "text (default) or json: one JSON object per line for each submitted task, and with "
                    + "--follow each status event and a summary.")
    StatusPrinter.Format output;

    private final List<TaskCommand> launches = new ArrayList<>();
    private final List<String> sources = new ArrayList<>();
    private Duration limit;

    @Override
    int validate(DaskRelayConfig config) {
        if (timeout != null && !follow) {
            throw new IllegalArgumentException("--timeout: only with --follow");
        }
        limit = timeout == null ? null : positive("--timeout", timeout);
        Clock clock = Clock.systemUTC();
        List<String> problems = new ArrayList<>();
        Map<String, String> sourceOfTask = new LinkedHashMap<>();
        for (Path file : files) {
            TaskFile.Checked checked;
            if (file.toString().equals("-")) {
                try {
                    checked = TaskFile.check("stdin", new String(System.in.readAllBytes(), StandardCharsets.UTF_8),
                            config.platform(), clock);
                } catch (IOException e) {
                    throw new IllegalArgumentException("stdin: cannot read: " + e.getMessage());
                }
            } else {
                checked = TaskFile.check(file, config.platform(), clock);
            }
            problems.addAll(checked.lines());
            if (checked.valid()) {
                String taskId = checked.command().getTaskId();
                String before = sourceOfTask.putIfAbsent(taskId, checked.source());
                if (before != null) {
                    problems.add(checked.source() + ": taskId: " + taskId + " is also the task of " + before
                            + " (a task id launches once)");
                } else {
                    launches.add(checked.command());
                    sources.add(checked.source());
                }
            }
        }
        if (!problems.isEmpty()) {
            problems.forEach(err()::println);
            err().println("error: nothing submitted (" + problems.size() + " problem" + (problems.size() == 1 ? "" : "s") + ")");
            return USAGE;
        }
        return OK;
    }

    @Override
    int run(DaskRelayClient client, DaskRelayConfig config) {
        List<String> duplicates = new ArrayList<>();
        for (int i = 0; i < launches.size(); i++) {
            TaskCommand launch = launches.get(i);
            Optional<TaskCommand> prior = client.latestLaunch(launch.getTaskId());
            if (prior.isPresent()) {
                duplicates.addAll(duplicate(sources.get(i), launch, prior.get(), client.status(launch.getTaskId())));
            }
        }
        if (!duplicates.isEmpty()) {
            duplicates.forEach(err()::println);
            err().println("error: nothing submitted: a task id launches once");
            return DUPLICATE;
        }
        Clock clock = Clock.systemUTC();
        List<TaskHandle> handles = new ArrayList<>();
        for (int i = 0; i < launches.size(); i++) {
            TaskHandle h = client.submitNow(launches.get(i)); // issued when published, not when the file was read
            handles.add(h);
            if (output == StatusPrinter.Format.json) {
                ObjectNode o = StatusFormat.JSON.createObjectNode().put("type", "submitted").put("taskId", h.taskId())
                        .put("commandId", h.commandId()).put("source", sources.get(i))
                        .put("issuedAt", StatusFormat.iso(h.issuedAt())).put("partition", h.partition())
                        .put("offset", h.offset());
                out().println(StatusFormat.write(o));
            } else {
                out().println("submitted " + h.taskId() + " (command " + h.commandId() + ", " + sources.get(i) + ")");
            }
        }
        out().flush();
        if (!follow) {
            return OK;
        }
        List<StatusPrinter.Followed> followed = new ArrayList<>();
        try {
            for (int i = 0; i < handles.size(); i++) {
                TaskHandle h = handles.get(i);
                followed.add(new StatusPrinter.Followed(h.taskId(), sources.get(i), client.follow(h)));
            }
            List<StatusPrinter.Outcome> outcomes = new StatusPrinter(out(), output, interactive(), clock)
                    .follow(followed, limit);
            if (handles.size() == 1 && !outcomes.get(0).terminal()) {
                err().println("error: " + handles.get(0).taskId() + " did not reach a terminal status within " + timeout);
            }
            return outcomes.stream().allMatch(StatusPrinter.Outcome::succeeded) ? OK : FAILED;
        } finally {
            followed.forEach(f -> f.follow().close());
        }
    }

    /** The lines that explain a duplicate launch: of what, what became of it, how to follow it, how to run again. */
    static List<String> duplicate(String source, TaskCommand launch, TaskCommand prior, Optional<TaskStatus> status) {
        List<String> lines = new ArrayList<>();
        String taskId = launch.getTaskId();
        boolean sameCommand = prior.getCommandId().equals(launch.getCommandId());
        lines.add(source + ": duplicate: task " + taskId + " was already launched by command " + prior.getCommandId()
                + " at " + StatusFormat.iso(prior.getIssuedAt())
                + (prior.getIssuedBy() == null ? "" : " (" + prior.getIssuedBy() + ")")
                + status.map(s -> ", now " + StatusFormat.phase(s)).orElse(", no status yet"));
        if (sameCommand) {
            lines.add("  it is the same command (same commandId): publishing it again would change nothing");
        } else if (!samePayload(launch, prior)) {
            lines.add("  this file differs from that launch; the translator would drop it as a duplicate");
        }
        lines.add("  follow that run:  daskrelay follow " + taskId);
        if (taskId.equals(TaskId.derive(launch.getExecution()))) {
            lines.add("  run the task again:  set execution.retryAttempt: " + (launch.getExecution().getRetryAttempt() + 1)
                    + " in " + source + " (each attempt is a new task id)");
        } else {
            lines.add("  run the task again:  give it a new taskId in " + source);
        }
        return lines;
    }

    private static boolean samePayload(TaskCommand a, TaskCommand b) {
        return a.getPayload() instanceof LaunchDaskJob la && b.getPayload() instanceof LaunchDaskJob lb && la.equals(lb);
    }
}
