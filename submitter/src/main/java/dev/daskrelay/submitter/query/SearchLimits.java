package dev.daskrelay.submitter.query;

import java.time.Duration;

/**
 * Bounds of a backwards search over one partition (docs/STATUS-QUERIES.md).
 *
 * @param initialWindow records read in the first window before the end; each further window doubles
 * @param maxRecords the search gives up after reading this many records of the partition
 * @param maxAge records older than this (by record timestamp) are not searched
 * @param timeout wall-clock bound of one search (metadata, offsets and fetches together)
 */
public record SearchLimits(int initialWindow, long maxRecords, Duration maxAge, Duration timeout) {

    public static final SearchLimits DEFAULT = new SearchLimits(64, 2_000_000, Duration.ofDays(30), Duration.ofSeconds(30));

    public SearchLimits {
        if (initialWindow < 1) {
            throw new IllegalArgumentException("initialWindow must be >= 1 (was " + initialWindow + ")");
        }
        if (maxRecords < 1) {
            throw new IllegalArgumentException("maxRecords must be >= 1 (was " + maxRecords + ")");
        }
    }
}
