package dev.daskrelay.translator.cli;

import dev.daskrelay.avro.v1.LaunchDaskJob;
import dev.daskrelay.avro.v1.TaskCommand;
import dev.daskrelay.schemas.ExitCodes;
import dev.daskrelay.schemas.config.DaskRelayConfig;
import dev.daskrelay.schemas.config.PlatformConfig;
import dev.daskrelay.schemas.task.Problem;
import dev.daskrelay.schemas.task.TaskFile;
import dev.daskrelay.translator.render.DaskJobRenderer;
import dev.daskrelay.translator.render.ManifestFormat;
import dev.daskrelay.translator.render.RenderProblem;
import dev.daskrelay.translator.render.RenderResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code daskrelay render TASK_FILE [--config FILE] [-o yaml|json]}: the dry run of a launch. Reads the task file
 * ({@code -} for standard input), validates it, renders the DaskJob the translator would create with the same
 * platform section, and prints it. No Kafka, no Kubernetes. Exit 0 with the DaskJob on stdout; exit 2 with one
 * {@code file: path: message} line per problem on stderr (task-file problems, validation problems, render
 * problems, in that order, each path once: the same lines {@code submit} and {@code local} print), or one
 * {@code error:} line when the config file cannot be read.
 */
@Command(name = "render", mixinStandardHelpOptions = true,
        description = {"Print the DaskJob the translator would create for a task file (dry run: no Kafka, "
                + "no Kubernetes).",
                "Exit codes: 0 printed; 2 invalid task file or configuration, one line per problem on stderr."},
        footerHeading = "%nExamples:%n",
        footer = {"  daskrelay render local/src/main/resources/examples/success.yaml",
                "  daskrelay render task.yaml --config daskrelay.yaml -o json",
                "  cat task.yaml | daskrelay render -"})
public final class RenderCommand implements Callable<Integer> {

    /** Output formats of {@code -o}. */
    public enum Output { yaml, json }

    /** How standard input is named in messages. */
    public static final String STDIN = "stdin";

    @Parameters(index = "0", paramLabel = "TASK_FILE",
            description = "The task file to render (YAML, or JSON), or - to read it from standard input.")
    Path taskFile;

    @Option(names = "--config", paramLabel = "FILE",
            description = "daskrelay.yaml whose platform section and installation apply (default: the built-in "
                    + "platform defaults, installation daskrelay).")
    Path config;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "yaml",
            description = "yaml (default) or json.")
    Output output;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();

        PlatformConfig platform;
        DaskJobRenderer renderer;
        try {
            DaskRelayConfig loaded = config == null ? DaskRelayConfig.defaults() : loadConfig(config);
            platform = loaded.platform();
            renderer = new DaskJobRenderer(platform, loaded.installation());
        } catch (UnreadableFile | DaskRelayConfig.ConfigException e) {
            err.println("error: " + e.getMessage()); // a config message starts with the file name
            return ExitCodes.USAGE;
        } catch (IllegalArgumentException e) {
            err.println("error: " + config + ": " + e.getMessage()); // e.g. platform.resources.limits.cpu: ...
            return ExitCodes.USAGE;
        }

        TaskFile.Checked checked;
        if (taskFile.toString().equals("-")) {
            try {
                checked = TaskFile.check(STDIN, new String(System.in.readAllBytes(), StandardCharsets.UTF_8),
                        platform, Clock.systemUTC());
            } catch (IOException e) {
                err.println(STDIN + ": " + new Problem(Problem.DOCUMENT, "cannot read: " + e.getMessage()));
                return ExitCodes.USAGE;
            }
        } else {
            checked = TaskFile.check(taskFile, platform, Clock.systemUTC());
        }
        List<Problem> problems = checked.problems();
        RenderResult result = null;
        if (checked.valid()) {
            TaskCommand command = checked.command();
            result = renderer.render(command.getTaskId(), command.getExecution(), (LaunchDaskJob) command.getPayload());
            if (result instanceof RenderResult.Rejected rejected) {
                // The validator and the renderer share paths: a path both find wrong prints once.
                problems = Problem.inStages(problems, rejected.problems().stream()
                        .map(p -> new Problem(p.path(), p.message())).toList());
            }
        }
        if (!problems.isEmpty() || !(result instanceof RenderResult.Rendered rendered)) {
            problems.forEach(p -> err.println(checked.source() + ": " + p));
            if (problems.isEmpty()) {
                err.println(checked.source() + ": " + new RenderProblem(Problem.DOCUMENT, "could not be rendered"));
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

    private static DaskRelayConfig loadConfig(Path file) {
        String text = read(file, "config file");
        return DaskRelayConfig.parse(text, file.toString());
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
