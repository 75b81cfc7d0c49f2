package dev.daskrelay.watcher.bridge;

import dev.daskrelay.schemas.KubernetesLabels;
import dev.daskrelay.schemas.config.Installation;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builders for the objects the operator and kubelet produce, as docs/DASK-OPERATOR.md §3 describes them. */
final class K8sFixtures {

    static final String NS = "dask-jobs";

    private K8sFixtures() {
    }

    static GenericKubernetesResource daskJob(String name, String taskId, int workers) {
        Map<String, Object> spec = Map.of("cluster", Map.of("spec", Map.of("worker", Map.of("replicas", workers))),
                "job", Map.of("spec", Map.of("containers", List.of(Map.of("name", "job-runner", "image", "app:1")))));
        return new GenericKubernetesResourceBuilder()
                .withApiVersion("kubernetes.dask.org/v1").withKind("DaskJob")
                .withNewMetadata().withName(name).withNamespace(NS)
                .addToLabels(KubernetesLabels.MANAGED_BY, KubernetesLabels.MANAGED_BY_VALUE)
                .addToLabels(KubernetesLabels.INSTALLATION, Installation.DEFAULT.id())
                .addToLabels(KubernetesLabels.TASK, taskId)
                .addToAnnotations(KubernetesLabels.TASK_ID, taskId)
                .addToAnnotations(KubernetesLabels.SPEC_HASH, "hash-" + taskId)
                .addToAnnotations(KubernetesLabels.EXECUTION, "proj/dev/exec1/n0/0")
                .endMetadata()
                .addToAdditionalProperties("spec", spec)
                .build();
    }

    static GenericKubernetesResource withStatus(GenericKubernetesResource job, String jobStatus, String startTime,
                                                String endTime) {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("jobStatus", jobStatus);
        if (!"JobCreated".equals(jobStatus)) {
            status.put("clusterName", job.getMetadata().getName());
            status.put("jobRunnerPodName", job.getMetadata().getName() + "-runner");
        }
        if (startTime != null) {
            status.put("startTime", startTime);
        }
        if (endTime != null) {
            status.put("endTime", endTime);
        }
        GenericKubernetesResource copy = new GenericKubernetesResourceBuilder(job).build();
        copy.getAdditionalProperties().put("status", status);
        return copy;
    }

    static PodBuilder pod(String job, String name, String component) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace(NS)
                .addToLabels(KubernetesLabels.MANAGED_BY, KubernetesLabels.MANAGED_BY_VALUE)
                .addToLabels(KubernetesLabels.INSTALLATION, Installation.DEFAULT.id())
                .addToLabels(KubernetesLabels.DASK_CLUSTER_NAME, job)
                .addToLabels(KubernetesLabels.DASK_COMPONENT, component)
                .endMetadata()
                .withNewSpec().addNewContainer().withName(containerOf(component)).withImage("app:1").endContainer()
                .endSpec();
    }

    static String containerOf(String component) {
        return switch (component) {
            case "job-runner" -> "job-runner";
            case "scheduler" -> "scheduler";
            default -> "dask-worker";
        };
    }

    static Pod runner(String job, String phase, boolean ready, ContainerStatus... containers) {
        return pod(job, job + "-runner", "job-runner").withNewStatus().withPhase(phase)
                .withConditions(readyCondition(ready)).withContainerStatuses(containers).endStatus().build();
    }

    static Pod pendingUnschedulable(String job, String name, String component, String message) {
        return pod(job, name, component).withNewStatus().withPhase("Pending")
                .withConditions(new PodConditionBuilder().withType("PodScheduled").withStatus("False")
                        .withReason("Unschedulable").withMessage(message).build())
                .endStatus().build();
    }

    static Pod scheduler(String job, String phase, boolean ready) {
        return pod(job, job + "-scheduler-5d9c7b8f4-abcde", "scheduler").withNewStatus().withPhase(phase)
                .withConditions(readyCondition(ready))
                .withContainerStatuses(running("scheduler", ready)).endStatus().build();
    }

    static Pod worker(String job, int i, String phase, boolean ready, ContainerStatus... containers) {
        String name = String.format("%s-default-worker-%010x-6b7c8d9f5-w%04d", job, i, i);
        return pod(job, name, "worker").withNewStatus().withPhase(phase).withConditions(readyCondition(ready))
                .withContainerStatuses(containers).endStatus().build();
    }

    static PodCondition readyCondition(boolean ready) {
        return new PodConditionBuilder().withType("Ready").withStatus(ready ? "True" : "False").build();
    }

    static ContainerStatus running(String name, boolean ready) {
        return new ContainerStatusBuilder().withName(name).withReady(ready).withRestartCount(0)
                .withNewState().withNewRunning().withStartedAt("2026-01-01T10:00:00Z").endRunning().endState().build();
    }

    static ContainerStatus waiting(String name, String reason, String message) {
        return new ContainerStatusBuilder().withName(name).withReady(false).withRestartCount(0)
                .withNewState().withNewWaiting().withReason(reason).withMessage(message).endWaiting().endState().build();
    }

    static ContainerStatus terminated(String name, String reason, int exitCode, String message) {
        return new ContainerStatusBuilder().withName(name).withReady(false).withRestartCount(0)
                .withNewState().withNewTerminated().withReason(reason).withExitCode(exitCode).withMessage(message)
                .endTerminated().endState().build();
    }

    static Event event(String kind, String involvedName, String type, String reason, String message, String lastSeen) {
        return new EventBuilder().withNewMetadata().withName(involvedName + "." + Integer.toHexString(
                        (reason + message + lastSeen).hashCode())).withNamespace(NS).endMetadata()
                .withNewInvolvedObject().withKind(kind).withName(involvedName).withNamespace(NS).endInvolvedObject()
                .withType(type).withReason(reason).withMessage(message).withLastTimestamp(lastSeen).build();
    }

    static List<Pod> pods(Pod... pods) {
        return new ArrayList<>(List.of(pods));
    }
}
