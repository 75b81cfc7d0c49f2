package dev.daskrelay.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pure builders, without a server. */
class DaskComponentsTest {

    private static GenericKubernetesResource stored(GenericKubernetesResource r, String uid) {
        r.getMetadata().setUid(uid);
        return r;
    }

    @Test
    void namesFollowTheOperatorsTemplates() {
        assertEquals("j-runner", DaskComponents.runnerPodName("j"));
        assertEquals("j-scheduler", DaskComponents.schedulerName("j"));
        assertEquals("j-default", DaskComponents.defaultWorkerGroupName("j"));
        assertEquals("j-default-worker-0123456789", DaskComponents.workerDeploymentName("j-default", "0123456789"));
        assertThrows(IllegalArgumentException.class, () -> DaskComponents.workerDeploymentName("j-default", "XYZ"));
        assertEquals("tcp://j-scheduler.ns.svc.cluster.local:8786", DaskComponents.schedulerAddress("j", "ns"));
    }

    @Test
    void clusterNameValidationMatchesTheOperatorsRegex() {
        assertTrue(DaskComponents.isValidClusterName("a"));
        assertTrue(DaskComponents.isValidClusterName("1abc"), "passes the regex (fails later at Service create)");
        assertTrue(DaskComponents.isValidClusterName("a".repeat(53)));
        assertFalse(DaskComponents.isValidClusterName("a".repeat(54)));
        assertFalse(DaskComponents.isValidClusterName("a.b"));
        assertFalse(DaskComponents.isValidClusterName("-a"));
        assertFalse(DaskComponents.isValidClusterName("a-"));
        assertFalse(DaskComponents.isValidClusterName("A"));
        assertFalse(DaskComponents.isValidClusterName(""));
    }

    @Test
    void annotationFilterDropsOnlyKopfAndKubectlPrefixes() {
        var meta = new ObjectMetaBuilder().withAnnotations(Map.of(
                "kopf.zalando.org/last-handled-configuration", "{}",
                "kopf.zalando.org", "x",
                "kubectl.kubernetes.io/last-applied-configuration", "{}",
                "example.com/kopf.zalando.org", "kept",
                "region", "SEA")).build();
        assertEquals(Map.of("example.com/kopf.zalando.org", "kept", "region", "SEA"), DaskComponents.filteredAnnotations(meta));
    }

    @Test
    void workerDeploymentCarriesGroupLabelsAndEnv() {
        GenericKubernetesResource job = stored(DaskJobFixture.job("j", "ns", 2, Map.of("a", "1")), "job-uid");
        GenericKubernetesResource cluster = stored(DaskComponents.daskCluster(job), "cluster-uid");
        GenericKubernetesResource group = stored(DaskComponents.defaultWorkerGroup(cluster), "group-uid");
        assertEquals(2, DaskComponents.workerReplicas(group));
        Deployment d = DaskComponents.workerDeployment(group, "abcdef0123");
        assertEquals("j-default-worker-abcdef0123", d.getMetadata().getName());
        assertEquals("group-uid", d.getMetadata().getOwnerReferences().get(0).getUid());
        assertEquals("1", d.getMetadata().getAnnotations().get("a"));
        var env = d.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv();
        assertEquals("DASK_WORKER_NAME", env.get(0).getName());
        assertEquals("j-default-worker-abcdef0123", env.get(0).getValue());
        assertEquals("DASK_SCHEDULER_ADDRESS", env.get(1).getName());
        assertEquals(d.getMetadata().getLabels(), d.getSpec().getSelector().getMatchLabels());
    }

    @Test
    void missingJobPodSpecIsAnErrorNamingTheField() {
        GenericKubernetesResource job = DaskJobFixture.job("j", "ns", 1, Map.of());
        DaskJobFixture.at(job.getAdditionalProperties(), "spec", "job").remove("spec");
        var e = assertThrows(IllegalArgumentException.class, () -> DaskComponents.runnerPod(job));
        assertTrue(e.getMessage().startsWith("spec.job.spec"), e.getMessage());
    }

    @Test
    void timingRejectsNegativeDurationsNamingTheField() {
        var e = assertThrows(IllegalArgumentException.class, () -> new SimulatorTiming(Duration.ofMillis(-1),
                Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ofSeconds(1)));
        assertTrue(e.getMessage().startsWith("podStartDelay"), e.getMessage());
        assertEquals(Duration.ofSeconds(5), SimulatorTiming.fast().withDefaultRunFor(Duration.ofSeconds(5)).defaultRunFor());
    }
}
