package dev.daskrelay.schemas.task;

import java.util.List;
import java.util.stream.Stream;

/**
 * Every problem found in a task (empty when the task is valid), in the order they were found.
 *
 * @param problems the problems, never null
 */
public record ValidationResult(List<Problem> problems) {

    public static final ValidationResult VALID = new ValidationResult(List.of());

    public ValidationResult {
        problems = List.copyOf(problems);
    }

    public boolean isValid() {
        return problems.isEmpty();
    }

    /** One line per problem, {@code path: message}, as the CLI prints them. */
    public List<String> lines() {
        return problems.stream().map(Problem::toString).toList();
    }

    /** Throws {@link InvalidTaskException} carrying all problems unless the task is valid. */
    public void throwIfInvalid() {
        if (!isValid()) {
            throw new InvalidTaskException(problems);
        }
    }

    /** This result followed by another one's problems. */
    public ValidationResult and(ValidationResult other) {
        if (other.isValid()) {
            return this;
        }
        if (isValid()) {
            return other;
        }
        return new ValidationResult(Stream.concat(problems.stream(), other.problems.stream()).toList());
    }
}
