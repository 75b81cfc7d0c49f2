package dev.daskrelay.simulator;

import java.time.Duration;
import java.util.Objects;

/**
 * How fast the simulated world moves.
 *
 * @param podStartDelay  from a pod's creation to its containers running (image pull, start)
 * @param stepDelay      between two steps of one actor (scheduling → Pending status, ErrImagePull → ImagePullBackOff,
 *                       a container restart back-off unit)
 * @param defaultRunFor  how long a runner runs when the DaskJob has no {@code simulator.daskrelay.dev/run-for}
 * @param retryDelay     the operator's handler retry back-off (kopf: 60 s)
 * @param gcInterval     how often the owner-reference garbage-collector stand-in sweeps for orphans
 */
public record SimulatorTiming(Duration podStartDelay, Duration stepDelay, Duration defaultRunFor,
                              Duration retryDelay, Duration gcInterval) {

    public SimulatorTiming {
        requireNonNegative("podStartDelay", podStartDelay);
        requireNonNegative("stepDelay", stepDelay);
        requireNonNegative("defaultRunFor", defaultRunFor);
        requireNonNegative("retryDelay", retryDelay);
        requireNonNegative("gcInterval", gcInterval);
        if (gcInterval.isZero()) {
            throw new IllegalArgumentException("gcInterval: must be positive");
        }
    }

    /** For tests: everything happens within a few hundred milliseconds. */
    public static SimulatorTiming fast() {
        return new SimulatorTiming(Duration.ofMillis(50), Duration.ofMillis(20), Duration.ofMillis(300),
                Duration.ofMillis(500), Duration.ofMillis(250));
    }

    /** For the local stack: slow enough to watch a job go through its phases. */
    public static SimulatorTiming demo() {
        return new SimulatorTiming(Duration.ofSeconds(3), Duration.ofSeconds(1), Duration.ofSeconds(10),
                Duration.ofSeconds(60), Duration.ofSeconds(2));
    }

    public SimulatorTiming withDefaultRunFor(Duration runFor) {
        return new SimulatorTiming(podStartDelay, stepDelay, runFor, retryDelay, gcInterval);
    }

    public SimulatorTiming withRetryDelay(Duration retry) {
        return new SimulatorTiming(podStartDelay, stepDelay, defaultRunFor, retry, gcInterval);
    }

    private static void requireNonNegative(String field, Duration value) {
        Objects.requireNonNull(value, field);
        if (value.isNegative()) {
            throw new IllegalArgumentException(field + ": must not be negative, was " + value);
        }
    }
}
