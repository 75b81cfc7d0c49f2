package dev.daskrelay.schemas.task;

import java.util.List;

/**
 * A task that cannot be launched, with every problem found. The message has one line per problem
 * ({@code path: message}), as the CLI prints them before exiting with status 2.
 */
public final class InvalidTaskException extends IllegalArgumentException {

    private final transient List<Problem> problems;

    public InvalidTaskException(List<Problem> problems) {
        super(message(problems));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("an invalid task has at least one problem");
        }
        this.problems = List.copyOf(problems);
    }

    public List<Problem> problems() {
        return problems;
    }

    private static String message(List<Problem> problems) {
        StringBuilder sb = new StringBuilder();
        for (Problem p : problems) {
            if (sb.length() > 0) {
                sb.append('\n');
            }
            sb.append(p);
        }
        return sb.toString();
    }
}
