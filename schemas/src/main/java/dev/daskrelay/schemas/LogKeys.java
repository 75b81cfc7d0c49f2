package dev.daskrelay.schemas;

/**
 * The SLF4J MDC keys daskrelay's services log with. Set them for the span of one task's work with
 * {@code try (var ignored = MDC.putCloseable(LogKeys.TASK_ID, taskId)) { ... }}, so that every line logged
 * meanwhile, by daskrelay or a library, carries the task id and nothing leaks to the next task on the thread.
 */
public final class LogKeys {

    private LogKeys() {
    }

    /** The task id (the key of every topic) of the work being logged. */
    public static final String TASK_ID = "taskId";
}
