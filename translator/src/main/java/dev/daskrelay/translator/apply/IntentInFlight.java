package dev.daskrelay.translator.apply;

import dev.daskrelay.avro.v1.DaskJobIntent;
import java.time.Instant;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * One intent on its way through attempts, from the poll that handed it out to its reported outcome. The mutable
 * fields are touched by one thread at a time: the worker running the intent's lane.
 */
final class IntentInFlight {

    private final ConsumerRecord<String, DaskJobIntent> record;
    private Instant firstAttemptAt;
    private int attempts;
    private boolean waitingReported;

    IntentInFlight(ConsumerRecord<String, DaskJobIntent> record) {
        this.record = record;
    }

    /** The intent; null for a tombstone record (nothing to apply). */
    DaskJobIntent intent() {
        return record.value();
    }

    /** The record key: the task id, which also names the intent's lane. */
    String key() {
        return record.key();
    }

    TopicPartition partition() {
        return new TopicPartition(record.topic(), record.partition());
    }

    long offset() {
        return record.offset();
    }

    /** Counts one more attempt starting at {@code now}; returns its number (1-based). */
    int beginAttempt(Instant now) {
        if (firstAttemptAt == null) {
            firstAttemptAt = now;
        }
        return ++attempts;
    }

    int attempts() {
        return attempts;
    }

    /** When the first attempt started (null before it). */
    Instant firstAttemptAt() {
        return firstAttemptAt;
    }

    /** True the first time only: WAITING_FOR_RESOURCES is reported once per intent. */
    boolean markWaitingReported() {
        if (waitingReported) {
            return false;
        }
        waitingReported = true;
        return true;
    }
}
