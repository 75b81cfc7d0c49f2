package dev.daskrelay.submitter.cli;

import dev.daskrelay.schemas.ExitCodes;
import dev.daskrelay.schemas.config.DaskRelayConfig;
import dev.daskrelay.schemas.task.DurationText;
import dev.daskrelay.schemas.task.InvalidTaskException;
import dev.daskrelay.schemas.task.TaskId;
import dev.daskrelay.submitter.client.DaskRelayClient;
import dev.daskrelay.submitter.client.DaskRelayException;
import dev.daskrelay.submitter.client.KafkaUnavailableException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The shell shared by the client commands, in this order: quiet logging; the configuration; the command's
 * arguments ({@link #validate}: durations, ids, task files), all before anything connects; a check that Kafka
 * answers within {@link #CONNECT_TIMEOUT} and has daskrelay's topics; then the work ({@link #run}). Exit codes:
 * 2 for a configuration, argument or task that cannot be used (one line per problem, naming the field path or
 * option), 1 when Kafka cannot be reached or the work failed (one line, with what to do), 3 for a launch that was
 * already made ({@code submit}).
 */
abstract class ClientCommand implements Callable<Integer> {

    static final int OK = ExitCodes.OK;
    static final int FAILED = ExitCodes.FAILURE;
    static final int USAGE = ExitCodes.USAGE;
    static final int DUPLICATE = ExitCodes.DUPLICATE;

    /** How long the connection check waits for a broker: a command without Kafka fails after this, not after 30 s. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    @Spec
    CommandSpec spec;

    @Mixin
    ConnectionOptions connection;

    @Option(names = {"-v", "--verbose"}, description = "Log at INFO on stderr, the Kafka client's logs included "
            + "(default: daskrelay's warnings only).")
    boolean verbose;

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** True when stdout is a terminal: progress updates one line; otherwise plain lines. */
    static boolean interactive() {
        return System.console() != null && !"dumb".equals(System.getenv("TERM"));
    }

    @Override
    public final Integer call() {
        CliLogging.configure(verbose);
        DaskRelayConfig cfg;
        try {
            cfg = connection.load();
        } catch (DaskRelayConfig.ConfigException e) {
            err().println("error: " + e.getMessage());
            return USAGE;
        } catch (IllegalArgumentException e) {
            err().println("error: --config: " + e.getMessage());
            return USAGE;
        }
        try {
            try {
                int code = validate(cfg);
                if (code != OK) {
                    return code;
                }
            } catch (InvalidTaskException e) {
                e.problems().forEach(p -> err().println(p));
                return USAGE;
            } catch (IllegalArgumentException e) {
                err().println("error: " + e.getMessage());
                return USAGE;
            }
            try (DaskRelayClient client = connection.client(cfg)) {
                client.ping(CONNECT_TIMEOUT);
                return run(client, cfg);
            } catch (KafkaUnavailableException e) {
                err().println("error: " + e.getMessage() + hint(e, cfg));
                return FAILED;
            } catch (DaskRelayException | KafkaException e) {
                err().println("error: " + e.getMessage());
                return FAILED;
            }
        } finally {
            out().flush();
            err().flush();
        }
    }

    /** What to do about an unreachable Kafka or missing topics, on the same line. */
    static String hint(KafkaUnavailableException e, DaskRelayConfig cfg) {
        return switch (e.reason()) {
            case UNREACHABLE -> ". Start a local stack with 'daskrelay local --keep-running', or point the CLI at "
                    + "your Kafka with DASKRELAY_BOOTSTRAP_SERVERS (or kafka.bootstrapServers in --config)";
            case NO_TOPICS -> ": is daskrelay installed there with topic prefix '" + cfg.kafka().topicPrefix()
                    + "'? Set DASKRELAY_TOPIC_PREFIX (or kafka.topicPrefix in --config)";
        };
    }

    /**
     * Checks the command's arguments before anything connects. Throw {@link IllegalArgumentException} (one line,
     * naming the option) or {@link InvalidTaskException}, or return an exit code other than {@link #OK} after
     * printing the problems.
     */
    int validate(DaskRelayConfig config) {
        return OK;
    }

    abstract int run(DaskRelayClient client, DaskRelayConfig config);

    // ---- argument checks shared by the commands ----

    /** A duration option that must be > 0. */
    static Duration positive(String option, String text) {
        Duration d = duration(option, text);
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(option + ": must be more than 0 (was \"" + text + "\")");
        }
        return d;
    }

    /** A duration option that must be >= 0. */
    static Duration nonNegative(String option, String text) {
        Duration d = duration(option, text);
        if (d.isNegative()) {
            throw new IllegalArgumentException(option + ": must not be negative (was \"" + text + "\")");
        }
        return d;
    }

    private static Duration duration(String option, String text) {
        try {
            return DurationText.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + ": " + e.getMessage() + " (was \"" + text + "\")");
        }
    }

    /** Task ids as given on the command line: well-formed, each once. */
    static void taskIds(List<String> ids) {
        Set<String> seen = new HashSet<>();
        for (String id : ids) {
            if (!TaskId.PATTERN.matcher(id).matches() || id.length() > TaskId.MAX_LENGTH) {
                throw new IllegalArgumentException("TASK_ID: not a task id: \"" + id + "\" (letters, digits, '.', "
                        + "'_' or '-', starting with a letter or digit)");
            }
            if (!seen.add(id)) {
                throw new IllegalArgumentException("TASK_ID: " + id + " is given twice");
            }
        }
    }
}
