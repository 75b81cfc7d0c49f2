package dev.daskrelay.watcher.status;

import dev.daskrelay.avro.v1.TaskStatus;
import java.nio.charset.StandardCharsets;
import java.time.format.DateTimeFormatter;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * CloudEvents 1.0 Kafka protocol binding, binary content mode: the event attributes travel as {@code ce_*} headers
 * and the record value is the event data (the TaskStatus in the configured Avro serde).
 */
public final class CloudEventHeaders {

    public static final String ID = "ce_id";
    public static final String SOURCE = "ce_source";
    public static final String TYPE = "ce_type";
    public static final String SPECVERSION = "ce_specversion";
    public static final String SUBJECT = "ce_subject";
    public static final String TIME = "ce_time";
    public static final String STATUS_TYPE = "dev.daskrelay.task.status.v1";

    private CloudEventHeaders() {
    }

    /** ce_id = eventId, ce_source, ce_type, ce_specversion 1.0, ce_subject = task id, ce_time = occurredAt. */
    public static Headers of(TaskStatus status, String source) {
        RecordHeaders h = new RecordHeaders();
        add(h, ID, status.getEventId());
        add(h, SOURCE, source);
        add(h, TYPE, STATUS_TYPE);
        add(h, SPECVERSION, "1.0");
        add(h, SUBJECT, status.getTaskId());
        add(h, TIME, DateTimeFormatter.ISO_INSTANT.format(status.getOccurredAt()));
        return h;
    }

    private static void add(Headers h, String k, String v) {
        h.add(k, v.getBytes(StandardCharsets.UTF_8));
    }
}
