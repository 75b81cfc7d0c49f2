package dev.daskrelay.schemas.task;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

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

    /**
     * Problems found by successive stages (reading, then validation, then rendering), each path reported by the
     * first stage that finds it wrong: a later problem at a path an earlier stage reported, or below it, is the
     * same mistake seen again ({@code timeout: must be > 0} from the validator and the renderer, "required" after a
     * value the reading refused) and is left out. Within one stage every problem is kept.
     */
    @SafeVarargs
    public static List<Problem> inStages(List<Problem>... stages) {
        List<Problem> out = new ArrayList<>();
        Set<String> reported = new HashSet<>();
        for (List<Problem> stage : stages) {
            List<Problem> kept = new ArrayList<>();
            for (Problem p : stage) {
                if (!coveredBy(p.path, reported) && !out.contains(p) && !kept.contains(p)) {
                    kept.add(p);
                }
            }
            out.addAll(kept);
            kept.forEach(p -> reported.add(p.path));
        }
        return out;
    }

    private static boolean coveredBy(String path, Set<String> reported) {
        for (String r : reported) {
            if (path.equals(r) || path.startsWith(r + ".") || path.startsWith(r + "[")) {
                return true;
            }
        }
        return false;
    }

    @Override
    public int compareTo(Problem o) {
        int c = path.compareTo(o.path);
        return c != 0 ? c : message.compareTo(o.message);
    }
}
