package dev.daskrelay.local;

import dev.daskrelay.avro.v1.TaskStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** A task's status events as the lines {@code daskrelay local} prints at the end of a run. */
public final class Timeline {

    private Timeline() {
    }

    /**
     * One line per event: elapsed time since the first event, sequence, phase and version, reason, error.
     *
     * @param events the task's events in sequence order
     */
    public static String render(String taskId, List<TaskStatus> events) {
        StringBuilder sb = new StringBuilder(taskId).append('\n');
        if (events.isEmpty()) {
            return sb.append("  (no status events)\n").toString();
        }
        Instant start = events.get(0).getOccurredAt();
        for (TaskStatus e : events) {
            Duration at = Duration.between(start, e.getOccurredAt());
            sb.append(String.format("  %7s  #%-2d %-22s %s%n", seconds(at), e.getSequence(),
                    e.getPhase() + (e.getPhaseVersion() > 0 ? " v" + e.getPhaseVersion() : ""), describe(e)));
        }
        return sb.toString();
    }

    /** Reason, message and error of an event on one line. */
    public static String describe(TaskStatus e) {
        StringBuilder sb = new StringBuilder();
        if (e.getReason() != null && !e.getReason().isBlank()) {
            sb.append(e.getReason());
        }
        if (e.getError() != null) {
            sb.append(sb.length() > 0 ? " " : "").append('[').append(e.getError().getCode()).append(", ")
                    .append(e.getError().getKind()).append(e.getError().getRetryable() ? ", retryable" : "")
                    .append("] ").append(e.getError().getMessage());
        } else if (e.getMessage() != null && !e.getMessage().isBlank() && !e.getMessage().equals(e.getReason())) {
            sb.append(sb.length() > 0 ? ": " : "").append(e.getMessage());
        }
        return sb.toString();
    }

    static String seconds(Duration d) {
        return String.format("+%d.%01ds", d.toSeconds(), d.toMillisPart() / 100);
    }
}
