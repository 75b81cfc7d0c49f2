package dev.daskrelay.schemas.task;

import java.util.Objects;

/**
 * One thing wrong with a task: the field path in task-file spelling ({@code dask.workers.numberOfWorkers},
 * {@code labels["team"]}, {@code args[3]}) and a message that ends with the offending value where there is one,
 * e.g. {@code must be >= 1 (was 0)}.
 *
 * @param path field path; {@code (file)} for problems of the document as a whole
 * @param message what is wrong
 */
public record Problem(String path, String message) implements Comparable<Problem> {

    /** Path used for problems of the whole document (not YAML, not a mapping, too large). */
    public static final String DOCUMENT = "(file)";

    public Problem {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(message, "message");
    }

    /** The line printed for users: {@code path: message}. */
    @Override
    public String toString() {
        return path + ": " + message;
    }

    @Override
    public int compareTo(Problem o) {
        int c = path.compareTo(o.path);
        return c != 0 ? c : message.compareTo(o.message);
    }
}
