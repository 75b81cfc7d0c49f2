package dev.daskrelay.submitter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.daskrelay.avro.v1.TaskPhase;
import dev.daskrelay.avro.v1.TaskStatus;
import dev.daskrelay.submitter.replay.ReplayFilter;
import dev.daskrelay.submitter.replay.ReplayRecord;
import dev.daskrelay.submitter.replay.ReplayReport;
import dev.daskrelay.submitter.replay.TimelineHtml;
import dev.daskrelay.submitter.replay.TimelineText;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** How a replay reads: counts in words, a JSON summary record, an HTML axis that does not overlap. Pure. */
class ReplayOutputTest {

    private static final Instant T0 = Instant.parse("2026-11-27T22:00:00.123456789Z");

    private static ReplayReport report(Duration span) {
        List<ReplayRecord> records = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Instant at = T0.plus(span.multipliedBy(i).dividedBy(2));
            records.add(new ReplayRecord.Status("t" + i, 0, i, at, TaskStatus.newBuilder().setEventId("t" + i + ":1")
                    .setTaskId("t" + i).setSequence(1).setPhase(TaskPhase.SUCCEEDED).setTerminal(true)
                    .setOccurredAt(at).setObservedAt(at).build()));
        }
        return ReplayReport.of(records, ReplayFilter.ALL, T0.minusSeconds(1), T0.plus(span).plusNanos(7), T0);
    }

    @Test
    void countsAreWordedForOneAndMany() {
        assertEquals("1 anomaly", TimelineText.count(1, "anomaly"));
        assertEquals("0 anomalies", TimelineText.count(0, "anomaly"));
        assertEquals("2 anomalies", TimelineText.count(2, "anomaly"));
        assertEquals("1 task", TimelineText.count(1, "task"));
        assertEquals("3 tasks", TimelineText.count(3, "task"));
        assertTrue(TimelineText.table(report(Duration.ofMinutes(5))).startsWith("replay 2026-11-27T21:59:59.123Z .. "
                + "2026-11-27T22:05:00.123Z: 3 tasks\n"), "milliseconds at most");
    }

    @Test
    void theJsonLinesEndWithASummaryRecord() {
        List<String> lines = TimelineText.jsonLines(report(Duration.ofMinutes(5)));
        assertEquals("{\"type\":\"summary\",\"from\":\"2026-11-27T21:59:59.123Z\",\"to\":\"2026-11-27T22:05:00.123Z\","
                + "\"tasks\":3,\"records\":3,\"anomalies\":0,\"anomaliesByKind\":{}}", lines.get(lines.size() - 1));
        List<String> empty = TimelineText.jsonLines(ReplayReport.of(List.of(), ReplayFilter.ALL, null, null, T0));
        assertEquals(List.of("{\"type\":\"summary\",\"from\":null,\"to\":null,\"tasks\":0,\"records\":0,\"anomalies\":0,"
                + "\"anomaliesByKind\":{}}"), empty, "an empty replay is one summary line");
    }

    @Test
    void theHtmlAxisHasShortDistinctLabelsAndNoNanoseconds() {
        for (Duration span : List.of(Duration.ofMillis(800), Duration.ofMinutes(5), Duration.ofHours(3), Duration.ofDays(3))) {
            String html = TimelineHtml.render(report(span));
            assertFalse(Pattern.compile("\\.\\d{4,}Z").matcher(html).find(), "no sub-millisecond digits: " + span);
            List<String> labels = new ArrayList<>();
            Matcher m = Pattern.compile("<text class=\"axis\"[^>]*>([^<]*)</text>").matcher(html);
            while (m.find()) {
                labels.add(m.group(1));
            }
            assertEquals(5, labels.size(), html);
            assertEquals(5, labels.stream().distinct().count(), span + ": " + labels);
            // 5 labels 200 px apart at 11 px monospace (6.6 px a character) do not overlap below 24 characters
            assertTrue(labels.stream().allMatch(l -> l.length() <= 14), span + ": " + labels);
        }
        assertTrue(TimelineHtml.render(report(Duration.ofMinutes(5))).contains("3 tasks, 0 anomalies."));
    }
}
