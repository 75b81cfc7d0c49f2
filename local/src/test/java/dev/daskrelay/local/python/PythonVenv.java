package dev.daskrelay.local.python;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Python virtual environment with an example's requirements installed from PyPI, cached under
 * {@code ~/.cache/daskrelay/venv-<hash of requirements.txt>} and reused while the requirements stay the same.
 * Fails with a clear message when {@code python3} (with its {@code venv} module) is missing: tests that need it never
 * skip silently.
 */
public final class PythonVenv {

    private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(10);

    private final Path dir;

    private PythonVenv(Path dir) {
        this.dir = dir;
    }

    /** The venv for {@code requirements}, created (python3 -m venv, pip install -r) if not cached yet. */
    public static synchronized PythonVenv forRequirements(Path requirements) throws IOException, InterruptedException {
        byte[] text = Files.readAllBytes(requirements);
        Path cache = Path.of(System.getProperty("user.home"), ".cache", "daskrelay");
        Path dir = cache.resolve("venv-" + sha256(text).substring(0, 16));
        Path ready = dir.resolve(".daskrelay-ready");
        if (Files.isRegularFile(ready)) {
            return new PythonVenv(dir);
        }
        String python = findPython();
        Files.createDirectories(cache);
        Path building = Files.createTempDirectory(cache, "venv-building-");
        run(List.of(python, "-m", "venv", building.toString()), null, "python3 -m venv (on Debian: apt-get install "
                + "python3-venv)");
        run(List.of(building.resolve("bin/python").toString(), "-m", "pip", "install", "--quiet",
                "--disable-pip-version-check", "-r", requirements.toString()), null,
                "pip install -r " + requirements + " (needs PyPI)");
        Files.writeString(building.resolve(".daskrelay-ready"), new String(text, StandardCharsets.UTF_8));
        try {
            Files.move(building, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            if (!Files.isRegularFile(ready)) { // not another build winning the race
                throw e;
            }
        }
        // a venv's scripts name their own directory; moved, the interpreter still works (bin/python is used)
        return new PythonVenv(dir);
    }

    /** bin/python of the venv. */
    public Path python() {
        return dir.resolve("bin").resolve("python");
    }

    private static String findPython() throws IOException, InterruptedException {
        for (String candidate : List.of("python3", "/usr/bin/python3")) {
            try {
                Process p = new ProcessBuilder(candidate, "-c", "import venv, ensurepip").redirectErrorStream(true)
                        .start();
                if (p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return candidate;
                }
            } catch (IOException e) {
                // not on this path; try the next
            }
        }
        throw new IllegalStateException("this test needs python3 with its venv module (Debian: apt-get install "
                + "python3 python3-venv); none found on PATH or at /usr/bin/python3");
    }

    private static void run(List<String> command, Path workDir, String what) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true);
        if (workDir != null) {
            pb.directory(workDir.toFile());
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(INSTALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(what + ": no result within " + INSTALL_TIMEOUT);
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException(what + " failed with exit code " + p.exitValue() + ":\n" + out);
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
