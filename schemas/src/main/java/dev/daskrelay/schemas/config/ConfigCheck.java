package dev.daskrelay.schemas.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects the problems of a configuration section, each with the key path it is about, so that every problem is
 * reported at once ({@code translator.applier.concurrency: must be 1 or more (was 0)}), in the user's words.
 */
public final class ConfigCheck {

    private final String path;
    private final List<String> problems;

    private ConfigCheck(String path, List<String> problems) {
        this.path = path;
        this.problems = problems;
    }

    /** A check of the section {@code name}. */
    public static ConfigCheck of(String name) {
        return new ConfigCheck(name, new ArrayList<>());
    }

    /** The same check, for the nested key {@code key} (problems go to the same list). */
    public ConfigCheck at(String key) {
        return new ConfigCheck(path + "." + key, problems);
    }

    /** Records a problem of the key {@code key} below this path. */
    public void problem(String key, String message) {
        problems.add(path + "." + key + ": " + message);
    }

    /** Records a problem of this path itself. */
    public void problem(String message) {
        problems.add(path + ": " + message);
    }

    /** {@code key} must be at least {@code min}. */
    public void atLeast(String key, long value, long min) {
        if (value < min) {
            problem(key, "must be " + min + " or more (was " + value + ")");
        }
    }

    /** {@code key} must be a TCP port, or 0 for any free one. */
    public void port(String key, int value) {
        if (value < 0 || value > 65535) {
            problem(key, "must be a port number 0..65535 (was " + value + ")");
        }
    }

    /** The problems so far, in the order found. */
    public List<String> problems() {
        return List.copyOf(problems);
    }
}
