package dev.daskrelay.chaos.proxy;

import java.util.Locale;

/** What the fault proxy does to one request instead of (or on top of) forwarding it. */
public enum FaultKind {
    /** An answer 500 Internal Server Error, the request not forwarded. */
    HTTP_500,
    /** An answer 503 Service Unavailable, not forwarded. */
    HTTP_503,
    /** An answer 504 Gateway Timeout, not forwarded. */
    HTTP_504,
    /** An answer 429 Too Many Requests with {@code Retry-After}, not forwarded (API Priority and Fairness). */
    HTTP_429,
    /** The connection reset (TCP RST) before the request is forwarded: nothing happened. */
    RESET_BEFORE,
    /** Forwarded, then the connection reset instead of the answer: it happened, the client cannot know. */
    RESET_AFTER,
    /** Never answered: the connection is held silent until the client gives up, not forwarded. */
    TIMEOUT,
    /** Forwarded, the answer held back until the client gives up: it happened, the client timed out. */
    TIMEOUT_AFTER,
    /** Forwarded after a delay of seconds (a latency spike), answered normally. */
    LATENCY,
    /** A watch that is established and then reset mid-stream after a while (a dropped watch). */
    WATCH_DROP;

    /** The lower-case name used in reports: {@code http_500}, {@code reset_after}, … */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
