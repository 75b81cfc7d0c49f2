package dev.daskrelay.submitter.replay;

import dev.daskrelay.avro.v1.TaskPhase;
import dev.daskrelay.avro.v1.TaskStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks replayed timelines against the status guarantees (docs/ARCHITECTURE.md, Guarantees; docs/STATUS-MODEL.md §2):
 * per task, sequence 1, 2, 3 ... without gaps; nothing after a terminal phase; no phase regressions and no (phase,
 * phaseVersion) twice; event ids unique; every launch answered by a terminal status. Pure: timelines in, anomalies out.
 *
 * <p>A repeated event id is reported once as {@link Anomaly.Kind#DUPLICATE_EVENT_ID} and otherwise ignored, so
 * one planted problem gives one anomaly. A task whose launch is outside the range may legitimately start with a
 * sequence above 1. Launches issued after {@code inFlightCutoff} are still allowed to run and are not reported
 * as {@link Anomaly.Kind#LAUNCH_WITHOUT_TERMINAL}.
 */
public final class AnomalyCheck {

    private AnomalyCheck() {
    }

    public static List<Anomaly> check(List<TaskTimeline> timelines, Instant inFlightCutoff) {
        List<Anomaly> out = new ArrayList<>();
        Set<String> seenEventIds = new HashSet<>();
        for (TaskTimeline t : timelines) {
            check(t, inFlightCutoff, seenEventIds, out);
        }
        return out;
    }

    private static void check(TaskTimeline t, Instant inFlightCutoff, Set<String> seenEventIds, List<Anomaly> out) {
        for (ReplayRecord.Command c : t.commands()) {
            if (c.command() == null) {
                out.add(new Anomaly(Anomaly.Kind.UNDECODABLE_RECORD, t.taskId(), "command record could not be decoded",
                        null, c.partition(), c.offset()));
            }
        }
        boolean launchInRange = t.firstLaunch().isPresent();
        TaskStatus previous = null;
        TaskStatus terminal = null;
        for (ReplayRecord.Status r : t.statuses()) {
            TaskStatus s = r.status();
            if (s == null) {
                out.add(new Anomaly(Anomaly.Kind.UNDECODABLE_RECORD, t.taskId(), "status record could not be decoded",
                        null, r.partition(), r.offset()));
                continue;
            }
            if (!seenEventIds.add(s.getEventId())) {
                out.add(anomaly(Anomaly.Kind.DUPLICATE_EVENT_ID, r, "event id " + s.getEventId() + " seen before"));
                continue;
            }
            if (terminal != null) {
                out.add(anomaly(Anomaly.Kind.EVENT_AFTER_TERMINAL, r, describe(s) + " after terminal " + describe(terminal)));
                previous = s;
                continue;
            }
            if (previous == null) {
                if (launchInRange && s.getSequence() != 1) {
                    out.add(anomaly(Anomaly.Kind.SEQUENCE_GAP, r, "first sequence is " + s.getSequence()
                            + " although the launch is in range (missing 1.." + (s.getSequence() - 1) + ")"));
                }
            } else {
                long expected = previous.getSequence() + 1;
                if (s.getSequence() > expected) {
                    out.add(anomaly(Anomaly.Kind.SEQUENCE_GAP, r, "sequence " + s.getSequence() + " follows "
                            + previous.getSequence() + " (missing " + expected
                            + (s.getSequence() - 1 > expected ? ".." + (s.getSequence() - 1) : "") + ")"));
                } else if (s.getSequence() < expected) {
                    out.add(anomaly(Anomaly.Kind.SEQUENCE_OUT_OF_ORDER, r, "sequence " + s.getSequence() + " follows "
                            + previous.getSequence()));
                }
                int before = rank(previous.getPhase());
                int now = rank(s.getPhase());
                if (now < before) {
                    out.add(anomaly(Anomaly.Kind.PHASE_REGRESSION, r, describe(s) + " after " + describe(previous)));
                } else if (s.getPhase() == previous.getPhase() && s.getPhaseVersion() <= previous.getPhaseVersion()) {
                    out.add(anomaly(Anomaly.Kind.DUPLICATE_PHASE_VERSION, r, describe(s) + " after " + describe(previous)));
                }
            }
            if (s.getTerminal() || isTerminal(s.getPhase())) {
                terminal = s;
            }
            previous = s;
        }
        if (terminal == null) {
            String last = previous == null ? ", no status" : ", last status " + describe(previous);
            t.firstLaunch().filter(l -> inFlightCutoff == null || !l.time().isAfter(inFlightCutoff)).ifPresent(l ->
                    out.add(new Anomaly(Anomaly.Kind.LAUNCH_WITHOUT_TERMINAL, t.taskId(), "launched at " + l.time() + last,
                            null, l.partition(), l.offset())));
        }
    }

    /** Lifecycle order: QUEUED < WAITING_FOR_RESOURCES = INITIALIZING < RUNNING < terminal. */
    static int rank(TaskPhase p) {
        return switch (p) {
            case UNDEFINED -> 0;
            case QUEUED -> 1;
            case WAITING_FOR_RESOURCES, INITIALIZING -> 2;
            case RUNNING -> 3;
            case SUCCEEDED, FAILED, ABORTED -> 4;
        };
    }

    static boolean isTerminal(TaskPhase p) {
        return p == TaskPhase.SUCCEEDED || p == TaskPhase.FAILED || p == TaskPhase.ABORTED;
    }

    private static String describe(TaskStatus s) {
        return "#" + s.getSequence() + " " + s.getPhase() + " v" + s.getPhaseVersion();
    }

    private static Anomaly anomaly(Anomaly.Kind kind, ReplayRecord.Status r, String detail) {
        return new Anomaly(kind, r.taskId(), detail, r.status().getEventId(), r.partition(), r.offset());
    }
}
