package dev.daskrelay.submitter.output;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.daskrelay.avro.v1.ComponentsDetail;
import dev.daskrelay.avro.v1.ExecutionIdentity;
import dev.daskrelay.avro.v1.LogLink;
import dev.daskrelay.avro.v1.TaskError;
import dev.daskrelay.avro.v1.TaskStatus;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * How status events are printed, by every command ({@code status}, {@code follow}, {@code submit --follow},
 * {@code list}, {@code replay}, {@code local}): one JSON object per line with the field names of the status
 * contract, one human line, and the lines that lead from a task to its logs and its Dask dashboard. One
 * {@link #detail} for reason, message and error, so a FAILED event reads the same everywhere. Pure functions.
 */
public final class StatusFormat {

    public static final ObjectMapper JSON = new ObjectMapper();

    /** The port of the Dask dashboard on the scheduler Service the renderer creates ({@code <cluster>-scheduler}). */
    public static final int DASHBOARD_PORT = 8787;

    private StatusFormat() {
    }

    /**
     * The status object: {@code type: "status"}, the contract's fields (taskId, sequence, phase, phaseVersion,
     * reason, message, error, eventId, occurredAt), then observedAt, terminal, workers, the execution, where the
     * task runs (DaskJob name and namespace, DaskCluster, runner pod) and its log links.
     */
    public static ObjectNode json(TaskStatus s) {
        ObjectNode o = JSON.createObjectNode();
        o.put("type", "status");
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
        o.put("occurredAt", iso(s.getOccurredAt()));
        o.put("observedAt", iso(s.getObservedAt()));
        o.put("terminal", s.getTerminal());
        ComponentsDetail c = s.getComponents();
        if (c != null) {
            o.put("workersReady", c.getWorkersReady());
            o.put("workersDesired", c.getWorkersDesired());
        }
        ExecutionIdentity x = s.getExecution();
        if (x != null) {
            o.putObject("execution").put("project", x.getProject()).put("domain", x.getDomain())
                    .put("name", x.getName()).put("nodeId", x.getNodeId()).put("retryAttempt", x.getRetryAttempt());
        }
        o.put("daskJobName", s.getDaskJobName());
        o.put("daskJobNamespace", s.getDaskJobNamespace());
        o.put("clusterName", s.getClusterName());
        o.put("runnerPod", s.getRunnerPod());
        ArrayNode links = o.putArray("logLinks");
        for (LogLink l : s.getLogLinks()) {
            links.addObject().put("name", l.getName()).put("uri", l.getUri());
        }
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

    /** {@code 2026-11-27T22:40:01.123Z  <task>  #3 RUNNING v2  workers 3/10  <detail>}. */
    public static String textLine(TaskStatus s) {
        StringBuilder b = new StringBuilder();
        b.append(iso(s.getOccurredAt())).append("  ").append(s.getTaskId()).append("  #").append(s.getSequence())
                .append(' ').append(phase(s));
        String workers = workers(s);
        if (!workers.isEmpty()) {
            b.append("  ").append(workers);
        }
        String detail = detail(s);
        if (!detail.isEmpty()) {
            b.append("  ").append(detail);
        }
        return b.toString();
    }

    /** The progress line: {@code <task>  RUNNING v2  workers 3/10  elapsed 1m05s  <detail>}. */
    public static String progressLine(TaskStatus s, Duration elapsed) {
        StringBuilder b = new StringBuilder();
        b.append(s.getTaskId()).append("  ").append(phase(s));
        String workers = workers(s);
        if (!workers.isEmpty()) {
            b.append("  ").append(workers);
        }
        b.append("  elapsed ").append(elapsed(elapsed));
        String detail = detail(s);
        if (!detail.isEmpty()) {
            b.append("  ").append(detail);
        }
        return b.toString();
    }

    public static String phase(TaskStatus s) {
        return s.getPhase().name() + (s.getPhaseVersion() > 0 ? " v" + s.getPhaseVersion() : "");
    }

    public static String workers(TaskStatus s) {
        ComponentsDetail c = s.getComponents();
        return c == null || c.getWorkersDesired() == 0 ? "" : "workers " + c.getWorkersReady() + "/" + c.getWorkersDesired();
    }

    /**
     * Reason, message and error of an event on one line, the same in every command:
     * {@code RunnerExitCode (USER error, retryable): runner exited with code 1} for a failure,
     * {@code aborted by request: DaskJob default/x deleted}, {@code workers ready 2/2} otherwise.
     */
    public static String detail(TaskStatus s) {
        TaskError e = s.getError();
        String reason = s.getReason() == null ? "" : s.getReason().strip();
        if (e != null) {
            StringBuilder b = new StringBuilder();
            if (!reason.isEmpty() && !reason.equals(e.getCode())) {
                b.append(reason).append(": ");
            }
            b.append(e.getCode()).append(" (").append(e.getKind()).append(" error").append(e.getRetryable() ? ", retryable" : "")
                    .append(')');
            if (e.getMessage() != null && !e.getMessage().isBlank()) {
                b.append(": ").append(e.getMessage().strip());
            }
            return b.toString();
        }
        String message = s.getMessage() == null ? "" : s.getMessage().strip();
        if (message.isEmpty() || message.equals(reason)) {
            return reason;
        }
        return reason.isEmpty() ? message : reason + ": " + message;
    }

    /**
     * Where a task runs and how to look at it, as lines to print under its status (empty when nothing is known
     * yet): the DaskJob and runner pod, the {@code kubectl logs} command of the runner, the port-forward that
     * opens the Dask dashboard, and the log links the watcher is configured to publish.
     */
    public static List<String> whereLines(TaskStatus s) {
        List<String> lines = new ArrayList<>();
        String ns = s.getDaskJobNamespace();
        String nsFlag = ns == null ? "" : " -n " + ns;
        if (s.getDaskJobName() != null) {
            lines.add("DaskJob    " + (ns == null ? "" : ns + "/") + s.getDaskJobName()
                    + (s.getRunnerPod() == null ? "" : "   runner pod " + s.getRunnerPod()));
        }
        if (s.getRunnerPod() != null) {
            lines.add("logs       kubectl logs" + nsFlag + " " + s.getRunnerPod());
        }
        String cluster = s.getClusterName() != null ? s.getClusterName() : s.getDaskJobName();
        if (cluster != null && !s.getTerminal()) {
            lines.add("dashboard  kubectl port-forward" + nsFlag + " svc/" + cluster + "-scheduler " + DASHBOARD_PORT
                    + "   then http://localhost:" + DASHBOARD_PORT);
        }
        for (LogLink l : s.getLogLinks()) {
            lines.add("link       " + l.getName() + ": " + l.getUri());
        }
        return lines;
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
        if (s < 48 * 3600) {
            return String.format("%dh%02dm", s / 3600, (s % 3600) / 60);
        }
        return String.format("%dd%02dh", s / 86400, (s % 86400) / 3600);
    }

    /** An instant as ISO-8601 in milliseconds at most (never nanoseconds). */
    public static String iso(Instant t) {
        return t == null ? "" : t.truncatedTo(ChronoUnit.MILLIS).toString();
    }
}
