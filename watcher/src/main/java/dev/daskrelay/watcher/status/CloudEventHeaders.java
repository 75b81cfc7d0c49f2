package dev.daskrelay.watcher.status;

import dev.daskrelay.avro.v1.TaskStatus;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * CloudEvents 1.0 Kafka protocol binding, binary content mode: the event attributes travel as {@code ce_*} headers,
 * {@code datacontenttype} as the {@code content-type} header, and the record value is the event data: the
 * TaskStatus in Confluent's wire format. {@code ce_dataschema} depends on the schema id the serializer wrote, so
 * {@link DataSchemaSerializer} adds it. docs/CLOUDEVENTS.md describes every header.
 */
public final class CloudEventHeaders {

    public static final String ID = "ce_id";
    public static final String SOURCE = "ce_source";
    public static final String TYPE = "ce_type";
    public static final String SPECVERSION = "ce_specversion";
    public static final String SUBJECT = "ce_subject";
    public static final String TIME = "ce_time";
    public static final String DATASCHEMA = "ce_dataschema";
    /** The binding maps {@code datacontenttype} to this header, without the {@code ce_} prefix. */
    public static final String CONTENT_TYPE = "content-type";
    public static final String STATUS_TYPE = "dev.daskrelay.task.status.v1";
    /**
     * The media type of the data: Avro binary. The bytes are framed as Confluent's wire format (magic byte 0, the
     * 4-byte schema id, then the Avro binary body), so decode them with a Confluent-compatible Avro deserializer;
     * {@code ce_dataschema} names the schema.
     */
    public static final String AVRO = "application/avro";

    private static final byte[] STATUS_TYPE_BYTES = utf8(STATUS_TYPE);
    private static final byte[] SPECVERSION_BYTES = utf8("1.0");
    private static final byte[] AVRO_BYTES = utf8(AVRO);

    private CloudEventHeaders() {
    }

    /**
     * ce_id = eventId, ce_source, ce_type, ce_specversion 1.0, ce_subject = task id, ce_time = occurredAt,
     * content-type {@value #AVRO}.
     */
    public static Headers of(TaskStatus status, String source) {
        RecordHeaders h = new RecordHeaders();
        h.add(ID, utf8(status.getEventId()));
        h.add(SOURCE, utf8(source));
        h.add(TYPE, STATUS_TYPE_BYTES.clone());
        h.add(SPECVERSION, SPECVERSION_BYTES.clone());
        h.add(SUBJECT, utf8(status.getTaskId()));
        h.add(TIME, utf8(RecordJson.iso(status.getOccurredAt()))); // ISO-8601 as Instant.toString(), a cheaper path
        h.add(CONTENT_TYPE, AVRO_BYTES.clone());
        return h;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static void add(Headers h, String k, String v) {
        h.remove(k);
        h.add(k, utf8(v));
    }
}
