package dev.daskrelay.local;

import dev.daskrelay.avro.v1.LaunchDaskJob;
import dev.daskrelay.avro.v1.TaskCommand;
import dev.daskrelay.avro.v1.TaskPhase;
import dev.daskrelay.schemas.config.PlatformConfig;
import dev.daskrelay.schemas.task.InvalidTaskException;
import dev.daskrelay.schemas.task.Problem;
import dev.daskrelay.schemas.task.TaskFile;
import dev.daskrelay.schemas.task.TaskValidator;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The tasks {@code daskrelay local} submits: the given task files, or the bundled examples, read, parsed, validated
 * against the platform section and given their expected end ({@link ExpectedEnd}). Every problem of every file is
 * collected, as {@code source: path: message} lines; a task is kept only when its file has none.
 */
final class LocalTasks {

    /** The bundled examples run when no task file is given (resources under /examples/). */
    static final List<String> BUNDLED_EXAMPLES = List.of("success", "failure", "interruptible");

    private LocalTasks() {
    }

    /** A task file's text and what to call it in messages (its path, or "bundled example NAME"). */
    record TaskSource(String name, String text) {
    }

    /** A task to submit. */
    record LocalTask(String source, TaskCommand command, TaskPhase expected) {
    }

    /** What loading found: the tasks to submit, and every problem (nothing is submitted when there is one). */
    record Loaded(List<LocalTask> tasks, List<String> problems) {
        Loaded {
            tasks = List.copyOf(tasks);
            problems = List.copyOf(problems);
        }
    }

    /** Reads the task files (the bundled examples when there are none) and loads them. */
    static Loaded load(PlatformConfig platform, List<Path> files, Clock clock) {
        List<String> problems = new ArrayList<>();
        List<TaskSource> sources = files.isEmpty() ? bundledSources() : read(files, problems);
        Loaded loaded = parse(platform, sources, clock);
        problems.addAll(loaded.problems());
        return new Loaded(loaded.tasks(), problems);
    }

    /** Parses and validates every source; pure apart from the clock the task file parser stamps. */
    static Loaded parse(PlatformConfig platform, List<TaskSource> sources, Clock clock) {
        List<LocalTask> tasks = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        Set<String> ids = new LinkedHashSet<>();
        for (TaskSource src : sources) {
            TaskFile.Parsed parsed = TaskFile.parse(src.text(), clock);
            Set<String> lines = new LinkedHashSet<>();
            TaskCommand command = parsed.command();
            List<Problem> found = command == null ? parsed.problems()
                    : Problem.inStages(parsed.problems(), TaskValidator.validate(command, platform).problems());
            found.forEach(p -> lines.add(src.name() + ": " + p)); // each path once, as render and submit print it
            TaskPhase expected = null;
            if (command != null) {
                if (command.getPayload() instanceof LaunchDaskJob launch) {
                    try {
                        expected = ExpectedEnd.of(launch.getAnnotations());
                        ExpectedEnd.checkScenario(launch.getAnnotations());
                    } catch (IllegalArgumentException e) {
                        lines.add(src.name() + ": " + e.getMessage());
                    }
                } else {
                    lines.add(src.name() + ": " + new Problem(Problem.DOCUMENT, "not a launch"));
                }
                if (!ids.add(command.getTaskId())) {
                    lines.add(src.name() + ": taskId: " + command.getTaskId() + " is submitted twice in this run");
                }
            }
            problems.addAll(lines);
            if (lines.isEmpty() && command != null) {
                tasks.add(new LocalTask(src.name(), command, expected));
            }
        }
        return new Loaded(tasks, problems);
    }

    /** The bundled examples as sources. */
    static List<TaskSource> bundledSources() {
        List<TaskSource> sources = new ArrayList<>();
        for (String name : BUNDLED_EXAMPLES) {
            sources.add(new TaskSource("bundled example " + name, bundled(name)));
        }
        return sources;
    }

    /** The text of a bundled example. */
    static String bundled(String name) {
        try (InputStream in = LocalTasks.class.getResourceAsStream("/examples/" + name + ".yaml")) {
            if (in == null) {
                throw new IllegalStateException("bundled example " + name + " missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read bundled example " + name, e);
        }
    }

    private static List<TaskSource> read(List<Path> files, List<String> problems) {
        List<TaskSource> sources = new ArrayList<>();
        for (Path f : files) {
            try {
                sources.add(new TaskSource(f.toString(), TaskFile.readText(f)));
            } catch (InvalidTaskException e) {
                e.problems().forEach(p -> problems.add(f + ": " + p)); // worded as render and submit word it
            }
        }
        return sources;
    }
}
