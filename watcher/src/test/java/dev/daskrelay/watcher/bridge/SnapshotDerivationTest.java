package dev.daskrelay.watcher.bridge;

import static dev.daskrelay.watcher.bridge.K8sFixtures.daskJob;
import static dev.daskrelay.watcher.bridge.K8sFixtures.event;
import static dev.daskrelay.watcher.bridge.K8sFixtures.pendingUnschedulable;
import static dev.daskrelay.watcher.bridge.K8sFixtures.pods;
import static dev.daskrelay.watcher.bridge.K8sFixtures.runner;
import static dev.daskrelay.watcher.bridge.K8sFixtures.running;
import static dev.daskrelay.watcher.bridge.K8sFixtures.scheduler;
import static dev.daskrelay.watcher.bridge.K8sFixtures.terminated;
import static dev.daskrelay.watcher.bridge.K8sFixtures.waiting;
import static dev.daskrelay.watcher.bridge.K8sFixtures.withStatus;
import static dev.daskrelay.watcher.bridge.K8sFixtures.worker;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.daskrelay.avro.v1.ContainerDetail;
import dev.daskrelay.avro.v1.DaskJobSnapshot;
import dev.daskrelay.avro.v1.KubeEventDetail;
import dev.daskrelay.avro.v1.PodDetail;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SnapshotDerivationTest {

    private static final String J = "relay-t1-0";
    private final GenericKubernetesResource created = daskJob(J, "t1", 10);

    private static DaskJobSnapshot derive(GenericKubernetesResource job, List<Pod> pods, List<Event> events) {
        return SnapshotDerivation.derive(job, pods, events);
    }

    @Test
    void freshJobWithoutStatusHasOnlyIdentityFields() {
        DaskJobSnapshot s = derive(created, List.of(), List.of());
        assertTrue(s.getExists());
        assertFalse(s.getDeleting());
        assertNull(s.getJobStatus());
        assertNull(s.getClusterName());
        assertNull(s.getJobRunnerPodName());
        assertNull(s.getStartTime());
        assertNull(s.getComponents().getRunner());
        assertNull(s.getComponents().getScheduler());
        assertEquals(10, s.getComponents().getWorkersDesired());
        assertEquals(0, s.getComponents().getWorkersReady());
        assertEquals("hash-t1", s.getSpecHash());
        assertEquals(List.of(), s.getEvents());
    }

    @Test
    void statusFieldsAreCopiedVerbatim() {
        DaskJobSnapshot s = derive(withStatus(created, "Successful", "2026-01-01T10:00:01Z", "2026-01-01T10:05:00Z"),
                List.of(), List.of());
        assertEquals("Successful", s.getJobStatus());
        assertEquals(J, s.getClusterName());
        assertEquals(J + "-runner", s.getJobRunnerPodName());
        assertEquals("2026-01-01T10:00:01Z", s.getStartTime());
        assertEquals("2026-01-01T10:05:00Z", s.getEndTime());
    }

    @Test
    void emptyJobStatusIsAbsent() {
        DaskJobSnapshot s = derive(withStatus(created, "", null, null), List.of(), List.of());
        assertNull(s.getJobStatus());
    }

    @Test
    void runnerPendingUnschedulable() {
        String msg = "0/3 nodes are available: 3 Insufficient memory.";
        DaskJobSnapshot s = derive(withStatus(created, "ClusterCreated", null, null),
                List.of(pendingUnschedulable(J, J + "-runner", "job-runner", msg)), List.of());
        PodDetail r = s.getComponents().getRunner();
        assertEquals(J + "-runner", r.getName());
        assertEquals("Pending", r.getPhase());
        assertFalse(r.getReady());
        assertEquals(msg, r.getUnschedulableMessage());
    }

    @Test
    void runnerImagePullError() {
        DaskJobSnapshot s = derive(withStatus(created, "ClusterCreated", null, null),
                List.of(runner(J, "Pending", false, waiting("job-runner", "ImagePullBackOff",
                        "Back-off pulling image \"app:nope\""))), List.of());
        ContainerDetail c = s.getComponents().getRunner().getContainers().get(0);
        assertEquals("job-runner", c.getName());
        assertEquals("ImagePullBackOff", c.getWaitingReason());
        assertEquals("Back-off pulling image \"app:nope\"", c.getWaitingMessage());
        assertNull(c.getTerminatedReason());
        assertNull(c.getExitCode());
    }

    @Test
    void runnerOomKilled() {
        DaskJobSnapshot s = derive(withStatus(created, "Failed", "2026-01-01T10:00:01Z", "2026-01-01T10:01:00Z"),
                List.of(runner(J, "Failed", false, terminated("job-runner", "OOMKilled", 137, null))), List.of());
        PodDetail r = s.getComponents().getRunner();
        assertEquals("Failed", r.getPhase());
        ContainerDetail c = r.getContainers().get(0);
        assertEquals("OOMKilled", c.getTerminatedReason());
        assertEquals(137, c.getExitCode());
    }

    @Test
    void runnerExitOneWithTerminationMessage() {
        DaskJobSnapshot s = derive(withStatus(created, "Running", "2026-01-01T10:00:01Z", null),
                List.of(runner(J, "Failed", false, terminated("job-runner", "Error", 1, "ValueError: boom\n"))),
                List.of());
        ContainerDetail c = s.getComponents().getRunner().getContainers().get(0);
        assertEquals("Error", c.getTerminatedReason());
        assertEquals(1, c.getExitCode());
        assertEquals("ValueError: boom\n", c.getTerminatedMessage());
        assertEquals("Running", s.getJobStatus(), "the operator's word is reported as is, even when the runner is ahead");
    }

    @Test
    void restartedRunnerKeepsItsLastTermination() {
        var cs = new ContainerStatusBuilder().withName("job-runner").withReady(false).withRestartCount(3)
                .withNewState().withNewWaiting().withReason("CrashLoopBackOff").withMessage("back-off 40s").endWaiting()
                .endState()
                .withNewLastState().withNewTerminated().withReason("OOMKilled").withExitCode(137).endTerminated()
                .endLastState().build();
        DaskJobSnapshot s = derive(withStatus(created, "Running", "2026-01-01T10:00:01Z", null),
                List.of(runner(J, "Running", false, cs)), List.of());
        ContainerDetail c = s.getComponents().getRunner().getContainers().get(0);
        assertEquals(3, c.getRestartCount());
        assertEquals("CrashLoopBackOff", c.getWaitingReason());
        assertEquals("OOMKilled", c.getTerminatedReason());
        assertEquals(137, c.getExitCode());
    }

    @Test
    void evictedRunnerHasStatusReason() {
        Pod p = new PodBuilder(runner(J, "Failed", false)).editStatus().withReason("Evicted")
                .withMessage("The node was low on resource: memory.").endStatus().build();
        DaskJobSnapshot s = derive(withStatus(created, "Running", null, null), List.of(p), List.of());
        assertEquals("Evicted", s.getComponents().getRunner().getStatusReason());
    }

    @Test
    void workersThreeOfTenReady() {
        List<Pod> pods = new ArrayList<>();
        pods.add(runner(J, "Running", true, running("job-runner", true)));
        pods.add(scheduler(J, "Running", true));
        for (int i = 0; i < 3; i++) {
            pods.add(worker(J, i, "Running", true, running("dask-worker", true)));
        }
        for (int i = 3; i < 8; i++) {
            pods.add(worker(J, i, "Pending", false, waiting("dask-worker", "ContainerCreating", null)));
        }
        pods.add(worker(J, 8, "Pending", false, waiting("dask-worker", "ImagePullBackOff", "no such image")));
        pods.add(pendingUnschedulable(J, J + "-default-worker-000000000a-6b7c8d9f5-zzzzz", "worker",
                "0/3 nodes are available: 3 Insufficient cpu."));
        DaskJobSnapshot s = derive(withStatus(created, "Running", "2026-01-01T10:00:01Z", null), pods, List.of());
        assertEquals(10, s.getComponents().getWorkersDesired());
        assertEquals(3, s.getComponents().getWorkersReady());
        assertEquals(7, s.getComponents().getWorkersPending());
        assertEquals(List.of("ImagePullBackOff", "Unschedulable: 0/3 nodes are available: 3 Insufficient cpu."),
                s.getComponents().getWorkerProblems(), "ContainerCreating is progress, not a problem");
    }

    @Test
    void workersBeingDeletedAreNotCounted() {
        Pod leaving = new PodBuilder(worker(J, 1, "Running", true, running("dask-worker", true)))
                .editMetadata().withDeletionTimestamp("2026-01-01T10:00:00Z").endMetadata().build();
        DaskJobSnapshot s = derive(withStatus(created, "Running", null, null),
                List.of(worker(J, 0, "Running", true, running("dask-worker", true)), leaving), List.of());
        assertEquals(1, s.getComponents().getWorkersReady());
    }

    @Test
    void schedulerNotReady() {
        DaskJobSnapshot s = derive(withStatus(created, "ClusterCreated", null, null),
                List.of(scheduler(J, "Running", false)), List.of());
        PodDetail sch = s.getComponents().getScheduler();
        assertEquals(J + "-scheduler-5d9c7b8f4-abcde", sch.getName());
        assertEquals("Running", sch.getPhase());
        assertFalse(sch.getReady());
    }

    @Test
    void readySchedulerWinsOverAnOldOneBeingReplaced() {
        Pod old = new PodBuilder(scheduler(J, "Running", false)).editMetadata().withName(J + "-scheduler-5d9c7b8f4-aaaaa")
                .withDeletionTimestamp("2026-01-01T10:00:00Z").endMetadata().build();
        Pod fresh = new PodBuilder(scheduler(J, "Running", true)).editMetadata().withName(J + "-scheduler-5d9c7b8f4-zzzzz")
                .endMetadata().build();
        DaskJobSnapshot s = derive(withStatus(created, "Running", null, null), List.of(old, fresh), List.of());
        assertEquals(J + "-scheduler-5d9c7b8f4-zzzzz", s.getComponents().getScheduler().getName());
        assertTrue(s.getComponents().getScheduler().getReady());
    }

    @Test
    void runnerNamedInStatusWinsOverOtherRunnerPods() {
        Pod stray = new PodBuilder(runner(J, "Succeeded", false)).editMetadata().withName(J + "-runner-old").endMetadata()
                .build();
        Pod real = runner(J, "Running", true, running("job-runner", true));
        DaskJobSnapshot s = derive(withStatus(created, "Running", null, null), List.of(stray, real), List.of());
        assertEquals(J + "-runner", s.getComponents().getRunner().getName());
        assertEquals("Running", s.getComponents().getRunner().getPhase());
    }

    @Test
    void podsOfOtherJobsAreIgnored() {
        DaskJobSnapshot s = derive(withStatus(created, "Running", null, null),
                List.of(runner("other-job", "Failed", false), worker("other-job", 0, "Running", true)), List.of());
        assertNull(s.getComponents().getRunner());
        assertEquals(0, s.getComponents().getWorkersReady());
    }

    @Test
    void deletionTimestampMeansDeleting() {
        GenericKubernetesResource job = withStatus(created, "Running", null, null);
        job.getMetadata().setDeletionTimestamp("2026-01-01T10:00:00Z");
        DaskJobSnapshot s = derive(job, List.of(), List.of());
        assertTrue(s.getExists());
        assertTrue(s.getDeleting());
    }

    @Test
    void goneKeepsTheLastKnownStateAndSaysGone() {
        DaskJobSnapshot last = derive(withStatus(created, "Running", "2026-01-01T10:00:01Z", null),
                List.of(runner(J, "Running", true, running("job-runner", true))), List.of());
        DaskJobSnapshot gone = SnapshotDerivation.gone(last);
        assertFalse(gone.getExists());
        assertFalse(gone.getDeleting());
        assertEquals("Running", gone.getJobStatus());
        assertEquals(last.getComponents(), gone.getComponents());
        assertFalse(SnapshotDerivation.gone(null).getExists());
        assertTrue(SnapshotDerivation.changed(last, gone));
    }

    @Test
    void warningEventsAreAttachedAndNormalProgressIsNot() {
        List<Event> events = List.of(
                event("Pod", J + "-runner", "Warning", "FailedScheduling", "0/3 nodes are available",
                        "2026-01-01T10:00:05Z"),
                event("Pod", J + "-runner", "Normal", "Scheduled", "assigned to node-1", "2026-01-01T10:00:06Z"),
                event("ReplicaSet", J + "-default-worker-0123456789-6b7c8d9f5", "Warning", "FailedCreate",
                        "pods \"x\" is forbidden: exceeded quota: compute", "2026-01-01T10:00:07Z"),
                event("Pod", J + "-runner", "Normal", "Killing", "Stopping container job-runner",
                        "2026-01-01T10:00:08Z"),
                event("DaskJob", J, "Error", "Logging", "Handler 'daskjob_create_components' failed", "2026-01-01T10:00:09Z"));
        DaskJobSnapshot s = derive(withStatus(created, "ClusterCreated", null, null), List.of(), events);
        List<String> reasons = s.getEvents().stream().map(e -> e.getInvolvedKind() + "/" + e.getReason()).toList();
        assertEquals(List.of("DaskJob/Logging", "Pod/FailedScheduling", "Pod/Killing", "ReplicaSet/FailedCreate"), reasons);
        KubeEventDetail quota = s.getEvents().get(3);
        assertEquals("Warning", quota.getType());
        assertEquals(Instant.parse("2026-01-01T10:00:07Z"), quota.getLastSeen());
    }

    @Test
    void repeatedEventIsOneEntryWithItsLatestTimeAndDoesNotCountAsChange() {
        Event first = event("Pod", J + "-runner", "Warning", "BackOff", "Back-off pulling image", "2026-01-01T10:00:05Z");
        Event again = event("Pod", J + "-runner", "Warning", "BackOff", "Back-off pulling image", "2026-01-01T10:01:05Z");
        GenericKubernetesResource job = withStatus(created, "ClusterCreated", null, null);
        DaskJobSnapshot one = derive(job, List.of(), List.of(first));
        DaskJobSnapshot both = derive(job, List.of(), List.of(first, again));
        assertEquals(1, both.getEvents().size());
        assertEquals(Instant.parse("2026-01-01T10:01:05Z"), both.getEvents().get(0).getLastSeen());
        assertFalse(SnapshotDerivation.changed(one, both), "only lastSeen moved");
        Event other = event("Pod", J + "-runner", "Warning", "Failed", "Error: ErrImagePull", "2026-01-01T10:01:06Z");
        assertTrue(SnapshotDerivation.changed(both, derive(job, List.of(), List.of(first, again, other))));
    }

    @Test
    void atMostTheTenMostRecentEventsAreKept() {
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < 15; i++) {
            events.add(event("Pod", J + "-runner", "Warning", "FailedScheduling", "attempt " + (char) ('a' + i),
                    "2026-01-01T10:00:" + String.format("%02d", i) + "Z"));
        }
        DaskJobSnapshot s = derive(withStatus(created, "ClusterCreated", null, null), List.of(), events);
        assertEquals(SnapshotDerivation.MAX_EVENTS, s.getEvents().size());
        assertEquals("attempt f", s.getEvents().get(0).getMessage(), "the five oldest are dropped");
    }

    @Test
    void sameInputsGiveEqualSnapshotsWhateverTheOrder() {
        List<Pod> pods = new ArrayList<>(List.of(runner(J, "Running", true, running("job-runner", true)),
                scheduler(J, "Running", true), worker(J, 0, "Running", true), worker(J, 1, "Pending", false)));
        GenericKubernetesResource job = withStatus(created, "Running", null, null);
        DaskJobSnapshot a = derive(job, pods, List.of());
        Collections.reverse(pods);
        assertEquals(a, derive(job, pods, List.of()));
        assertFalse(SnapshotDerivation.changed(a, derive(job, pods, List.of())));
    }

    @Test
    void missingReplicasMeansUnknownWorkerCount() {
        GenericKubernetesResource job = daskJob(J, "t1", 1);
        job.getAdditionalProperties().put("spec", Map.of());
        assertEquals(0, derive(job, List.of(), List.of()).getComponents().getWorkersDesired());
    }
}
