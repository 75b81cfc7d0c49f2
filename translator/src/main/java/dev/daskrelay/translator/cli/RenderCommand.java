package dev.daskrelay.translator.cli;

import dev.daskrelay.avro.v1.LaunchDaskJob;
import dev.daskrelay.avro.v1.TaskCommand;
import dev.daskrelay.schemas.ExitCodes;
import dev.daskrelay.schemas.config.DaskRelayConfig;
import dev.daskrelay.schemas.config.PlatformConfig;
import dev.daskrelay.schemas.task.Problem;
import dev.daskrelay.schemas.task.TaskFile;
import dev.daskrelay.schemas.task.TaskValidator;
import dev.daskrelay.translator.render.DaskJobRenderer;
import dev.daskrelay.translator.render.ManifestFormat;
import dev.daskrelay.translator.render.RenderProblem;
import dev.daskrelay.translator.render.RenderResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.MalformedInputException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code daskrelay render TASK_FILE [--config FILE] [-o yaml|json]}: the dry run of a launch. Reads the task file,
 * validates it, renders the DaskJob the translator would create with the same platform section, and prints it.
 * No Kafka, no Kubernetes. Exit 0 with the DaskJob on stdout; exit 2 with one {@code path: message} line per
 * problem on stderr (task-file problems, validation problems, render problems, in that order, each line once),
 * or one {@code error:} line when a file cannot be read.
 */
@Command(name = "render",
        description = {"Print the DaskJob the translator would create for a task file (dry run: no Kafka, "
                + "no Kubernetes).",
                "Exit codes: 0 printed; 2 invalid task file or configuration, one line per problem on stderr."})
public final class RenderCommand implements Callable<Integer> {

    /** Output formats of {@code -o}. */
    public enum Output { yaml, json }

    @Parameters(index = "0", paramLabel = "TASK_FILE", description = "Task file (YAML, or JSON).")
    Path taskFile;

    @Option(names = "--config", paramLabel = "FILE",
            description = "daskrelay.yaml whose platform section applies (default: the built-in platform defaults).")
    Path config;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "yaml",
            description = "yaml (default) or json.")
    Output output;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();

        PlatformConfig platform;
        DaskJobRenderer renderer;
        try {
            platform = config == null ? PlatformConfig.defaults() : loadConfig(config);
            renderer = new DaskJobRenderer(platform);
        } catch (UnreadableFile | DaskRelayConfig.ConfigException e) {
            err.println("error: " + e.getMessage()); // a config message starts with the file name
            return ExitCodes.USAGE;
        } catch (IllegalArgumentException e) {
            err.println("error: " + config + ": " + e.getMessage()); // e.g. platform.resources.limits.cpu: ...
            return ExitCodes.USAGE;
        }

        String text;
        try {
            text = read(taskFile, "task file");
        } catch (UnreadableFile e) {
            err.println("error: " + e.getMessage());
            return ExitCodes.USAGE;
        }

        TaskFile.Parsed parsed = TaskFile.parse(text, Clock.systemUTC());
        Set<String> problems = new LinkedHashSet<>();
        parsed.problems().forEach(p -> problems.add(p.toString()));
        TaskCommand command = parsed.command();
        RenderResult result = null;
        if (command != null) {
            TaskValidator.validate(command, platform).problems().forEach(p -> problems.add(p.toString()));
            if (command.getPayload() instanceof LaunchDaskJob launch) {
                result = renderer.render(command.getTaskId(), command.getExecution(), launch);
                if (result instanceof RenderResult.Rejected rejected) {
                    // The validator and the renderer share paths and wording: a problem both find prints once.
                    rejected.problems().forEach(p -> problems.add(p.toString()));
                }
            } else {
                problems.add(new Problem(Problem.DOCUMENT, "not a launch: render needs a task file").toString());
            }
        }
        if (!problems.isEmpty() || !(result instanceof RenderResult.Rendered rendered)) {
            problems.forEach(err::println);
            if (problems.isEmpty()) {
                err.println(new RenderProblem(Problem.DOCUMENT, "could not be rendered"));
            }
            err.flush();
            return ExitCodes.USAGE;
        }
        String manifest = rendered.job().print(output == Output.json ? ManifestFormat.JSON : ManifestFormat.YAML);
        out.print(manifest);
        if (!manifest.endsWith("\n")) {
            out.println();
        }
        out.flush();
        return ExitCodes.OK;
    }

    private static PlatformConfig loadConfig(Path file) {
        String text = read(file, "config file");
        return DaskRelayConfig.parse(text, file.toString()).platform();
    }

    private static String read(Path file, String what) {
        try {
            if (Files.isDirectory(file)) {
                throw new UnreadableFile("cannot read " + what + " " + file + ": it is a directory");
            }
            return Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new UnreadableFile("cannot read " + what + " " + file + ": no such file");
        } catch (AccessDeniedException e) {
            throw new UnreadableFile("cannot read " + what + " " + file + ": permission denied");
        } catch (MalformedInputException e) {
            throw new UnreadableFile("cannot read " + what + " " + file + ": not UTF-8 text");
        } catch (IOException e) {
            throw new UnreadableFile("cannot read " + what + " " + file + ": " + e.getMessage());
        }
    }

    /** A file that cannot be read at all (as opposed to one with invalid content). */
    private static final class UnreadableFile extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UnreadableFile(String message) {
            super(message);
        }
    }
}
