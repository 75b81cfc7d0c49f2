package dev.daskrelay.submitter.client;

/** Kafka could not be reached or refused a request; the message names the topic. The CLI exits 1 on it. */
public class DaskRelayException extends RuntimeException {
    public DaskRelayException(String message, Throwable cause) {
        super(message, cause);
    }
}
