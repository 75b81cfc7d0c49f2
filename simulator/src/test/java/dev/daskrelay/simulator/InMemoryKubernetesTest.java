package dev.daskrelay.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InMemoryKubernetesTest {

    private InMemoryKubernetes k8s;

    @BeforeAll
    void start() {
        k8s = InMemoryKubernetes.start();
    }

    @AfterAll
    void stop() {
        k8s.close();
    }

    @Test
    void listensOnLoopbackOverPlainHttp() {
        assertTrue(k8s.url().startsWith("http://127.0.0.1:"), k8s.url());
        assertTrue(k8s.port() > 0);
    }

    @Test
    void registersTheDaskCrdsWithTheirIdentity() {
        var crds = k8s.client().apiextensions().v1().customResourceDefinitions().list().getItems();
        var byName = new HashMap<String, CustomResourceDefinition>();
        crds.forEach(c -> byName.put(c.getMetadata().getName(), c));
        var job = byName.get("daskjobs.kubernetes.dask.org");
        assertNotNull(job);
        assertEquals("DaskJob", job.getSpec().getNames().getKind());
        assertEquals(List.of("djb"), job.getSpec().getNames().getShortNames());
        assertEquals("Namespaced", job.getSpec().getScope());
        assertNotNull(job.getSpec().getVersions().get(0).getSubresources().getStatus());
        assertNull(job.getSpec().getVersions().get(0).getSubresources().getScale());
        var cluster = byName.get("daskclusters.kubernetes.dask.org");
        assertEquals(List.of("daskcluster", "dsk"), cluster.getSpec().getNames().getShortNames());
        assertNull(cluster.getSpec().getVersions().get(0).getSubresources().getStatus(), "DaskCluster has no status subresource");
        assertEquals(".spec.worker.replicas", cluster.getSpec().getVersions().get(0).getSubresources().getScale().getSpecReplicasPath());
        var group = byName.get("daskworkergroups.kubernetes.dask.org");
        assertEquals(List.of("daskworkers"), group.getSpec().getNames().getShortNames());
    }

    @Test
    void daskJobStatusIsASubresource() {
        var jobs = k8s.client().genericKubernetesResources(DaskCrds.DASK_JOB).inNamespace("default");
        GenericKubernetesResource job = new GenericKubernetesResourceBuilder()
                .withApiVersion(DaskCrds.API_VERSION).withKind("DaskJob")
                .withNewMetadata().withName("status-sub").endMetadata()
                .withAdditionalProperties(Map.of("spec", Map.of("job", Map.of()))).build();
        jobs.resource(job).create();
        jobs.withName("status-sub").subresource("status").patch(
                PatchContext.of(PatchType.JSON_MERGE),
                "{\"status\":{\"jobStatus\":\"JobCreated\"}}");
        // a main-resource update must not touch the status
        var current = jobs.withName("status-sub").get();
        current.getAdditionalProperties().put("status", Map.of("jobStatus", "Bogus"));
        current.getMetadata().setLabels(Map.of("x", "y"));
        jobs.resource(current).update();
        GenericKubernetesResource after = jobs.withName("status-sub").get();
        assertEquals("JobCreated", after.get("status", "jobStatus"));
        assertEquals("y", after.getMetadata().getLabels().get("x"));
    }

    @Test
    void conflictIs409WithReasonInvalid() {
        var cms = k8s.client().configMaps().inNamespace("default");
        cms.resource(new ConfigMapBuilder().withNewMetadata().withName("dup").endMetadata().build()).create();
        var e = assertThrows(KubernetesClientException.class,
                () -> cms.resource(new ConfigMapBuilder().withNewMetadata().withName("dup").endMetadata().build()).create());
        assertEquals(409, e.getCode());
        assertEquals("Invalid", e.getStatus().getReason(), "documented difference: a real API server says AlreadyExists");
    }

    @Test
    void kubeconfigWorksForAnotherClient(@TempDir Path dir) throws Exception {
        Path file = k8s.writeKubeconfig(dir.resolve("sub/kubeconfig"));
        assertTrue(Files.readString(file).contains(k8s.url()));
        Config config = Config.fromKubeconfig(Files.readString(file));
        try (KubernetesClient other = new KubernetesClientBuilder().withConfig(config).build()) {
            assertEquals(k8s.url() + "/", other.getMasterUrl().toString());
            assertNotNull(other.namespaces().withName("default").get());
        }
    }

    @Test
    void rawHttpReadsStoredObjects() throws Exception {
        k8s.client().configMaps().inNamespace("default")
                .resource(new ConfigMapBuilder().withNewMetadata().withName("raw").endMetadata().addToData("k", "v").build()).create();
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(k8s.url() + "/api/v1/namespaces/default/configmaps/raw")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        assertTrue(response.body().contains("\"k\":\"v\""), response.body());
    }

    @Test
    void mergePatchConcatenatesArraysUnlikeRfc7386() {
        var cms = k8s.client().configMaps().inNamespace("default");
        cms.resource(new ConfigMapBuilder().withNewMetadata().withName("arrays").withFinalizers("a").endMetadata().build()).create();
        cms.withName("arrays").patch(PatchContext.of(PatchType.JSON_MERGE),
                "{\"metadata\":{\"finalizers\":[\"b\"]}}");
        // documented difference (docs/SIMULATOR.md): a real API server replaces the list with ["b"]
        assertEquals(List.of("a", "b"), cms.withName("arrays").get().getMetadata().getFinalizers());
        cms.withName("arrays").patch(PatchContext.of(PatchType.JSON),
                "[{\"op\":\"replace\",\"path\":\"/metadata/finalizers\",\"value\":[]}]");
        cms.withName("arrays").delete();
    }
}
