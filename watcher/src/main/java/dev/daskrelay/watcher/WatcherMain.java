package dev.daskrelay.watcher;

import dev.daskrelay.schemas.ExitCodes;
import picocli.CommandLine;

/**
 * Entry point of the {@code daskrelay/watcher} container image: the same command as {@code daskrelay watcher}, without
 * the CLI's other subcommands (and their dependencies) on the classpath.
 */
public final class WatcherMain {

    private WatcherMain() {
    }

    public static void main(String[] args) {
        CommandLine cli = new CommandLine(new WatcherCommand());
        cli.setExitCodeExceptionMapper(t -> ExitCodes.USAGE);
        System.exit(cli.execute(args));
    }
}
