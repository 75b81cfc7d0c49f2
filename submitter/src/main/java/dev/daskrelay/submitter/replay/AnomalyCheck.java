package dev.daskrelay.submitter.replay;

import dev.daskrelay.avro.v1.TaskPhase;
import dev.daskrelay.avro.v1.TaskStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
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
 *
 * <p>With the outcomes of {@code <prefix>.observations} ({@link ObservedOutcome}) it also checks the status against
 * what the cluster was told, as far as the topics show it: a launch accepted after the terminal status was decided
 * ({@link Anomaly.Kind#LAUNCH_ACCEPTED_AFTER_TERMINAL}), a DaskJob created after it
 * ({@link Anomaly.Kind#CREATED_AFTER_TERMINAL}), and a terminal status saying nothing was created although a launch
 * was accepted ({@link Anomaly.Kind#TERMINAL_CONTRADICTS_LAUNCH}). "After" compares the outcome's {@code observedAt}
 * with the terminal event's {@code observedAt} (when the status topology decided), so an outcome the status topology
 * could still have seen before deciding is not reported.
 */
public final class AnomalyCheck {

    private AnomalyCheck() {
    }

    public static List<Anomaly> check(List<TaskTimeline> timelines, Instant inFlightCutoff) {
        return check(timelines, List.of(), inFlightCutoff);
    }

    /** {@link #check(List, Instant)} plus the status/cluster checks against the observed outcomes. */
    public static List<Anomaly> check(List<TaskTimeline> timelines, List<ObservedOutcome> outcomes,
                                      Instant inFlightCutoff) {
        Map<String, List<ObservedOutcome>> byTask = new HashMap<>();
        for (ObservedOutcome o : outcomes) {
            byTask.computeIfAbsent(o.taskId(), k -> new ArrayList<>()).add(o);
        }
        List<Anomaly> out = new ArrayList<>();
        Set<String> seenEventIds = new HashSet<>();
        for (TaskTimeline t : timelines) {
            TaskStatus terminal = check(t, inFlightCutoff, seenEventIds, out);
            if (terminal != null) {
                checkCluster(t.taskId(), terminal, byTask.getOrDefault(t.taskId(), List.of()), out);
            }
        }
        return out;
    }

    /** Reasons of a terminal ABORTED that says no DaskJob was ever created (docs/STATUS-MODEL.md 3.1). */
    static final Set<String> NOTHING_CREATED = Set.of("aborted before launch", "abort of unknown task");

    private static void checkCluster(String taskId, TaskStatus terminal, List<ObservedOutcome> outcomes,
                                     List<Anomaly> out) {
        boolean nothingCreated = terminal.getPhase() == TaskPhase.ABORTED && terminal.getReason() != null
                && NOTHING_CREATED.contains(terminal.getReason());
        boolean contradictionReported = false;
        for (ObservedOutcome o : outcomes) {
            boolean after = o.time().isAfter(terminal.getObservedAt());
            if (o.launchAccepted() && after) {
                out.add(outcome(Anomaly.Kind.LAUNCH_ACCEPTED_AFTER_TERMINAL, taskId, o, "launch accepted at "
                        + o.time() + " (observation " + o.observation().getObservationId() + ") after terminal "
                        + describe(terminal) + " decided at " + terminal.getObservedAt()));
                contradictionReported |= nothingCreated;
            } else if (o.created() && after) {
                out.add(outcome(Anomaly.Kind.CREATED_AFTER_TERMINAL, taskId, o, "DaskJob "
                        + o.observation().getDaskJobNamespace() + "/" + o.observation().getDaskJobName()
                        + " created at " + o.time() + " after terminal " + describe(terminal) + " decided at "
                        + terminal.getObservedAt()));
            }
        }
        if (nothingCreated && !contradictionReported) {
            outcomes.stream().filter(ObservedOutcome::launchAccepted).findFirst().ifPresent(o ->
                    out.add(outcome(Anomaly.Kind.TERMINAL_CONTRADICTS_LAUNCH, taskId, o, "terminal "
                            + describe(terminal) + " \"" + terminal.getReason() + "\" says nothing was created, but "
                            + "a launch was accepted at " + o.time() + " (observation "
                            + o.observation().getObservationId() + ")")));
        }
    }

    private static Anomaly outcome(Anomaly.Kind kind, String taskId, ObservedOutcome o, String detail) {
        return new Anomaly(kind, taskId, detail, null, o.partition(), o.offset());
    }

    /** The status checks of one task; returns its first terminal event (null if none). */
    private static TaskStatus check(TaskTimeline t, Instant inFlightCutoff, Set<String> seenEventIds,
                                    List<Anomaly> out) {
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
        return terminal;
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
