package dev.daskrelay.submitter.replay;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.daskrelay.avro.v1.AbortDaskJob;
import dev.daskrelay.avro.v1.ExecutionIdentity;
import dev.daskrelay.avro.v1.TaskCommand;
import dev.daskrelay.avro.v1.TaskStatus;
import dev.daskrelay.submitter.output.StatusFormat;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The table ({@code -o table}) and JSON lines ({@code -o json}) renderings of a replay. Pure. */
public final class TimelineText {

    private static final ObjectMapper JSON = new ObjectMapper();

    private TimelineText() {
    }

    /** Per task a header and one row per command or status in time order, then the anomalies. */
    public static String table(ReplayReport report) {
        StringBuilder b = new StringBuilder();
        b.append("replay ").append(report.from() == null ? "beginning" : StatusFormat.iso(report.from())).append(" .. ")
                .append(report.to() == null ? "end" : StatusFormat.iso(report.to())).append(": ")
                .append(count(report.timelines().size(), "task")).append('\n');
        String row = "  %-24s  %-7s  %4s  %-22s  %s%n";
        for (TaskTimeline t : report.timelines()) {
            b.append('\n').append("TASK ").append(t.taskId());
            t.execution().ifPresent(e -> b.append("  execution ").append(execution(e)));
            t.namespace().ifPresent(n -> b.append("  namespace ").append(n));
            b.append('\n');
            b.append(String.format(row, "TIME", "SOURCE", "SEQ", "PHASE", "DETAIL"));
            for (ReplayRecord r : ordered(t)) {
                if (r instanceof ReplayRecord.Command c) {
                    b.append(String.format(row, StatusFormat.iso(c.time()), "command", "", commandKind(c), commandDetail(c)));
                } else if (r instanceof ReplayRecord.Status s) {
                    TaskStatus st = s.status();
                    if (st == null) {
                        b.append(String.format(row, StatusFormat.iso(s.time()), "status", "?", "UNDECODABLE", "offset " + s.offset()));
                    } else {
                        b.append(String.format(row, StatusFormat.iso(st.getOccurredAt()), "status", st.getSequence(),
                                StatusFormat.phase(st), StatusFormat.detail(st)));
                    }
                }
            }
        }
        b.append('\n');
        if (report.anomalies().isEmpty()) {
            b.append("no anomalies\n");
        } else {
            b.append("ANOMALIES: ").append(count(report.anomalies().size(), "anomaly")).append("\n");
            for (Anomaly a : report.anomalies()) {
                b.append(String.format("  %-24s  %s  %s%n", a.kind(), a.taskId(), a.detail()));
            }
        }
        return b.toString();
    }

    /** {@code 1 task}, {@code 2 tasks}, {@code 1 anomaly}, {@code 0 anomalies}. */
    public static String count(long n, String noun) {
        if (n == 1) {
            return "1 " + noun;
        }
        return n + " " + (noun.endsWith("y") ? noun.substring(0, noun.length() - 1) + "ies" : noun + "s");
    }

    /**
     * One JSON object per line: commands and status events per task in time order, then the anomalies, then one
     * {@code {"type":"summary"}} object with the range, the counts and the anomalies per kind (always present, so
     * an empty replay is one line too).
     */
    public static List<String> jsonLines(ReplayReport report) {
        List<String> lines = new ArrayList<>();
        for (TaskTimeline t : report.timelines()) {
            for (ReplayRecord r : ordered(t)) {
                ObjectNode o;
                if (r instanceof ReplayRecord.Status s && s.status() != null) {
                    o = JSON.createObjectNode().put("type", "status");
                    o.setAll(StatusFormat.json(s.status()));
                } else if (r instanceof ReplayRecord.Command c && c.command() != null) {
                    TaskCommand cmd = c.command();
                    o = JSON.createObjectNode().put("type", "command").put("taskId", cmd.getTaskId())
                            .put("commandId", cmd.getCommandId()).put("kind", commandKind(c).toLowerCase())
                            .put("issuedAt", StatusFormat.iso(cmd.getIssuedAt())).put("issuedBy", cmd.getIssuedBy());
                    if (cmd.getPayload() instanceof AbortDaskJob abort) {
                        o.put("reason", abort.getReason());
                    }
                } else {
                    o = JSON.createObjectNode().put("type", "undecodable").put("taskId", r.taskId());
                }
                o.put("partition", r.partition()).put("offset", r.offset());
                lines.add(o.toString());
            }
        }
        for (Anomaly a : report.anomalies()) {
            ObjectNode o = JSON.createObjectNode().put("type", "anomaly").put("kind", a.kind().name())
                    .put("taskId", a.taskId()).put("detail", a.detail()).put("eventId", a.eventId())
                    .put("partition", a.partition()).put("offset", a.offset());
            lines.add(o.toString());
        }
        ObjectNode summary = JSON.createObjectNode().put("type", "summary")
                .put("from", report.from() == null ? null : StatusFormat.iso(report.from()))
                .put("to", report.to() == null ? null : StatusFormat.iso(report.to()))
                .put("tasks", report.timelines().size())
                .put("records", report.timelines().stream().mapToInt(t -> t.commands().size() + t.statuses().size()).sum())
                .put("anomalies", report.anomalies().size());
        ObjectNode byKind = summary.putObject("anomaliesByKind");
        for (Anomaly a : report.anomalies()) {
            byKind.put(a.kind().name(), byKind.path(a.kind().name()).asInt(0) + 1);
        }
        lines.add(summary.toString());
        return lines;
    }

    static List<ReplayRecord> ordered(TaskTimeline t) {
        List<ReplayRecord> all = new ArrayList<>(t.commands());
        all.addAll(t.statuses());
        all.sort(Comparator.comparing(ReplayRecord::time).thenComparing(r -> r instanceof ReplayRecord.Status)
                .thenComparingLong(ReplayRecord::offset));
        return all;
    }

    static String execution(ExecutionIdentity e) {
        return e.getProject() + "/" + e.getDomain() + "/" + e.getName() + " " + e.getNodeId() + " #" + e.getRetryAttempt();
    }

    static String commandKind(ReplayRecord.Command c) {
        return c.isLaunch() ? "LAUNCH" : c.isAbort() ? "ABORT" : "UNDECODABLE";
    }

    private static String commandDetail(ReplayRecord.Command c) {
        if (c.command() == null) {
            return "offset " + c.offset();
        }
        String d = "command " + c.command().getCommandId() + (c.command().getIssuedBy() == null ? "" : " by " + c.command().getIssuedBy());
        if (c.command().getPayload() instanceof AbortDaskJob abort && abort.getReason() != null) {
            d += ": " + abort.getReason();
        }
        return d;
    }

}
