package dev.daskrelay.simulator;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestInstance;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.daskrelay.simulator.DaskJobFixture.at;
import static dev.daskrelay.simulator.DaskJobFixture.await;
import static dev.daskrelay.simulator.DaskJobFixture.awaitJobStatus;
import static dev.daskrelay.simulator.DaskJobFixture.create;
import static dev.daskrelay.simulator.DaskJobFixture.job;
import static dev.daskrelay.simulator.DaskJobFixture.jobStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Conformance of the simulator with the lifecycle rules of shared/spec/dask-operator.md (2025.4.3). Each test
 * names the rule it checks; docs/SIMULATOR.md maps rules to tests.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DaskOperatorConformanceTest {

    /** The simulator's clock: every timestamp it writes must come from here, formatted %Y-%m-%dT%H:%M:%SZ. */
    private static final Instant NOW = Instant.parse("2025-04-23T10:15:02.789Z");
    private static final String NOW_TEXT = "2025-04-23T10:15:02Z";
    private static final String LONG = "60s";
    private static final AtomicInteger SEQ = new AtomicInteger();

    private InMemoryKubernetes k8s;
    private KubernetesClient client;
    private DaskOperatorSimulator simulator;

    @BeforeAll
    void start() {
        k8s = InMemoryKubernetes.start();
        client = k8s.client();
        simulator = DaskOperatorSimulator.builder(client)
                .timing(SimulatorTiming.fast())
                .clock(Clock.fixed(NOW, ZoneOffset.UTC))
                .start();
    }

    @AfterAll
    void stop() {
        simulator.close();
        k8s.close();
    }

    private static String ns(TestInfo info) {
        return "t" + SEQ.incrementAndGet() + "-" + info.getTestMethod().orElseThrow().getName().toLowerCase().replaceAll("[^a-z0-9]", "").substring(0, 12);
    }

    /** Records every distinct jobStatus a watch sees, in order. */
    private final class StatusRecorder implements Watcher<GenericKubernetesResource>, AutoCloseable {
        final List<String> statuses = Collections.synchronizedList(new ArrayList<>());
        final List<Long> resourceVersions = Collections.synchronizedList(new ArrayList<>());
        final Watch watch;

        StatusRecorder(String ns, String name) {
            watch = client.genericKubernetesResources(DaskCrds.DASK_JOB).inNamespace(ns).withName(name).watch(this);
        }

        @Override
        public void eventReceived(Action action, GenericKubernetesResource job) {
            String status = DaskOperator.jobStatus(job);
            synchronized (statuses) {
                if (status != null && (statuses.isEmpty() || !statuses.get(statuses.size() - 1).equals(status))) {
                    statuses.add(status);
                    resourceVersions.add(Long.parseLong(job.getMetadata().getResourceVersion()));
                }
            }
        }

        @Override
        public void onClose(WatcherException cause) {
        }

        List<String> snapshot() {
            synchronized (statuses) {
                return List.copyOf(statuses);
            }
        }

        @Override
        public void close() {
            watch.close();
        }
    }

    // ---- §3 status transitions -----------------------------------------------------------------------------

    @Test
    void successfulJobGoesThroughTheFourStatusesInOrder(TestInfo info) {
        String ns = ns(info);
        try (StatusRecorder recorder = new StatusRecorder(ns, "ok")) {
            create(client, job("ok", ns, 2, Map.of()));
            await("terminal status", recorder::snapshot, s -> s.contains("Successful") || s.contains("Failed"));
            assertEquals(List.of("JobCreated", "ClusterCreated", "Running", "Successful"), recorder.snapshot());
        }
        GenericKubernetesResource done = client.genericKubernetesResources(DaskCrds.DASK_JOB).inNamespace(ns).withName("ok").get();
        Map<String, Object> status = at(done.getAdditionalProperties(), "status");
        assertEquals(Set.of("clusterName", "jobRunnerPodName", "jobStatus", "startTime", "endTime"), status.keySet());
        assertEquals("ok", status.get("clusterName"));
        assertEquals("ok-runner", status.get("jobRunnerPodName"));
        assertEquals(NOW_TEXT, status.get("startTime"));
        assertEquals(NOW_TEXT, status.get("endTime"));
    }

    @Test
    void terminalStatusIsWrittenOnlyAfterTheDaskClusterWasDeleted(TestInfo info) {
        String ns = ns(info);
        List<Long> clusterDeletions = Collections.synchronizedList(new ArrayList<>());
        Watch clusterWatch = client.genericKubernetesResources(DaskCrds.DASK_CLUSTER).inNamespace(ns).watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, GenericKubernetesResource cluster) {
                if (action == Action.DELETED || cluster.isMarkedForDeletion()) {
                    clusterDeletions.add(Long.parseLong(cluster.getMetadata().getResourceVersion()));
                }
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        });
        try (StatusRecorder recorder = new StatusRecorder(ns, "order")) {
            create(client, job("order", ns, 1, Map.of()));
            await("Successful", recorder::snapshot, s -> s.contains("Successful"));
            await("cluster deletion seen", () -> List.copyOf(clusterDeletions), l -> !l.isEmpty());
            long terminalVersion = recorder.resourceVersions.get(recorder.snapshot().indexOf("Successful"));
            // the mock's resourceVersion is one global counter, like etcd's revision: it orders writes across kinds
            assertTrue(clusterDeletions.get(0) < terminalVersion,
                    "DaskCluster deletion (rv " + clusterDeletions.get(0) + ") must precede the terminal status (rv " + terminalVersion + ")");
        } finally {
            clusterWatch.close();
        }
    }
}
