package dev.daskrelay.watcher.status;

import dev.daskrelay.avro.v1.DaskJobIntent;
import dev.daskrelay.avro.v1.DaskJobSnapshot;
import dev.daskrelay.avro.v1.IntentAction;
import dev.daskrelay.avro.v1.LogLink;
import dev.daskrelay.avro.v1.Observation;
import dev.daskrelay.avro.v1.TaskStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The per-task state machine: {@code (state, observation, now, settings) -> (state, status events, intents)}.
 * Pure: no clock (now is passed in), no I/O.
 *
 * <p>Rules: an event is emitted when the derived phase differs from the last one (phaseVersion 0, or one more
 * than the highest version the phase had before when it is entered again) or when the phase stays and the reason
 * changes (phaseVersion + 1); transitions {@link Phase} does not allow are rejected
 * (reported in {@link Step#rejected()}, no event); nothing follows a terminal event; sequence numbers start at 1
 * and have no gaps; the event id is {@code <taskId>:<sequence>}. Exact replays of recent observations (same
 * observation id) and observations much older than the newest applied one ({@link #STALE_AFTER}) change nothing.
 *
 * <p>QUEUED is the first event of every task whose DaskJob was created: the applier's CREATED outcome gives it,
 * and when the watcher's first snapshot of the DaskJob is applied before that outcome (they travel on different
 * paths to the observations topic), the snapshot's event is preceded by a QUEUED event at the same time. A task
 * that ends or waits before any DaskJob exists (launch rejected, aborted before launch, creation refused or
 * failed) starts with that event instead.
 *
 * <p>The phases a DaskJob snapshot proves are not skipped: when a snapshot shows the job's components created (or
 * the runner ended after it started) and the task has not reported INITIALIZING (or RUNNING) yet, those events come
 * first, at the snapshot's time ({@link PhaseDerivation#impliedBefore}). How fast the cluster moves, how busy the
 * watcher is and whether the snapshot was held change when a task learns of its DaskJob, not which phases it reads.
 *
 * <p>A status answers a launch: a DaskJob snapshot of a task whose launch is not known yet (no LAUNCH_ACCEPTED, no
 * status) is held (in observation order, the newest {@link #MAX_HELD}), and the held snapshots are applied in order
 * right after the launch becomes known. This is what a watcher
 * sees after the Kafka state was lost while the cluster kept its DaskJobs: it re-observes them before the
 * orchestrator launches the same tasks again, and each re-launch then reads QUEUED followed by what the DaskJob
 * already shows (its end, for a finished one), the same terminal phase and error as the first time.
 */
public final class TaskStateMachine {

    /** How many recent observation ids a task remembers to drop exact replays. */
    public static final int RECENT_IDS = 128;
    /** Observations older than the newest applied one by more than this are stale (replays, lagging producers). */
    public static final Duration STALE_AFTER = Duration.ofMinutes(1);
    /** How many DaskJob snapshots a task holds while its launch is not known (the newest are kept). */
    public static final int MAX_HELD = 8;

    private TaskStateMachine() {
    }

    /** A transition the phase model forbids (from is null before the first event). */
    public record RejectedTransition(Phase from, Phase to) {
    }

    /**
     * The result of one step.
     *
     * @param state    the new state
     * @param events   status events to publish, in order (a QUEUED the first snapshot implies, the INITIALIZING
     *                 and RUNNING a snapshot proves, a phase change, then a timer; held snapshots add theirs)
     * @param intents  DaskJob delete intents to publish (Stuck, Timeout, image failures)
     * @param rejected transitions the phase model refused
     * @param ignored  true when the observation was a replay or stale, or the task was already terminal
     */
    public record Step(TaskState state, List<TaskStatus> events, List<DaskJobIntent> intents,
                       List<RejectedTransition> rejected, boolean ignored) {
        public Step {
            events = List.copyOf(events);
            intents = List.copyOf(intents);
            rejected = List.copyOf(rejected);
        }
    }

    /** Applies one observation at wall-clock time {@code now}, then the timers. */
    public static Step apply(TaskState state, Observation o, Instant now, StatusSettings settings) {
        Objects.requireNonNull(state, "state");
        if (state.isTerminal() || isReplay(state, o)) {
            return new Step(state, List.of(), List.of(), List.of(), true);
        }
        if (o.getPayload() instanceof DaskJobSnapshot && !state.launchKnown()) {
            // The DaskJob is seen before its launch is known here: the watcher re-observed existing DaskJobs after
            // the Kafka state was lost, or the bridge ran ahead of the applier's outcome. A status answers a launch,
            // so the snapshots wait (in observation order, the newest MAX_HELD) until the launch arrives and are
            // applied then, after QUEUED: the task reads every phase the DaskJob went through meanwhile.
            TaskState.Builder b = state.toBuilder();
            remember(b, o);
            b.heldSnapshots = hold(b.heldSnapshots, o);
            return new Step(b.build(), List.of(), List.of(), List.of(), false);
        }
        List<TaskStatus> events = new ArrayList<>();
        List<DaskJobIntent> intents = new ArrayList<>();
        List<RejectedTransition> rejected = new ArrayList<>();
        TaskState after = step(state, o, now, settings, events, intents, rejected);
        if (!after.heldSnapshots().isEmpty() && after.launchKnown()) {
            List<String> held = after.heldSnapshots();
            TaskState.Builder b = after.toBuilder();
            b.heldSnapshots = List.of();
            after = b.build();
            for (String h : held) {
                if (after.isTerminal()) {
                    break;
                }
                after = step(after, decode(h), now, settings, events, intents, rejected);
            }
        }
        Verdict timer = PhaseDerivation.timers(after, now, settings);
        if (timer != null) {
            TaskState.Builder tb = after.toBuilder();
            emit(tb, timer, now, now, settings, events, intents, rejected);
            after = tb.build();
        }
        return new Step(after, events, intents, rejected, false);
    }

    /** Derives the verdict of {@code o} and emits it (after the QUEUED a first snapshot implies). */
    private static TaskState step(TaskState state, Observation o, Instant now, StatusSettings settings,
                                  List<TaskStatus> events, List<DaskJobIntent> intents,
                                  List<RejectedTransition> rejected) {
        PhaseDerivation.Derived d = PhaseDerivation.derive(state, o, now, settings);
        TaskState.Builder b = d.state();
        remember(b, o);
        if (d.verdict() != null) {
            if (b.phase == null && o.getPayload() instanceof DaskJobSnapshot && d.verdict().phase() != Phase.QUEUED) {
                // the DaskJob exists (the watcher sees it) before the applier's CREATED arrived: QUEUED first
                emit(b, Verdict.of(Phase.QUEUED, PhaseDerivation.REASON_SUBMITTED, "DaskJob "
                                + (b.daskJobNamespace == null ? "?" : b.daskJobNamespace) + "/"
                                + (b.daskJobName == null ? "?" : b.daskJobName) + " observed"),
                        o.getObservedAt(), now, settings, events, intents, rejected);
            }
            if (o.getPayload() instanceof DaskJobSnapshot snap) {
                for (Verdict implied : PhaseDerivation.impliedBefore(b, snap, d.verdict())) {
                    emit(b, implied, o.getObservedAt(), now, settings, events, intents, rejected);
                }
            }
            emit(b, d.verdict(), o.getObservedAt(), now, settings, events, intents, rejected);
        }
        return b.build();
    }

    /** {@code held} plus {@code o}, in observation order, the newest {@link #MAX_HELD} kept. */
    private static List<String> hold(List<String> held, Observation o) {
        List<String> out = new ArrayList<>(held);
        int at = out.size();
        while (at > 0 && o.getObservedAt().isBefore(decode(out.get(at - 1)).getObservedAt())) {
            at--;
        }
        out.add(at, encode(o));
        return out.size() > MAX_HELD ? out.subList(out.size() - MAX_HELD, out.size()) : out;
    }

    private static String encode(Observation o) {
        try {
            ByteBuffer buf = Observation.getEncoder().encode(o);
            byte[] bytes = new byte[buf.remaining()];
            buf.get(bytes);
            return Base64.getEncoder().encodeToString(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("observation " + o.getObservationId() + " cannot be kept", e);
        }
    }

    private static Observation decode(String encoded) {
        try {
            return Observation.getDecoder().decode(Base64.getDecoder().decode(encoded));
        } catch (IOException e) {
            throw new UncheckedIOException("the held observation cannot be read", e);
        }
    }

    /** The wall clock alone: deadline, image pull grace and stuck INITIALIZING. */
    public static Step tick(TaskState state, Instant now, StatusSettings settings) {
        Verdict timer = PhaseDerivation.timers(state, now, settings);
        if (timer == null) {
            return new Step(state, List.of(), List.of(), List.of(), false);
        }
        TaskState.Builder b = state.toBuilder();
        List<TaskStatus> events = new ArrayList<>();
        List<DaskJobIntent> intents = new ArrayList<>();
        List<RejectedTransition> rejected = new ArrayList<>();
        emit(b, timer, now, now, settings, events, intents, rejected);
        return new Step(b.build(), events, intents, rejected, false);
    }

    private static boolean isReplay(TaskState s, Observation o) {
        if (RecentObservations.contains(s.recentObservations(), RecentObservations.fingerprint(o.getObservationId()))) {
            return true;
        }
        return s.highestObservedAt() != null && o.getObservedAt().isBefore(s.highestObservedAt().minus(STALE_AFTER));
    }

    private static void remember(TaskState.Builder b, Observation o) {
        b.recentObservations = RecentObservations.add(b.recentObservations,
                RecentObservations.fingerprint(o.getObservationId()), RECENT_IDS);
        if (b.highestObservedAt == null || o.getObservedAt().isAfter(b.highestObservedAt)) {
            b.highestObservedAt = o.getObservedAt();
        }
    }

    private static void emit(TaskState.Builder b, Verdict v, Instant occurredAt, Instant now, StatusSettings st,
                             List<TaskStatus> events, List<DaskJobIntent> intents, List<RejectedTransition> rejected) {
        Phase cur = b.phase;
        Phase next = v.phase();
        boolean allowed = cur == null ? Phase.canStartWith(next) : cur.canTransitionTo(next);
        if (!allowed) {
            rejected.add(new RejectedTransition(cur, next));
            return;
        }
        if (cur == next && Objects.equals(b.reason, v.reason())) {
            return;
        }
        Integer highest = b.highestVersions.get(next);
        int version = cur == next ? b.phaseVersion + 1 : highest == null ? 0 : highest + 1;
        Map<Phase, Integer> versions = new EnumMap<>(Phase.class);
        versions.putAll(b.highestVersions);
        versions.put(next, version);
        b.highestVersions = versions;
        long sequence = b.lastSequence + 1;
        b.phase = next;
        b.phaseVersion = version;
        b.reason = v.reason();
        b.lastSequence = sequence;
        if (next == Phase.INITIALIZING && cur != Phase.INITIALIZING) {
            b.initializingSince = occurredAt;
        } else if (next != Phase.INITIALIZING) {
            b.initializingSince = null;
        }
        if (next.isTerminal()) {
            // A finished task ignores every later observation: no need to remember ids for replays any more.
            b.recentObservations = null;
            b.imagePullFailingSince = null;
            b.imagePullReason = null;
            b.imagePullMessage = null;
        }
        events.add(TaskStatus.newBuilder()
                .setEventId(b.taskId + ":" + sequence)
                .setTaskId(b.taskId)
                .setExecution(b.execution == null ? null : b.execution.toAvro())
                .setSequence(sequence)
                .setPhase(next.toAvro())
                .setPhaseVersion(version)
                .setReason(v.reason())
                .setMessage(v.message())
                .setError(v.error())
                .setDaskJobName(b.daskJobName)
                .setDaskJobNamespace(b.daskJobNamespace)
                .setClusterName(b.clusterName)
                .setRunnerPod(b.runnerPod)
                .setComponents(v.components())
                .setLogLinks(logLinks(b, st))
                .setOccurredAt(occurredAt)
                .setObservedAt(now)
                .setTerminal(next.isTerminal())
                .build());
        if (v.deleteReason() != null && !b.deleteRequested && b.daskJobName != null && b.daskJobNamespace != null) {
            b.deleteRequested = true;
            intents.add(DaskJobIntent.newBuilder()
                    .setIntentId(b.taskId + "/" + IntentAction.DELETE)
                    .setTaskId(b.taskId)
                    .setCommandId(b.commandId == null ? "" : b.commandId)
                    .setExecution((b.execution == null ? new ExecutionRef("", "", "", "", 0) : b.execution).toAvro())
                    .setAction(IntentAction.DELETE)
                    .setNamespace(b.daskJobNamespace)
                    .setName(b.daskJobName)
                    .setReason(v.deleteReason())
                    .setIssuedAt(now)
                    .build());
        }
    }

    static List<LogLink> logLinks(TaskState.Builder b, StatusSettings st) {
        if (st.logLinks().isEmpty()) {
            return List.of();
        }
        Map<String, String> values = new HashMap<>();
        put(values, "namespace", b.daskJobNamespace);
        put(values, "podName", b.runnerPod);
        put(values, "daskJobName", b.daskJobName);
        put(values, "taskId", b.taskId);
        if (b.execution != null) {
            put(values, "project", b.execution.project());
            put(values, "domain", b.execution.domain());
            put(values, "executionName", b.execution.name());
            put(values, "nodeId", b.execution.nodeId());
            put(values, "retryAttempt", Integer.toString(b.execution.retryAttempt()));
        }
        List<LogLink> links = new ArrayList<>();
        for (LogLinkTemplate t : st.logLinks()) {
            t.render(values).ifPresent(uri -> links.add(new LogLink(t.name(), uri)));
        }
        return links;
    }

    private static void put(Map<String, String> m, String k, String v) {
        if (v != null) {
            m.put(k, v);
        }
    }
}
