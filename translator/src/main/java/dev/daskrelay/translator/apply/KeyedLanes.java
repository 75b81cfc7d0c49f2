package dev.daskrelay.translator.apply;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * Runs work on an executor with one lane per key: work of one key runs one at a time in submission order, work
 * of different keys runs concurrently. A lane stays busy until {@link #done(String)} is called for its current
 * work (which may be later than the executor task's end, e.g. after a scheduled retry).
 */
final class KeyedLanes {

    private final Executor executor;
    private final Map<String, ArrayDeque<Runnable>> lanes = new HashMap<>();

    KeyedLanes(Executor executor) {
        this.executor = executor;
    }

    /** Queues {@code work} behind the key's current work, or starts it at once. */
    void submit(String key, Runnable work) {
        boolean start;
        synchronized (this) {
            ArrayDeque<Runnable> lane = lanes.get(key);
            if (lane == null) {
                lanes.put(key, new ArrayDeque<>());
                start = true;
            } else {
                lane.addLast(work);
                start = false;
            }
        }
        if (start) {
            executor.execute(work);
        }
    }

    /** The key's current work is finished: start the next one, if any. */
    void done(String key) {
        Runnable next;
        synchronized (this) {
            ArrayDeque<Runnable> lane = lanes.get(key);
            if (lane == null) {
                return;
            }
            next = lane.pollFirst();
            if (next == null) {
                lanes.remove(key);
            }
        }
        if (next != null) {
            executor.execute(next);
        }
    }

    synchronized int busyKeys() {
        return lanes.size();
    }
}
