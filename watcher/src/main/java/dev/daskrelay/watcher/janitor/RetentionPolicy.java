package dev.daskrelay.watcher.janitor;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * When a finished DaskJob may be deleted. Pure.
 *
 * <p>A DaskJob is finished when the operator wrote {@code status.jobStatus} {@code Successful} or {@code Failed}
 * and an {@code endTime} (docs/DASK-OPERATOR.md §4.2: nothing changes status afterwards). It expires
 * once {@code now - endTime >= retain}. Nothing else ever expires: a job that is not terminal, has no readable
 * {@code endTime}, or is already being deleted is kept. Timeouts of running jobs are the status topology's
 * business (DELETE intents through the applier), never the janitor's.
 *
 * @param retain how long finished jobs stay; {@link Duration#ZERO} = delete at once; null = never delete
 */
public record RetentionPolicy(Duration retain) {

    public static final Duration DEFAULT_RETAIN = Duration.ofHours(1);
    public static final RetentionPolicy NEVER = new RetentionPolicy(null);

    public RetentionPolicy {
        if (retain != null && retain.isNegative()) {
            throw new IllegalArgumentException("watcher.retainFinished: must be 0 or more, or -1 for never");
        }
    }

    public boolean never() {
        return retain == null;
    }

    /** The end time of a terminal job, or empty when the job is not terminal or the time cannot be read. */
    public static Optional<Instant> finishedAt(String jobStatus, String endTime) {
        if (!"Successful".equals(jobStatus) && !"Failed".equals(jobStatus)) {
            return Optional.empty();
        }
        if (endTime == null || endTime.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.parse(endTime));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** True when a job with this status, end time and deletion state should be deleted at {@code now}. */
    public boolean expired(String jobStatus, String endTime, boolean deleting, Instant now) {
        if (never() || deleting) {
            return false;
        }
        return finishedAt(jobStatus, endTime)
                .map(end -> !now.isBefore(end.plus(retain)))
                .orElse(false);
    }
}
