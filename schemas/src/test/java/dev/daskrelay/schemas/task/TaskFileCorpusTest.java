package dev.daskrelay.schemas.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.daskrelay.avro.v1.TaskCommand;
import dev.daskrelay.schemas.config.DaskRelayConfig;
import dev.daskrelay.schemas.config.PlatformConfig;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The task-file corpus under {@code src/test/resources/taskfiles}: every file in {@code invalid/} yields exactly
 * the problem lines of its {@code .expected} sidecar (one {@code path: message} per line, {@code #} comments
 * allowed), every file in {@code valid/} loads without a problem and survives a round trip. All are validated
 * against {@code taskfiles/platform.yaml}.
 */
class TaskFileCorpusTest {

    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-27T12:00:00Z"), ZoneOffset.UTC);

    static Path corpus(String dir) {
        try {
            return Path.of(TaskFileCorpusTest.class.getResource("/taskfiles/" + dir).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static PlatformConfig platform() {
        return DaskRelayConfig.load(corpus("platform.yaml")).platform();
    }

    static Stream<Path> invalidFiles() throws IOException {
        return taskFiles(corpus("invalid"));
    }

    static Stream<Path> validFiles() throws IOException {
        return taskFiles(corpus("valid"));
    }

    private static Stream<Path> taskFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".json"))
                    .sorted().toList().stream();
        }
    }

    /** What `daskrelay submit` would print: structural problems, then validation problems. */
    static List<String> problemLines(String text, PlatformConfig platform) {
        TaskFile.Parsed parsed = TaskFile.parse(text, CLOCK, () -> "cmd-1");
        List<String> lines = new ArrayList<>();
        parsed.problems().forEach(p -> lines.add(p.toString()));
        if (parsed.command() != null) {
            lines.addAll(TaskValidator.validate(parsed.command(), platform).lines());
        }
        return lines;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidFiles")
    void invalidFileYieldsExactlyItsExpectedProblems(Path file) throws IOException {
        Path expectedFile = file.resolveSibling(file.getFileName() + ".expected");
        assertTrue(Files.exists(expectedFile), "missing " + expectedFile.getFileName());
        List<String> expected = Files.readAllLines(expectedFile).stream()
                .filter(l -> !l.isBlank() && !l.startsWith("#")).sorted().toList();
        List<String> actual = problemLines(Files.readString(file), platform()).stream().sorted().toList();
        assertEquals(String.join("\n", expected), String.join("\n", actual), file.getFileName().toString());
        assertTrue(!expected.isEmpty(), "an invalid file must have at least one expected problem");
    }

    @Test
    void theInvalidCorpusHasAtLeastThirtyFilesEachWithItsExpectations() throws IOException {
        List<Path> files = invalidFiles().toList();
        assertTrue(files.size() >= 30, "only " + files.size() + " invalid task files");
        try (Stream<Path> all = Files.list(corpus("invalid"))) {
            for (Path expected : all.filter(p -> p.toString().endsWith(".expected")).toList()) {
                Path input = expected.resolveSibling(expected.getFileName().toString().replaceFirst("\\.expected$", ""));
                assertTrue(Files.exists(input), expected.getFileName() + " has no task file");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validFiles")
    void validFileLoadsAndRoundTrips(Path file) throws IOException {
        String text = Files.readString(file);
        assertEquals(List.of(), problemLines(text, platform()), file.getFileName().toString());
        TaskCommand command = TaskFile.load(text, platform(), CLOCK);
        assertNotNull(command);
        for (TaskFile.Format format : TaskFile.Format.values()) {
            String written = TaskFile.write(command, format);
            TaskFile.Parsed again = TaskFile.parse(written, CLOCK, () -> "unused");
            assertEquals(List.of(), again.problems(), written);
            assertEquals(command, again.command(), format + ":\n" + written);
            assertEquals(written, TaskFile.write(again.command(), format), "writing is deterministic");
        }
    }
}
