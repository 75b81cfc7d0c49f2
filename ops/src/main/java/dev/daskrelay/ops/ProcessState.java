package dev.daskrelay.ops;

/**
 * The lifecycle of a daskrelay service process ({@code daskrelay translator}, {@code daskrelay watcher}).
 *
 * <pre>
 * CREATED ─start()─▶ STARTING ─▶ RUNNING ─close()─▶ STOPPING ─▶ STOPPED   (exit 0)
 *                       │            │
 *                       │            └─fail(why)─▶ FAILING ─▶ FAILED         (exit 1)
 *                       ├─fail(why)────────────────▲
 *                       └─ a part did not start ─────────────▶ FAILED
 * </pre>
 *
 * A failure while the process is already stopping or stopped changes nothing (it is too late to matter); a
 * second {@code close()} changes nothing either. Liveness is "not FAILING or FAILED"; the exit code follows from
 * the final state.
 */
public enum ProcessState implements Lifecycle.State<ProcessState> {
    /** Built, nothing started yet. */
    CREATED,
    /** Parts are being started in order. */
    STARTING,
    /** Every part started. */
    RUNNING,
    /** A normal stop is under way (shutdown hook, Ctrl-C). */
    STOPPING,
    /** Stopped normally. Terminal. */
    STOPPED,
    /** A part failed for good (a lost Lease, a failed topology): the process is being stopped. */
    FAILING,
    /** Stopped after a failure, or a part did not start. Terminal. */
    FAILED;

    @Override
    public boolean canTransitionTo(ProcessState next) {
        return switch (this) {
            case CREATED -> next == STARTING || next == STOPPING;
            case STARTING -> next == RUNNING || next == FAILED || next == STOPPING || next == FAILING;
            case RUNNING -> next == STOPPING || next == FAILING;
            case STOPPING -> next == STOPPED;
            case FAILING -> next == FAILED;
            case STOPPED, FAILED -> false;
        };
    }

    public boolean isTerminal() {
        return this == STOPPED || this == FAILED;
    }

    /** True once a failure was recorded. */
    public boolean failed() {
        return this == FAILING || this == FAILED;
    }

    /** The process exit code this state stands for: 1 after a failure, else 0 (contracts: 1 = failure of the work). */
    public int exitCode() {
        return failed() ? 1 : 0;
    }
}
