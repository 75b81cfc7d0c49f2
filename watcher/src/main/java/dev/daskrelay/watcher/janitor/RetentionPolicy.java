package dev.daskrelay.watcher.janitor;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import dev.daskrelay.schemas.task.DurationText;
import dev.daskrelay.watcher.status.DaskJobStatus;
import java.io.IOException;
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
@JsonDeserialize(using = RetentionPolicy.FromText.class)
public record RetentionPolicy(Duration retain) {

    public static final Duration DEFAULT_RETAIN = Duration.ofHours(1);
    public static final RetentionPolicy NEVER = new RetentionPolicy(null);
    public static final RetentionPolicy DEFAULT = new RetentionPolicy(DEFAULT_RETAIN);

    public RetentionPolicy {
        if (retain != null && retain.isNegative()) {
            throw new IllegalArgumentException("watcher.retainFinished: must be 0 or more, or -1 for never");
        }
    }

    /**
     * The policy as written in {@code watcher.retainFinished}: a duration ({@code 1h}, {@code 0} = at once) or
     * {@code -1} = never.
     *
     * @throws IllegalArgumentException saying what is expected, e.g. {@code must be a duration like 90s, 15m, 2h or
     *     1h30m}
     */
    public static RetentionPolicy parse(String text) {
        if (text != null && text.strip().equals("-1")) {
            return NEVER;
        }
        Duration d;
        try {
            d = DurationText.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("must be " + DurationText.EXPECTED);
        }
        if (d.isNegative()) {
            throw new IllegalArgumentException("must be 0 or more, or -1 for never");
        }
        return new RetentionPolicy(d);
    }

    /** Reads {@code watcher.retainFinished} with {@link #parse}: a number or text. */
    static final class FromText extends StdScalarDeserializer<RetentionPolicy> {
        private static final long serialVersionUID = 1L;

        FromText() {
            super(RetentionPolicy.class);
        }

        @Override
        public RetentionPolicy deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (!p.currentToken().isScalarValue()) {
                return (RetentionPolicy) ctxt.handleUnexpectedToken(RetentionPolicy.class, p);
            }
            String text = p.getText();
            try {
                return parse(text);
            } catch (IllegalArgumentException e) {
                return (RetentionPolicy) ctxt.handleWeirdStringValue(RetentionPolicy.class, text, e.getMessage());
            }
        }
    }

    public boolean never() {
        return retain == null;
    }

    /** The end time of a terminal job, or empty when the job is not terminal or the time cannot be read. */
    public static Optional<Instant> finishedAt(String jobStatus, String endTime) {
        if (!DaskJobStatus.of(jobStatus).isTerminal()) {
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
