package dev.daskrelay.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A program of the suite run as a child process (the daskrelay jar's {@code translator} and {@code watcher},
 * {@code cluster.sh}, {@code kubectl}), its output in a log file. {@link #close()} stops it with SIGTERM (the
 * services' graceful shutdown), {@link #kill()} with SIGKILL (a crash).
 */
final class ChildProcess implements AutoCloseable {

    private final String name;
    private final Process process;
    private final Path log;

    private ChildProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    static ChildProcess start(String name, List<String> command, Path log) {
        try {
            Files.createDirectories(log.getParent());
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            return new ChildProcess(name, p, log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + command, e);
        }
    }

    /** The java command line for the daskrelay jar with {@code args}. */
    static List<String> daskrelay(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms64m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar", jar().toString()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    static Path jar() {
        Path jar = Path.of(System.getProperty("daskrelay.jar", "../local/target/daskrelay.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build it with ./mvnw -pl local -am package");
        }
        return jar;
    }

    /** Runs {@code command} to completion within {@code timeout}; its output, or an error naming the log. */
    static String run(String name, List<String> command, Path log, Duration timeout) {
        try (ChildProcess p = start(name, command, log)) {
            int rc = p.waitFor(timeout);
            String out = Files.readString(log);
            if (rc != 0) {
                throw new IllegalStateException(name + " exited with " + rc + " (" + command + "):\n" + tail(out, 40));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int waitFor(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                kill();
                throw new IllegalStateException(name + " did not finish within " + timeout + " (log " + log + ")");
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for " + name, e);
        }
    }

    boolean alive() {
        return process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    Path log() {
        return log;
    }

    /** SIGKILL, and wait until the process is gone. */
    void kill() {
        process.destroyForcibly();
        awaitExit(Duration.ofSeconds(30));
    }

    /** SIGTERM, then SIGKILL after 30 s. */
    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                kill();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
        }
    }

    private void awaitExit(Duration timeout) {
        try {
            process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static String tail(String text, int lines) {
        String[] all = text.split("\n");
        return String.join("\n", Arrays.copyOfRange(all, Math.max(0, all.length - lines), all.length));
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ", log " + log + ")";
    }
}
