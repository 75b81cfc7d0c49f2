package dev.daskrelay.translator.topology;

import java.time.Duration;
import java.util.Objects;

/**
 * When the command topology forgets a task's fate: {@code retention} after the fate was last written (the launch
 * accepted or rejected, the abort), whatever the fate is. Until then every further command of the task is judged
 * against it (a duplicate launch is LAUNCH_DUPLICATE, an abort finds its launch); afterwards the task id is unknown
 * again. The retention must outlive the commands topic's (checked at start-up, {@code StateRetention.resolve}), so
 * no command still on the topic can meet a forgotten task.
 *
 * <p>The sweep runs every {@link #SWEEP_INTERVAL} of wall-clock time and examines at most {@link #SWEEP_BATCH}
 * fates of a stream task each time, continuing where it stopped ({@code ExpirySweep}).
 *
 * @param retention how long a fate is kept after its last write
 */
public record FateExpiry(Duration retention) {

    /** How often the punctuator sweeps. */
    public static final Duration SWEEP_INTERVAL = Duration.ofMinutes(1);
    /** Most fates one sweep of one stream task examines. */
    public static final int SWEEP_BATCH = 10_000;

    public FateExpiry {
        Objects.requireNonNull(retention, "retention");
        if (retention.isNegative() || retention.isZero()) {
            throw new IllegalArgumentException("fate retention must be longer than 0");
        }
    }

    /** True when a fate last written at {@code writtenAt} is forgotten at {@code now} (epoch millis). */
    public boolean expired(long writtenAt, long now) {
        return now - writtenAt >= retention.toMillis();
    }
}
