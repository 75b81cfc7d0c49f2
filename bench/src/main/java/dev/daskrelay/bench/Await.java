package dev.daskrelay.bench;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waiting on a condition with a deadline, for the harnesses (polls every 10 ms; a harness is not a test). */
public final class Await {

    private Await() {
    }

    /** Returns once {@code condition} holds; throws IllegalStateException naming {@code what} after {@code timeout}. */
    public static void until(BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(10);
        }
    }
}
