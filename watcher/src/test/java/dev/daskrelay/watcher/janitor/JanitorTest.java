package dev.daskrelay.watcher.janitor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.daskrelay.schemas.KubernetesLabels;
import dev.daskrelay.schemas.config.Installation;
import dev.daskrelay.watcher.bridge.DaskJobResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The janitor against the fabric8 mock API server (CRUD), with a fixed clock. */
@EnableKubernetesMockClient(crud = true)
class JanitorTest {

    private static final String NS = "dask-jobs";
    private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");

    KubernetesClient client;

    @BeforeEach
    void crd() {
        client.apiextensions().v1().customResourceDefinitions().resource(new CustomResourceDefinitionBuilder()
                .withNewMetadata().withName("daskjobs.kubernetes.dask.org").endMetadata()
                .withNewSpec().withGroup("kubernetes.dask.org").withScope("Namespaced")
                .withNewNames().withKind("DaskJob").withPlural("daskjobs").withSingular("daskjob").endNames()
                .addNewVersion().withName("v1").withServed(true).withStorage(true)
                .withNewSubresources().withNewStatus().endStatus().endSubresources()
                .withNewSchema().withNewOpenAPIV3Schema().withType("object").withXKubernetesPreserveUnknownFields(true)
                .endOpenAPIV3Schema().endSchema().endVersion().endSpec().build()).create();
    }

    private GenericKubernetesResource job(String name, String jobStatus, String endTime) {
        return job(name, jobStatus, endTime, Installation.DEFAULT.id());
    }

    /** A DaskJob of installation {@code installation} (null: without the label, as before installations). */
    private GenericKubernetesResource job(String name, String jobStatus, String endTime, String installation) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(KubernetesLabels.MANAGED_BY, KubernetesLabels.MANAGED_BY_VALUE);
        if (installation != null) {
            labels.put(KubernetesLabels.INSTALLATION, installation);
        }
        var job = client.genericKubernetesResources(DaskJobResource.CONTEXT).inNamespace(NS)
                .resource(new GenericKubernetesResourceBuilder().withApiVersion("kubernetes.dask.org/v1")
                        .withKind("DaskJob").withNewMetadata().withName(name).withNamespace(NS)
                        .addToLabels(labels)
                        .addToAnnotations(KubernetesLabels.TASK_ID, name).endMetadata()
                        .addToAdditionalProperties("spec", Map.of()).build())
                .create();
        if (jobStatus == null) {
            return job;
        }
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("jobStatus", jobStatus);
        if (endTime != null) {
            status.put("endTime", endTime);
        }
        return client.genericKubernetesResources(DaskJobResource.CONTEXT).inNamespace(NS).withName(name)
                .editStatus(j -> {
                    j.getAdditionalProperties().put("status", status);
                    return j;
                });
    }

    private Set<String> remaining() {
        return client.genericKubernetesResources(DaskJobResource.CONTEXT).inNamespace(NS).list().getItems().stream()
                .map(j -> j.getMetadata().getName()).collect(Collectors.toSet());
    }

    private Janitor janitor(RetentionPolicy policy, SimpleMeterRegistry registry) {
        return new Janitor(client, DaskJobResource.CONTEXT,
                () -> client.genericKubernetesResources(DaskJobResource.CONTEXT).inNamespace(NS).list().getItems(),
                job -> true, policy, Installation.DEFAULT, Duration.ofMinutes(1), Clock.fixed(NOW, ZoneOffset.UTC), registry);
    }

    private void fourJobs() {
        job("old-success", "Successful", "2026-01-01T10:00:00Z");   // 2 h ago
        job("old-failure", "Failed", "2026-01-01T10:30:00Z");       // 1.5 h ago
        job("young-success", "Successful", "2026-01-01T11:30:00Z"); // 30 min ago
        job("old-running", "Running", null);                        // not terminal
        job("no-status", null, null);
    }

    @Test
    void deletesOnlyTerminalJobsOlderThanTheRetention() {
        fourJobs();
        var registry = new SimpleMeterRegistry();
        assertEquals(2, janitor(new RetentionPolicy(Duration.ofHours(1)), registry).sweep());
        assertEquals(Set.of("young-success", "old-running", "no-status"), remaining());
        assertEquals(2.0, registry.get("daskrelay.watcher.janitor.deletions").counter().count());
    }

    @Test
    void zeroRetentionDeletesEveryFinishedJobButNothingElse() {
        fourJobs();
        assertEquals(3, janitor(new RetentionPolicy(Duration.ZERO), new SimpleMeterRegistry()).sweep());
        assertEquals(Set.of("old-running", "no-status"), remaining());
    }

    @Test
    void anExpiredJobWhoseFinalStateIsNotPublishedYetIsKeptUntilItIs() {
        fourJobs();
        var registry = new SimpleMeterRegistry();
        Set<String> reported = new HashSet<>(Set.of("old-success"));
        Janitor janitor = new Janitor(client, DaskJobResource.CONTEXT,
                () -> client.genericKubernetesResources(DaskJobResource.CONTEXT).inNamespace(NS).list().getItems(),
                job -> reported.contains(job.getMetadata().getName()), new RetentionPolicy(Duration.ofHours(1)),
                Installation.DEFAULT, Duration.ofMinutes(1), Clock.fixed(NOW, ZoneOffset.UTC), registry);
        assertEquals(1, janitor.sweep());
        assertEquals(Set.of("old-failure", "young-success", "old-running", "no-status"), remaining());
        assertEquals(1.0, registry.get("daskrelay.watcher.janitor.deferred").counter().count());
        reported.add("old-failure");
        assertEquals(1, janitor.sweep(), "deleted once its end is out");
        assertEquals(Set.of("young-success", "old-running", "no-status"), remaining());
    }

    @Test
    void neverDeletesNothing() {
        fourJobs();
        Janitor j = janitor(RetentionPolicy.NEVER, new SimpleMeterRegistry());
        assertEquals(0, j.sweep());
        j.start(); // a no-op for "never"
        j.close();
        assertEquals(5, remaining().size());
    }

    @Test
    void aStaleCachedCopyDoesNotGetALiveRunningJobDeleted() {
        GenericKubernetesResource cached = job("reused", "Successful", "2026-01-01T10:00:00Z");
        // The job was deleted and re-created under the same name; the new one runs. The cache still has the old one.
        client.genericKubernetesResources(DaskJobResource.CONTEXT).inNamespace(NS).withName("reused").delete();
        job("reused", "Running", null);
        Janitor janitor = new Janitor(client, DaskJobResource.CONTEXT, () -> List.of(cached), job -> true,
                new RetentionPolicy(Duration.ofHours(1)), Installation.DEFAULT, Duration.ofMinutes(1),
                Clock.fixed(NOW, ZoneOffset.UTC),
                new SimpleMeterRegistry());
        assertEquals(0, janitor.sweep());
        assertEquals(Set.of("reused"), remaining());
    }

    @Test
    void aCachedJobAlreadyGoneIsNoError() {
        GenericKubernetesResource cached = job("gone", "Successful", "2026-01-01T10:00:00Z");
        client.genericKubernetesResources(DaskJobResource.CONTEXT).inNamespace(NS).withName("gone").delete();
        Janitor janitor = new Janitor(client, DaskJobResource.CONTEXT, () -> List.of(cached), job -> true,
                new RetentionPolicy(Duration.ofHours(1)), Installation.DEFAULT, Duration.ofMinutes(1),
                Clock.fixed(NOW, ZoneOffset.UTC),
                new SimpleMeterRegistry());
        assertEquals(0, janitor.sweep());
    }

    @Test
    void deletesOnlyItsOwnInstallationsJobsEvenWhenOthersAreCandidates() {
        job("mine", "Successful", "2026-01-01T10:00:00Z");
        job("theirs", "Successful", "2026-01-01T10:00:00Z", "staging");
        job("unlabelled", "Failed", "2026-01-01T10:00:00Z", null);
        // the candidates are every DaskJob of the namespace: the janitor itself must refuse the foreign ones
        var registry = new SimpleMeterRegistry();
        assertEquals(1, janitor(RetentionPolicy.DEFAULT, registry).sweep());
        assertEquals(Set.of("theirs", "unlabelled"), remaining());
        assertEquals(0.0, registry.get("daskrelay.watcher.janitor.failures").counter().count());
    }

    @Test
    void aCachedCopyWithItsLabelDoesNotGetAJobNowOfAnotherInstallationDeleted() {
        GenericKubernetesResource cached = job("relabelled", "Successful", "2026-01-01T10:00:00Z");
        client.genericKubernetesResources(DaskJobResource.CONTEXT).inNamespace(NS).withName("relabelled")
                .edit(j -> {
                    j.getMetadata().getLabels().put(KubernetesLabels.INSTALLATION, "staging");
                    return j;
                });
        Janitor janitor = new Janitor(client, DaskJobResource.CONTEXT, () -> List.of(cached), job -> true,
                RetentionPolicy.DEFAULT, Installation.DEFAULT, Duration.ofMinutes(1), Clock.fixed(NOW, ZoneOffset.UTC),
                new SimpleMeterRegistry());
        assertEquals(0, janitor.sweep());
        assertEquals(Set.of("relabelled"), remaining());
    }
}
