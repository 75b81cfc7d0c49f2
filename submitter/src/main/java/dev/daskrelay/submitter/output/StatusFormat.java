package dev.daskrelay.submitter.output;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.daskrelay.avro.v1.ComponentsDetail;
import dev.daskrelay.avro.v1.TaskError;
import dev.daskrelay.avro.v1.TaskStatus;
import java.time.Duration;
import java.time.Instant;

/**
 * How status events are printed: one JSON object per line with the field names listed in submitter/README.md, or one
 * human line. Pure functions.
 */
public final class StatusFormat {

    public static final ObjectMapper JSON = new ObjectMapper();

    private StatusFormat() {
    }

    /** The {@code -o json} object of submitter/README.md (plus observedAt, terminal, workers and the DaskJob name). */
    public static ObjectNode json(TaskStatus s) {
        ObjectNode o = JSON.createObjectNode();
        o.put("taskId", s.getTaskId());
        o.put("sequence", s.getSequence());
        o.put("phase", s.getPhase().name());
        o.put("phaseVersion", s.getPhaseVersion());
        o.put("reason", s.getReason());
        o.put("message", s.getMessage());
        TaskError e = s.getError();
        if (e == null) {
            o.putNull("error");
        } else {
            ObjectNode err = o.putObject("error");
            err.put("code", e.getCode());
            err.put("message", e.getMessage());
            err.put("kind", e.getKind().name());
            err.put("retryable", e.getRetryable());
        }
        o.put("eventId", s.getEventId());
        o.put("occurredAt", s.getOccurredAt().toString());
        o.put("observedAt", s.getObservedAt().toString());
        o.put("terminal", s.getTerminal());
        ComponentsDetail c = s.getComponents();
        if (c != null) {
            o.put("workersReady", c.getWorkersReady());
            o.put("workersDesired", c.getWorkersDesired());
        }
        o.put("daskJobName", s.getDaskJobName());
        return o;
    }

    public static String jsonLine(TaskStatus s) {
        return write(json(s));
    }

    public static String write(Object node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code 2026-11-27T22:40:01Z  <task>  RUNNING v2  workers 3/10  reason: message  [error]}. */
    public static String textLine(TaskStatus s) {
        StringBuilder b = new StringBuilder();
        b.append(s.getOccurredAt()).append("  ").append(s.getTaskId()).append("  #").append(s.getSequence())
                .append(' ').append(phase(s));
        String workers = workers(s);
        if (!workers.isEmpty()) {
            b.append("  ").append(workers);
        }
        appendDetail(b, s);
        return b.toString();
    }

    /** The progress line: {@code <task>  RUNNING v2  workers 3/10  elapsed 1m05s  reason}. */
    public static String progressLine(TaskStatus s, Duration elapsed) {
        StringBuilder b = new StringBuilder();
        b.append(s.getTaskId()).append("  ").append(phase(s));
        String workers = workers(s);
        if (!workers.isEmpty()) {
            b.append("  ").append(workers);
        }
        b.append("  elapsed ").append(elapsed(elapsed));
        appendDetail(b, s);
        return b.toString();
    }

    public static String phase(TaskStatus s) {
        return s.getPhase().name() + (s.getPhaseVersion() > 0 ? " v" + s.getPhaseVersion() : "");
    }

    public static String workers(TaskStatus s) {
        ComponentsDetail c = s.getComponents();
        return c == null || c.getWorkersDesired() == 0 ? "" : "workers " + c.getWorkersReady() + "/" + c.getWorkersDesired();
    }

    private static void appendDetail(StringBuilder b, TaskStatus s) {
        if (s.getReason() != null || s.getMessage() != null) {
            b.append("  ").append(s.getReason() == null ? "" : s.getReason());
            if (s.getMessage() != null && !s.getMessage().equals(s.getReason())) {
                b.append(s.getReason() == null ? "" : ": ").append(s.getMessage());
            }
        }
        TaskError e = s.getError();
        if (e != null) {
            b.append("  [").append(e.getCode()).append(' ').append(e.getKind()).append(e.getRetryable() ? " retryable" : "")
                    .append(']');
        }
    }

    /** {@code 45s}, {@code 1m05s}, {@code 2h03m}. */
    public static String elapsed(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return String.format("%dm%02ds", s / 60, s % 60);
        }
        return String.format("%dh%02dm", s / 3600, (s % 3600) / 60);
    }

    public static String iso(Instant t) {
        return t == null ? "" : t.toString();
    }
}
