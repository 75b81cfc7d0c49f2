package dev.daskrelay.watcher.bridge;

import static dev.daskrelay.watcher.bridge.K8sFixtures.NS;
import static dev.daskrelay.watcher.bridge.K8sFixtures.daskJob;
import static dev.daskrelay.watcher.bridge.K8sFixtures.event;
import static dev.daskrelay.watcher.bridge.K8sFixtures.pendingUnschedulable;
import static dev.daskrelay.watcher.bridge.K8sFixtures.pod;
import static dev.daskrelay.watcher.bridge.K8sFixtures.pods;
import static dev.daskrelay.watcher.bridge.K8sFixtures.runner;
import static dev.daskrelay.watcher.bridge.K8sFixtures.running;
import static dev.daskrelay.watcher.bridge.K8sFixtures.scheduler;
import static dev.daskrelay.watcher.bridge.K8sFixtures.waiting;
import static dev.daskrelay.watcher.bridge.K8sFixtures.withStatus;
import static dev.daskrelay.watcher.bridge.K8sFixtures.worker;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class SlimItemStoreTest {

    private static Pod withSpecAndDeletion(Pod p) {
        return new PodBuilder(p).editMetadata().withResourceVersion("41").withUid("u-1")
                .withDeletionTimestamp("2026-01-01T10:05:00Z").addNewManagedField().withManager("kubelet").endManagedField()
                .endMetadata().build();
    }

    @Test
    void slimObjectsDeriveTheSameSnapshotAsFullOnes() {
        String j = "relay-slim-0";
        GenericKubernetesResource job = withStatus(daskJob(j, "slim", 3), "Running", "2026-01-01T10:00:01Z", null);
        job.getMetadata().setDeletionTimestamp("2026-01-01T10:06:00Z");
        List<Pod> pods = List.of(
                withSpecAndDeletion(runner(j, "Running", true, running("job-runner", true))),
                scheduler(j, "Running", true),
                worker(j, 0, "Running", true, running("dask-worker", true)),
                worker(j, 1, "Pending", false, waiting("dask-worker", "ImagePullBackOff", "back-off pulling")),
                pendingUnschedulable(j, j + "-default-worker-0000000002-6b7c8d9f5-w0002", "worker", "0/3 nodes"));
        List<Event> events = List.of(
                event("ReplicaSet", j + "-default-worker-0000000002-6b7c8d9f5", "Warning", "FailedCreate",
                        "exceeded quota", "2026-01-01T10:00:07Z"),
                event("Pod", j + "-runner", "Normal", "Killing", "Stopping container", "2026-01-01T10:00:08Z"));

        var full = SnapshotDerivation.derive(job, pods, events);
        var slim = SnapshotDerivation.derive(SlimItemStore.daskJob(job), pods.stream().map(SlimItemStore::pod).toList(),
                events.stream().map(SlimItemStore::event).toList());

        assertEquals(full, slim);
        assertEquals(3, slim.getComponents().getWorkersDesired(), "worker replicas survive");
        assertEquals(2, slim.getEvents().size());
    }

    @Test
    void slimCopiesDropSpecsAndKeepIdentity() {
        GenericKubernetesResource job = withStatus(daskJob("relay-a-0", "a", 2), "Successful", "2026-01-01T10:00:01Z",
                "2026-01-01T10:09:00Z");
        job.getMetadata().setUid("uid-a");
        GenericKubernetesResource slimJob = SlimItemStore.daskJob(job);
        assertEquals(job.getMetadata().getName(), slimJob.getMetadata().getName());
        assertEquals(job.getMetadata().getNamespace(), slimJob.getMetadata().getNamespace());
        assertEquals("uid-a", slimJob.getMetadata().getUid());
        assertEquals(job.getMetadata().getLabels(), slimJob.getMetadata().getLabels());
        assertEquals(job.getMetadata().getAnnotations(), slimJob.getMetadata().getAnnotations());
        assertEquals(TaskIdentity.of(job), TaskIdentity.of(slimJob));
        assertEquals("2026-01-01T10:09:00Z", slimJob.get("status", "endTime"));
        assertNull(slimJob.get("spec", "job"), "the runner's pod template is dropped");

        Pod pod = withSpecAndDeletion(runner("relay-a-0", "Succeeded", false));
        Pod slimPod = SlimItemStore.pod(pod);
        assertNull(slimPod.getSpec());
        assertTrue(slimPod.getMetadata().getManagedFields() == null || slimPod.getMetadata().getManagedFields().isEmpty());
        assertEquals("41", slimPod.getMetadata().getResourceVersion());
        assertEquals("2026-01-01T10:05:00Z", slimPod.getMetadata().getDeletionTimestamp());
        assertSame(pod.getStatus(), slimPod.getStatus(), "shared, not copied");
    }

    @Test
    void storeKeepsSlimCopiesUnderTheInformersKey() {
        SlimItemStore<Pod> store = new SlimItemStore<>(SlimItemStore::pod);
        Pod pod = withSpecAndDeletion(runner("relay-b-0", "Running", true));
        String key = store.getKey(pod);
        assertEquals(NS + "/relay-b-0-runner", key);
        assertNull(store.put(key, pod));
        assertNull(store.get(key).getSpec());
        assertFalse(store.isFullState(), "handlers get the full object, the cache the slim one");
        assertEquals(1, store.size());
    }
}
