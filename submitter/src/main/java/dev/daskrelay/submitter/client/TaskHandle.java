package dev.daskrelay.submitter.client;

import java.time.Instant;

/**
 * What {@link DaskRelayClient#submit} returns: the task to follow or cancel and where its launch landed.
 *
 * @param taskId the task id (the key of every topic)
 * @param commandId the launch command's id; publishing a command with the same id again is idempotent
 * @param issuedAt the command's issue time (follow starts its search of the status topic just before it)
 * @param partition partition of the commands topic the launch went to
 * @param offset its offset there
 */
public record TaskHandle(String taskId, String commandId, Instant issuedAt, int partition, long offset) {
}
