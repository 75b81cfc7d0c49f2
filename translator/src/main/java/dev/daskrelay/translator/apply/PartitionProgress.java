package dev.daskrelay.translator.apply;

import dev.daskrelay.schemas.FinishedAbove;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The offsets of one partition that were handed out but are not finished yet. The committable offset is the
 * lowest unfinished one (or one past the highest seen), so a commit never skips an unfinished record.
 *
 * <p>A commit also carries, in its metadata ({@link FinishedAbove}), which intents above the committed offset are
 * finished already: one slow intent (retries of a stuck create) holds the committed offset back while hundreds after
 * it are applied, and an applier that takes the partition over must not apply those again — a create applied again
 * after its task's delete would start the task's DaskJob a second time.
 */
final class PartitionProgress {

    private final TreeSet<Long> unfinished = new TreeSet<>();
    private long nextAfterSeen = -1;
    private long highestFinished = -1;
    private long committed = -1;
    private String committedMetadata = "";

    void started(long offset) {
        unfinished.add(offset);
        nextAfterSeen = Math.max(nextAfterSeen, offset + 1);
    }

    void finished(long offset) {
        if (unfinished.remove(offset)) {
            highestFinished = Math.max(highestFinished, offset);
        }
    }

    int unfinished() {
        return unfinished.size();
    }

    /** The offset to commit if it or what it says about the intents above it changed since the last commit. */
    long toCommit() {
        long c = unfinished.isEmpty() ? nextAfterSeen : unfinished.first();
        if (c < 0) {
            return -1;
        }
        return c > committed || !metadata().equals(committedMetadata) ? Math.max(c, committed) : -1;
    }

    /**
     * The commit metadata for {@link #toCommit()}: which intents above it are finished ("" when none is). Changes only
     * when an intent finishes, never when one is handed out.
     */
    String metadata() {
        if (unfinished.isEmpty() || highestFinished < unfinished.first()) {
            return "";
        }
        long low = unfinished.first();
        List<Long> open = new ArrayList<>(unfinished.subSet(low, false, highestFinished, false));
        return FinishedAbove.encode(low, highestFinished + 1, open);
    }

    void committed(long offset, String metadata) {
        committed = Math.max(committed, offset);
        committedMetadata = metadata == null ? "" : metadata;
    }
}
