package dev.daskrelay.ops;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The parts a process owns, closed in reverse order of registration. A part that fails to close is logged and the
 * others are still closed. Used by the process wiring classes: register each part as soon as it is built, so a
 * failure half-way through the wiring closes exactly what was built.
 */
public final class Closer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Closer.class);

    private final String owner;
    private final List<AutoCloseable> parts = new ArrayList<>();

    /** @param owner names the process in log lines */
    public Closer(String owner) {
        this.owner = owner;
    }

    /** Registers {@code part} to be closed (before everything registered earlier); returns it. */
    public synchronized <T extends AutoCloseable> T own(T part) {
        parts.add(part);
        return part;
    }

    /** Closes every registered part, last registered first; each once. */
    @Override
    public void close() {
        List<AutoCloseable> toClose;
        synchronized (this) {
            toClose = new ArrayList<>(parts);
            parts.clear();
        }
        for (int i = toClose.size() - 1; i >= 0; i--) {
            AutoCloseable part = toClose.get(i);
            try {
                part.close();
            } catch (Exception e) {
                LOG.warn("{}: error while stopping {}: {}", owner, part.getClass().getSimpleName(), e.toString());
            }
        }
    }
}
