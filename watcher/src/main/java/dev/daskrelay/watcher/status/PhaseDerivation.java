package dev.daskrelay.watcher.status;

import dev.daskrelay.avro.v1.ApplyOutcome;
import dev.daskrelay.avro.v1.CommandOutcome;
import dev.daskrelay.avro.v1.ComponentsDetail;
import dev.daskrelay.avro.v1.ContainerDetail;
import dev.daskrelay.avro.v1.DaskJobSnapshot;
import dev.daskrelay.avro.v1.ErrorKind;
import dev.daskrelay.avro.v1.KubeEventDetail;
import dev.daskrelay.avro.v1.Observation;
import dev.daskrelay.avro.v1.PodDetail;
import dev.daskrelay.schemas.task.DurationText;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Pure derivation of a task's phase from one observation (and from the clock, for timers). No I/O, no clock: the
 * time is passed in. The rules are documented in docs/STATUS-MODEL.md; each rule is a method here.
 */
public final class PhaseDerivation {

    public static final String REASON_SUBMITTED = "task submitted to Kubernetes";
    /** INITIALIZING before the operator set any jobStatus on the DaskJob: it has not picked the job up yet. */
    public static final String REASON_OPERATOR_PENDING = "waiting for the Dask operator";
    public static final String REASON_JOB_CREATED = "job created";
    public static final String REASON_CLUSTER_CREATED = "cluster created";
    public static final String DEFAULT_ABORT_REASON = "aborted by request";
    /** How a worker's PodScheduled=False problem starts (the bridge's SnapshotDerivation writes it). */
    public static final String UNSCHEDULABLE_PREFIX = "Unschedulable: ";
    /** Reason of the event that answers an abort whose execution identity is not the task's. */
    public static final String ABORT_REJECTED_REASON = "abort rejected";

    private PhaseDerivation() {
    }

    /** Bookkeeping after an observation, and the verdict it implies (null: no opinion on the phase). */
    record Derived(TaskState.Builder state, Verdict verdict) {
    }

    /** Derives the verdict of {@code o} for a task in state {@code s} (bookkeeping updated in the result). */
    static Derived derive(TaskState s, Observation o, Instant now, StatusSettings settings) {
        TaskState.Builder b = s.toBuilder();
        Instant at = o.getObservedAt();
        if (b.execution == null && o.getExecution() != null) {
            b.execution = ExecutionRef.of(o.getExecution());
        }
        if (o.getDaskJobName() != null) {
            b.daskJobName = o.getDaskJobName();
        }
        if (o.getDaskJobNamespace() != null) {
            b.daskJobNamespace = o.getDaskJobNamespace();
        }
        if (b.firstObservedAt == null) {
            b.firstObservedAt = at;
        }
        Object payload = o.getPayload();
        Verdict v;
        if (payload instanceof CommandOutcome c) {
            v = command(b, c, at);
        } else if (payload instanceof ApplyOutcome a) {
            v = apply(b, a);
        } else if (payload instanceof DaskJobSnapshot d) {
            v = snapshot(b, d, at, now, settings);
        } else {
            throw new IllegalArgumentException("payload: unexpected type "
                    + (payload == null ? "null" : payload.getClass().getName()));
        }
        return new Derived(b, v);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Command topology outcomes

    static Verdict command(TaskState.Builder b, CommandOutcome c, Instant at) {
        return switch (c.getKind()) {
            case LAUNCH_ACCEPTED -> {
                b.commandId = c.getCommandId();
                if (b.acceptedAt == null) {
                    b.acceptedAt = at;
                }
                if (c.getTimeoutSeconds() != null && c.getTimeoutSeconds() > 0) {
                    b.deadline = b.acceptedAt.plusSeconds(c.getTimeoutSeconds());
                }
                yield null;
            }
            case LAUNCH_REJECTED -> {
                List<String> problems = c.getProblems();
                String msg = problems.isEmpty()
                        ? (c.getMessage() == null ? "launch rejected" : c.getMessage())
                        : String.join("; ", problems);
                yield Verdict.failed(ErrorCodes.BadTaskSpecification.name(), msg, ErrorKind.USER, false);
            }
            case LAUNCH_AFTER_ABORT -> Verdict.of(Phase.ABORTED, "aborted before launch",
                    "the launch arrived after an abort of the same task; nothing was created");
            case ABORT_ACCEPTED -> {
                markAbort(b, c);
                yield null;
            }
            case ABORT_BEFORE_LAUNCH -> {
                markAbort(b, c);
                yield b.phase == null ? Verdict.of(Phase.ABORTED, b.abortReason,
                        "aborted before its launch; nothing was created") : null;
            }
            case ABORT_UNKNOWN_TASK -> b.phase == null
                    ? Verdict.of(Phase.ABORTED, "abort of unknown task",
                    c.getMessage() == null ? "no launch is known for this task id" : c.getMessage())
                    : null;
            // The abort named another execution than the task's launch: the task goes on; the answer is a reason
            // change of its current phase (QUEUED when it has no status yet), with the problem as the message.
            case ABORT_REJECTED -> Verdict.of(b.phase == null ? Phase.QUEUED : b.phase, ABORT_REJECTED_REASON,
                    c.getProblems().isEmpty() ? c.getMessage() : String.join("; ", c.getProblems()));
            // A finished task's terminal event is the answer: nothing may follow it.
            case ABORT_OF_FINISHED_TASK, ABORT_DUPLICATE, LAUNCH_DUPLICATE, UNKNOWN -> null;
        };
    }

    private static void markAbort(TaskState.Builder b, CommandOutcome c) {
        b.abortRequested = true;
        if (b.abortReason == null) {
            b.abortReason = c.getMessage() == null || c.getMessage().isBlank() ? DEFAULT_ABORT_REASON : c.getMessage();
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Applier outcomes

    static Verdict apply(TaskState.Builder b, ApplyOutcome a) {
        String job = jobRef(b);
        return switch (a.getAction()) {
            case CREATE -> switch (a.getOutcome()) {
                case CREATED -> Verdict.of(Phase.QUEUED, REASON_SUBMITTED, "DaskJob " + job + " created");
                case ALREADY_EXISTED -> Verdict.of(Phase.QUEUED, REASON_SUBMITTED, "DaskJob " + job + " already existed");
                case WAITING_FOR_RESOURCES -> Verdict.of(Phase.WAITING_FOR_RESOURCES,
                        nonBlank(a.getMessage(), "waiting for resources"), a.getMessage());
                case CONFLICT -> Verdict.failed(nonBlank(a.getErrorCode(), ErrorCodes.SpecConflict.name()),
                        nonBlank(a.getMessage(), "DaskJob " + job + " exists with a different spec"),
                        ErrorKind.USER, false);
                case FAILED -> a.getRetryable()
                        ? Verdict.failed(nonBlank(a.getErrorCode(), ErrorCodes.RuntimeFailure.name()),
                        nonBlank(a.getMessage(), "failed to create DaskJob " + job)
                                + " (gave up after " + a.getAttempts() + " attempts)",
                        Integer.valueOf(403).equals(a.getHttpCode()) ? ErrorKind.USER : ErrorKind.SYSTEM, true)
                        : Verdict.failed(nonBlank(a.getErrorCode(), ErrorCodes.BadTaskFormat.name()),
                        nonBlank(a.getMessage(), "the API server refused DaskJob " + job), ErrorKind.USER, false);
                default -> null;
            };
            case DELETE -> switch (a.getOutcome()) {
                case DELETED, NOT_FOUND -> b.abortRequested
                        ? Verdict.of(Phase.ABORTED, b.abortReason, "DaskJob " + job + " deleted")
                        : null;
                default -> null;
            };
            default -> null;
        };
    }

    // ---------------------------------------------------------------------------------------------------------
    // Watcher bridge snapshots

    static Verdict snapshot(TaskState.Builder b, DaskJobSnapshot d, Instant at, Instant now, StatusSettings st) {
        ComponentsDetail comps = d.getComponents();
        PodDetail runner = comps == null ? null : comps.getRunner();
        if (d.getClusterName() != null) {
            b.clusterName = d.getClusterName();
        }
        if (d.getJobRunnerPodName() != null) {
            b.runnerPod = d.getJobRunnerPodName();
        } else if (runner != null && runner.getName() != null) {
            b.runnerPod = runner.getName();
        }
        Verdict v = snapshotVerdict(b, d, DaskJobStatus.of(d.getJobStatus()), runner, at, now, st);
        return v == null ? null : v.withComponents(comps);
    }

    private static Verdict snapshotVerdict(TaskState.Builder b, DaskJobSnapshot d, DaskJobStatus jobStatus,
                                           PodDetail runner, Instant at, Instant now, StatusSettings st) {
        // 1. The operator's own terminal word wins, even on a deletion snapshot.
        if (jobStatus == DaskJobStatus.SUCCESSFUL) {
            return Verdict.of(Phase.SUCCEEDED, "job succeeded", null);
        }
        if (jobStatus == DaskJobStatus.FAILED) {
            return b.abortRequested ? aborted(b) : runnerFailure(runner);
        }
        // 2. Gone (or going) while not finished.
        if (!d.getExists() || d.getDeleting()) {
            clearImagePull(b);
            if (b.abortRequested) {
                return aborted(b);
            }
            if (b.deleteRequested) {
                return null;
            }
            return Verdict.failed(ErrorCodes.ResourceDeletedExternally.name(),
                    "DaskJob " + jobRef(b) + (d.getExists() ? " is being deleted" : " was deleted")
                            + " outside daskrelay while the task was not finished", ErrorKind.SYSTEM, true);
        }
        // 3. The runner pod ended before the operator noticed (or the operator is stuck, dask-kubernetes #975).
        if (runner != null && "Failed".equals(runner.getPhase())) {
            // After an abort the runner dies of the deletion: the answer is ABORTED, not the kill's exit code.
            return b.abortRequested ? aborted(b) : runnerFailure(runner);
        }
        if (runner != null && "Succeeded".equals(runner.getPhase())) {
            return Verdict.of(Phase.SUCCEEDED, "runner succeeded", null);
        }
        // 4. Runner image problems.
        ContainerDetail rc = runnerContainer(runner);
        String waiting = rc == null ? null : rc.getWaitingReason();
        if ("InvalidImageName".equals(waiting)) {
            clearImagePull(b);
            return Verdict.failed(ErrorCodes.InvalidImageName.name(),
                    "runner image is invalid: " + nonBlank(rc.getWaitingMessage(), "InvalidImageName"),
                    ErrorKind.USER, false).withDelete(ErrorCodes.InvalidImageName.name());
        }
        if ("ErrImagePull".equals(waiting) || "ImagePullBackOff".equals(waiting)) {
            if (b.imagePullFailingSince == null) {
                b.imagePullFailingSince = at;
            }
            b.imagePullReason = waiting;
            if (rc.getWaitingMessage() != null && !rc.getWaitingMessage().isBlank()) {
                b.imagePullMessage = rc.getWaitingMessage();
            }
            Verdict pull = imagePullVerdict(b.imagePullFailingSince, b.imagePullReason, b.imagePullMessage, now, st);
            if (pull != null) {
                return pull;
            }
        } else {
            clearImagePull(b);
        }
        // 5. Running (and, as in Flyte, any unrecognised jobStatus), or the runner's container runs already: the
        //    operator writes Running only after it sees that, and a busy operator can be seconds behind.
        //    Resource trouble is detail here.
        if (jobStatus.countsAsRunning() || runnerRuns(runner)) {
            return Verdict.of(Phase.RUNNING, runningReason(d.getComponents()), null);
        }
        // 6. Not running yet, and the scheduler or a quota says why.
        String wait = resourceWait(d, runner);
        if (wait != null) {
            return Verdict.of(Phase.WAITING_FOR_RESOURCES, wait, null);
        }
        // 7. Initializing, with what the components show.
        String base = switch (jobStatus) {
            case JOB_CREATED -> REASON_JOB_CREATED;
            case CLUSTER_CREATED -> REASON_CLUSTER_CREATED;
            default -> REASON_OPERATOR_PENDING;
        };
        String detail = componentDetail(d.getComponents());
        return Verdict.of(Phase.INITIALIZING, detail.isEmpty() ? base : base + " (" + detail + ")", null);
    }

    /**
     * The phases a snapshot proves the task went through before {@code v}, which the task has not reported yet:
     * INITIALIZING when the operator had created the job's components (a runner pod, or a jobStatus past
     * JobCreated), RUNNING when the verdict is an end the runner's container reached after it started (an exit code,
     * or the operator's Successful). A busy watcher, a fast cluster or a snapshot held until the launch was known
     * can see a DaskJob only after these phases; the task still reads them, in order, at the snapshot's time.
     */
    static List<Verdict> impliedBefore(TaskState.Builder b, DaskJobSnapshot d, Verdict v) {
        if (v == null || v.phase() == Phase.QUEUED || v.phase() == Phase.INITIALIZING || v.phase() == Phase.ABORTED) {
            return List.of();
        }
        ComponentsDetail comps = d.getComponents();
        PodDetail runner = comps == null ? null : comps.getRunner();
        DaskJobStatus jobStatus = DaskJobStatus.of(d.getJobStatus());
        List<Verdict> out = new ArrayList<>(2);
        boolean before = b.phase == null || b.phase == Phase.QUEUED;
        boolean componentsCreated = runner != null || d.getJobRunnerPodName() != null
                || (jobStatus != DaskJobStatus.ABSENT && jobStatus != DaskJobStatus.JOB_CREATED);
        if (before && componentsCreated && !b.highestVersions.containsKey(Phase.INITIALIZING)) {
            out.add(Verdict.of(Phase.INITIALIZING, REASON_CLUSTER_CREATED,
                    "implied: DaskJob " + jobRef(b) + " was first seen past this phase"));
        }
        if (v.phase().isTerminal() && !b.highestVersions.containsKey(Phase.RUNNING)
                && (b.phase == null || b.phase.canTransitionTo(Phase.RUNNING))) {
            ContainerDetail rc = runnerContainer(runner);
            boolean ran = v.phase() == Phase.SUCCEEDED || (rc != null && rc.getExitCode() != null);
            if (ran) {
                out.add(Verdict.of(Phase.RUNNING, "runner started",
                        "implied: the runner of DaskJob " + jobRef(b) + " was first seen after it ended"));
            }
        }
        return out;
    }

    private static Verdict aborted(TaskState.Builder b) {
        return Verdict.of(Phase.ABORTED, b.abortReason, "DaskJob " + jobRef(b) + " deleted");
    }

    /** FAILED from the runner: OOMKilled, exit code, eviction, deadline; else Flyte's "Dask Job failed". */
    static Verdict runnerFailure(PodDetail runner) {
        ContainerDetail rc = runnerContainer(runner);
        if (runner != null && "Evicted".equals(runner.getStatusReason())) {
            return Verdict.failed(ErrorCodes.Evicted.name(), "runner pod " + runner.getName() + " was evicted",
                    ErrorKind.SYSTEM, true);
        }
        if (runner != null && "DeadlineExceeded".equals(runner.getStatusReason())) {
            return Verdict.failed(ErrorCodes.DeadlineExceeded.name(), "runner pod " + runner.getName()
                    + " exceeded its activeDeadlineSeconds", ErrorKind.USER, true);
        }
        if (rc != null && "OOMKilled".equals(rc.getTerminatedReason())) {
            return Verdict.failed(ErrorCodes.OOMKilled.name(), "runner container was OOMKilled"
                    + (rc.getExitCode() == null ? "" : " (exit code " + rc.getExitCode() + ")")
                    + terminationMessage(rc), ErrorKind.USER, true);
        }
        if (rc != null && rc.getExitCode() != null && rc.getExitCode() != 0) {
            return Verdict.failed(ErrorCodes.RunnerExitCode.name(), "runner exited with code " + rc.getExitCode()
                    + terminationMessage(rc), ErrorKind.USER, true);
        }
        return Verdict.failed(ErrorCodes.DownstreamSystemError.name(), "Dask Job failed", ErrorKind.USER, true);
    }

    private static String terminationMessage(ContainerDetail rc) {
        return rc.getTerminatedMessage() == null || rc.getTerminatedMessage().isBlank() ? ""
                : ": " + rc.getTerminatedMessage().strip();
    }

    /** FAILED when the image pull has been failing for at least the grace period; else null. */
    static Verdict imagePullVerdict(Instant since, String reason, String message, Instant now, StatusSettings st) {
        if (since == null || Duration.between(since, now).compareTo(st.imagePullGrace()) < 0) {
            return null;
        }
        // The kubelet alternates ErrImagePull (an attempt failed) and ImagePullBackOff (waiting to try again), so
        // the reason showing when the grace ends is chance: a pull failing that long is ImagePullBackOff, and the
        // message names the last reason seen.
        String code = ErrorCodes.ImagePullBackOff.name();
        return Verdict.failed(code, "runner image could not be pulled for "
                        + DurationText.format(st.imagePullGrace()) + " (" + (reason == null ? code : reason)
                        + (message == null ? "" : ": " + message) + ")",
                ErrorKind.USER, true).withDelete(code);
    }

    private static void clearImagePull(TaskState.Builder b) {
        b.imagePullFailingSince = null;
        b.imagePullReason = null;
        b.imagePullMessage = null;
    }

    static ContainerDetail runnerContainer(PodDetail runner) {
        if (runner == null || runner.getContainers() == null || runner.getContainers().isEmpty()) {
            return null;
        }
        for (ContainerDetail c : runner.getContainers()) {
            if ("job-runner".equals(c.getName())) {
                return c;
            }
        }
        return runner.getContainers().get(0);
    }

    /**
     * Why the job waits for resources, or null: an unschedulable runner or scheduler pod, FailedScheduling events
     * of pods still pending, FailedCreate events refused by a quota while pods are missing.
     */
    static String resourceWait(DaskJobSnapshot d, PodDetail runner) {
        ComponentsDetail c = d.getComponents();
        PodDetail scheduler = c == null ? null : c.getScheduler();
        if (runner != null && runner.getUnschedulableMessage() != null) {
            return "job-runner unschedulable: " + runner.getUnschedulableMessage();
        }
        if (scheduler != null && scheduler.getUnschedulableMessage() != null) {
            return "scheduler unschedulable: " + scheduler.getUnschedulableMessage();
        }
        for (KubeEventDetail e : d.getEvents()) {
            if ("FailedScheduling".equals(e.getReason())) {
                String who = e.getInvolvedName();
                if (runner != null && who.equals(runner.getName())) {
                    if (isPending(runner)) {
                        return "job-runner unschedulable: " + e.getMessage();
                    }
                } else if (scheduler != null && who.equals(scheduler.getName())) {
                    if (isPending(scheduler)) {
                        return "scheduler unschedulable: " + e.getMessage();
                    }
                } else if (c != null && c.getWorkersPending() > 0) {
                    return "workers unschedulable: " + e.getMessage();
                }
            }
        }
        if (c != null && c.getWorkersPending() > 0) {
            // the scheduler's verdict is on the pods too (PodScheduled=False), Events or not
            for (String problem : c.getWorkerProblems()) {
                if (problem.startsWith(UNSCHEDULABLE_PREFIX)) {
                    return "workers unschedulable: " + problem.substring(UNSCHEDULABLE_PREFIX.length());
                }
            }
        }
        boolean podsMissing = runner == null || scheduler == null
                || (c != null && c.getWorkersReady() + c.getWorkersPending() < c.getWorkersDesired());
        for (KubeEventDetail e : d.getEvents()) {
            if ("FailedCreate".equals(e.getReason()) && podsMissing
                    && e.getMessage().toLowerCase(Locale.ROOT).contains("exceeded quota")) {
                return "quota exceeded: " + e.getMessage();
            }
        }
        return null;
    }

    /** The runner pod is Running and its container is not waiting (a restart back-off is not running). */
    static boolean runnerRuns(PodDetail runner) {
        ContainerDetail rc = runnerContainer(runner);
        return runner != null && "Running".equals(runner.getPhase()) && rc != null && rc.getWaitingReason() == null;
    }

    private static boolean isPending(PodDetail p) {
        return p.getPhase() == null || "Pending".equals(p.getPhase());
    }

    /** "workers ready 3/10" (plus worker problems), or "running" when the worker count is not known. */
    static String runningReason(ComponentsDetail c) {
        if (c == null || c.getWorkersDesired() <= 0) {
            return "running";
        }
        String r = "workers ready " + c.getWorkersReady() + "/" + c.getWorkersDesired();
        if (!c.getWorkerProblems().isEmpty() && c.getWorkersReady() < c.getWorkersDesired()) {
            r += " (" + String.join("; ", c.getWorkerProblems()) + ")";
        }
        return r;
    }

    /** "runner Pending ImagePullBackOff, scheduler Running, workers ready 0/10" — only what is known. */
    static String componentDetail(ComponentsDetail c) {
        if (c == null) {
            return "";
        }
        List<String> parts = new ArrayList<>();
        if (c.getRunner() != null) {
            parts.add("runner " + podState(c.getRunner()));
        }
        if (c.getScheduler() != null) {
            parts.add("scheduler " + podState(c.getScheduler()));
        }
        if (c.getWorkersDesired() > 0) {
            parts.add("workers ready " + c.getWorkersReady() + "/" + c.getWorkersDesired());
        }
        return String.join(", ", parts);
    }

    private static String podState(PodDetail p) {
        String s = p.getPhase() == null ? "Pending" : p.getPhase();
        ContainerDetail first = p.getContainers().isEmpty() ? null : p.getContainers().get(0);
        for (ContainerDetail cd : p.getContainers()) {
            if (cd.getWaitingReason() != null) {
                first = cd;
                break;
            }
        }
        if (first != null && first.getWaitingReason() != null) {
            String w = first.getWaitingReason();
            // ErrImagePull and ImagePullBackOff alternate while Kubernetes backs off: one reason, not a new one each time.
            s += " " + (w.equals("ErrImagePull") || w.equals("ImagePullBackOff") ? "image pull failing" : w);
        } else if (p.getReady()) {
            s += " ready";
        }
        return s;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Timers (wall-clock punctuation, and after every observation)

    /** The verdict of the clock alone: deadline, image pull grace, stuck INITIALIZING; null when none fired. */
    static Verdict timers(TaskState s, Instant now, StatusSettings st) {
        if (s.isTerminal()) {
            return null;
        }
        if (s.deadline() != null && !now.isBefore(s.deadline())) {
            Duration timeout = s.acceptedAt() == null ? null : Duration.between(s.acceptedAt(), s.deadline());
            return Verdict.failed(ErrorCodes.Timeout.name(), "task deadline passed"
                            + (timeout == null ? "" : ": not finished " + DurationText.format(timeout)
                            + " after its launch was accepted"),
                    ErrorKind.SYSTEM, true).withDelete(ErrorCodes.Timeout.name());
        }
        Verdict pull = imagePullVerdict(s.imagePullFailingSince(), s.imagePullReason(), s.imagePullMessage(), now, st);
        if (pull != null) {
            return pull;
        }
        if (s.phase() == Phase.INITIALIZING && s.initializingSince() != null
                && Duration.between(s.initializingSince(), now).compareTo(st.stuckAfter()) >= 0) {
            return Verdict.failed(ErrorCodes.Stuck.name(), "INITIALIZING for more than "
                            + DurationText.format(st.stuckAfter()) + " (last reason: " + s.reason()
                            + "); the Dask operator may be hung", ErrorKind.SYSTEM, true)
                    .withDelete(ErrorCodes.Stuck.name());
        }
        return null;
    }

    /** When the earliest armed timer of {@code s} fires, or null when none is armed (or the task is terminal). */
    public static Instant nextTimerDue(TaskState s, StatusSettings st) {
        if (s.isTerminal()) {
            return null;
        }
        Instant due = s.deadline();
        if (s.imagePullFailingSince() != null) {
            due = earliest(due, s.imagePullFailingSince().plus(st.imagePullGrace()));
        }
        if (s.phase() == Phase.INITIALIZING && s.initializingSince() != null) {
            due = earliest(due, s.initializingSince().plus(st.stuckAfter()));
        }
        return due;
    }

    private static Instant earliest(Instant a, Instant b) {
        return a == null || b.isBefore(a) ? b : a;
    }

    private static String jobRef(TaskState.Builder b) {
        return (b.daskJobNamespace == null ? "?" : b.daskJobNamespace) + "/" + (b.daskJobName == null ? "?" : b.daskJobName);
    }

    private static String nonBlank(String s, String dflt) {
        return s == null || s.isBlank() ? dflt : s;
    }
}
