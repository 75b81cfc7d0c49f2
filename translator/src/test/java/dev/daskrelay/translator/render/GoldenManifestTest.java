package dev.daskrelay.translator.render;

import static dev.daskrelay.translator.render.Fixtures.flyteExecution;
import static dev.daskrelay.translator.render.Fixtures.flytePlatform;
import static dev.daskrelay.translator.render.Fixtures.flyteTask;
import static dev.daskrelay.translator.render.Fixtures.list;
import static dev.daskrelay.translator.render.Fixtures.resources;
import static dev.daskrelay.translator.render.RenderAssertions.renderValid;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.daskrelay.avro.v1.EnvVar;
import dev.daskrelay.avro.v1.ResourceList;
import dev.daskrelay.schemas.config.Installation;
import dev.daskrelay.schemas.config.PlatformConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Whole manifests, byte for byte, in src/test/resources/golden. A change to rendering shows up here as a diff to
 * review. To accept an intended change: {@code -Ddaskrelay.golden.update=true} rewrites the files (then read the
 * diff before committing).
 */
class GoldenManifestTest {

    private static final Path DIR = Path.of("src", "test", "resources", "golden");

    /** Flyte's happy path (#1) with the Flyte-shaped platform: legacy CLI, NodePort. */
    @Test
    void flyteHappyPathYaml() throws IOException {
        RenderedDaskJob job = renderValid(new DaskJobRenderer(flytePlatform(), Installation.DEFAULT), Fixtures.FLYTE_NAME,
                flyteExecution(), flyteTask(resources(list("2", "8G"), list("8", "17G")), null, null).build());
        assertGolden("flyte-happy-path.yaml", job.toYaml());
        assertGolden("flyte-happy-path.json", job.print(ManifestFormat.JSON) + "\n");
    }

    /**
     * daskrelay defaults (modern CLI, ClusterIP) with everything the platform can add: default labels, annotations,
     * env, tolerations, node selector, interruptible and non-interruptible placement; an interruptible GPU task
     * with a timeout, an id that needs hashing, component images and resources.
     */
    @Test
    void everythingYaml() throws IOException {
        PlatformConfig platform = Fixtures.platform("""
                platform:
                  namespace: dask-jobs
                  allowedNamespaces: [dask-jobs, team-a]
                  serviceAccount: dask-runner
                  allowedServiceAccounts: [dask-runner, team-a-runner]
                  allowedImages: ["ghcr.io/example/*"]
                  resources:
                    defaults: {cpu: "1", memory: 1Gi}
                    limits: {cpu: "16", memory: 64Gi, gpu: "2"}
                  labels: {team: platform, cost-center: "42"}
                  annotations: {cluster-autoscaler.kubernetes.io/safe-to-evict: "false"}
                  env: {DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT: 30s, TEAM: platform}
                  tolerations:
                    - {key: dedicated, operator: Equal, value: dask, effect: NoSchedule}
                  nodeSelector: {pool: dask}
                  interruptible:
                    tolerations:
                      - {key: spot, operator: Exists, effect: NoSchedule}
                    nodeSelector: {pool: dask-spot}
                    nodeSelectorRequirement: {key: node.kubernetes.io/lifecycle, operator: In, values: [spot]}
                  nonInterruptible:
                    nodeSelectorRequirement: {key: node.kubernetes.io/lifecycle, operator: NotIn, values: [spot]}
                """);
        ResourceList workerLimits = ResourceList.newBuilder().setCpu("2500m").setMemory("1.5Gi").setGpu("1")
                .build();
        var launch = Fixtures.plainTask()
                .setNamespace("team-a")
                .setServiceAccount("team-a-runner")
                .setCommand(List.of("python"))
                .setArgs(List.of("-m", "app.main", "--day", "2026-11-27"))
                .setEnv(List.of(new EnvVar("TEAM", "data"), new EnvVar("A_FIRST", "1")))
                .setLabels(Map.of("team", "data", "app", "etl"))
                .setAnnotations(Map.of("region", "SEA"))
                .setInterruptible(true)
                .setTimeoutSeconds(7200L)
                .setResources(resources(list("2", "8G"), list("8", "17G")))
                .build();
        launch.getDask().getScheduler().setImage("ghcr.io/example/dask-sched:1.4");
        launch.getDask().getWorkers().setNumberOfWorkers(4);
        launch.getDask().getWorkers().setResources(resources(null, workerLimits));
        RenderedDaskJob job = renderValid(new DaskJobRenderer(platform, Installation.DEFAULT),
                "Flytesnacks.Development/A1B2C3_n0-0", Fixtures.execution("a1b2c3"), launch);
        assertGolden("everything.yaml", job.toYaml());
    }

    private static void assertGolden(String file, String actual) throws IOException {
        Path path = DIR.resolve(file);
        if (Boolean.getBoolean("daskrelay.golden.update")) {
            Files.writeString(path, actual, StandardCharsets.UTF_8);
        }
        String expected = Files.readString(path, StandardCharsets.UTF_8);
        assertEquals(expected, actual, "golden file " + path + " (rerun with -Ddaskrelay.golden.update=true to accept)");
    }
}
