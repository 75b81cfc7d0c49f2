package dev.daskrelay.translator.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.daskrelay.avro.v1.ExecutionIdentity;
import dev.daskrelay.avro.v1.LaunchDaskJob;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Shared assertions of the render tests. */
final class RenderAssertions {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String RUNNER = "/spec/job/spec";
    static final String SCHEDULER = "/spec/cluster/spec/scheduler/spec";
    static final String WORKER = "/spec/cluster/spec/worker/spec";
    static final List<String> ALL_PODS = List.of(RUNNER, SCHEDULER, WORKER);

    private RenderAssertions() {
    }

    /** Renders, expecting success, and checks the result against the real CRD schema. */
    static RenderedDaskJob renderValid(DaskJobRenderer renderer, String taskId,
                                       ExecutionIdentity execution,
                                       LaunchDaskJob launch) {
        RenderResult result = renderer.render(taskId, execution, launch);
        assertTrue(result instanceof RenderResult.Rendered, () -> "expected a DaskJob, got " + result);
        RenderedDaskJob job = result.orElseThrow();
        assertCrdValid(job.manifest());
        return job;
    }

    /** The DaskJob of a successful render, checked against the real CRD schema. */
    static RenderedDaskJob valid(RenderResult result) {
        RenderedDaskJob job = result.orElseThrow();
        assertCrdValid(job.manifest());
        return job;
    }

    static void assertCrdValid(JsonNode manifest) {
        List<String> problems = DaskJobCrd.load().problems(manifest);
        assertEquals(List.of(), problems, () -> "CRD schema problems in\n" + ManifestFormat.JSON.print(manifest));
    }

    static List<RenderProblem> rejected(RenderResult result) {
        assertTrue(result instanceof RenderResult.Rejected, () -> "expected a rejection, got " + result);
        return ((RenderResult.Rejected) result).problems();
    }

    static List<String> problemLines(RenderResult result) {
        List<String> out = new ArrayList<>();
        rejected(result).forEach(p -> out.add(p.toString()));
        return out;
    }

    static JsonNode container(JsonNode manifest, String pod) {
        return manifest.at(pod + "/containers/0");
    }

    /** {"limits": {...}, "requests": {...}} of the given maps (insertion order irrelevant: compared as trees). */
    static ObjectNode resources(Map<String, String> requests, Map<String, String> limits) {
        ObjectNode node = JSON.createObjectNode();
        if (!limits.isEmpty()) {
            node.set("limits", JSON.valueToTree(new TreeMap<>(limits)));
        }
        if (!requests.isEmpty()) {
            node.set("requests", JSON.valueToTree(new TreeMap<>(requests)));
        }
        return node;
    }

    static void assertResources(JsonNode manifest, String pod, Map<String, String> requests,
                                Map<String, String> limits) {
        assertEquals(resources(requests, limits), container(manifest, pod).get("resources"),
                () -> "resources of " + pod);
    }

    static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }
}
