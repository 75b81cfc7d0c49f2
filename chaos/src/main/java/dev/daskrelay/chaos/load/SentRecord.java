package dev.daskrelay.chaos.load;

/**
 * One record the suite wrote to the commands topic (or tried to), as the auditor needs it: where it landed and what
 * it was meant to be.
 *
 * @param task       the planned task's index, or -1 for a hostile record of the bad-input suite
 * @param what       {@code LAUNCH}, {@code ABORT}, …, or {@code hostile:<kind>}
 * @param taskId     the task id it is about (null when it has no usable one)
 * @param commandId  the command id (null for undecodable records)
 * @param expect     where a hostile record must end ({@code DEAD_LETTER}, {@code REJECTED}, {@code REFUSED}); null
 *                   for the launch plan's own commands
 * @param paths      field paths a rejection must name, joined by {@code |}
 * @param partition  where it landed, -1 when it was refused
 * @param offset     its offset, -1 when it was refused
 * @param sentAt     epoch millis
 * @param error      the producer's error when it was refused, else null
 */
public record SentRecord(int task, String what, String taskId, String commandId, String expect, String paths,
                         int partition, long offset, long sentAt, String error) {
}
