package dev.daskrelay.chaos.hostile;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * One hostile record for the commands topic and where it must end.
 *
 * @param kind    what is wrong with it ({@code garbage}, {@code wrong-magic}, {@code invalid:namespace}, …)
 * @param key     the record key; null = no key
 * @param value   the record value; null = a tombstone
 * @param expect  where it must end
 * @param taskId  for {@link Expect#REJECTED}: the task whose status must be FAILED
 * @param paths   for {@link Expect#REJECTED}: texts the FAILED status's message must contain (the field paths)
 */
public record HostileRecord(String kind, byte[] key, byte[] value, Expect expect, String taskId, List<String> paths) {

    /** Where a hostile record must end. */
    public enum Expect {
        /** On {@code <prefix>.dead-letters} with the original bytes and error headers. */
        DEAD_LETTER,
        /** Decoded, and its task FAILED ({@code BadTaskSpecification}) with every problem named. */
        REJECTED,
        /** Never on the topic: the producer or broker refuses it (larger than the broker accepts). */
        REFUSED
    }

    public HostileRecord {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(expect, "expect");
        paths = paths == null ? List.of() : List.copyOf(paths);
        if (expect == Expect.REJECTED && taskId == null) {
            throw new IllegalArgumentException("a rejected record names its task");
        }
    }

    /** The key as text (UTF-8), or null. */
    public String keyText() {
        return key == null ? null : new String(key, StandardCharsets.UTF_8);
    }

    /** The kind's family: the part before {@code :}. */
    public String family() {
        int c = kind.indexOf(':');
        return c < 0 ? kind : kind.substring(0, c);
    }

    @Override
    public String toString() {
        return kind + " (" + expect + (taskId == null ? "" : ", task " + taskId) + ", "
                + (value == null ? "no value" : value.length + " bytes") + ")";
    }
}
