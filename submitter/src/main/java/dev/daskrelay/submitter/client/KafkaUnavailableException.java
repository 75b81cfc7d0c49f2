package dev.daskrelay.submitter.client;

/**
 * {@link DaskRelayClient#ping}: no broker answered at the bootstrap servers, or the broker has not the topics
 * daskrelay uses (wrong cluster, wrong topic prefix, daskrelay not installed there).
 */
public final class KafkaUnavailableException extends DaskRelayException {

    /** What went wrong. */
    public enum Reason { UNREACHABLE, NO_TOPICS }

    private final Reason reason;
    private final String bootstrapServers;

    public KafkaUnavailableException(Reason reason, String bootstrapServers, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
        this.bootstrapServers = bootstrapServers;
    }

    public Reason reason() {
        return reason;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }
}
