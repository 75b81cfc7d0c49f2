package dev.daskrelay.submitter.replay;

/**
 * Something in the topics that breaks a guarantee of docs/ARCHITECTURE.md (Guarantees) or docs/STATUS-MODEL.md.
 *
 * @param kind what is wrong
 * @param taskId the task
 * @param detail a human sentence with the values involved
 * @param eventId the status event concerned, if one
 * @param partition partition of the record concerned (-1 if none)
 * @param offset offset of the record concerned (-1 if none)
 */
public record Anomaly(Kind kind, String taskId, String detail, String eventId, int partition, long offset) {

    public enum Kind {
        /** A task's status sequence skips numbers (or does not start at 1 although its launch is in range). */
        SEQUENCE_GAP,
        /** A status sequence number not above the previous one (not a repeated event id). */
        SEQUENCE_OUT_OF_ORDER,
        /** A status event after the task's terminal one. */
        EVENT_AFTER_TERMINAL,
        /** A launch in range without a terminal status in range. */
        LAUNCH_WITHOUT_TERMINAL,
        /** The same event id more than once. */
        DUPLICATE_EVENT_ID,
        /** A phase earlier in the lifecycle than the previous one (e.g. RUNNING after SUCCEEDED, QUEUED after RUNNING). */
        PHASE_REGRESSION,
        /** The same phase again without a higher phase version. */
        DUPLICATE_PHASE_VERSION,
        /** A record that could not be decoded. */
        UNDECODABLE_RECORD,
        /**
         * Status and cluster disagree: the command topology accepted a launch of the task after its terminal status
         * was decided, so a DaskJob may run that the status stream will never report.
         */
        LAUNCH_ACCEPTED_AFTER_TERMINAL,
        /** Status and cluster disagree: the applier created the task's DaskJob after its terminal status. */
        CREATED_AFTER_TERMINAL,
        /**
         * Status and cluster disagree: the terminal status says nothing was created (aborted before its launch, or
         * an abort of an unknown task) although a launch of the task was accepted.
         */
        TERMINAL_CONTRADICTS_LAUNCH
    }

    @Override
    public String toString() {
        return kind + " " + taskId + ": " + detail;
    }
}
