package dev.daskrelay.watcher.status;

import dev.daskrelay.avro.v1.TaskPhase;
import java.util.EnumSet;
import java.util.Set;

/**
 * The phases of one task's status stream, with the transitions the status topology allows (modelled on
 * {@code KafkaStreams.State}: each phase names the phases it may move to).
 *
 * <ul>
 *   <li>A phase may always "move" to itself: that is a reason change, reported as a phaseVersion bump.</li>
 *   <li>No regression: once INITIALIZING or WAITING_FOR_RESOURCES, never QUEUED again; once RUNNING, never
 *       QUEUED, WAITING_FOR_RESOURCES or INITIALIZING again (resource trouble of workers while RUNNING is a
 *       reason change of RUNNING).</li>
 *   <li>WAITING_FOR_RESOURCES and INITIALIZING may alternate: a runner that was unschedulable gets a node and
 *       goes on initialising, and an initialising cluster can hit a quota. Both are "not yet running".</li>
 *   <li>Every non-terminal phase may end in any terminal phase (a short job can skip RUNNING; an abort or a
 *       rejection can come at any time).</li>
 *   <li>Nothing follows a terminal phase.</li>
 * </ul>
 */
public enum Phase {
    QUEUED(false, 1),
    WAITING_FOR_RESOURCES(false, 2),
    INITIALIZING(false, 2),
    RUNNING(false, 3),
    SUCCEEDED(true, 4),
    FAILED(true, 4),
    ABORTED(true, 4);

    private final boolean terminal;
    /** Progress rank: a transition to a lower rank is a regression. Equal ranks of different phases may swap. */
    private final int rank;

    Phase(boolean terminal, int rank) {
        this.terminal = terminal;
        this.rank = rank;
    }

    public boolean isTerminal() {
        return terminal;
    }

    /** True when a task in this phase may report {@code next} (itself included, as a reason change). */
    public boolean canTransitionTo(Phase next) {
        if (next == null) {
            return false;
        }
        if (terminal) {
            return false;
        }
        if (next == this) {
            return true;
        }
        return next.rank >= rank;
    }

    /** True when a task with no status yet may start with {@code first}: every phase may be the first. */
    public static boolean canStartWith(Phase first) {
        return first != null;
    }

    /** Every phase this one may move to (itself included unless terminal). */
    public Set<Phase> validTargets() {
        EnumSet<Phase> targets = EnumSet.noneOf(Phase.class);
        for (Phase p : values()) {
            if (canTransitionTo(p)) {
                targets.add(p);
            }
        }
        return targets;
    }

    public TaskPhase toAvro() {
        return TaskPhase.valueOf(name());
    }
}
