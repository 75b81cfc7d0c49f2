package dev.daskrelay.local;

import dev.daskrelay.schemas.ExitCodes;
import dev.daskrelay.submitter.cli.CancelCommand;
import dev.daskrelay.submitter.cli.FollowCommand;
import dev.daskrelay.submitter.cli.ListCommand;
import dev.daskrelay.submitter.cli.ReplayCommand;
import dev.daskrelay.submitter.cli.StatusCommand;
import dev.daskrelay.submitter.cli.SubmitCommand;
import dev.daskrelay.translator.TranslatorCommand;
import dev.daskrelay.translator.cli.RenderCommand;
import dev.daskrelay.watcher.WatcherCommand;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The single {@code daskrelay} entry point (README.md, docs/LOCAL.md, submitter/README.md). Each subcommand is
 * registered here by the module that owns it. Exit codes: 0 success, 1 failure of the work, 2 bad usage or invalid
 * input.
 */
@Command(name = "daskrelay",
        mixinStandardHelpOptions = true,
        versionProvider = DaskRelayCli.Version.class,
        description = {"Run Dask jobs on Kubernetes from Kafka events, with Flyte's Dask-plugin semantics.",
                "Exit codes: 0 success; 1 the work failed or Kafka cannot be reached; 2 bad usage or invalid input; "
                + "3 (submit) the task was already launched."},
        footerHeading = "%nExamples:%n",
        footer = {"  daskrelay local --keep-running                 # the whole pipeline in one JVM",
                "  daskrelay submit task.yaml --follow             # from another terminal",
                "  daskrelay list",
                "  daskrelay status TASK_ID",
                "  daskrelay cancel TASK_ID",
                "  daskrelay render task.yaml                      # the DaskJob, without Kafka or Kubernetes",
                "  daskrelay COMMAND --help                        # each command's options and examples"},
        subcommands = {CommandLine.HelpCommand.class,
                LocalCommand.class,
                SubmitCommand.class,
                FollowCommand.class,
                StatusCommand.class,
                ListCommand.class,
                CancelCommand.class,
                ReplayCommand.class,
                RenderCommand.class,
                TranslatorCommand.class,
                WatcherCommand.class})
public final class DaskRelayCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new DaskRelayCli());
        // -V/--version on every subcommand prints the same version as `daskrelay --version`
        Version version = new Version();
        cli.getSubcommands().values().forEach(sub -> sub.getCommandSpec().versionProvider(version));
        cli.setExitCodeExceptionMapper(t -> ExitCodes.USAGE);
        cli.setParameterExceptionHandler((ex, args) -> {
            CommandLine cmd = ex.getCommandLine();
            cmd.getErr().println("error: " + ex.getMessage());
            cmd.getErr().println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more information.");
            return ExitCodes.USAGE;
        });
        return cli;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** Reads the version Maven wrote into daskrelay-version.properties. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws Exception {
            var props = new Properties();
            try (var in = DaskRelayCli.class.getResourceAsStream("/daskrelay-version.properties")) {
                if (in != null) {
                    props.load(in);
                }
            }
            return new String[] {"daskrelay " + props.getProperty("version", "unknown")
                    + " (Java " + System.getProperty("java.version") + ")"};
        }
    }
}
