package dev.daskrelay.translator.apply;

import dev.daskrelay.ops.Lifecycle;

/**
 * The lifecycle of the {@link Applier}.
 *
 * <pre>
 * CREATED ─start()─▶ RUNNING ─close()─▶ DRAINING ─▶ STOPPED
 *    │                  │                  │
 *    │                  ├─ failure ────────┴──▶ FAILED
 *    ├─close()─▶ STOPPED │
 *    └─halt()──▶ HALTED ◀┴─halt() (also from DRAINING)
 * </pre>
 *
 * <p><b>FAILED</b> is entered on an error that a retry cannot mend: the poll loop threw (e.g. an undecodable intent
 * with no dead-letter sink, or a commit the broker refused), an attempt hit a bug, or an outcome observation could
 * not be written (the producer failed for good). What the applier does then is decided here: it <em>stops taking
 * intents</em>. The poll loop takes no further records, does not wait for the intents in flight (their outcomes may
 * never be written), flushes the producer, commits what finished, and closes the consumer, so the group hands its
 * partitions to another applier at once; the intent that failed stays uncommitted and is re-delivered. The process
 * is not stopped from inside: liveness ({@link Applier#healthy}) fails from now on, and Kubernetes restarts the
 * translator, which resumes from the committed offsets (applying is idempotent). Carrying on with new intents after a
 * failure would apply DaskJobs whose outcomes may go unreported, with commits stuck behind the failed one anyway.
 *
 * <p>HALTED is a simulated kill for tests ({@link Applier#halt()}): nothing is reported or committed any more.
 * FAILED, STOPPED and HALTED are terminal.
 */
public enum ApplierState implements Lifecycle.State<ApplierState> {
    /** Built; the poll loop has not started. */
    CREATED,
    /** The poll loop takes intents, commits and applies back-pressure. */
    RUNNING,
    /** A graceful stop: no new intents; work in flight finishes (bounded by shutdownGrace), then a last commit. */
    DRAINING,
    /** Stopped after an unrecoverable error; see the class comment. Terminal. */
    FAILED,
    /** Stopped normally. Terminal. */
    STOPPED,
    /** Killed (tests): nothing more is reported or committed. Terminal. */
    HALTED;

    @Override
    public boolean canTransitionTo(ApplierState next) {
        return switch (this) {
            case CREATED -> next == RUNNING || next == STOPPED || next == HALTED;
            case RUNNING -> next == DRAINING || next == FAILED || next == HALTED;
            case DRAINING -> next == STOPPED || next == FAILED || next == HALTED;
            case FAILED, STOPPED, HALTED -> false;
        };
    }
}
