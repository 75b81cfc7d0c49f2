package dev.daskrelay.translator;

import dev.daskrelay.schemas.ExitCodes;
import picocli.CommandLine;

/**
 * Entry point of the {@code daskrelay/translator} container image: the same command as {@code daskrelay translator}, without
 * the CLI's other subcommands (and their dependencies) on the classpath.
 */
public final class TranslatorMain {

    private TranslatorMain() {
    }

    public static void main(String[] args) {
        CommandLine cli = new CommandLine(new TranslatorCommand());
        cli.setExitCodeExceptionMapper(t -> ExitCodes.USAGE);
        System.exit(cli.execute(args));
    }
}
