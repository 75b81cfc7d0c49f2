package dev.daskrelay.translator.render;

import static dev.daskrelay.translator.render.Fixtures.flyteExecution;
import static dev.daskrelay.translator.render.Fixtures.flytePlatform;
import static dev.daskrelay.translator.render.Fixtures.flyteTask;
import static dev.daskrelay.translator.render.Fixtures.list;
import static dev.daskrelay.translator.render.Fixtures.resources;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.daskrelay.schemas.config.Installation;
import dev.daskrelay.schemas.thirdparty.VendoredDaskCrds;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The CRD oracle itself must be able to fail: it catches what a real API server rejects or prunes. */
class CrdSchemaValidationTest {

    private ObjectNode validManifest() {
        return new DaskJobRenderer(flytePlatform(), Installation.DEFAULT).render(Fixtures.FLYTE_NAME, flyteExecution(),
                flyteTask(resources(list("2", "8G"), list("8", "17G")), null, null).build()).orElseThrow().manifest();
    }

    @Test
    void theRealCrdIsUsed() {
        assertTrue(Files.isRegularFile(DaskJobCrd.locate()));
        assertTrue(DaskJobCrd.locate().endsWith(Path.of(VendoredDaskCrds.FOLDER, "crds", DaskJobCrd.FILE)));
        assertEquals(List.of(), DaskJobCrd.load().problems(validManifest()));
    }

    @Test
    void anIntegerTargetPortIsRejected() {
        ObjectNode manifest = validManifest();
        ((ObjectNode) manifest.at("/spec/cluster/spec/scheduler/service/ports/0")).put("targetPort", 8786);
        List<String> problems = DaskJobCrd.load().problems(manifest);
        assertEquals(1, problems.size(), problems::toString);
        assertTrue(problems.get(0).contains("targetPort") && problems.get(0).contains("string"), problems::toString);
    }

    @Test
    void aNumericQuantityIsRejected() {
        ObjectNode manifest = validManifest();
        ((ObjectNode) manifest.at("/spec/cluster/spec/worker/spec/containers/0/resources/limits")).put("cpu", 8);
        List<String> problems = DaskJobCrd.load().problems(manifest);
        assertEquals(1, problems.size(), problems::toString);
        assertTrue(problems.get(0).contains("limits.cpu") && problems.get(0).contains("string"), problems::toString);
    }

    @Test
    void aNumericReplicaCountAsStringIsRejected() {
        ObjectNode manifest = validManifest();
        ((ObjectNode) manifest.at("/spec/cluster/spec/worker")).put("replicas", "10");
        List<String> problems = DaskJobCrd.load().problems(manifest);
        assertEquals(1, problems.size(), problems::toString);
        assertTrue(problems.get(0).contains("replicas"), problems::toString);
    }

    @Test
    void clusterMetadataWouldBePruned() {
        ObjectNode manifest = validManifest();
        ((ObjectNode) manifest.at("/spec/cluster")).putObject("metadata").putObject("labels").put("a", "b");
        assertEquals(List.of("$.spec.cluster.metadata: not in the CRD schema, a real API server prunes it"),
                DaskJobCrd.load().problems(manifest));
    }

    @Test
    void aMissingRequiredKeyIsRejected() {
        ObjectNode manifest = validManifest();
        ((ObjectNode) manifest.at("/spec/cluster/spec")).remove("worker");
        List<String> problems = DaskJobCrd.load().problems(manifest);
        assertEquals(1, problems.size(), problems::toString);
        assertTrue(problems.get(0).contains("worker"), problems::toString);
    }
}
