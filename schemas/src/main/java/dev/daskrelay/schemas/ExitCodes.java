package dev.daskrelay.schemas;

/**
 * The exit codes of every {@code daskrelay} command (docs/OPERATIONS.md). The first three are picocli's
 * {@code CommandLine.ExitCode} values (OK, SOFTWARE, USAGE), so the CLI's own answers and the commands' agree.
 */
public final class ExitCodes {

    private ExitCodes() {
    }

    /** Success: the work was done (a task file rendered, every task reached its expected end, a normal stop). */
    public static final int OK = 0;
    /** Failure of the work: a task failed, Kafka unreachable, a service stopped after a failure. */
    public static final int FAILURE = 1;
    /** Bad usage or invalid input (options, configuration, task files); nothing was started or published. */
    public static final int USAGE = 2;
    /** {@code submit} of a task that was already launched: nothing was published (the output says which launch). */
    public static final int DUPLICATE = 3;
    /** Interrupted by Ctrl-C / SIGINT (128 + 2, the shell's convention). */
    public static final int INTERRUPTED = 130;
}
