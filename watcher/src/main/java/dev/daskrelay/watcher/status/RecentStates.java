package dev.daskrelay.watcher.status;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The task states one status processor last wrote to (or read from) its store, as objects, so that the next
 * observation of a task does not read and parse the JSON value it has just written: a bounded map, least recently
 * used out first.
 *
 * <p>It is a copy of the store's newest values, never a source of its own: the processor puts a state here only
 * after the store took it, removes a task before writing it (a write that fails leaves no stale copy) and when the
 * store forgets it, and starts empty whenever Kafka Streams (re)initialises the processor, which it does after
 * restoring the store (a new assignment, a task closed dirty after an aborted transaction and revived). Nothing else
 * writes the store of a running task, so a task found here has the value the store holds.
 *
 * <p>{@link TaskState} is immutable, so a state is shared, not copied. A miss costs what every read cost before: the
 * store read and the JSON parse. The bound ({@link #DEFAULT_CAPACITY} per processor, i.e. per input partition) keeps
 * the memory small; tasks beyond it are read from the store as before.
 */
final class RecentStates {

    /** Tasks kept per processor: a few MiB of heap per input partition (a long-lived task's state is 1-3 KiB). */
    static final int DEFAULT_CAPACITY = 2048;

    private final Map<String, TaskState> states;

    RecentStates(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity: at least 1 (was " + capacity + ")");
        }
        this.states = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, TaskState> eldest) {
                return size() > capacity;
            }
        };
    }

    /** The task's state as last written or read here, or null (then read the store). */
    TaskState get(String taskId) {
        return states.get(taskId);
    }

    /** The store now holds {@code state} for the task. */
    void stored(String taskId, TaskState state) {
        states.put(taskId, state);
    }

    /** The store's value for the task is about to change or is gone: read it from the store next time. */
    void forget(String taskId) {
        states.remove(taskId);
    }

    /** Forget everything (the processor is (re)initialised). */
    void clear() {
        states.clear();
    }

    int size() {
        return states.size();
    }
}
