package dev.daskrelay.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code daskrelay render} is reachable through the single entry point, with its exit codes. */
class RenderSubcommandTest {

    @TempDir
    Path dir;

    @Test
    void rendersABundledExampleAndRefusesAnInvalidFile() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = DaskRelayCli.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        Path example = dir.resolve("success.yaml");
        try (var in = DaskRelayCli.class.getResourceAsStream("/examples/success.yaml")) {
            Files.write(example, in.readAllBytes());
        }
        assertEquals(0, cli.execute("render", example.toString()), err::toString);
        assertTrue(out.toString().startsWith("apiVersion: kubernetes.dask.org/v1\nkind: DaskJob\n"), out::toString);

        Path bad = Files.writeString(dir.resolve("bad.yaml"), "execution: {project: p, domain: d, name: n, nodeId: n0}\n"
                + "image: ghcr.io/example/app:1\ndask: {workers: {numberOfWorkers: 0}}\n");
        assertEquals(2, cli.execute("render", bad.toString()));
        assertTrue(err.toString().contains("dask.workers.numberOfWorkers: must be >= 1 (was 0)"), err::toString);
        assertEquals(2, cli.execute("render", bad.toString(), "-o", "xml"), "bad usage");
    }
}
