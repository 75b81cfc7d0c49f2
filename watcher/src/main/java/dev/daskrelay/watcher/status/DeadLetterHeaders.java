package dev.daskrelay.watcher.status;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

/**
 * Error headers of records the status topology sends to {@code <prefix>.dead-letters}. The names are those of
 * KIP-1034 (Kafka Streams' built-in dead-letter queue, Kafka 4.2), so tooling keeps working once the project moves
 * to it; Kafka 4.1.1 does not have it, so the status topology writes dead letters itself, inside its transaction.
 * The original headers are kept; the key and value are the original bytes.
 */
public final class DeadLetterHeaders {

    public static final String EXCEPTION = "__streams.errors.exception";
    public static final String MESSAGE = "__streams.errors.message";
    public static final String STACKTRACE = "__streams.errors.stacktrace";
    public static final String TOPIC = "__streams.errors.topic";
    public static final String PARTITION = "__streams.errors.partition";
    public static final String OFFSET = "__streams.errors.offset";
    /** daskrelay's own: {@code deserialization} (undecodable) or {@code validation} (decodable, unusable). */
    public static final String STAGE = "daskrelay.errors.stage";

    private DeadLetterHeaders() {
    }

    public static Headers of(Headers original, Exception error, String stage, String topic, int partition,
                             long offset) {
        RecordHeaders h = new RecordHeaders(original == null ? new RecordHeaders().toArray() : original.toArray());
        add(h, EXCEPTION, error.getClass().getName());
        add(h, MESSAGE, String.valueOf(error.getMessage()));
        StringWriter sw = new StringWriter();
        error.printStackTrace(new PrintWriter(sw));
        add(h, STACKTRACE, sw.toString());
        add(h, TOPIC, topic == null ? "" : topic);
        add(h, PARTITION, Integer.toString(partition));
        add(h, OFFSET, Long.toString(offset));
        add(h, STAGE, stage);
        return h;
    }

    private static void add(Headers h, String k, String v) {
        h.add(k, v.getBytes(StandardCharsets.UTF_8));
    }
}
