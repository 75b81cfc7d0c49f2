package dev.daskrelay.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The width of the terminal {@code daskrelay local} draws on: {@code COLUMNS} when the shell exports it, else what
 * {@code stty size} says about the controlling terminal, else 80 (the width to assume, not a wider one: a frame
 * too wide for the terminal wraps and garbles the view).
 */
final class TerminalWidth {

    static final int DEFAULT = 80;

    private TerminalWidth() {
    }

    static int detect() {
        Integer fromEnv = parse(System.getenv("COLUMNS"));
        if (fromEnv != null) {
            return fromEnv;
        }
        Integer fromStty = stty();
        return fromStty != null ? fromStty : DEFAULT;
    }

    static Integer parse(String columns) {
        if (columns == null) {
            return null;
        }
        try {
            int c = Integer.parseInt(columns.trim());
            return c > 0 ? c : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** {@code stty size < /dev/tty}: "rows columns"; null where there is no such tool or terminal. */
    private static Integer stty() {
        try {
            Process p = new ProcessBuilder("sh", "-c", "stty size < /dev/tty").redirectErrorStream(true).start();
            if (!p.waitFor(2, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            String[] parts = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim().split("\\s+");
            return p.exitValue() == 0 && parts.length == 2 ? parse(parts[1]) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
