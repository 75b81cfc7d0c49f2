package dev.daskrelay.watcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class WatcherCommandTest {

    @TempDir
    Path dir;

    private int run(StringWriter err, String... args) {
        CommandLine cli = new CommandLine(new WatcherCommand());
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void badWatcherSettingIsExitTwoNamingTheKey() throws Exception {
        Path cfg = Files.writeString(dir.resolve("daskrelay.yaml"), "watcher:\n  retainFinished: forever\n");
        StringWriter err = new StringWriter();
        assertEquals(2, run(err, "--config", cfg.toString()));
        assertTrue(err.toString().contains("watcher.retainFinished"), err.toString());
    }

    @Test
    void misspeltKeyIsExitTwo() throws Exception {
        Path cfg = Files.writeString(dir.resolve("daskrelay.yaml"), "watcher:\n  leaseNmae: x\n");
        StringWriter err = new StringWriter();
        assertEquals(2, run(err, "--config", cfg.toString()));
        assertTrue(err.toString().contains("watcher.leaseNmae: unknown key"), err.toString());
    }

    @Test
    void missingFileIsExitTwo() {
        StringWriter err = new StringWriter();
        assertEquals(2, run(err, "--config", dir.resolve("nope.yaml").toString()));
        assertTrue(err.toString().contains("nope.yaml"), err.toString());
    }
}
