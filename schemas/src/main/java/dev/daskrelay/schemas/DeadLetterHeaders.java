package dev.daskrelay.schemas;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.kafka.common.header.Headers;

/**
 * The dead-letter convention shared by every daskrelay process: a record that cannot be decoded or processed is
 * written to {@code <prefix>.dead-letters} with its original key and value bytes unchanged and these headers
 * (UTF-8 strings). The original record's own headers are kept as they were.
 */
public final class DeadLetterHeaders {

    /** Fully qualified class name of the exception. */
    public static final String ERROR_CLASS = "daskrelay.error.class";
    /** The exception message (and causes, joined by " <- "). */
    public static final String ERROR_MESSAGE = "daskrelay.error.message";
    /** Which processing step failed: a {@link Stage}, {@code deserialize} or {@code process}. */
    public static final String ERROR_STAGE = "daskrelay.error.stage";
    /** The process that dead-lettered the record, e.g. {@code translator}, {@code status}. */
    public static final String ERROR_PROCESSOR = "daskrelay.error.processor";
    public static final String SOURCE_TOPIC = "daskrelay.source.topic";
    public static final String SOURCE_PARTITION = "daskrelay.source.partition";
    public static final String SOURCE_OFFSET = "daskrelay.source.offset";
    /** ISO-8601 time the record was dead-lettered. */
    public static final String FAILED_AT = "daskrelay.failed.at";

    private DeadLetterHeaders() {
    }

    /** The processing step that failed: the value of {@link #ERROR_STAGE} and the {@code stage} tag of the metrics. */
    public enum Stage {
        /** The bytes could not be decoded into the topic's record type. */
        DESERIALIZE("deserialize"),
        /** Decoded, but unusable (key/task id mismatch, a contract breach, an unexpected error deciding). */
        PROCESS("process");

        private final String value;

        Stage(String value) {
            this.value = value;
        }

        /** The header value and metric tag: {@code deserialize}, {@code process}. */
        public String value() {
            return value;
        }
    }

    /** Adds the error headers to {@code headers}. */
    public static void add(Headers headers, Throwable error, Stage stage, String processor,
                           String topic, int partition, long offset, Instant failedAt) {
        put(headers, ERROR_CLASS, error.getClass().getName());
        put(headers, ERROR_MESSAGE, describe(error));
        put(headers, ERROR_STAGE, stage.value());
        put(headers, ERROR_PROCESSOR, processor);
        put(headers, SOURCE_TOPIC, topic);
        put(headers, SOURCE_PARTITION, Integer.toString(partition));
        put(headers, SOURCE_OFFSET, Long.toString(offset));
        put(headers, FAILED_AT, failedAt.toString());
    }

    /** Reads one header as a string, or null. */
    public static String get(Headers headers, String key) {
        var h = headers.lastHeader(key);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    static String describe(Throwable error) {
        StringBuilder sb = new StringBuilder(String.valueOf(error.getMessage()));
        for (Throwable c = error.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            sb.append(" <- ").append(c.getClass().getSimpleName()).append(": ").append(c.getMessage());
        }
        return sb.length() > 4000 ? sb.substring(0, 4000) : sb.toString();
    }

    private static void put(Headers headers, String key, String value) {
        headers.remove(key);
        headers.add(key, value == null ? new byte[0] : value.getBytes(StandardCharsets.UTF_8));
    }
}
