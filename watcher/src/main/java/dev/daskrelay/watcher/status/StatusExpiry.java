package dev.daskrelay.watcher.status;

import java.time.Duration;
import java.util.Objects;

/**
 * When the status topology forgets a task: {@code retention} after the task's state was last written, and only
 * when nothing more can come of it: the task is finished (a terminal status was published, and nothing may follow
 * it), or no launch of it was ever seen (observations of a task id no command launched, e.g. snapshots held until a
 * launch arrives). A launched task that has not finished is never forgotten, however quiet: its timers (deadline,
 * stuck, image pull) and the cluster still have something to say. Pure.
 *
 * <p>The retention must outlive the commands topic's (checked at start-up) and the janitor's {@code retainFinished},
 * so that no observation of a finished task arrives after it was forgotten (docs/OPERATIONS.md, "Bounded state").
 * The sweep runs every {@link #SWEEP_INTERVAL} of wall-clock time and examines at most {@link #SWEEP_BATCH} tasks of
 * a stream task each time.
 *
 * @param retention how long a finished task is kept after its last change
 */
public record StatusExpiry(Duration retention) {

    /** How often the punctuator sweeps. */
    public static final Duration SWEEP_INTERVAL = Duration.ofMinutes(1);
    /** Most tasks one sweep of one stream task examines. */
    public static final int SWEEP_BATCH = 10_000;

    public StatusExpiry {
        Objects.requireNonNull(retention, "retention");
        if (retention.isNegative() || retention.isZero()) {
            throw new IllegalArgumentException("status retention must be longer than 0");
        }
    }

    /** True when {@code state}, last written at {@code writtenAt}, is forgotten at {@code now} (epoch millis). */
    public boolean expired(TaskState state, long writtenAt, long now) {
        boolean done = state.isTerminal() || state.commandId() == null;
        return done && now - writtenAt >= retention.toMillis();
    }
}
