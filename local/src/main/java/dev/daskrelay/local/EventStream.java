package dev.daskrelay.local;

import dev.daskrelay.avro.v1.TaskStatus;
import dev.daskrelay.submitter.output.StatusFormat;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Map;

/**
 * The lines of {@code daskrelay local --keep-running}'s stream of every task's status events: the local time the
 * event arrived, the time since the task's first event arrived, task, sequence, phase, detail. Both times are
 * taken on arrival, so they only grow: events of different tasks come from different partitions and their own
 * timestamps need not be in order, and an event's {@code occurredAt} may be earlier than that of the event before
 * it (the change it reports happened earlier than the change before it was seen).
 */
final class EventStream {

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss.S").withZone(ZoneId.systemDefault());

    private final Map<String, Instant> firstArrival = new HashMap<>();
    private final ZoneId zone;

    EventStream() {
        this(ZoneId.systemDefault());
    }

    EventStream(ZoneId zone) {
        this.zone = zone;
    }

    /** The line of an event that arrived at {@code now}. */
    String line(TaskStatus s, Instant now) {
        Instant first = firstArrival.computeIfAbsent(s.getTaskId(), k -> now);
        return String.format("%s %7s  %s  #%-2d %-22s %s", CLOCK.withZone(zone).format(now),
                Timeline.seconds(Duration.between(first, now)), s.getTaskId(), s.getSequence(), StatusFormat.phase(s),
                StatusFormat.detail(s)).stripTrailing();
    }
}
