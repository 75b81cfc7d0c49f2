package dev.daskrelay.submitter.replay;

import dev.daskrelay.avro.v1.AbortDaskJob;
import dev.daskrelay.avro.v1.LaunchDaskJob;
import dev.daskrelay.avro.v1.TaskCommand;
import dev.daskrelay.avro.v1.TaskStatus;
import java.time.Instant;

/** One record read by a replay: a command or a status, with where it sits on its topic. */
public sealed interface ReplayRecord {

    /** The record key: the task id. */
    String taskId();

    int partition();

    long offset();

    /** The Kafka record timestamp. */
    Instant timestamp();

    /** When it happened: a command's issue time, a status's occurredAt; the record time for undecodable ones. */
    Instant time();

    /** A record of the commands topic; {@code command} is null when the record could not be decoded. */
    record Command(String taskId, int partition, long offset, Instant timestamp, TaskCommand command) implements ReplayRecord {
        @Override
        public Instant time() {
            return command == null ? timestamp : command.getIssuedAt();
        }

        public boolean isLaunch() {
            return command != null && command.getPayload() instanceof LaunchDaskJob;
        }

        public boolean isAbort() {
            return command != null && command.getPayload() instanceof AbortDaskJob;
        }
    }

    /** A record of the status topic; {@code status} is null when the record could not be decoded. */
    record Status(String taskId, int partition, long offset, Instant timestamp, TaskStatus status) implements ReplayRecord {
        @Override
        public Instant time() {
            return status == null ? timestamp : status.getOccurredAt();
        }
    }
}
