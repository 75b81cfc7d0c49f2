package dev.daskrelay.watcher.bridge;

import dev.daskrelay.avro.v1.ComponentsDetail;
import dev.daskrelay.avro.v1.ContainerDetail;
import dev.daskrelay.avro.v1.DaskJobSnapshot;
import dev.daskrelay.avro.v1.KubeEventDetail;
import dev.daskrelay.avro.v1.PodDetail;
import dev.daskrelay.schemas.KubernetesLabels;
import dev.daskrelay.watcher.status.PhaseDerivation;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * The pure core of the bridge: {@code (DaskJob, its pods, events about it) → DaskJobSnapshot}. No clock, no I/O;
 * the same inputs always give an equal snapshot, so "did anything change?" is an {@code equals} (see
 * {@link #comparable(DaskJobSnapshot)}).
 *
 * <p>What goes in (docs/DASK-OPERATOR.md §2–§5):
 * <ul>
 * <li>the DaskJob's {@code status} fields verbatim, {@code deletionTimestamp} as {@code deleting}, the
 *     {@code daskrelay.dev/spec-hash} annotation;</li>
 * <li>the runner pod (label {@code dask.org/component=job-runner}, preferring {@code status.jobRunnerPodName}),
 *     the scheduler pod (component {@code scheduler}; a pod not being deleted and ready wins) and the workers
 *     (component {@code worker}, pods being deleted ignored): desired = {@code spec.cluster.spec.worker.replicas}
 *     (0 when unknown), ready, pending, and their distinct problems;</li>
 * <li>for each pod: phase, Ready condition, the {@code PodScheduled=False/Unschedulable} message,
 *     {@code status.reason} (Evicted, DeadlineExceeded), and per container the waiting reason/message and the
 *     terminated reason/message/exit code — of the current state, or of the last state when the container was
 *     restarted (so an OOMKilled run under {@code OnFailure} stays visible during CrashLoopBackOff);</li>
 * <li>up to {@value #MAX_EVENTS} relevant events ({@link EventAttribution#relevant}), one per
 *     (object, reason, message), the most recent ones, ordered by object, reason and message.</li>
 * </ul>
 */
public final class SnapshotDerivation {

    private SnapshotDerivation() {
    }

    public static final int MAX_EVENTS = 10;
    public static final int MAX_WORKER_PROBLEMS = 5;
    /** Event and termination messages are cut to this length (kubelet messages can be long). */
    public static final int MAX_MESSAGE = 1024;

    /** The snapshot of an existing DaskJob. {@code pods} and {@code events} may contain unrelated items; they are filtered. */
    public static DaskJobSnapshot derive(GenericKubernetesResource job, Collection<Pod> pods, Collection<Event> events) {
        Objects.requireNonNull(job, "job");
        String jobName = job.getMetadata().getName();
        Map<String, Object> status = map(job.getAdditionalProperties().get("status"));
        String runnerName = string(status.get("jobRunnerPodName"));
        List<Pod> own = pods.stream()
                .filter(p -> jobName.equals(label(p, KubernetesLabels.DASK_CLUSTER_NAME)))
                .sorted(Comparator.comparing(p -> p.getMetadata().getName()))
                .toList();
        Map<String, String> annotations = job.getMetadata().getAnnotations() == null ? Map.of()
                : job.getMetadata().getAnnotations();
        return DaskJobSnapshot.newBuilder()
                .setExists(true)
                .setDeleting(job.getMetadata().getDeletionTimestamp() != null)
                .setJobStatus(blankToNull(string(status.get("jobStatus"))))
                .setClusterName(blankToNull(string(status.get("clusterName"))))
                .setJobRunnerPodName(blankToNull(runnerName))
                .setStartTime(blankToNull(string(status.get("startTime"))))
                .setEndTime(blankToNull(string(status.get("endTime"))))
                .setComponents(components(own, runnerName, jobName, workersDesired(job)))
                .setEvents(events(events))
                .setSpecHash(annotations.get(KubernetesLabels.SPEC_HASH))
                .build();
    }

    /**
     * The snapshot sent when the DaskJob has disappeared: the last known snapshot marked {@code exists=false}
     * (not deleting any more: it is gone). Null {@code last} gives a bare "gone" snapshot.
     */
    public static DaskJobSnapshot gone(DaskJobSnapshot last) {
        if (last == null) {
            return DaskJobSnapshot.newBuilder().setExists(false).setDeleting(false)
                    .setComponents(ComponentsDetail.newBuilder().build()).build();
        }
        return DaskJobSnapshot.newBuilder(last).setExists(false).setDeleting(false).build();
    }

    /**
     * The part of a snapshot that decides whether it is new: everything except the events' {@code lastSeen}, which
     * moves every time the kubelet repeats a BackOff event without anything else changing.
     */
    public static DaskJobSnapshot comparable(DaskJobSnapshot s) {
        if (s == null || s.getEvents().isEmpty()) {
            return s;
        }
        List<KubeEventDetail> events = s.getEvents().stream()
                .map(e -> KubeEventDetail.newBuilder(e).setLastSeen(null).build()).toList();
        return DaskJobSnapshot.newBuilder(s).setEvents(events).build();
    }

    /** True when {@code next} differs from {@code previous} in anything but event timestamps. */
    public static boolean changed(DaskJobSnapshot previous, DaskJobSnapshot next) {
        return previous == null || !comparable(previous).equals(comparable(next));
    }

    // ---------------------------------------------------------------------------------------------------------

    static ComponentsDetail components(List<Pod> pods, String runnerName, String jobName, int workersDesired) {
        Pod runner = null;
        List<Pod> schedulers = new ArrayList<>();
        List<Pod> workers = new ArrayList<>();
        for (Pod p : pods) {
            String component = label(p, KubernetesLabels.DASK_COMPONENT);
            if (KubernetesLabels.COMPONENT_JOB_RUNNER.equals(component)) {
                runner = betterRunner(runner, p, runnerName, jobName);
            } else if (KubernetesLabels.COMPONENT_SCHEDULER.equals(component)) {
                schedulers.add(p);
            } else if (KubernetesLabels.COMPONENT_WORKER.equals(component) && !deleting(p)) {
                workers.add(p);
            }
        }
        Pod scheduler = schedulers.stream()
                .min(Comparator.comparing((Pod p) -> deleting(p))
                        .thenComparing(p -> !ready(p))
                        .thenComparing(p -> p.getMetadata().getName()))
                .orElse(null);
        int ready = 0;
        int pending = 0;
        TreeSet<String> problems = new TreeSet<>();
        for (Pod w : workers) {
            if (ready(w)) {
                ready++;
            }
            if (w.getStatus() == null || w.getStatus().getPhase() == null || "Pending".equals(w.getStatus().getPhase())) {
                pending++;
            }
            problems.addAll(workerProblems(w));
        }
        List<String> problemList = problems.stream().limit(MAX_WORKER_PROBLEMS).toList();
        return ComponentsDetail.newBuilder()
                .setRunner(runner == null ? null : podDetail(runner))
                .setScheduler(scheduler == null ? null : podDetail(scheduler))
                .setWorkersDesired(workersDesired)
                .setWorkersReady(ready)
                .setWorkersPending(pending)
                .setWorkerProblems(problemList)
                .build();
    }

    private static Pod betterRunner(Pod current, Pod candidate, String runnerName, String jobName) {
        if (current == null) {
            return candidate;
        }
        return rank(candidate, runnerName, jobName) < rank(current, runnerName, jobName) ? candidate : current;
    }

    private static int rank(Pod p, String runnerName, String jobName) {
        String n = p.getMetadata().getName();
        if (n.equals(runnerName)) {
            return 0;
        }
        return n.equals(jobName + "-runner") ? 1 : 2;
    }

    /** The compact view of one pod. */
    public static PodDetail podDetail(Pod p) {
        var status = p.getStatus();
        List<ContainerDetail> containers = new ArrayList<>();
        String unschedulable = null;
        String phase = null;
        String reason = null;
        if (status != null) {
            phase = status.getPhase();
            reason = blankToNull(status.getReason());
            if (status.getContainerStatuses() != null) {
                status.getContainerStatuses().stream()
                        .sorted(Comparator.comparing(ContainerStatus::getName))
                        .map(SnapshotDerivation::containerDetail)
                        .forEach(containers::add);
            }
            unschedulable = unschedulableMessage(status.getConditions());
        }
        return PodDetail.newBuilder()
                .setName(p.getMetadata().getName())
                .setPhase(blankToNull(phase))
                .setReady(ready(p))
                .setUnschedulableMessage(unschedulable)
                .setStatusReason(reason)
                .setContainers(containers)
                .build();
    }

    static ContainerDetail containerDetail(ContainerStatus cs) {
        ContainerState state = cs.getState();
        ContainerDetail.Builder b = ContainerDetail.newBuilder()
                .setName(cs.getName())
                .setReady(Boolean.TRUE.equals(cs.getReady()))
                .setRestartCount(cs.getRestartCount() == null ? 0 : cs.getRestartCount());
        if (state != null && state.getWaiting() != null) {
            b.setWaitingReason(blankToNull(state.getWaiting().getReason()));
            b.setWaitingMessage(cut(blankToNull(state.getWaiting().getMessage())));
        }
        ContainerStateTerminated t = state == null ? null : state.getTerminated();
        if (t == null && cs.getLastState() != null) {
            t = cs.getLastState().getTerminated();
        }
        if (t != null) {
            b.setTerminatedReason(blankToNull(t.getReason()));
            b.setTerminatedMessage(cut(blankToNull(t.getMessage())));
            b.setExitCode(t.getExitCode());
        }
        return b.build();
    }

    static String unschedulableMessage(List<PodCondition> conditions) {
        if (conditions == null) {
            return null;
        }
        for (PodCondition c : conditions) {
            if ("PodScheduled".equals(c.getType()) && "False".equals(c.getStatus())
                    && "Unschedulable".equals(c.getReason())) {
                return c.getMessage() == null || c.getMessage().isBlank() ? "Unschedulable" : cut(c.getMessage());
            }
        }
        return null;
    }

    /** A worker's problems: its unschedulable message, container waiting reasons, abnormal terminations. */
    static List<String> workerProblems(Pod w) {
        List<String> out = new ArrayList<>();
        PodDetail d = podDetail(w);
        if (d.getUnschedulableMessage() != null) {
            out.add(PhaseDerivation.UNSCHEDULABLE_PREFIX + d.getUnschedulableMessage());
        }
        if (d.getStatusReason() != null) {
            out.add(d.getStatusReason());
        }
        for (ContainerDetail c : d.getContainers()) {
            if (c.getWaitingReason() != null && !"ContainerCreating".equals(c.getWaitingReason())
                    && !"PodInitializing".equals(c.getWaitingReason())) {
                out.add(c.getWaitingReason());
            }
            if (c.getTerminatedReason() != null && !"Completed".equals(c.getTerminatedReason())) {
                out.add(c.getTerminatedReason());
            }
        }
        return out;
    }

    static List<KubeEventDetail> events(Collection<Event> events) {
        Map<List<String>, KubeEventDetail> latest = new LinkedHashMap<>();
        for (Event e : events) {
            if (!EventAttribution.relevant(e) || e.getInvolvedObject() == null) {
                continue;
            }
            KubeEventDetail d = KubeEventDetail.newBuilder()
                    .setInvolvedKind(nullToEmpty(e.getInvolvedObject().getKind()))
                    .setInvolvedName(nullToEmpty(e.getInvolvedObject().getName()))
                    .setType(e.getType() == null ? "Normal" : e.getType())
                    .setReason(nullToEmpty(e.getReason()))
                    .setMessage(nullToEmpty(cut(e.getMessage())))
                    .setLastSeen(lastSeen(e))
                    .build();
            List<String> key = List.of(d.getInvolvedKind(), d.getInvolvedName(), d.getReason(), d.getMessage());
            latest.merge(key, d, (a, b) -> millis(a) >= millis(b) ? a : b);
        }
        Comparator<KubeEventDetail> byIdentity = Comparator.comparing(KubeEventDetail::getInvolvedKind)
                .thenComparing(KubeEventDetail::getInvolvedName)
                .thenComparing(KubeEventDetail::getReason)
                .thenComparing(KubeEventDetail::getMessage);
        return latest.values().stream()
                .sorted(Comparator.comparingLong(SnapshotDerivation::millis).reversed().thenComparing(byIdentity))
                .limit(MAX_EVENTS)
                .sorted(byIdentity)
                .toList();
    }

    private static long millis(KubeEventDetail d) {
        return d.getLastSeen() == null ? Long.MIN_VALUE : d.getLastSeen().toEpochMilli();
    }

    /** lastTimestamp, else the series' last observation, else eventTime, else firstTimestamp, else creation. */
    static Instant lastSeen(Event e) {
        List<String> candidates = new ArrayList<>();
        candidates.add(e.getLastTimestamp());
        if (e.getSeries() != null && e.getSeries().getLastObservedTime() != null) {
            candidates.add(e.getSeries().getLastObservedTime().getTime());
        }
        if (e.getEventTime() != null) {
            candidates.add(e.getEventTime().getTime());
        }
        candidates.add(e.getFirstTimestamp());
        if (e.getMetadata() != null) {
            candidates.add(e.getMetadata().getCreationTimestamp());
        }
        for (String c : candidates) {
            if (c != null && !c.isBlank()) {
                try {
                    return Instant.parse(c);
                } catch (DateTimeParseException ignored) {
                    // try the next one
                }
            }
        }
        return null;
    }

    static int workersDesired(GenericKubernetesResource job) {
        Object replicas;
        try {
            replicas = job.get("spec", "cluster", "spec", "worker", "replicas");
        } catch (RuntimeException e) {
            return 0;
        }
        return replicas instanceof Number n ? Math.max(0, n.intValue()) : 0;
    }

    static boolean ready(Pod p) {
        if (p.getStatus() == null || p.getStatus().getConditions() == null) {
            return false;
        }
        return p.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private static boolean deleting(Pod p) {
        return p.getMetadata().getDeletionTimestamp() != null;
    }

    private static String label(Pod p, String key) {
        Map<String, String> labels = p.getMetadata().getLabels();
        return labels == null ? null : labels.get(key);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    private static String string(Object o) {
        return o == null ? null : o.toString();
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    private static String cut(String s) {
        return s == null || s.length() <= MAX_MESSAGE ? s : s.substring(0, MAX_MESSAGE - 1) + "…";
    }
}
