package dev.daskrelay.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code daskrelay local} as users run it: the shaded jar in a child JVM, a whole stack per run (so only two runs
 * that start one), on a free broker port (never 19092, where a developer's own local stack may be running).
 */
class LocalCommandIT {

    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(180);
    private static final Pattern EVENT = Pattern.compile("^\\s+\\+\\d+\\.\\ds\\s+#(\\d+)\\s+([A-Z_]+)(.*)$");

    private static final String SUCCESS = "examples-development-hello-dask-n0-0";
    private static final String FAILURE = "examples-development-failing-dask-n0-0";
    private static final String INTERRUPTIBLE = "examples-development-spot-dask-n0-0";

    @TempDir
    Path dir;

    @Test
    void bundledExamplesReachTheirExpectedEnds() throws Exception {
        Run run = run("local", "--fast", "--kafka-port", "0");

        assertEquals(0, run.exitCode(), run::describe);
        assertTrue(run.out().matches("(?s).*\\bready in \\d+\\.\\d s\\b.*"), run::describe);
        assertTrue(run.out().contains("3 of 3 tasks reached their expected end"), run::describe);
        assertFalse(run.err().contains("\tat "), () -> "no stack traces expected\n" + run.describe());

        Map<String, List<Event>> timelines = timelines(run.out());
        assertEquals(List.of(SUCCESS, FAILURE, INTERRUPTIBLE), List.copyOf(timelines.keySet()), run::describe);
        timelines.forEach((task, events) -> assertGapless(task, events, run));

        // QUEUED is always first: from the applier's outcome, or implied by the watcher's first snapshot of the
        // DaskJob when that is folded first (docs/STATUS-MODEL.md)
        assertEquals(List.of("QUEUED", "INITIALIZING", "RUNNING", "SUCCEEDED"), phases(timelines.get(SUCCESS)),
                run::describe);
        assertEquals(List.of("QUEUED", "INITIALIZING", "RUNNING", "SUCCEEDED"), phases(timelines.get(INTERRUPTIBLE)),
                run::describe);

        List<String> failure = phases(timelines.get(FAILURE));
        assertEquals(List.of("QUEUED", "INITIALIZING"), failure.subList(0, 2), run::describe);
        assertEquals("FAILED", failure.get(failure.size() - 1), run::describe);
        Event failed = timelines.get(FAILURE).get(timelines.get(FAILURE).size() - 1);
        assertTrue(failed.detail().contains("USER") && failed.detail().contains("code 1"),
                () -> "a runner exit-code error expected: " + failed + "\n" + run.describe());

        // the workers of the interruptible example all became ready while it ran
        assertTrue(timelines.get(INTERRUPTIBLE).stream().anyMatch(e -> e.detail().contains("workers ready 4/4")),
                run::describe);
    }

    @Test
    void aTaskThatMissesItsExpectedEndMakesTheRunFail() throws Exception {
        Path task = dir.resolve("should-succeed.yaml");
        Files.writeString(task, """
                execution: {project: it, domain: development, name: exits-3, nodeId: n0, retryAttempt: 0}
                image: ghcr.io/example/dask-app:1.4
                args: ["python", "-m", "app.main"]
                annotations:
                  simulator.daskrelay.dev/expect: SUCCEEDED
                  simulator.daskrelay.dev/scenario: runner-exit:3
                  simulator.daskrelay.dev/run-for: 500ms
                dask:
                  workers: {numberOfWorkers: 1}
                """);

        Run run = run("local", "--fast", "--kafka-port", "0", task.toString());

        assertEquals(1, run.exitCode(), run::describe);
        assertTrue(run.out().contains("FAIL it-development-exits-3-n0-0: FAILED, expected SUCCEEDED"), run::describe);
        assertTrue(run.out().contains("0 of 1 tasks reached their expected end"), run::describe);
        List<Event> events = timelines(run.out()).get("it-development-exits-3-n0-0");
        assertTrue(events != null && events.get(events.size() - 1).detail().contains("code 3"), run::describe);
        assertFalse(run.err().contains("\tat "), () -> "no stack traces expected\n" + run.describe());
    }

    @Test
    void invalidTaskFilesStopBeforeAnythingStarts() throws Exception {
        Path good = dir.resolve("good.yaml");
        Files.writeString(good, LocalTasks.bundled("success"));
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, """
                execution: {project: it, domain: development, name: bad, nodeId: n0, retryAttempt: 0}
                image: ghcr.io/example/dask-app:1.4
                dask:
                  workers: {numberOfWorkers: 0}
                """);

        Run run = run("local", "--fast", "--kafka-port", "0", good.toString(), bad.toString());

        assertEquals(2, run.exitCode(), run::describe);
        assertTrue(run.err().lines().anyMatch(l -> l.startsWith(bad + ": dask.workers.numberOfWorkers")),
                run::describe);
        assertTrue(run.err().contains("nothing submitted"), run::describe);
        assertFalse(run.out().contains("ready in"), run::describe);
    }

    @Test
    void aKilledRunsLeftoversAreRemovedByTheNextStartAndSigtermStopsCleanly() throws Exception {
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        // 1. a run killed with kill -9 leaves its directory behind
        Path out1 = dir.resolve("killed.out");
        Process killed = start(tmp, out1, dir.resolve("killed.err"), "local", "--fast", "--kafka-port", "0", "--keep-running");
        awaitOutput(out1, "status events of every task from now on:", killed);
        String printed = Files.readString(out1);
        assertTrue(printed.matches("(?s).*\\n  DASKRELAY_BOOTSTRAP_SERVERS=127\\.0\\.0\\.1:\\d+ bin/daskrelay submit \\S+ --follow\\n.*"),
                () -> "a pasted command finds this stack on its port:\n" + printed);
        killed.destroyForcibly().waitFor(60, TimeUnit.SECONDS);
        List<Path> left = runDirectories(tmp);
        assertEquals(1, left.size(), left::toString);
        assertTrue(size(left.get(0)) > 1_000_000, "broker data, state, RocksDB's library: " + size(left.get(0)));
        assertEquals(List.of(), otherEntries(tmp), "everything of the run is inside its directory");

        // 2. the next start removes it; SIGTERM stops that run with 143, keeping its data as asked
        Path out2 = dir.resolve("next.out");
        Process next = start(tmp, out2, dir.resolve("next.err"), "local", "--fast", "--kafka-port", "0", "--keep-running",
                "--keep-data");
        awaitOutput(out2, "status events of every task from now on:", next);
        assertTrue(Files.readString(out2).contains("removed 1 leftover directory of earlier runs that were killed: "
                + left.get(0)), () -> out2.toString());
        assertFalse(Files.exists(left.get(0)));
        next.destroy(); // SIGTERM
        assertTrue(next.waitFor(120, TimeUnit.SECONDS));
        assertEquals(143, next.exitValue());
        String end = Files.readString(out2);
        Matcher kept = Pattern.compile("daskrelay local: stopped \\(data kept in (\\S+)\\)").matcher(end);
        assertTrue(kept.find(), end);
        assertTrue(Files.isDirectory(Path.of(kept.group(1))), kept.group(1));
        assertEquals(1, runDirectories(tmp).size(), "the kept run stays, and is not removed as a leftover");
    }

    private static List<Path> runDirectories(Path tmp) throws IOException {
        try (var s = Files.list(tmp)) {
            return s.filter(p -> p.getFileName().toString().startsWith(RunDirectory.PREFIX)).toList();
        }
    }

    private static List<Path> otherEntries(Path tmp) throws IOException {
        try (var s = Files.list(tmp)) {
            return s.filter(p -> !p.getFileName().toString().startsWith(RunDirectory.PREFIX)).toList();
        }
    }

    private static long size(Path root) throws IOException {
        try (var s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private static void awaitOutput(Path file, String text, Process p) throws Exception {
        Instant deadline = Instant.now().plus(RUN_TIMEOUT);
        while (!Files.readString(file).contains(text)) {
            if (!p.isAlive()) {
                fail("ended early with " + p.exitValue() + ":\n" + Files.readString(file));
            }
            if (Instant.now().isAfter(deadline)) {
                p.destroyForcibly();
                fail("'" + text + "' not printed within " + RUN_TIMEOUT + ":\n" + Files.readString(file));
            }
            try {
                p.onExit().get(200, TimeUnit.MILLISECONDS);
            } catch (TimeoutException stillRunning) {
                // look at the output again
            }
        }
    }

    private static Process start(Path tmp, Path out, Path err, String... args) throws IOException {
        String jar = System.getProperty("daskrelay.jar", "target/daskrelay.jar");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms256m", "-Xmx1g", "-XX:+UseParallelGC", "-XX:TieredStopAtLevel=1", "-Djava.io.tmpdir=" + tmp,
                "-jar", jar));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().remove("DASKRELAY_BOOTSTRAP_SERVERS");
        pb.environment().remove("DASKRELAY_TOPIC_PREFIX");
        pb.environment().remove("DASKRELAY_SCHEMA_REGISTRY_URL");
        return pb.start();
    }

    // ---------------------------------------------------------------------------------------------------------

    record Run(int exitCode, String out, String err) {
        String describe() {
            return "exit code " + exitCode + "\n--- stdout ---\n" + out + "\n--- stderr (last 4000 chars) ---\n"
                    + (err.length() > 4000 ? err.substring(err.length() - 4000) : err);
        }
    }

    record Event(long sequence, String phase, String detail) {
    }

    private Run run(String... args) throws IOException, InterruptedException {
        String jar = System.getProperty("daskrelay.jar", "target/daskrelay.jar");
        assertTrue(Files.isRegularFile(Path.of(jar)), "the shaded jar must exist (mvn package): " + jar);
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms256m", "-Xmx1g", "-XX:+UseParallelGC", "-XX:TieredStopAtLevel=1", "-jar", jar));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "stdout", ".txt");
        Path err = Files.createTempFile(dir, "stderr", ".txt");
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().remove("DASKRELAY_BOOTSTRAP_SERVERS");
        pb.environment().remove("DASKRELAY_TOPIC_PREFIX");
        pb.environment().remove("DASKRELAY_SCHEMA_REGISTRY_URL");
        Process p = pb.start();
        try {
            if (!p.waitFor(RUN_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
                fail("daskrelay " + String.join(" ", args) + " did not finish within " + RUN_TIMEOUT.toSeconds()
                        + " s\n" + new Run(-1, Files.readString(out), Files.readString(err)).describe());
            }
        } finally {
            if (p.isAlive()) {
                p.destroyForcibly();
            }
        }
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    /** The "timelines:" section of the output: task id line, then one indented line per event. */
    static Map<String, List<Event>> timelines(String out) {
        Map<String, List<Event>> result = new LinkedHashMap<>();
        int start = out.indexOf("\ntimelines:\n");
        if (start < 0) {
            return result;
        }
        List<Event> current = null;
        for (String line : out.substring(start + "\ntimelines:\n".length()).split("\n")) {
            if (line.isBlank()) {
                break;
            }
            Matcher m = EVENT.matcher(line);
            if (m.matches() && current != null) {
                current.add(new Event(Long.parseLong(m.group(1)), m.group(2), m.group(3)));
            } else if (!line.startsWith(" ")) {
                current = new ArrayList<>();
                result.put(line.trim(), current);
            }
        }
        return result;
    }

    /** The phases in order with repeats (version bumps) collapsed. */
    static List<String> phases(List<Event> events) {
        List<String> phases = new ArrayList<>();
        for (Event e : events) {
            if (phases.isEmpty() || !phases.get(phases.size() - 1).equals(e.phase())) {
                phases.add(e.phase());
            }
        }
        return phases;
    }


    private static void assertGapless(String task, List<Event> events, Run run) {
        for (int i = 0; i < events.size(); i++) {
            int expected = i + 1;
            assertEquals(expected, events.get(i).sequence(), () -> task + ": sequence without gaps\n" + run.describe());
        }
    }
}
