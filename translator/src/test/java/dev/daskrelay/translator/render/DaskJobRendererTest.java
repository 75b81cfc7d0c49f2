package dev.daskrelay.translator.render;

import static dev.daskrelay.translator.render.Fixtures.execution;
import static dev.daskrelay.translator.render.Fixtures.list;
import static dev.daskrelay.translator.render.Fixtures.plainTask;
import static dev.daskrelay.translator.render.Fixtures.platform;
import static dev.daskrelay.translator.render.Fixtures.resources;
import static dev.daskrelay.translator.render.RenderAssertions.ALL_PODS;
import static dev.daskrelay.translator.render.RenderAssertions.RUNNER;
import static dev.daskrelay.translator.render.RenderAssertions.SCHEDULER;
import static dev.daskrelay.translator.render.RenderAssertions.WORKER;
import static dev.daskrelay.translator.render.RenderAssertions.assertResources;
import static dev.daskrelay.translator.render.RenderAssertions.container;
import static dev.daskrelay.translator.render.RenderAssertions.json;
import static dev.daskrelay.translator.render.RenderAssertions.problemLines;
import static dev.daskrelay.translator.render.RenderAssertions.renderValid;
import static dev.daskrelay.translator.render.RenderAssertions.strings;
import static dev.daskrelay.translator.render.RenderAssertions.valid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.daskrelay.avro.v1.AbortDaskJob;
import dev.daskrelay.avro.v1.EnvVar;
import dev.daskrelay.avro.v1.LaunchDaskJob;
import dev.daskrelay.avro.v1.ResourceList;
import dev.daskrelay.avro.v1.TaskCommand;
import dev.daskrelay.schemas.KubernetesLabels;
import dev.daskrelay.schemas.config.Installation;
import dev.daskrelay.schemas.config.PlatformConfig;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** daskrelay's own rendering rules, beyond the Flyte table. */
class DaskJobRendererTest {

    private static final String TASK = "flytesnacks-development-a1b2c3-n0-0";
    private static final DaskJobRenderer DEFAULTS = new DaskJobRenderer(PlatformConfig.defaults(), Installation.DEFAULT);

    private static JsonNode render(DaskJobRenderer renderer, LaunchDaskJob launch) {
        return renderValid(renderer, TASK, execution("a1b2c3"), launch).manifest();
    }

    private static JsonNode render(LaunchDaskJob launch) {
        return render(DEFAULTS, launch);
    }

    @Test
    void modernCliIsTheDefault() {
        JsonNode job = render(plainTask().build());
        assertEquals(List.of("dask", "scheduler"), strings(container(job, SCHEDULER).path("args")));
        assertEquals(List.of("dask", "worker", "--name", "$(DASK_WORKER_NAME)", "--nthreads", "1",
                "--memory-limit", "1Gi"), strings(container(job, WORKER).path("args")));
        assertEquals("ClusterIP", job.at("/spec/cluster/spec/scheduler/service/type").asText());
        assertEquals(2, job.at("/spec/cluster/spec/worker/replicas").asInt());
        // Platform fallbacks: cpu 1, memory 1Gi requests = limits.
        for (String pod : ALL_PODS) {
            assertResources(job, pod, Map.of("cpu", "1", "memory", "1Gi"), Map.of("cpu", "1", "memory", "1Gi"));
        }
    }

    @Test
    void legacyCliUsesTheOldScripts() {
        DaskJobRenderer legacy = new DaskJobRenderer(platform("""
                platform:
                  dask: {cli: legacy}
                """), Installation.DEFAULT);
        JsonNode job = render(legacy, plainTask().build());
        assertEquals(List.of("dask-scheduler"), strings(container(job, SCHEDULER).path("args")));
        assertEquals(List.of("dask-worker", "--name", "$(DASK_WORKER_NAME)", "--nthreads", "1",
                "--memory-limit", "1Gi"), strings(container(job, WORKER).path("args")));
    }

    @Test
    void runnerKeepsTaskCommandAndArgsComponentsDoNot() {
        JsonNode job = render(plainTask().setCommand(List.of("python")).setArgs(List.of("-m", "app")).build());
        assertEquals(List.of("python"), strings(container(job, RUNNER).path("command")));
        assertEquals(List.of("-m", "app"), strings(container(job, RUNNER).path("args")));
        assertFalse(container(job, SCHEDULER).has("command"));
        assertFalse(container(job, WORKER).has("command"));
    }

    @Test
    void workerFlagsComeFromTheResolvedWorkerLimits() {
        LaunchDaskJob launch = plainTask().build();
        launch.getDask().getWorkers().setResources(resources(null, list("500m", "1024Mi")));
        JsonNode job = render(launch);
        assertEquals(List.of("--nthreads", "1", "--memory-limit", "1Gi"),
                strings(container(job, WORKER).path("args")).subList(4, 8));
        assertResources(job, WORKER, Map.of("cpu", "500m", "memory", "1Gi"), Map.of("cpu", "500m", "memory", "1Gi"));
        // The runner keeps the task level (platform defaults here).
        assertResources(job, RUNNER, Map.of("cpu", "1", "memory", "1Gi"), Map.of("cpu", "1", "memory", "1Gi"));
    }

    @Test
    void gpuMapsToThePlatformResourceNameAndIsDefaultedOnlyWhenPresent() {
        DaskJobRenderer amd = new DaskJobRenderer(platform("""
                platform:
                  gpuResourceName: amd.com/gpu
                  resources: {defaults: {gpu: "4"}}
                """), Installation.DEFAULT);
        JsonNode withGpu = render(amd, plainTask().setResources(resources(null, list(null, null, "1", "10Gi"))).build());
        for (String pod : ALL_PODS) {
            assertResources(withGpu, pod,
                    Map.of("cpu", "1", "memory", "1Gi", "amd.com/gpu", "1", "ephemeral-storage", "10Gi"),
                    Map.of("cpu", "1", "memory", "1Gi", "amd.com/gpu", "1", "ephemeral-storage", "10Gi"));
        }
        JsonNode withoutGpu = render(amd, plainTask().build());
        for (String pod : ALL_PODS) {
            assertResources(withoutGpu, pod, Map.of("cpu", "1", "memory", "1Gi"), Map.of("cpu", "1", "memory", "1Gi"));
        }
    }

    @Test
    void platformLimitsClampAndZeroMeansNoCap() {
        DaskJobRenderer capped = new DaskJobRenderer(platform("""
                platform:
                  resources:
                    defaults: {cpu: "2", memory: 4Gi}
                    limits: {cpu: "4", memory: "0"}
                """), Installation.DEFAULT);
        // request 6 > cap 4 -> 4; limit 8 -> 4; memory uncapped (zero cap); memory request 64Gi > limit 32Gi -> 32Gi.
        JsonNode job = render(capped, plainTask().setResources(resources(list("6", "64Gi"), list("8", "32Gi"))).build());
        assertResources(job, RUNNER, Map.of("cpu", "4", "memory", "32Gi"), Map.of("cpu", "4", "memory", "32Gi"));
        // Only a limit below the default request: the request takes the limit, not the default.
        JsonNode small = render(capped, plainTask().setResources(resources(null, list("500m", null))).build());
        assertResources(small, RUNNER, Map.of("cpu", "500m", "memory", "4Gi"), Map.of("cpu", "500m", "memory", "4Gi"));
        // Only a request: the limit equals it.
        JsonNode reqOnly = render(capped, plainTask().setResources(resources(list("3", "1G"), null)).build());
        assertResources(reqOnly, RUNNER, Map.of("cpu", "3", "memory", "1G"), Map.of("cpu", "3", "memory", "1G"));
    }

    @Test
    void zeroValuesAreDroppedAndComponentEntriesCountEvenWhenZero() {
        JsonNode job = render(plainTask().setResources(resources(list("0", "2Gi"), list("0", "4Gi"))).build());
        assertResources(job, RUNNER, Map.of("cpu", "1", "memory", "2Gi"), Map.of("cpu", "1", "memory", "4Gi"));
        LaunchDaskJob launch = plainTask().setResources(resources(list("3", "3Gi"), null)).build();
        launch.getDask().getScheduler().setResources(resources(ResourceList.newBuilder().setCpu("0").build(), null));
        JsonNode zeroComponent = render(launch);
        // Flyte: any entry makes the component's resources win; its zero is dropped; platform defaults fill.
        assertResources(zeroComponent, SCHEDULER, Map.of("cpu", "1", "memory", "1Gi"), Map.of("cpu", "1", "memory", "1Gi"));
        assertResources(zeroComponent, WORKER, Map.of("cpu", "3", "memory", "3Gi"), Map.of("cpu", "3", "memory", "3Gi"));
    }

    @Test
    void timeoutBecomesTheRunnersActiveDeadline() {
        JsonNode job = render(plainTask().setTimeoutSeconds(5400L).build());
        assertEquals(5400, job.at(RUNNER + "/activeDeadlineSeconds").asLong());
        assertTrue(job.at(RUNNER + "/activeDeadlineSeconds").isIntegralNumber());
        assertFalse(job.at(SCHEDULER).has("activeDeadlineSeconds"));
        assertFalse(job.at(WORKER).has("activeDeadlineSeconds"));
        assertEquals(List.of("timeout: must be > 0 (was 0s)"),
                problemLines(DEFAULTS.render(TASK, execution("a"), plainTask().setTimeoutSeconds(0L).build())));
    }

    @Test
    void namespaceAndServiceAccountDefaultAndAreAllowListed() {
        PlatformConfig platform = platform("""
                platform:
                  namespace: dask
                  allowedNamespaces: [dask, team-a]
                  serviceAccount: runner
                  allowedServiceAccounts: [runner, team-a]
                """);
        DaskJobRenderer renderer = new DaskJobRenderer(platform, Installation.DEFAULT);
        JsonNode defaulted = render(renderer, plainTask().build());
        assertEquals("dask", defaulted.at("/metadata/namespace").asText());
        for (String pod : ALL_PODS) {
            assertEquals("runner", defaulted.at(pod + "/serviceAccountName").asText());
        }
        RenderedDaskJob chosen = valid(renderer.render(TASK, execution("a"),
                plainTask().setNamespace("team-a").setServiceAccount("team-a").build()));
        assertEquals("team-a", chosen.namespace());
        assertEquals("team-a", chosen.manifest().at("/metadata/namespace").asText());
        assertEquals("team-a", chosen.manifest().at(WORKER + "/serviceAccountName").asText());

        assertEquals(List.of(
                "namespace: not allowed by the platform (allowed: dask, team-a) (was \"kube-system\")",
                "serviceAccount: not allowed by the platform (allowed: runner, team-a) (was \"admin\")"),
                problemLines(renderer.render(TASK, execution("a"),
                        plainTask().setNamespace("kube-system").setServiceAccount("admin").build())));
    }

    @Test
    void aPlatformDefaultOutsideTheAllowListIsRefusedToo() {
        DaskJobRenderer renderer = new DaskJobRenderer(platform("""
                platform:
                  namespace: default
                  allowedNamespaces: [team-a]
                """), Installation.DEFAULT);
        assertEquals(List.of("namespace: not allowed by the platform (allowed: team-a) (was \"default\", the platform default)"),
                problemLines(renderer.render(TASK, execution("a"), plainTask().build())));
    }

    @Test
    void aQuantityTooLargeForDaskFlagsIsRefused() {
        assertEquals(List.of("resources.limits.cpu: too large (was \"1e30\")"), problemLines(DEFAULTS.render(TASK,
                execution("a"), plainTask().setResources(resources(null, list("1e30", null))).build())));
    }

    @Test
    void imagesAreAllowListedAndNeverSubstituted() {
        DaskJobRenderer renderer = new DaskJobRenderer(platform("""
                platform:
                  allowedImages: ["ghcr.io/example/*"]
                """), Installation.DEFAULT);
        LaunchDaskJob launch = plainTask().setImage("docker.io/evil/miner:1").build();
        launch.getDask().getScheduler().setImage("quay.io/x/sched:1");
        launch.getDask().getWorkers().setImage("ghcr.io/example/worker:2");
        assertEquals(List.of(
                "image: not allowed by the platform (allowed: ghcr.io/example/*) (was \"docker.io/evil/miner:1\")",
                "dask.scheduler.image: not allowed by the platform (allowed: ghcr.io/example/*) (was \"quay.io/x/sched:1\")"),
                problemLines(renderer.render(TASK, execution("a"), launch)));
    }

    @Test
    void platformImageIsTheDefaultAndAnImageIsRequired() {
        DaskJobRenderer withDefault = new DaskJobRenderer(platform("""
                platform:
                  image: ghcr.io/example/default:1
                """), Installation.DEFAULT);
        JsonNode job = render(withDefault, plainTask().setImage(null).build());
        for (String pod : ALL_PODS) {
            assertEquals("ghcr.io/example/default:1", container(job, pod).path("image").asText());
        }
        assertEquals(List.of("image: required: the platform has no default image"),
                problemLines(DEFAULTS.render(TASK, execution("a"), plainTask().setImage("").build())));
    }

    @Test
    void envKeepsTaskOrderThenPlatformEnvNotOverridden() {
        DaskJobRenderer renderer = new DaskJobRenderer(platform("""
                platform:
                  env: {ZED: platform-z, SHARED: platform, ALPHA: platform-a}
                """), Installation.DEFAULT);
        JsonNode job = render(renderer, plainTask().setEnv(List.of(new EnvVar("SHARED", "task"),
                new EnvVar("B", "2"), new EnvVar("A", "1"))).build());
        JsonNode expected = json("""
                [{"name":"SHARED","value":"task"},{"name":"B","value":"2"},{"name":"A","value":"1"},
                 {"name":"ALPHA","value":"platform-a"},{"name":"ZED","value":"platform-z"}]""");
        for (String pod : ALL_PODS) {
            assertEquals(expected, container(job, pod).path("env"), pod);
        }
    }

    @Test
    void labelAndAnnotationPrecedenceWithDaskrelaysOwn() {
        DaskJobRenderer renderer = new DaskJobRenderer(platform("""
                platform:
                  labels: {team: platform, tier: batch}
                  annotations: {owner: platform, cluster-autoscaler.kubernetes.io/safe-to-evict: "false"}
                """), Installation.DEFAULT);
        JsonNode job = render(renderer, plainTask().setLabels(Map.of("team", "data"))
                .setAnnotations(Map.of("owner", "data", "simulator.daskrelay.dev/scenario", "oom")).build());
        assertEquals(json("""
                {"app.kubernetes.io/managed-by":"daskrelay","daskrelay.dev/installation":"daskrelay",
                 "daskrelay.dev/task":"%s","team":"data","tier":"batch"}"""
                .formatted(TASK)), job.at("/metadata/labels"));
        JsonNode annotations = job.at("/metadata/annotations");
        assertEquals("data", annotations.path("owner").asText());
        assertEquals("false", annotations.path("cluster-autoscaler.kubernetes.io/safe-to-evict").asText());
        assertEquals("oom", annotations.path("simulator.daskrelay.dev/scenario").asText(), "not reserved");
        assertEquals(TASK, annotations.path("daskrelay.dev/task-id").asText());
        assertEquals("flytesnacks/development/a1b2c3/n0/0", annotations.path("daskrelay.dev/execution").asText());
        assertEquals(DaskJobRenderer.specHash(job), annotations.path("daskrelay.dev/spec-hash").asText());
        // No pod-level metadata anywhere: the operator copies the DaskJob's.
        assertFalse(job.at("/spec/job").has("metadata"));
        assertFalse(job.at("/spec/cluster").has("metadata"));
    }

    @Test
    void theInstallationLabelIsTheRenderersAndNoTaskOrPlatformLabelCanReplaceIt() {
        DaskJobRenderer staging = new DaskJobRenderer(PlatformConfig.defaults(), new Installation("staging"));
        JsonNode job = render(staging, plainTask().setLabels(Map.of("team", "data")).build());
        assertEquals("staging", job.at("/metadata/labels").path(KubernetesLabels.INSTALLATION).asText());
        assertEquals("daskrelay", job.at("/metadata/labels").path(KubernetesLabels.MANAGED_BY).asText());
        // one label on the DaskJob; the operator copies it to the cluster and every pod (docs/DASK-OPERATOR.md §3.2)
        assertFalse(job.at("/spec/job").has("metadata"));
        assertFalse(job.at("/spec/cluster/spec/scheduler").has("metadata"));
        assertFalse(job.at("/spec/cluster/spec/worker").has("metadata"));
        // the same task for another installation: same name, another label, another spec hash
        RenderedDaskJob mine = valid(staging.render(TASK, execution("a"), plainTask().build()));
        RenderedDaskJob theirs = valid(DEFAULTS.render(TASK, execution("a"), plainTask().build()));
        assertEquals(mine.name(), theirs.name());
        assertNotEquals(mine.specHash(), theirs.specHash());

        assertEquals(List.of("labels[\"daskrelay.dev/installation\"]: key is reserved for daskrelay"),
                problemLines(staging.render(TASK, execution("a"), plainTask()
                        .setLabels(Map.of(KubernetesLabels.INSTALLATION, "production")).build())));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new DaskJobRenderer(platform("""
                platform:
                  labels: {daskrelay.dev/installation: production}
                """), new Installation("staging")));
        assertEquals("platform.labels[\"daskrelay.dev/installation\"]: key is reserved for daskrelay", e.getMessage());
    }

    @Test
    void reservedKeysAreRefused() {
        assertEquals(List.of("labels[\"app.kubernetes.io/managed-by\"]: key is reserved for daskrelay",
                        "labels[\"daskrelay.dev/task\"]: key is reserved for daskrelay",
                        "annotations[\"daskrelay.dev/spec-hash\"]: key is reserved for daskrelay"),
                problemLines(DEFAULTS.render(TASK, execution("a"), plainTask()
                        .setLabels(Map.of("daskrelay.dev/task", "x", "app.kubernetes.io/managed-by", "me"))
                        .setAnnotations(Map.of("daskrelay.dev/spec-hash", "0")).build())));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new DaskJobRenderer(platform("""
                platform:
                  labels: {daskrelay.dev/task: x}
                """), Installation.DEFAULT));
        assertEquals("platform.labels[\"daskrelay.dev/task\"]: key is reserved for daskrelay", e.getMessage());
    }

    @Test
    void badInputReportsEveryProblemWithItsPath() {
        LaunchDaskJob launch = plainTask().setResources(resources(list("lots", "-1Gi"), null)).build();
        launch.getDask().getWorkers().setNumberOfWorkers(0);
        launch.getDask().getWorkers().setResources(resources(null, list("2", "4Q")));
        List<String> lines = problemLines(DEFAULTS.render(" ", execution("a"), launch));
        assertEquals(5, lines.size(), lines::toString);
        assertEquals("taskId: must not be empty", lines.get(0));
        assertEquals("dask.workers.numberOfWorkers: must be >= 1 (was 0)", lines.get(1));
        assertEquals("resources.requests.cpu: not a Kubernetes quantity, e.g. 500m, 2, 1.5, 8Gi or 8G (was \"lots\")",
                lines.get(2));
        assertEquals("resources.requests.memory: must not be negative (was \"-1Gi\")", lines.get(3));
        assertTrue(lines.get(4).startsWith("dask.workers.resources.limits.memory: not a Kubernetes quantity"),
                lines.get(4));
    }

    @Test
    void workerCountIsCappedByThePlatform() {
        DaskJobRenderer renderer = new DaskJobRenderer(platform("""
                platform:
                  maxWorkers: 5
                """), Installation.DEFAULT);
        LaunchDaskJob launch = plainTask().build();
        launch.getDask().getWorkers().setNumberOfWorkers(6);
        assertEquals(List.of("dask.workers.numberOfWorkers: must be <= 5, the platform's maxWorkers (was 6)"),
                problemLines(renderer.render(TASK, execution("a"), launch)));
    }

    @Test
    void nonInterruptibleRequirementOnEveryPodOfANonInterruptibleTask() {
        DaskJobRenderer renderer = new DaskJobRenderer(platform("""
                platform:
                  interruptible:
                    nodeSelectorRequirement: {key: lifecycle, operator: In, values: [spot]}
                  nonInterruptible:
                    nodeSelectorRequirement: {key: lifecycle, operator: NotIn, values: [spot]}
                """), Installation.DEFAULT);
        String path = "/affinity/nodeAffinity/requiredDuringSchedulingIgnoredDuringExecution/nodeSelectorTerms/0"
                + "/matchExpressions/0/operator";
        JsonNode steady = render(renderer, plainTask().build());
        for (String pod : ALL_PODS) {
            assertEquals("NotIn", steady.at(pod + path).asText(), pod);
        }
        JsonNode spot = render(renderer, plainTask().setInterruptible(true).build());
        assertEquals("NotIn", spot.at(RUNNER + path).asText());
        assertEquals("NotIn", spot.at(SCHEDULER + path).asText());
        assertEquals("In", spot.at(WORKER + path).asText());
    }

    @Test
    void sameInputSameBytesAndTheHashFollowsTheContent() {
        LaunchDaskJob launch = plainTask().setLabels(Map.of("b", "2", "a", "1", "c", "3"))
                .setEnv(List.of(new EnvVar("X", "1"))).build();
        RenderedDaskJob first = valid(DEFAULTS.render(TASK, execution("a"), launch));
        RenderedDaskJob second = valid(new DaskJobRenderer(PlatformConfig.defaults(), Installation.DEFAULT)
                .render(TASK, execution("a"), LaunchDaskJob.newBuilder(launch).build()));
        assertEquals(first.toJson(), second.toJson());
        assertEquals(first.toYaml(), second.toYaml());
        assertEquals(first.specHash(), second.specHash());
        assertEquals(first.specHash(), DaskJobRenderer.specHash(first.manifest()));
        assertTrue(first.specHash().matches("[0-9a-f]{64}"));

        RenderedDaskJob changed = valid(DEFAULTS.render(TASK, execution("a"),
                LaunchDaskJob.newBuilder(launch).setArgs(List.of("python", "other.py")).build()));
        assertNotEquals(first.specHash(), changed.specHash());
        RenderedDaskJob otherAttempt = valid(DEFAULTS.render(TASK, execution("b"), launch));
        assertNotEquals(first.specHash(), otherAttempt.specHash(), "the execution annotation is hashed too");
    }

    @Test
    void theManifestHandedOutIsACopy() {
        RenderedDaskJob job = valid(DEFAULTS.render(TASK, execution("a"), plainTask().build()));
        String before = job.toJson();
        ObjectNode copy = job.manifest();
        copy.put("kind", "Pod");
        ((ObjectNode) copy.at(RUNNER + "/containers/0")).put("image", "x");
        assertEquals(before, job.toJson());
    }

    @Test
    void yamlAndJsonReadBackToTheSameTree() throws Exception {
        LaunchDaskJob launch = plainTask().setArgs(List.of("2026-11-27", "yes", "0777", "1e3", "null", "~", "on"))
                .setLabels(Map.of("n", "42")).build();
        RenderedDaskJob job = valid(DEFAULTS.render(TASK, execution("a"), launch));
        JsonNode fromYaml = new ObjectMapper(new YAMLFactory()).readTree(job.toYaml());
        assertEquals(job.manifest(), fromYaml);
        assertEquals(job.manifest(), new ObjectMapper().readTree(job.toJson()));
        assertEquals(job.manifest(), new ObjectMapper().readTree(job.print(ManifestFormat.JSON)));
        // And as a YAML 1.1 reader (SnakeYAML, like kubectl's Go yaml) sees it: every arg is still a string.
        Map<?, ?> snake = new Yaml().load(job.toYaml());
        assertEquals(launch.getArgs(), ((Map<?, ?>) ((List<?>) ((Map<?, ?>) ((Map<?, ?>) ((Map<?, ?>) snake
                .get("spec")).get("job")).get("spec")).get("containers")).get(0)).get("args"));
        assertTrue(job.toYaml().contains("\"2026-11-27\""));
    }

    @Test
    void awkwardTaskIdsGiveValidNamesThatTheServiceSelects() {
        for (String id : List.of("Flytesnacks.Development.A1B2C3.N0.0", "9lives-n0-0", "x".repeat(120),
                "proj_dom_exec_node_1", "UPPER-CASE-ID")) {
            RenderedDaskJob job = valid(DEFAULTS.render(id, execution("a"), plainTask().build()));
            JsonNode manifest = job.manifest();
            assertTrue(DaskJobNames.isValidName(job.name()), job.name());
            assertTrue(job.name().length() <= 50, job.name());
            assertEquals(job.name(), manifest.at("/metadata/name").asText());
            assertEquals(job.name(), manifest.at("/spec/cluster/spec/scheduler/service/selector/dask.org~1cluster-name")
                    .asText());
            assertEquals(id, manifest.at("/metadata/annotations/daskrelay.dev~1task-id").asText());
            assertEquals(DaskJobNames.taskLabelValue(id), manifest.at("/metadata/labels/daskrelay.dev~1task").asText());
        }
        assertEquals("Flytesnacks.Development.A1B2C3.N0.0",
                DaskJobNames.taskLabelValue("Flytesnacks.Development.A1B2C3.N0.0"), "a valid label value is kept");
    }

    @Test
    void aHandBuiltRecordWithNullCollectionsRendersAsEmpty() {
        LaunchDaskJob launch = new LaunchDaskJob();
        launch.setImage("ghcr.io/example/dask-app:1.4");
        launch.setInterruptible(false);
        launch.setDask(plainTask().build().getDask());
        JsonNode job = valid(DEFAULTS.render(TASK, execution("a"), launch)).manifest();
        assertFalse(container(job, RUNNER).has("args"));
        assertFalse(container(job, RUNNER).has("env"));
        assertEquals(3, job.at("/metadata/labels").size(), "only daskrelay's own");
    }

    @Test
    void rendersALaunchCommand() {
        TaskCommand command = TaskCommand.newBuilder().setCommandId("c1").setTaskId(TASK)
                .setExecution(execution("a")).setIssuedAt(Instant.EPOCH).setPayload(plainTask().build()).build();
        assertEquals(TASK, valid(DEFAULTS.render(command)).name());
        TaskCommand abort = TaskCommand.newBuilder(command).setPayload(AbortDaskJob.newBuilder().build()).build();
        assertThrows(IllegalArgumentException.class, () -> DEFAULTS.render(abort));
    }

    @Test
    void anInvalidPlatformQuantityNamesItsPath() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new DaskJobRenderer(platform("""
                platform:
                  resources: {limits: {memory: lots}}
                """), Installation.DEFAULT));
        assertTrue(e.getMessage().startsWith("platform.resources.limits.memory: "), e.getMessage());
    }
}
