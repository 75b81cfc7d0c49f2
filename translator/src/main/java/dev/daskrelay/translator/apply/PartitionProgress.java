package dev.daskrelay.translator.apply;

import java.util.TreeSet;

/**
 * The offsets of one partition that were handed out but are not finished yet. The committable offset is the
 * lowest unfinished one (or one past the highest seen), so a commit never skips an unfinished record.
 */
final class PartitionProgress {

    private final TreeSet<Long> unfinished = new TreeSet<>();
    private long nextAfterSeen = -1;
    private long committed = -1;

    void started(long offset) {
        unfinished.add(offset);
        nextAfterSeen = Math.max(nextAfterSeen, offset + 1);
    }

    void finished(long offset) {
        unfinished.remove(offset);
    }

    int unfinished() {
        return unfinished.size();
    }

    /** The offset to commit if it moved since the last commit, else -1. */
    long toCommit() {
        long c = unfinished.isEmpty() ? nextAfterSeen : unfinished.first();
        return c > committed ? c : -1;
    }

    void committed(long offset) {
        committed = Math.max(committed, offset);
    }
}
