package dev.daskrelay.schemas;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which intents above a committed offset were already applied, as the applier writes it into the commit's metadata
 * and reads it back when it is assigned the partition: every offset in {@code [committed, doneBelow)} is finished
 * except the committed offset itself and the {@code open} ones. Format {@code a1:<doneBelow>:<open,...>} in base 36
 * relative to the committed offset; longer than {@link #MAX_LENGTH} (the broker's default
 * {@code offset.metadata.max.bytes} is 4096) it is left out and the intents after the committed offset are applied
 * again, as without it.
 *
 * <p>The translator's applier writes and reads it; the watcher's janitor reads it too, to delete a finished DaskJob only
 * once the intent that created it can no longer be applied again ({@link #applied}).
 *
 * @param committed the committed offset (the lowest unfinished intent when this was written)
 * @param doneBelow one past the highest offset handed out when this was written
 * @param open unfinished offsets above {@code committed}
 */
public record FinishedAbove(long committed, long doneBelow, Set<Long> open) {

    public static final int MAX_LENGTH = 3_800;
    private static final String PREFIX = "a1:";

    /** Nothing known: every offset from the committed one on is applied. */
    public static FinishedAbove none(long committed) {
        return new FinishedAbove(committed, committed, Set.of());
    }

    /**
     * True when the intent at {@code offset} is done for good: below the committed offset, or finished above it.
     */
    public boolean applied(long offset) {
        return offset < committed || finished(offset);
    }

    /** True when the intent at {@code offset} was finished by an earlier owner of the partition. */
    public boolean finished(long offset) {
        return offset > committed && offset < doneBelow && !open.contains(offset);
    }

    public static String encode(long committed, long doneBelow, List<Long> open) {
        StringBuilder b = new StringBuilder(PREFIX).append(Long.toString(doneBelow - committed, 36)).append(':');
        for (int i = 0; i < open.size(); i++) {
            if (i > 0) {
                b.append(',');
            }
            b.append(Long.toString(open.get(i) - committed, 36));
            if (b.length() > MAX_LENGTH) {
                return "";
            }
        }
        return b.toString();
    }

    /** What the metadata of a commit at {@code committed} says; {@link #none} for anything else or malformed. */
    public static FinishedAbove decode(long committed, String metadata) {
        if (metadata == null || !metadata.startsWith(PREFIX)) {
            return none(committed);
        }
        try {
            String[] parts = metadata.substring(PREFIX.length()).split(":", -1);
            if (parts.length != 2) {
                return none(committed);
            }
            long doneBelow = committed + Long.parseLong(parts[0], 36);
            Set<Long> open = new TreeSet<>();
            if (!parts[1].isEmpty()) {
                for (String o : parts[1].split(",")) {
                    open.add(committed + Long.parseLong(o, 36));
                }
            }
            return doneBelow > committed ? new FinishedAbove(committed, doneBelow, open) : none(committed);
        } catch (NumberFormatException e) {
            return none(committed);
        }
    }
}
