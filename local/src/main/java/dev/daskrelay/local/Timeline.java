package dev.daskrelay.local;

import dev.daskrelay.avro.v1.TaskStatus;
import dev.daskrelay.submitter.output.StatusFormat;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** A task's status events as the lines {@code daskrelay local} prints at the end of a run. */
public final class Timeline {

    private Timeline() {
    }

    /**
     * One line per event: time since the first event (as daskrelay decided them, {@code observedAt}: never
     * negative, never out of order), sequence, phase and version, and {@link StatusFormat#detail}.
     *
     * @param events the task's events in sequence order
     */
    public static String render(String taskId, List<TaskStatus> events) {
        StringBuilder sb = new StringBuilder(taskId).append('\n');
        if (events.isEmpty()) {
            return sb.append("  (no status events)\n").toString();
        }
        Instant start = events.get(0).getObservedAt();
        for (TaskStatus e : events) {
            Duration at = Duration.between(start, e.getObservedAt());
            sb.append(String.format("  %7s  #%-2d %-22s %s", seconds(at), e.getSequence(), StatusFormat.phase(e),
                    describe(e)).stripTrailing()).append('\n');
        }
        return sb.toString();
    }

    /** Reason, message and error of an event on one line: {@link StatusFormat#detail}, as every command prints it. */
    public static String describe(TaskStatus e) {
        return StatusFormat.detail(e);
    }

    /** {@code +4.2s}; a negative duration (clocks of different machines) shows as {@code +0.0s}. */
    static String seconds(Duration d) {
        Duration n = d.isNegative() ? Duration.ZERO : d;
        return String.format("+%d.%01ds", n.toSeconds(), n.toMillisPart() / 100);
    }
}
