package dev.daskrelay.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Where the suite's files are: the repository, and a work directory for logs, configs and the cluster's state. */
final class E2eFiles {

    private E2eFiles() {
    }

    static Path repo() {
        return Path.of(System.getProperty("daskrelay.repo", "..")).toAbsolutePath().normalize();
    }

    static Path workDir() {
        Path dir = Path.of(System.getProperty("e2e.workDir", "target/e2e")).toAbsolutePath().normalize();
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * {@code dir} emptied (created when missing): a run never starts on a previous run's Kafka Streams state, logs
     * or configs (the broker is new every run, so old state would only be corrupt state).
     */
    static Path fresh(Path dir) {
        try {
            if (Files.exists(dir)) {
                try (Stream<Path> paths = Files.walk(dir)) {
                    for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                        Files.delete(p);
                    }
                }
            }
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot empty " + dir, e);
        }
    }

    static String resource(String name) {
        try (var in = E2eFiles.class.getResourceAsStream("/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
