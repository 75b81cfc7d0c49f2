package dev.daskrelay.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Directories of killed runs are found by their owner process and removed; live and kept ones stay. */
class RunDirectoryTest {

    @TempDir
    Path root;

    private Path runOf(String name, long pid, String start, boolean keep) throws Exception {
        Path d = Files.createDirectories(root.resolve(RunDirectory.PREFIX + pid + "-" + name));
        Files.writeString(d.resolve(RunDirectory.OWNER), pid + " " + start + "\n");
        Files.writeString(Files.createDirectories(d.resolve("daskrelay-local-123/kafka")).resolve("data"), "x");
        Files.writeString(d.resolve("librocksdbjni123.so"), "native library");
        if (keep) {
            Files.writeString(d.resolve(RunDirectory.KEEP), "");
        }
        return d;
    }

    @Test
    void removesRunsWhoseProcessIsGoneAndKeepsLiveKeptAndForeignOnes() throws Exception {
        Process dead = new ProcessBuilder("true").start();
        assertTrue(dead.waitFor(30, TimeUnit.SECONDS));
        Path killed = runOf("killed", dead.pid(), "-", false);
        ProcessHandle me = ProcessHandle.current();
        Path live = runOf("live", me.pid(), String.valueOf(me.info().startInstant().orElseThrow().toEpochMilli()), false);
        Path reused = runOf("reused", me.pid(), "12345", false); // same pid, another start time: the pid was reused
        Path kept = runOf("kept", dead.pid(), "-", true);
        Path foreign = Files.createDirectories(root.resolve(RunDirectory.PREFIX + "without-owner"));

        List<Path> removed = RunDirectory.removeStale(root);

        assertEquals(List.of(killed, reused).stream().sorted().toList(), removed.stream().sorted().toList());
        assertFalse(Files.exists(killed));
        assertFalse(Files.exists(reused));
        assertTrue(Files.exists(live) && Files.exists(kept) && Files.exists(foreign));
    }
}
