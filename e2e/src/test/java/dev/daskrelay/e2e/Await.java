package dev.daskrelay.e2e;

import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

/** Waiting on a condition with a deadline (never a bare sleep standing in for a condition). */
final class Await {

    static final Duration POLL = Duration.ofMillis(200);

    private Await() {
    }

    /** Polls {@code condition} until it returns non-null / true, at most {@code timeout}; else AssertionError. */
    static <T> T until(Duration timeout, String what, Supplier<T> condition) {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            T value = condition.get();
            if (value != null && !Boolean.FALSE.equals(value)) {
                return value;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError(what + ": not within " + timeout);
            }
            pause();
        }
    }

    /** The polling interval of a wait loop that has its own deadline. */
    static void pause() {
        try {
            Thread.sleep(POLL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting", e);
        }
    }
}
