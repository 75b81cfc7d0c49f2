package dev.daskrelay.e2e;

import dev.daskrelay.avro.v1.TaskError;
import dev.daskrelay.avro.v1.TaskPhase;
import dev.daskrelay.avro.v1.TaskStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What the conformance run compares of one task's status events: the sequence of phases (a phase staying with a new
 * reason is not a change), the terminal phase and its error code, kind and retryable flag. Timing, reasons and
 * version numbers are left out: they depend on how fast each system moves.
 *
 * @param phases  the phases in order, consecutive repeats collapsed
 * @param terminal the last phase (null when the task did not end)
 * @param error   {@code code/KIND/retryable} of the terminal FAILED event, else null
 */
record Timeline(List<TaskPhase> phases, TaskPhase terminal, String error) {

    static Timeline of(List<TaskStatus> events) {
        List<TaskPhase> phases = new ArrayList<>();
        for (TaskStatus s : events) {
            if (phases.isEmpty() || phases.get(phases.size() - 1) != s.getPhase()) {
                phases.add(s.getPhase());
            }
        }
        TaskStatus last = events.isEmpty() ? null : events.get(events.size() - 1);
        TaskPhase terminal = last != null && last.getTerminal() ? last.getPhase() : null;
        return new Timeline(List.copyOf(phases), terminal, last == null ? null : error(last.getError()));
    }

    static String error(TaskError e) {
        return e == null ? null : e.getCode() + "/" + e.getKind() + "/" + (e.getRetryable() ? "retryable" : "permanent");
    }

    String phaseText() {
        return phases.stream().map(Enum::name).collect(Collectors.joining(" > "));
    }

    @Override
    public String toString() {
        return phaseText() + (error == null ? "" : " [" + error + "]");
    }

    /** One line per event, for assertion messages. */
    static String describe(List<TaskStatus> events) {
        StringBuilder sb = new StringBuilder();
        for (TaskStatus s : events) {
            sb.append("\n  #").append(s.getSequence()).append(' ').append(s.getPhase())
                    .append(s.getPhaseVersion() > 0 ? " v" + s.getPhaseVersion() : "")
                    .append("  ").append(s.getReason())
                    .append(s.getError() == null ? "" : "  [" + error(s.getError()) + "] " + s.getError().getMessage());
        }
        return sb.toString();
    }
}
