package dev.daskrelay.submitter.replay;

import dev.daskrelay.avro.v1.TaskStatus;
import dev.daskrelay.submitter.output.StatusFormat;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The self-contained HTML report of a replay ({@code -o html}): inline CSS and one inline SVG timeline with one bar
 * per task (an SVG group {@code class="task-bar"}), its segments coloured by phase along a shared time axis, then
 * the anomalies and a table per task. No scripts, no external resources; the output is well-formed XHTML. Pure.
 */
public final class TimelineHtml {

    static final Map<String, String> COLOURS = Map.of(
            "SUBMITTED", "#b0b7c3", "QUEUED", "#8fa8c8", "WAITING_FOR_RESOURCES", "#e6b84a", "INITIALIZING", "#7fb3e6",
            "RUNNING", "#3b82c4", "SUCCEEDED", "#3aa35b", "FAILED", "#d64545", "ABORTED", "#8a5a9e", "UNDEFINED", "#cccccc");
    private static final List<String> LEGEND = List.of("SUBMITTED", "QUEUED", "WAITING_FOR_RESOURCES", "INITIALIZING",
            "RUNNING", "SUCCEEDED", "FAILED", "ABORTED");
    private static final int LABEL_W = 300;
    private static final int PLOT_W = 800;
    private static final int ROW_H = 22;
    private static final int TOP = 30;

    private TimelineHtml() {
    }

    public static String render(ReplayReport report) {
        List<TaskTimeline> tasks = report.timelines();
        Instant min = tasks.stream().map(TaskTimeline::start).min(Instant::compareTo).orElse(Instant.EPOCH);
        Instant max = tasks.stream().map(TaskTimeline::end).max(Instant::compareTo).orElse(min);
        if (report.to() != null && tasks.stream().anyMatch(t -> t.last().map(s -> !s.getTerminal()).orElse(true))
                && report.to().isAfter(max) && Duration.between(max, report.to()).compareTo(Duration.between(min, max).multipliedBy(2)) < 0) {
            max = report.to(); // open tasks run to the end of the range, unless that squeezes the picture
        }
        long span = Math.max(1, Duration.between(min, max).toMillis());
        StringBuilder b = new StringBuilder(8192);
        b.append("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n")
                .append("<title>daskrelay replay</title>\n<style>\n")
                .append("body{font-family:system-ui,sans-serif;margin:24px;color:#222}h1{font-size:20px}h2{font-size:16px;margin-top:28px}")
                .append("table{border-collapse:collapse;font-size:12px;margin-bottom:16px}td,th{border:1px solid #ddd;padding:3px 6px;text-align:left}")
                .append("th{background:#f3f3f3}.anomaly td{background:#fdecec}svg text{font-size:11px;font-family:monospace}")
                .append(".legend span{display:inline-block;margin-right:12px;font-size:12px}.legend i{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:middle}")
                .append("\n</style>\n</head>\n<body>\n");
        b.append("<h1>daskrelay replay</h1>\n<p>Range ").append(esc(report.from() == null ? "beginning" : StatusFormat.iso(report.from())))
                .append(" to ").append(esc(report.to() == null ? "end" : StatusFormat.iso(report.to()))).append(": ")
                .append(TimelineText.count(tasks.size(), "task")).append(", ")
                .append(TimelineText.count(report.anomalies().size(), "anomaly")).append(". Times are UTC; the axis starts at ")
                .append(esc(StatusFormat.iso(min))).append(".</p>\n");
        b.append("<p class=\"legend\">");
        for (String phase : LEGEND) {
            b.append("<span><i style=\"background:").append(COLOURS.get(phase)).append("\"></i>").append(phase).append("</span>");
        }
        b.append("</p>\n");
        int height = TOP + tasks.size() * ROW_H + 10;
        b.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(LABEL_W + PLOT_W + 20).append("\" height=\"")
                .append(height).append("\" role=\"img\" aria-label=\"task timelines\">\n");
        for (int i = 0; i <= 4; i++) {
            int x = LABEL_W + PLOT_W * i / 4;
            Instant t = min.plusMillis(span * i / 4);
            b.append("<line x1=\"").append(x).append("\" y1=\"").append(TOP - 8).append("\" x2=\"").append(x).append("\" y2=\"")
                    .append(height - 6).append("\" stroke=\"#e3e3e3\"/>");
            b.append("<text class=\"axis\" x=\"").append(x).append("\" y=\"").append(TOP - 12).append("\" text-anchor=\"")
                    .append(i == 0 ? "start" : i == 4 ? "end" : "middle").append("\">").append(esc(axisLabel(t, min, max)))
                    .append("</text>\n");
        }
        int row = 0;
        for (TaskTimeline t : tasks) {
            int y = TOP + row * ROW_H;
            b.append("<g class=\"task-bar\" data-task=\"").append(esc(t.taskId())).append("\">");
            b.append("<text x=\"0\" y=\"").append(y + 14).append("\">").append(esc(shorten(t.taskId()))).append("</text>");
            Instant launch = t.firstLaunch().map(ReplayRecord::time).orElse(null);
            List<TaskStatus> events = t.events();
            if (launch != null) {
                Instant until = events.isEmpty() ? max : events.get(0).getOccurredAt();
                segment(b, "SUBMITTED", "submitted " + StatusFormat.iso(launch), launch, until, min, span, y);
            }
            for (int i = 0; i < events.size(); i++) {
                TaskStatus s = events.get(i);
                Instant from = s.getOccurredAt();
                Instant until = i + 1 < events.size() ? events.get(i + 1).getOccurredAt() : (s.getTerminal() ? from : max);
                String title = "#" + s.getSequence() + " " + StatusFormat.phase(s) + " at " + StatusFormat.iso(from)
                        + (StatusFormat.detail(s).isEmpty() ? "" : ": " + StatusFormat.detail(s));
                segment(b, s.getPhase().name(), title, from, until, min, span, y);
            }
            b.append("</g>\n");
            row++;
        }
        b.append("</svg>\n");
        b.append("<h2>Anomalies</h2>\n");
        if (report.anomalies().isEmpty()) {
            b.append("<p>None.</p>\n");
        } else {
            b.append("<table><tr><th>kind</th><th>task</th><th>detail</th><th>partition/offset</th></tr>\n");
            for (Anomaly a : report.anomalies()) {
                b.append("<tr class=\"anomaly\"><td>").append(a.kind()).append("</td><td>").append(esc(a.taskId()))
                        .append("</td><td>").append(esc(a.detail())).append("</td><td>").append(a.partition()).append('/')
                        .append(a.offset()).append("</td></tr>\n");
            }
            b.append("</table>\n");
        }
        b.append("<h2>Tasks</h2>\n");
        for (TaskTimeline t : tasks) {
            b.append("<h3>").append(esc(t.taskId())).append("</h3>\n<table><tr><th>time</th><th>source</th><th>seq</th><th>phase</th><th>detail</th></tr>\n");
            for (ReplayRecord r : TimelineText.ordered(t)) {
                if (r instanceof ReplayRecord.Command c) {
                    b.append("<tr><td>").append(StatusFormat.iso(c.time())).append("</td><td>command</td><td></td><td>")
                            .append(TimelineText.commandKind(c)).append("</td><td>")
                            .append(esc(c.command() == null ? "" : c.command().getCommandId())).append("</td></tr>\n");
                } else if (r instanceof ReplayRecord.Status s && s.status() != null) {
                    TaskStatus st = s.status();
                    b.append("<tr><td>").append(StatusFormat.iso(st.getOccurredAt())).append("</td><td>status</td><td>").append(st.getSequence())
                            .append("</td><td>").append(StatusFormat.phase(st)).append("</td><td>")
                            .append(esc(StatusFormat.detail(st)))
                            .append("</td></tr>\n");
                }
            }
            b.append("</table>\n");
        }
        b.append("</body>\n</html>\n");
        return b.toString();
    }

    private static void segment(StringBuilder b, String phase, String title, Instant from, Instant until, Instant min,
                                long span, int y) {
        double x = LABEL_W + PLOT_W * (double) Duration.between(min, from).toMillis() / span;
        double w = Math.max(3, PLOT_W * (double) Duration.between(from, until).toMillis() / span);
        b.append("<rect class=\"phase-").append(phase).append("\" x=\"").append(String.format(Locale.ROOT, "%.1f", x)).append("\" y=\"")
                .append(y + 3).append("\" width=\"").append(String.format(Locale.ROOT, "%.1f", w)).append("\" height=\"").append(ROW_H - 6)
                .append("\" fill=\"").append(COLOURS.getOrDefault(phase, "#cccccc")).append("\"><title>").append(esc(title))
                .append("</title></rect>");
    }

    /**
     * An axis label short enough that five fit the plot without overlapping (at most 14 characters): the UTC time
     * of day, with milliseconds when the range is under 10 s, with the date when it spans more than a day.
     */
    static String axisLabel(Instant t, Instant min, Instant max) {
        ZonedDateTime z = t.atZone(ZoneOffset.UTC);
        Duration span = Duration.between(min, max);
        if (span.compareTo(Duration.ofDays(1)) > 0) {
            return String.format("%02d-%02d %02d:%02d", z.getMonthValue(), z.getDayOfMonth(), z.getHour(), z.getMinute());
        }
        if (span.compareTo(Duration.ofSeconds(10)) < 0) {
            return String.format("%02d:%02d:%02d.%03d", z.getHour(), z.getMinute(), z.getSecond(), z.getNano() / 1_000_000);
        }
        return String.format("%02d:%02d:%02d", z.getHour(), z.getMinute(), z.getSecond());
    }

    private static String shorten(String s) {
        return s.length() <= 40 ? s : s.substring(0, 19) + "…" + s.substring(s.length() - 20);
    }

    static String esc(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> {
                    if (c < 0x20 && c != '\n' && c != '\t') {
                        out.append(' ');
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }
}
