package dev.daskrelay.local;

import dev.daskrelay.embedded.TreeDeletion;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * One directory per {@code daskrelay local} run under the system's temporary directory, holding everything the run
 * writes to temporary storage: the stack's working directory (broker data, Streams state, kubeconfig) and Vert.x's
 * file cache ({@code java.io.tmpdir} and {@code vertx.cacheDirBase} point at it for code that reads them at run
 * time). The one file that cannot be placed there is the native library RocksDB unpacks with
 * {@code File.createTempFile} (the JDK fixes that directory at JVM start): once it is loaded, the run unlinks it
 * ({@link #unlinkLoadedTempLibraries}), which Linux allows for a mapped file, so a killed run leaves no copy behind.
 *
 * <p>A run that ends normally deletes its directory (unless {@code --keep-data} marked it kept). A run killed with
 * {@code kill -9} cannot; the next run finds it by its owner file (the process id and start time of the run) and
 * deletes it when that process is gone ({@link #removeStale}). Directories of live runs and kept ones stay.
 */
final class RunDirectory {

    static final String PREFIX = "daskrelay-local-";
    /** {@code <pid> <process start, epoch ms>}: whose run it is. */
    static final String OWNER = ".owner";
    /** Present when the run's data is to be kept ({@code --keep-data}). */
    static final String KEEP = ".keep";

    private final Path dir;

    private RunDirectory(Path dir) {
        this.dir = dir;
    }

    Path path() {
        return dir;
    }

    /**
     * Creates this run's directory under {@code root} and makes it the JVM's temporary directory (and Vert.x's cache
     * base). Call before anything creates a temporary file.
     */
    static RunDirectory create(Path root, boolean keep) throws IOException {
        ProcessHandle self = ProcessHandle.current();
        Path dir = root.resolve(PREFIX + self.pid() + "-" + UUID.randomUUID().toString().substring(0, 8));
        Files.createDirectories(dir); // not Files.createTempDirectory: that would fix java.io.tmpdir before we set it
        Files.writeString(dir.resolve(OWNER), self.pid() + " " + startMillis(self).map(String::valueOf).orElse("-") + "\n",
                StandardCharsets.UTF_8);
        if (keep) {
            Files.writeString(dir.resolve(KEEP), "kept with --keep-data\n", StandardCharsets.UTF_8);
        }
        System.setProperty("java.io.tmpdir", dir.toString());
        System.setProperty("vertx.cacheDirBase", dir.resolve("vertx-cache").toString());
        return new RunDirectory(dir);
    }

    /** Deletes the directory, unless it is marked kept. */
    void deleteUnlessKept() {
        if (Files.exists(dir.resolve(KEEP))) {
            return;
        }
        try {
            TreeDeletion.delete(dir);
        } catch (IOException e) {
            // the next run removes it as stale
        }
    }

    /**
     * Unlinks the native libraries this process has loaded from {@code tmpRoot} itself (RocksDB's
     * {@code librocksdbjni*.so}, unpacked there with a random name and otherwise deleted only at a normal JVM exit):
     * the mapping stays valid, the file is gone even if the run is killed. Reads {@code /proc/self/maps}; does
     * nothing where there is none.
     *
     * @return the files unlinked
     */
    static List<Path> unlinkLoadedTempLibraries(Path tmpRoot) {
        List<Path> unlinked = new ArrayList<>();
        Path maps = Path.of("/proc/self/maps");
        if (!Files.isReadable(maps)) {
            return unlinked;
        }
        try {
            Path root = tmpRoot.toRealPath(); // the kernel shows mapped files by their real path
            for (String line : Files.readAllLines(maps, StandardCharsets.UTF_8)) {
                int slash = line.indexOf('/');
                if (slash < 0) {
                    continue;
                }
                Path lib = Path.of(line.substring(slash).replace(" (deleted)", "").trim());
                String name = lib.getFileName().toString();
                if (root.equals(lib.getParent()) && name.startsWith("librocksdbjni") && name.endsWith(".so")
                        && !unlinked.contains(lib) && Files.deleteIfExists(lib)) {
                    unlinked.add(lib);
                }
            }
        } catch (IOException e) {
            return unlinked;
        }
        return unlinked;
    }

    /** Directories of earlier runs under {@code root} whose process is gone and that are not kept: deleted, and returned. */
    static List<Path> removeStale(Path root) {
        List<Path> removed = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return removed;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root, PREFIX + "*")) {
            for (Path d : dirs) {
                if (Files.isDirectory(d) && isStale(d)) {
                    try {
                        TreeDeletion.delete(d);
                        removed.add(d);
                    } catch (IOException e) {
                        // not ours to worry about now; tried again next time
                    }
                }
            }
        } catch (IOException e) {
            return removed;
        }
        return removed;
    }

    /** Has an owner file, no keep marker, and its owner process is not running any more. */
    static boolean isStale(Path dir) {
        Path owner = dir.resolve(OWNER);
        if (!Files.isRegularFile(owner) || Files.exists(dir.resolve(KEEP))) {
            return false; // not made by this class, or kept on purpose
        }
        String[] parts;
        try {
            parts = Files.readString(owner, StandardCharsets.UTF_8).trim().split(" ");
        } catch (IOException e) {
            return false;
        }
        long pid;
        try {
            pid = Long.parseLong(parts[0]);
        } catch (NumberFormatException e) {
            return false;
        }
        Optional<ProcessHandle> p = ProcessHandle.of(pid);
        if (p.isEmpty() || !p.get().isAlive()) {
            return true;
        }
        if (parts.length > 1 && parts[1].matches("[0-9]+")) {
            Optional<Long> start = startMillis(p.get());
            return start.isPresent() && start.get() != Long.parseLong(parts[1]); // the pid was reused
        }
        return false;
    }

    private static Optional<Long> startMillis(ProcessHandle p) {
        return p.info().startInstant().map(Instant::toEpochMilli);
    }
}
