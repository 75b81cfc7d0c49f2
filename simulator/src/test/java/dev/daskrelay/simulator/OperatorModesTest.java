package dev.daskrelay.simulator;

import static dev.daskrelay.simulator.DaskJobFixture.await;
import static dev.daskrelay.simulator.DaskJobFixture.awaitJobStatus;
import static dev.daskrelay.simulator.DaskJobFixture.create;
import static dev.daskrelay.simulator.DaskJobFixture.job;
import static dev.daskrelay.simulator.DaskJobFixture.jobStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Operator-only mode (a real cluster without the Dask operator) and operator restarts. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OperatorModesTest {

    private InMemoryKubernetes k8s;
    private KubernetesClient client;

    @BeforeAll
    void start() {
        k8s = InMemoryKubernetes.start();
        client = k8s.client();
    }

    @AfterAll
    void stop() {
        k8s.close();
    }

    private void setRunnerPhase(String ns, String pod, String phase) {
        client.pods().inNamespace(ns).withName(pod).subresource("status")
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"status\":{\"phase\":\"" + phase + "\"}}");
    }

    @Test
    void operatorOnlyModeFollowsTheRunnerPhaseSomeoneElseWrites() {
        String ns = "operator-only";
        try (var operator = DaskOperatorSimulator.builder(client).mode(DaskOperatorSimulator.Mode.OPERATOR_ONLY)
                .namespace(ns).start()) {
            assertEquals(DaskOperatorSimulator.Mode.OPERATOR_ONLY, operator.mode());
            create(client, job("manual", ns, 2, Map.of()));
            awaitJobStatus(client, ns, "manual", "ClusterCreated");
            await("two worker Deployments", () -> client.apps().deployments().inNamespace(ns)
                    .withLabel(DaskComponents.LABEL_COMPONENT, "worker").list().getItems(), l -> l.size() == 2);
            Pod runner = client.pods().inNamespace(ns).withName("manual-runner").get();
            assertTrue(runner.getStatus() == null || runner.getStatus().getPhase() == null, "no kubelet in this mode");
            assertTrue(client.pods().inNamespace(ns).withLabel(DaskComponents.LABEL_COMPONENT, "worker").list().getItems().isEmpty(),
                    "no Deployment controller in this mode");

            setRunnerPhase(ns, "manual-runner", "Running");
            awaitJobStatus(client, ns, "manual", "Running");
            setRunnerPhase(ns, "manual-runner", "Succeeded");
            awaitJobStatus(client, ns, "manual", "Successful");
            await("DaskCluster deleted (finalizer removed by the operator)",
                    () -> client.genericKubernetesResources(DaskCrds.DASK_CLUSTER).inNamespace(ns).withName("manual").get() == null,
                    gone -> gone);
            assertNotNull(client.apps().deployments().inNamespace(ns).withName("manual-scheduler").get(),
                    "no garbage collector in this mode: a real cluster's GC would remove it");

            // a runner seen going straight to a terminal phase: Running is skipped and startTime stays unset
            create(client, job("quick", ns, 1, Map.of()));
            awaitJobStatus(client, ns, "quick", "ClusterCreated");
            setRunnerPhase(ns, "quick-runner", "Failed");
            awaitJobStatus(client, ns, "quick", "Failed");
            Map<String, Object> status = DaskJobFixture.at(client.genericKubernetesResources(DaskCrds.DASK_JOB)
                    .inNamespace(ns).withName("quick").get().getAdditionalProperties(), "status");
            assertEquals(Set.of("clusterName", "jobRunnerPodName", "jobStatus", "endTime"), status.keySet());
        }
    }

    @Test
    void restartedOperatorCatchesUpWithWhatHappenedWhileItWasDown() {
        String ns = "restart";
        DaskOperatorSimulator simulator = DaskOperatorSimulator.builder(client).namespace(ns).build();
        try {
            // created while the operator is down: handled once it is up
            create(client, job("while-down", ns, 1, Map.of(DaskOperatorSimulator.RUN_FOR_ANNOTATION, "1s")));
            assertNull(jobStatus(client, ns, "while-down"));
            simulator.start();
            assertTrue(simulator.isRunning());
            awaitJobStatus(client, ns, "while-down", "Running");
            // stopped while the runner runs: after the restart the runner still ends and the job completes
            simulator.stop();
            simulator.start();
            awaitJobStatus(client, ns, "while-down", "Successful");
        } finally {
            simulator.close();
        }
    }
}
