package dev.daskrelay.schemas.task;

/**
 * Size bounds of a task (docs/TASK-FILES.md lists them for users). They keep one command well inside Kafka's
 * default 1 MiB record limit and every rendered object inside what the Kubernetes API server accepts.
 * String sizes are counted in UTF-8 bytes.
 */
public final class TaskBounds {

    /** Execution project, domain, name and node id: at most this many characters each. */
    public static final int IDENTITY_PART_MAX = 63;
    public static final int COMMAND_ID_MAX = 128;
    public static final int ISSUED_BY_MAX = 256;
    public static final int IMAGE_MAX = 512;
    public static final int COMMAND_ENTRIES_MAX = 64;
    public static final int ARGS_ENTRIES_MAX = 256;
    /** Each entry of {@code command} and {@code args}. */
    public static final int ARG_MAX_BYTES = 16 * 1024;
    public static final int ENV_ENTRIES_MAX = 128;
    public static final int ENV_VALUE_MAX_BYTES = 32 * 1024;
    public static final int LABELS_MAX = 64;
    public static final int ANNOTATIONS_MAX = 64;
    public static final int ABORT_REASON_MAX_BYTES = 4 * 1024;
    /** The whole command, Avro binary encoded (what goes on the topic, without the 5-byte wire header). */
    public static final int COMMAND_MAX_BYTES = 512 * 1024;
    /** A task file read from disk or a request body. */
    public static final int TASK_FILE_MAX_BYTES = 1024 * 1024;

    private TaskBounds() {
    }
}
