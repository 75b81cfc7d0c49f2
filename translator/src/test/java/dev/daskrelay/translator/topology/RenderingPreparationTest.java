package dev.daskrelay.translator.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.daskrelay.avro.v1.LaunchDaskJob;
import dev.daskrelay.avro.v1.TaskCommand;
import dev.daskrelay.schemas.KubernetesLabels;
import dev.daskrelay.schemas.config.DaskRelayConfig;
import dev.daskrelay.schemas.config.Installation;
import dev.daskrelay.schemas.config.PlatformConfig;
import dev.daskrelay.schemas.testing.TestCommands;
import dev.daskrelay.translator.render.DaskJobNames;
import java.util.List;
import org.junit.jupiter.api.Test;

class RenderingPreparationTest {

    private final PlatformConfig platform = DaskRelayConfig.parse("""
            platform:
              allowedImages: ["ok/*"]
            """, "test").platform();
    private final RenderingPreparation preparation = new RenderingPreparation(platform, Installation.DEFAULT);

    @Test
    void validLaunchIsRenderedWithNameNamespaceManifestAndSpecHash() throws Exception {
        PreparedLaunch.Accepted ok = assertInstanceOf(PreparedLaunch.Accepted.class,
                preparation.prepare(TestCommands.launch("c1", "Task_A.1", "ok/app:1")));
        assertEquals(DaskJobNames.nameOf("Task_A.1"), ok.name());
        assertEquals(platform.namespace(), ok.namespace());
        JsonNode manifest = new ObjectMapper().readTree(ok.manifestJson());
        assertEquals("DaskJob", manifest.path("kind").asText());
        assertEquals(ok.name(), manifest.path("metadata").path("name").asText());
        assertEquals(ok.specHash(), manifest.path("metadata").path("annotations")
                .path(KubernetesLabels.SPEC_HASH).asText());
    }

    @Test
    void invalidLaunchListsTheProblemsOfValidationAndRenderingEachOnce() {
        TaskCommand bad = TestCommands.launch("bad id!", "task-b", "evil/app:1");
        ((LaunchDaskJob) bad.getPayload()).getDask().getWorkers().setNumberOfWorkers(0);
        List<String> problems = assertInstanceOf(PreparedLaunch.Rejected.class, preparation.prepare(bad)).problems();
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("commandId: ")), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("image: ")), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("dask.workers.numberOfWorkers: ")),
                problems.toString());
        assertEquals(problems.size(), problems.stream().distinct().count(), "no problem twice: " + problems);
    }
}
