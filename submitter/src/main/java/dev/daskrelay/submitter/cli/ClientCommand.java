package dev.daskrelay.submitter.cli;

import dev.daskrelay.schemas.ExitCodes;
import dev.daskrelay.schemas.config.DaskRelayConfig;
import dev.daskrelay.schemas.task.InvalidTaskException;
import dev.daskrelay.submitter.client.DaskRelayException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The shell shared by the client subcommands: loads the configuration and maps failures to the CLI's exit codes
 * (submitter/README.md) - 2 for a configuration or task that cannot be used (one line per problem, naming the field
 * path), 1 when Kafka cannot be reached or the work failed.
 */
abstract class ClientCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ConnectionOptions connection;

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** True when stdout is a terminal: progress updates one line; otherwise plain lines. */
    static boolean interactive() {
        return System.console() != null;
    }

    @Override
    public final Integer call() {
        DaskRelayConfig cfg;
        try {
            cfg = connection.load();
        } catch (DaskRelayConfig.ConfigException e) {
            err().println("error: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        try {
            return run(cfg);
        } catch (InvalidTaskException e) {
            e.problems().forEach(p -> err().println(p));
            return ExitCodes.USAGE;
        } catch (IllegalArgumentException e) {
            err().println("error: " + e.getMessage());
            return ExitCodes.USAGE;
        } catch (DaskRelayException | KafkaException e) {
            err().println("error: " + e.getMessage());
            return ExitCodes.FAILURE;
        } finally {
            out().flush();
            err().flush();
        }
    }

    abstract int run(DaskRelayConfig config);
}
