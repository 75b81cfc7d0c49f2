package dev.daskrelay.local;

import dev.daskrelay.schemas.ExitCodes;
import dev.daskrelay.submitter.cli.CancelCommand;
import dev.daskrelay.submitter.cli.FollowCommand;
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
        description = "Run Dask jobs on Kubernetes from Kafka events, with Flyte's Dask-plugin semantics.",
        subcommands = {CommandLine.HelpCommand.class,
                LocalCommand.class,
                SubmitCommand.class,
                FollowCommand.class,
                StatusCommand.class,
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
