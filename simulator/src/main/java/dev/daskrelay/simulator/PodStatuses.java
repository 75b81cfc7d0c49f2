package dev.daskrelay.simulator;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateTerminatedBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.HostIP;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Pod statuses as a kubelet (and the default scheduler) writes them, as pure functions of the pod's facts and the
 * time passed in.
 */
final class PodStatuses {

    /**
     * What the kubelet knows about one pod.
     *
     * @param containers  the pod's containers (names and images)
     * @param hostIP      the node's address
     * @param podIP       the pod's address
     * @param containerId a 64-hex id prefix shared by the pod's containers (one per container is derived from it)
     * @param startTime   when the kubelet accepted the pod
     * @param qosClass    the pod's QoS class, as the API server computes it at creation ({@link #qosClass})
     */
    record Facts(List<Container> containers, String hostIP, String podIP, String containerId, Instant startTime,
                 String qosClass) {
    }

    /**
     * The QoS class the API server gives a pod: Guaranteed when every container has CPU and memory limits equal to
     * its requests (a missing request defaults to the limit), BestEffort when no container requests or limits
     * anything, else Burstable.
     */
    static String qosClass(List<Container> containers) {
        boolean any = false;
        boolean guaranteed = true;
        for (Container c : containers) {
            Map<String, Quantity> requests = c.getResources() == null || c.getResources().getRequests() == null
                    ? Map.of() : c.getResources().getRequests();
            Map<String, Quantity> limits = c.getResources() == null || c.getResources().getLimits() == null
                    ? Map.of() : c.getResources().getLimits();
            any |= !requests.isEmpty() || !limits.isEmpty();
            for (String r : List.of("cpu", "memory")) {
                Quantity limit = limits.get(r);
                Quantity request = requests.getOrDefault(r, limit);
                if (limit == null || request == null
                        || limit.getNumericalAmount().compareTo(request.getNumericalAmount()) != 0) {
                    guaranteed = false;
                }
            }
        }
        return !any ? "BestEffort" : guaranteed ? "Guaranteed" : "Burstable";
    }

    private PodStatuses() {
    }

    /** Not scheduled: PodScheduled=False reason Unschedulable; no node, no container statuses. */
    static PodStatus unschedulable(String message, Instant now, String qosClass) {
        return new PodStatusBuilder()
                .withPhase("Pending")
                .withQosClass(qosClass)
                .withConditions(condition("PodScheduled", "False", "Unschedulable", message, now))
                .build();
    }

    /** Scheduled and accepted, containers waiting (ContainerCreating, ErrImagePull, ImagePullBackOff, InvalidImageName). */
    static PodStatus waiting(Facts f, String reason, String message, Instant since) {
        List<ContainerStatus> statuses = new ArrayList<>();
        for (Container c : f.containers()) {
            statuses.add(base(c, f).withReady(false).withStarted(false).withRestartCount(0)
                    .withState(new ContainerStateBuilder().withNewWaiting().withReason(reason)
                            .withMessage(message == null ? null : message.replace("{image}", String.valueOf(c.getImage())))
                            .endWaiting().build())
                    .withContainerID(null).withImageID("")
                    .build());
        }
        return common(f, "Pending", false, since, statuses);
    }

    /** Containers running since {@code startedAt}; ready or not; {@code last} is the previous run after a restart. */
    static PodStatus running(Facts f, Instant startedAt, boolean ready, int restartCount, ContainerStateTerminated last) {
        List<ContainerStatus> statuses = new ArrayList<>();
        int i = 0;
        for (Container c : f.containers()) {
            statuses.add(base(c, f).withReady(ready).withStarted(true).withRestartCount(restartCount)
                    .withContainerID(containerId(f, i++, restartCount))
                    .withState(new ContainerStateBuilder().withNewRunning().withStartedAt(time(startedAt)).endRunning().build())
                    .withLastState(last == null ? new ContainerState() : new ContainerStateBuilder().withTerminated(last).build())
                    .build());
        }
        return common(f, "Running", ready, startedAt, statuses);
    }

    /** restartPolicy OnFailure/Always after an exit: phase stays Running, the container waits in CrashLoopBackOff. */
    static PodStatus crashLoopBackOff(Facts f, ContainerStateTerminated last, int restartCount, String podName, Instant now) {
        List<ContainerStatus> statuses = new ArrayList<>();
        for (Container c : f.containers()) {
            statuses.add(base(c, f).withReady(false).withStarted(false).withRestartCount(restartCount)
                    .withContainerID(last.getContainerID())
                    .withState(new ContainerStateBuilder().withNewWaiting().withReason("CrashLoopBackOff")
                            .withMessage("back-off 10s restarting failed container=" + c.getName() + " pod=" + podName)
                            .endWaiting().build())
                    .withLastState(new ContainerStateBuilder().withTerminated(last).build())
                    .build());
        }
        return common(f, "Running", false, now, statuses);
    }

    /** Terminated containers; phase Succeeded when the exit code is 0, else Failed. */
    static PodStatus terminated(Facts f, int exitCode, String reason, Instant startedAt, Instant finishedAt, int restartCount) {
        List<ContainerStatus> statuses = new ArrayList<>();
        int i = 0;
        for (Container c : f.containers()) {
            statuses.add(base(c, f).withReady(false).withStarted(false).withRestartCount(restartCount)
                    .withContainerID(containerId(f, i, restartCount))
                    .withState(new ContainerStateBuilder().withTerminated(
                            terminatedState(exitCode, reason, startedAt, finishedAt, containerId(f, i++, restartCount))).build())
                    .build());
        }
        PodStatus status = common(f, exitCode == 0 ? "Succeeded" : "Failed", false, finishedAt, statuses);
        for (PodCondition condition : status.getConditions()) {
            if ("Ready".equals(condition.getType()) || "ContainersReady".equals(condition.getType())) {
                condition.setReason(exitCode == 0 ? "PodCompleted" : "PodFailed");
                condition.setMessage(null);
            }
        }
        return status;
    }

    static ContainerStateTerminated terminatedState(int exitCode, String reason, Instant startedAt, Instant finishedAt, String containerId) {
        return new ContainerStateTerminatedBuilder().withExitCode(exitCode).withReason(reason)
                .withStartedAt(time(startedAt)).withFinishedAt(time(finishedAt)).withContainerID(containerId).build();
    }

    static String containerId(Facts f, int container, int restart) {
        String suffix = String.format("%02x%02x", container & 0xff, restart & 0xff);
        return "containerd://" + f.containerId().substring(0, 60) + suffix;
    }

    private static ContainerStatusBuilder base(Container c, Facts f) {
        String image = c.getImage() == null ? "" : c.getImage();
        String imageId = image.isEmpty() ? "" : image.replaceAll(":[^/:]*$", "") + "@sha256:" + f.containerId();
        return new ContainerStatusBuilder().withName(c.getName()).withImage(image).withImageID(imageId);
    }

    private static PodStatus common(Facts f, String phase, boolean ready, Instant transition, List<ContainerStatus> statuses) {
        String unready = "containers with unready status: ["
                + String.join(" ", f.containers().stream().map(Container::getName).toList()) + "]";
        List<PodCondition> conditions = List.of(
                condition("PodReadyToStartContainers", "Running".equals(phase) || "Pending".equals(phase) ? "True" : "False", null, null, f.startTime()),
                condition("Initialized", "True", null, null, f.startTime()),
                condition("Ready", ready ? "True" : "False", ready ? null : "ContainersNotReady", ready ? null : unready, transition),
                condition("ContainersReady", ready ? "True" : "False", ready ? null : "ContainersNotReady", ready ? null : unready, transition),
                condition("PodScheduled", "True", null, null, f.startTime()));
        return new PodStatusBuilder()
                .withPhase(phase)
                .withConditions(conditions)
                .withHostIP(f.hostIP()).withHostIPs(new HostIP(f.hostIP()))
                .withPodIP(f.podIP()).withPodIPs(new PodIP(f.podIP()))
                .withStartTime(time(f.startTime()))
                .withQosClass(f.qosClass())
                .withContainerStatuses(statuses)
                .build();
    }

    private static PodCondition condition(String type, String status, String reason, String message, Instant at) {
        return new PodConditionBuilder().withType(type).withStatus(status).withReason(reason).withMessage(message)
                .withLastTransitionTime(time(at)).withLastProbeTime(null).build();
    }

    static String time(Instant instant) {
        return EventRecorder.KUBE_TIME.format(instant);
    }
}
