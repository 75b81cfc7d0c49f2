package dev.daskrelay.translator.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.daskrelay.avro.v1.ApplyResult;
import dev.daskrelay.avro.v1.DaskJobIntent;
import dev.daskrelay.avro.v1.IntentAction;
import dev.daskrelay.schemas.IntentPosition;
import dev.daskrelay.schemas.KubernetesLabels;
import dev.daskrelay.schemas.config.Installation;
import dev.daskrelay.schemas.testing.TestCommands;
import dev.daskrelay.simulator.InMemoryKubernetes;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The applier's Kubernetes edge and installations, against the in-memory API server (one for the class). */
class Fabric8DaskJobApiTest {

    private static final Installation MINE = new Installation("production");
    private static final IntentPosition AT = new IntentPosition("p.intents", 3, 1_234);
    private static InMemoryKubernetes k8s;
    private static Fabric8DaskJobApi api;

    @BeforeAll
    static void start() {
        k8s = InMemoryKubernetes.start();
        api = new Fabric8DaskJobApi(k8s.client(), MINE);
    }

    @AfterAll
    static void stop() {
        k8s.close();
    }

    @Test
    void everyCreatedDaskJobCarriesTheInstallationEvenFromAnIntentRenderedWithoutIt() {
        assertEquals(ApiResponse.Kind.OK, api.create(create("unlabelled-intent", "h1", null), AT).kind());
        assertEquals("production", labels("unlabelled-intent").get(KubernetesLabels.INSTALLATION));
        Map<String, String> annotations = annotations("unlabelled-intent");
        assertEquals("p.intents/3/1234", annotations.get(KubernetesLabels.INTENT), "the intent that made it, for the janitor");
        assertEquals(Optional.of(AT), IntentPosition.of(annotations));
        // a retry of the same intent finds its own DaskJob: already there, not a conflict
        ApiResponse again = api.create(create("unlabelled-intent", "h1", null), AT);
        assertEquals(ApiResponse.Kind.EXISTS, again.kind());
        assertEquals("h1", again.existingSpecHash());
    }

    @Test
    void anotherInstallationsDaskJobIsAConflictNamingBothAndIsLeftUntouched() {
        existing("taken", "h2", "staging");
        ApiResponse answer = api.create(create("taken", "h2", "production"), AT);
        assertEquals(ApiResponse.Kind.CONFLICT, answer.kind(), "same spec hash, but never adopted");
        assertEquals(Fabric8DaskJobApi.INSTALLATION_CONFLICT, answer.reason());
        assertTrue(answer.message().contains("installation \"staging\""), answer.message());
        assertTrue(answer.message().contains("installation \"production\""), answer.message());
        assertEquals("staging", labels("taken").get(KubernetesLabels.INSTALLATION));

        ApplyTriage.Finish finish = (ApplyTriage.Finish) ApplyTriage.triage(IntentAction.CREATE, "h2", answer, 1,
                Duration.ZERO, RetryPolicy.defaults(), 0.5);
        assertEquals(ApplyResult.CONFLICT, finish.outcome());
        assertEquals("InstallationConflict", finish.errorCode());
        assertEquals(answer.message(), finish.message());
    }

    @Test
    void aDaskJobWithoutInstallationIsAConflictToo() {
        existing("from-before", "h3", null);
        ApiResponse answer = api.create(create("from-before", "h3", "production"), AT);
        assertEquals(ApiResponse.Kind.CONFLICT, answer.kind());
        assertTrue(answer.message().contains("without a daskrelay.dev/installation label"), answer.message());
        assertNull(labels("from-before").get(KubernetesLabels.INSTALLATION), "not adopted by relabelling either");
    }

    @Test
    void anIntentRenderedForAnotherInstallationIsNotApplied() {
        ApiResponse answer = api.create(create("misrouted", "h4", "staging"), AT);
        assertEquals(ApiResponse.Kind.INVALID_MANIFEST, answer.kind());
        assertTrue(answer.message().contains("\"staging\"") && answer.message().contains("\"production\""),
                answer.message());
        assertNull(k8s.client().genericKubernetesResources(Fabric8DaskJobApi.DASK_JOBS).inNamespace("default")
                .withName("misrouted").get());
    }

    @Test
    void deleteRemovesOnlyItsOwnDaskJob() {
        existing("theirs", "h5", "staging");
        existing("unlabelled", "h5", null);
        existing("ours", "h5", "production");
        ApiResponse foreign = api.delete(delete("theirs"));
        assertEquals(ApiResponse.Kind.NOT_FOUND, foreign.kind());
        assertTrue(foreign.message().contains("not deleted"), foreign.message());
        assertEquals(ApiResponse.Kind.NOT_FOUND, api.delete(delete("unlabelled")).kind());
        assertEquals(ApiResponse.Kind.OK, api.delete(delete("ours")).kind());
        assertNotNull(labels("theirs"));
        assertNotNull(labels("unlabelled"));
        assertNull(k8s.client().genericKubernetesResources(Fabric8DaskJobApi.DASK_JOBS).inNamespace("default")
                .withName("ours").get());
        assertEquals(ApiResponse.Kind.NOT_FOUND, api.delete(delete("never-existed")).kind());
    }

    // ---------------------------------------------------------------------------------------------------------

    private static String manifest(String name, String hash, String installation) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(KubernetesLabels.MANAGED_BY, KubernetesLabels.MANAGED_BY_VALUE);
        if (installation != null) {
            labels.put(KubernetesLabels.INSTALLATION, installation);
        }
        Map<String, Object> job = Map.of("apiVersion", "kubernetes.dask.org/v1", "kind", "DaskJob",
                "metadata", Map.of("name", name, "namespace", "default", "labels", labels,
                        "annotations", Map.of(KubernetesLabels.SPEC_HASH, hash)),
                "spec", Map.of("job", Map.of("spec", Map.of("containers", List.of()))));
        return Serialization.asJson(job);
    }

    private static void existing(String name, String hash, String installation) {
        k8s.client().genericKubernetesResources(Fabric8DaskJobApi.DASK_JOBS).inNamespace("default")
                .resource(Serialization.unmarshal(manifest(name, hash, installation), GenericKubernetesResource.class))
                .create();
    }

    private static Map<String, String> annotations(String name) {
        return k8s.client().genericKubernetesResources(Fabric8DaskJobApi.DASK_JOBS).inNamespace("default")
                .withName(name).get().getMetadata().getAnnotations();
    }

    private static Map<String, String> labels(String name) {
        GenericKubernetesResource job = k8s.client().genericKubernetesResources(Fabric8DaskJobApi.DASK_JOBS)
                .inNamespace("default").withName(name).get();
        return job == null ? null : job.getMetadata().getLabels();
    }

    private static DaskJobIntent create(String name, String hash, String installation) {
        return DaskJobIntent.newBuilder().setIntentId("i-" + name).setTaskId(name).setCommandId("c-" + name)
                .setExecution(TestCommands.execution(name)).setAction(IntentAction.CREATE).setNamespace("default")
                .setName(name).setManifest(manifest(name, hash, installation)).setSpecHash(hash)
                .setIssuedAt(Instant.now()).build();
    }

    private static DaskJobIntent delete(String name) {
        return DaskJobIntent.newBuilder().setIntentId("d-" + name).setTaskId(name).setCommandId("a-" + name)
                .setExecution(TestCommands.execution(name)).setAction(IntentAction.DELETE).setNamespace("default")
                .setName(name).setReason("test").setIssuedAt(Instant.now()).build();
    }
}
