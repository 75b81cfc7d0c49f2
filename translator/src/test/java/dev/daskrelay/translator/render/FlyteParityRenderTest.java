package dev.daskrelay.translator.render;

import static dev.daskrelay.translator.render.Fixtures.FLYTE_IMAGE;
import static dev.daskrelay.translator.render.Fixtures.FLYTE_NAME;
import static dev.daskrelay.translator.render.Fixtures.flyteExecution;
import static dev.daskrelay.translator.render.Fixtures.flytePlatform;
import static dev.daskrelay.translator.render.Fixtures.flyteTask;
import static dev.daskrelay.translator.render.Fixtures.list;
import static dev.daskrelay.translator.render.Fixtures.resources;
import static dev.daskrelay.translator.render.RenderAssertions.ALL_PODS;
import static dev.daskrelay.translator.render.RenderAssertions.RUNNER;
import static dev.daskrelay.translator.render.RenderAssertions.SCHEDULER;
import static dev.daskrelay.translator.render.RenderAssertions.WORKER;
import static dev.daskrelay.translator.render.RenderAssertions.assertResources;
import static dev.daskrelay.translator.render.RenderAssertions.container;
import static dev.daskrelay.translator.render.RenderAssertions.json;
import static dev.daskrelay.translator.render.RenderAssertions.renderValid;
import static dev.daskrelay.translator.render.RenderAssertions.strings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.daskrelay.avro.v1.LaunchDaskJob;
import dev.daskrelay.avro.v1.ResourceList;
import dev.daskrelay.schemas.config.Installation;
import dev.daskrelay.schemas.config.PlatformConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The build cases of Flyte's dask_test.go (Flyte v1.16.8, docs/RENDERING.md Sources), same inputs and
 * expected values, with the platform in Flyte's shape (legacy CLI, NodePort). Every DaskJob is also checked
 * against the real CRD schema.
 */
class FlyteParityRenderTest {

    private final DaskJobRenderer renderer = new DaskJobRenderer(flytePlatform(), Installation.DEFAULT);

    private JsonNode render(LaunchDaskJob launch) {
        return renderValid(renderer, FLYTE_NAME, flyteExecution(), launch).manifest();
    }

    /** #1 TestBuildResourceDaskHappyPath. */
    @Test
    void happyPath() {
        JsonNode job = render(flyteTask(resources(list("2", "8G"), list("8", "17G")), null, null).build());

        assertEquals("kubernetes.dask.org/v1", job.path("apiVersion").asText());
        assertEquals("DaskJob", job.path("kind").asText());
        assertEquals(FLYTE_NAME, job.at("/metadata/name").asText());
        assertEquals("default-namespace", job.at("/metadata/namespace").asText());
        // The fixtures, plus daskrelay's own labels/annotations and nothing else.
        assertEquals(json("""
                {"app.kubernetes.io/managed-by":"daskrelay","daskrelay.dev/installation":"daskrelay",
                 "daskrelay.dev/task":"some-acceptable-name","label-1":"val1"}"""), job.at("/metadata/labels"));
        JsonNode annotations = job.at("/metadata/annotations");
        assertEquals("val1", annotations.path("annotation-1").asText());
        assertEquals(FLYTE_NAME, annotations.path("daskrelay.dev/task-id").asText());
        assertEquals("my_project/my_domain/my_name/an-unique-id/0", annotations.path("daskrelay.dev/execution").asText());
        assertEquals(64, annotations.path("daskrelay.dev/spec-hash").asText().length());
        assertEquals(4, annotations.size());
        assertTrue(job.at("/spec/cluster/metadata").isMissingNode(), "spec.cluster.metadata is pruned by the CRD");

        Map<String, String> requests = Map.of("cpu", "2", "memory", "8G");
        Map<String, String> limits = Map.of("cpu", "8", "memory", "17G");

        // Job runner.
        JsonNode runner = job.at(RUNNER);
        assertEquals("Never", runner.path("restartPolicy").asText());
        assertEquals("default-service-account", runner.path("serviceAccountName").asText());
        assertEquals(1, runner.path("containers").size());
        assertEquals("job-runner", container(job, RUNNER).path("name").asText());
        assertEquals(FLYTE_IMAGE, container(job, RUNNER).path("image").asText());
        assertEquals(List.of("execute-dask-task"), strings(container(job, RUNNER).path("args")));
        assertResources(job, RUNNER, requests, limits);

        // Scheduler.
        JsonNode scheduler = job.at(SCHEDULER);
        assertEquals("Always", scheduler.path("restartPolicy").asText());
        assertEquals("scheduler", container(job, SCHEDULER).path("name").asText());
        assertEquals(FLYTE_IMAGE, container(job, SCHEDULER).path("image").asText());
        assertEquals(List.of("dask-scheduler"), strings(container(job, SCHEDULER).path("args")));
        assertEquals(json("""
                [{"name":"tcp-comm","containerPort":8786,"protocol":"TCP"},
                 {"name":"dashboard","containerPort":8787,"protocol":"TCP"}]"""),
                container(job, SCHEDULER).path("ports"));
        assertResources(job, SCHEDULER, requests, limits);
        JsonNode service = job.at("/spec/cluster/spec/scheduler/service");
        assertEquals("NodePort", service.path("type").asText());
        assertEquals(json("""
                {"dask.org/cluster-name":"some-acceptable-name","dask.org/component":"scheduler"}"""),
                service.path("selector"));
        assertEquals(json("""
                [{"name":"tcp-comm","protocol":"TCP","port":8786,"targetPort":"tcp-comm"},
                 {"name":"dashboard","protocol":"TCP","port":8787,"targetPort":"dashboard"}]"""),
                service.path("ports"));
        assertTrue(service.at("/ports/0/targetPort").isTextual(), "targetPort must be a JSON string");

        // Workers.
        assertEquals(10, job.at("/spec/cluster/spec/worker/replicas").asInt());
        assertEquals("Always", job.at(WORKER).path("restartPolicy").asText());
        assertEquals("dask-worker", container(job, WORKER).path("name").asText());
        assertEquals(FLYTE_IMAGE, container(job, WORKER).path("image").asText());
        assertEquals(List.of("dask-worker", "--name", "$(DASK_WORKER_NAME)", "--nthreads", "8", "--memory-limit",
                "17G"), strings(container(job, WORKER).path("args")));
        assertResources(job, WORKER, requests, limits);

        for (String pod : ALL_PODS) {
            JsonNode spec = job.at(pod);
            // Flyte: tolerations nil, nodeSelector {}, affinity {}: daskrelay omits all three when empty.
            assertTrue(spec.path("tolerations").isMissingNode(), pod);
            assertTrue(spec.path("nodeSelector").isMissingNode(), pod);
            assertTrue(spec.path("affinity").isMissingNode(), pod);
            assertEquals(json("[{\"name\":\"Env_Var\",\"value\":\"Env_Val\"}]"), container(job, pod).path("env"), pod);
            assertEquals("default-service-account", spec.path("serviceAccountName").asText(), pod);
        }
        assertTrue(runner.path("activeDeadlineSeconds").isMissingNode(), "no timeout, no deadline");
    }

    /** #2 TestBuildResourceDaskCustomImages. */
    @Test
    void customImages() {
        JsonNode job = render(flyteTask(null, "customImage", null).build());
        assertEquals(FLYTE_IMAGE, container(job, RUNNER).path("image").asText());
        assertEquals("customImage", container(job, SCHEDULER).path("image").asText());
        assertEquals("customImage", container(job, WORKER).path("image").asText());
    }

    /** #3 TestBuildResourceDaskDefaultResoureRequirements: a missing memory request takes the limit. */
    @Test
    void defaultResourceRequirements() {
        ResourceList requests = ResourceList.newBuilder().setCpu("1").build();
        JsonNode job = render(flyteTask(resources(requests, list("2", "2G")), null, null).build());
        for (String pod : ALL_PODS) {
            assertResources(job, pod, Map.of("cpu", "1", "memory", "2G"), Map.of("cpu", "2", "memory", "2G"));
        }
        List<String> args = strings(container(job, WORKER).path("args"));
        assertEquals(List.of("--nthreads", "2", "--memory-limit", "2G"), args.subList(3, 7));
    }

    /** #4 TestBuildResourceDaskAdjustResoureRequirements: limit clamped to the platform, missing limit = request. */
    @Test
    void adjustResourceRequirements() {
        ResourceList limits = ResourceList.newBuilder().setCpu("16").build();
        JsonNode job = render(flyteTask(resources(list("1", "2G"), limits), null, null).build());
        for (String pod : ALL_PODS) {
            assertResources(job, pod, Map.of("cpu", "1", "memory", "2G"), Map.of("cpu", "10", "memory", "2G"));
        }
        List<String> args = strings(container(job, WORKER).path("args"));
        assertEquals(List.of("--nthreads", "10", "--memory-limit", "2G"), args.subList(3, 7));
    }

    /** #5 TestBuildResourcesDaskCustomResoureRequirements: component resources replace the task level entirely. */
    @Test
    void customComponentResources() {
        ResourceList taskRequests = ResourceList.newBuilder().setCpu("1").build();
        ResourceList componentRequests = ResourceList.newBuilder().setCpu("5").build();
        JsonNode job = render(flyteTask(resources(taskRequests, list("2", "2G")), null,
                resources(componentRequests, list("10", "15G"))).build());
        assertResources(job, RUNNER, Map.of("cpu", "1", "memory", "2G"), Map.of("cpu", "2", "memory", "2G"));
        assertResources(job, SCHEDULER, Map.of("cpu", "5", "memory", "15G"), Map.of("cpu", "10", "memory", "15G"));
        assertResources(job, WORKER, Map.of("cpu", "5", "memory", "15G"), Map.of("cpu", "10", "memory", "15G"));
        List<String> args = strings(container(job, WORKER).path("args"));
        assertEquals(List.of("--nthreads", "10", "--memory-limit", "15G"), args.subList(3, 7));
    }

    /** #6 TestBuildResourceDaskInterruptible: interruptible placement on the workers only. */
    @Test
    void interruptible() {
        PlatformConfig platform = Fixtures.platform(Fixtures.FLYTE_PLATFORM_YAML + """
                  interruptible:
                    nodeSelector: {x/interruptible: "true"}
                    nodeSelectorRequirement: {key: x/interruptible, operator: In, values: ["true"]}
                    tolerations:
                      - {key: x/flyte, value: interruptible, operator: Equal, effect: NoSchedule}
                """);
        JsonNode job = renderValid(new DaskJobRenderer(platform, Installation.DEFAULT), FLYTE_NAME, flyteExecution(),
                flyteTask(resources(list("2", "8G"), list("8", "17G")), null, null).setInterruptible(true).build())
                .manifest();
        for (String pod : List.of(RUNNER, SCHEDULER)) {
            JsonNode spec = job.at(pod);
            assertTrue(spec.path("tolerations").isMissingNode(), pod);
            assertTrue(spec.path("nodeSelector").isMissingNode(), pod);
            assertTrue(spec.path("affinity").isMissingNode(), pod);
        }
        JsonNode worker = job.at(WORKER);
        assertEquals(json("""
                [{"effect":"NoSchedule","key":"x/flyte","operator":"Equal","value":"interruptible"}]"""),
                worker.path("tolerations"));
        assertEquals(json("{\"x/interruptible\":\"true\"}"), worker.path("nodeSelector"));
        assertEquals(json("""
                {"key":"x/interruptible","operator":"In","values":["true"]}"""),
                worker.at("/affinity/nodeAffinity/requiredDuringSchedulingIgnoredDuringExecution"
                        + "/nodeSelectorTerms/0/matchExpressions/0"));
    }

    /**
     * #8 TestBuildResourceDaskExtendedResources, insofar as daskrelay supports GPUs: the task's {@code gpu} limit
     * becomes {@code nvidia.com/gpu} (platform.gpuResourceName) on all three containers, request = limit. GPU
     * device/partition node selection (accelerators) has no field in the task file and is not rendered.
     */
    @Test
    void gpu() {
        ResourceList limits = ResourceList.newBuilder().setCpu("8").setMemory("17G").setGpu("1").build();
        JsonNode job = render(flyteTask(resources(list("2", "8G"), limits), null, null).build());
        for (String pod : ALL_PODS) {
            assertResources(job, pod, Map.of("cpu", "2", "memory", "8G", "nvidia.com/gpu", "1"),
                    Map.of("cpu", "8", "memory", "17G", "nvidia.com/gpu", "1"));
            assertFalse(job.at(pod).has("affinity"), "no accelerator affinity: " + pod);
        }
    }

    /** No resources anywhere: requests and limits both become the platform defaults (Flyte's resource rules). */
    @Test
    void emptyResourcesTakePlatformDefaults() {
        JsonNode job = render(flyteTask(null, null, null).build());
        for (String pod : ALL_PODS) {
            assertResources(job, pod, Map.of("cpu", "4", "memory", "10G"), Map.of("cpu", "4", "memory", "10G"));
        }
        List<String> args = strings(container(job, WORKER).path("args"));
        assertEquals(List.of("--nthreads", "4", "--memory-limit", "10G"), args.subList(3, 7));
    }
}
