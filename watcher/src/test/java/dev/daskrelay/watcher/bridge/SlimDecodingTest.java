package dev.daskrelay.watcher.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventList;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodList;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.WatchEvent;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * The streaming decoder ({@link SlimDecoding}) gives what fabric8's decoding gives for every field the bridge reads
 * (the cache entries after {@link SlimItemStore}, what the event handlers and indexers read, the derived snapshot),
 * over pods, DaskJobs and Events shaped like the API server's (base documents captured from kube-apiserver v1.37 in
 * {@code api-server/}, varied at random: every container state kind, conditions, deletion, unknown fields, field
 * order, odd scalar types), single and in lists and watch events; bookmarks and 410 Gone decode the same; a value of
 * an unexpected shape is coerced, or refused, exactly as fabric8 does it.
 */
class SlimDecodingTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final KubernetesSerialization FABRIC8 = new KubernetesSerialization();
    private static final KubernetesSerialization SLIM = SlimDecoding.serialization();

    private static final ObjectNode POD = resource("pod.json");
    private static final ObjectNode DASK_JOB = resource("daskjob.json");
    private static final ObjectNode EVENT = resource("event.json");

    // ---------------------------------------------------------------------------------------------------------
    // Properties over generated documents.

    @Property(tries = 400)
    void podsDecodeAsFabric8DecodesThem(@ForAll("seeds") long seed) {
        String json = pod(new Random(seed), "p-" + seed).toString();
        assertSamePod(FABRIC8.unmarshal(json, Pod.class), SLIM.unmarshal(json, Pod.class), json);
    }

    @Property(tries = 200)
    void daskJobsDecodeAsFabric8DecodesThem(@ForAll("seeds") long seed) {
        String json = daskJob(new Random(seed), "j-" + seed).toString();
        assertSameJob(FABRIC8.unmarshal(json, GenericKubernetesResource.class),
                SLIM.unmarshal(json, GenericKubernetesResource.class), json);
    }

    @Property(tries = 200)
    void eventsDecodeAsFabric8DecodesThem(@ForAll("seeds") long seed) {
        String json = event(new Random(seed), "e-" + seed).toString();
        assertSameEvent(FABRIC8.unmarshal(json, Event.class), SLIM.unmarshal(json, Event.class), json);
    }

    /** A job with its pods and Events, as list pages: the same snapshot either way. */
    @Property(tries = 100)
    void listsDeriveTheSameSnapshot(@ForAll("seeds") long seed) {
        Random r = new Random(seed);
        String name = "flytesnacks-development-x" + Long.toHexString(seed & 0xffffff) + "-n0-0";
        ObjectNode job = daskJob(r, name);
        ObjectNode pods = list("PodList", "v1");
        pods.withArray("items").add(podOf(r, name, name + "-runner", "job-runner"));
        pods.withArray("items").add(podOf(r, name, name + "-scheduler-5d9c7b8f4-abcde", "scheduler"));
        for (int w = 0; w < r.nextInt(5); w++) {
            pods.withArray("items").add(podOf(r, name, String.format("%s-default-worker-%010x-6b7c8d9f5-w%04d",
                    name, w, w), "worker"));
        }
        ObjectNode events = list("EventList", "v1");
        for (int e = 0; e < r.nextInt(6); e++) {
            ObjectNode ev = event(r, name + ".e" + e);
            ((ObjectNode) ev.get("involvedObject")).put("name", pick(r, name, name + "-runner",
                    name + "-default-worker-0000000000-6b7c8d9f5", name + "-scheduler-5d9c7b8f4-abcde", "other"));
            events.withArray("items").add(ev);
        }
        ObjectNode jobs = list("DaskJobList", "kubernetes.dask.org/v1");
        jobs.withArray("items").add(job);

        var fabric8 = derive(FABRIC8, jobs.toString(), pods.toString(), events.toString());
        var slim = derive(SLIM, jobs.toString(), pods.toString(), events.toString());
        assertEquals(fabric8, slim, "snapshot of " + name);
    }

    /** Watch events (ADDED, MODIFIED, DELETED) carry the same object either way. */
    @Property(tries = 100)
    void watchEventsCarryTheSameObjects(@ForAll("seeds") long seed) {
        Random r = new Random(seed);
        String type = pick(r, "ADDED", "MODIFIED", "DELETED");
        String pod = watchEvent(type, pod(r, "w-" + seed)).toString();
        assertSamePod((Pod) FABRIC8.unmarshal(pod, WatchEvent.class).getObject(),
                (Pod) SLIM.unmarshal(pod, WatchEvent.class).getObject(), pod);
        String job = watchEvent(type, daskJob(r, "w-" + seed)).toString();
        assertSameJob((GenericKubernetesResource) FABRIC8.unmarshal(job, WatchEvent.class).getObject(),
                (GenericKubernetesResource) SLIM.unmarshal(job, WatchEvent.class).getObject(), job);
        String event = watchEvent(type, event(r, "w-" + seed)).toString();
        assertSameEvent((Event) FABRIC8.unmarshal(event, WatchEvent.class).getObject(),
                (Event) SLIM.unmarshal(event, WatchEvent.class).getObject(), event);
    }

    @Provide
    Arbitrary<Long> seeds() {
        return Arbitraries.longs();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Examples.

    @Test
    void capturedDocumentsDecodeAsFabric8DecodesThem() {
        assertSamePod(FABRIC8.unmarshal(POD.toString(), Pod.class), SLIM.unmarshal(POD.toString(), Pod.class), "pod");
        assertSameJob(FABRIC8.unmarshal(DASK_JOB.toString(), GenericKubernetesResource.class),
                SLIM.unmarshal(DASK_JOB.toString(), GenericKubernetesResource.class), "job");
        assertSameEvent(FABRIC8.unmarshal(EVENT.toString(), Event.class), SLIM.unmarshal(EVENT.toString(), Event.class),
                "event");
        GenericKubernetesResource job = SLIM.unmarshal(DASK_JOB.toString(), GenericKubernetesResource.class);
        assertEquals(4, (Integer) job.get("spec", "cluster", "spec", "worker", "replicas"));
        assertNull(job.get("spec", "job"), "the pod templates are not decoded");
        assertNull(SLIM.unmarshal(POD.toString(), Pod.class).getSpec(), "the pod spec is not decoded");
    }

    @Test
    void bookmarksAndGoneDecodeAsFabric8DecodesThem() {
        String bookmark = """
                {"type":"BOOKMARK","object":{"kind":"Pod","apiVersion":"v1","metadata":{"resourceVersion":"12345",\
                "annotations":{"k8s.io/initial-events-end":"true"}}}}""";
        for (KubernetesSerialization s : List.of(FABRIC8, SLIM)) {
            WatchEvent e = s.unmarshal(bookmark, WatchEvent.class);
            assertEquals("BOOKMARK", e.getType());
            assertEquals("12345", ((HasMetadata) e.getObject()).getMetadata().getResourceVersion());
        }
        String jobBookmark = """
                {"type":"BOOKMARK","object":{"kind":"DaskJob","apiVersion":"kubernetes.dask.org/v1",\
                "metadata":{"resourceVersion":"777"}}}""";
        assertEquals("777", ((HasMetadata) SLIM.unmarshal(jobBookmark, WatchEvent.class).getObject()).getMetadata()
                .getResourceVersion());
        String gone = """
                {"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",\
                "message":"too old resource version: 1 (2043)","reason":"Expired","code":410}}""";
        Status fabric8 = assertInstanceOf(Status.class, FABRIC8.unmarshal(gone, WatchEvent.class).getObject());
        Status slim = assertInstanceOf(Status.class, SLIM.unmarshal(gone, WatchEvent.class).getObject());
        assertEquals(410, slim.getCode());
        assertEquals(fabric8, slim);
    }

    @Test
    void scalarsOfAnotherTypeAreCoercedAsFabric8CoercesThem() {
        String json = """
                {"kind":"Pod","apiVersion":"v1","metadata":{"name":7,"namespace":"ns","labels":{"a":1,"b":true,"c":null}},
                 "status":{"phase":"Running","containerStatuses":[{"name":"c","ready":"true","restartCount":"3",
                 "state":{"terminated":{"exitCode":"137","reason":"OOMKilled","message":42}},"lastState":null},null]}}""";
        Pod slim = SLIM.unmarshal(json, Pod.class);
        assertSamePod(FABRIC8.unmarshal(json, Pod.class), slim, json);
        ContainerStatus c = slim.getStatus().getContainerStatuses().get(0);
        assertEquals(3, c.getRestartCount());
        assertEquals(137, c.getState().getTerminated().getExitCode());
        assertEquals("42", c.getState().getTerminated().getMessage());
        assertEquals("7", slim.getMetadata().getName());
    }

    @Test
    void aKeptValueOfAnUnusableShapeFailsAsFabric8Fails() {
        for (String bad : List.of(
                "{\"kind\":\"Pod\",\"status\":{\"conditions\":\"none\"}}",
                "{\"kind\":\"Pod\",\"status\":{\"containerStatuses\":[{\"restartCount\":{\"n\":1}}]}}",
                "{\"kind\":\"Pod\",\"metadata\":{\"labels\":[\"a\"]}}",
                "{\"kind\":\"Pod\",\"status\":[1]}")) {
            assertThrows(KubernetesClientException.class, () -> FABRIC8.unmarshal(bad, Pod.class), bad);
            assertThrows(KubernetesClientException.class, () -> SLIM.unmarshal(bad, Pod.class), bad);
        }
    }

    @Test
    void fieldsTheBridgeDoesNotReadAreSkippedWhateverTheirShape() {
        String json = """
                {"kind":"Pod","apiVersion":"v1","metadata":{"name":"p","namespace":"ns","managedFields":"?"},
                 "spec":{"containers":"not a list"},"status":{"phase":"Running","podIPs":7}}""";
        assertThrows(KubernetesClientException.class, () -> FABRIC8.unmarshal(json, Pod.class));
        Pod slim = SLIM.unmarshal(json, Pod.class);
        assertEquals("Running", slim.getStatus().getPhase());
        assertEquals("p", slim.getMetadata().getName());
    }

    @Test
    void aDaskJobWhoseSpecIsNotShapedAsExpectedHasNoReplicasAsWithFabric8() {
        for (String spec : List.of("null", "7", "{\"cluster\":[]}", "{\"cluster\":{\"spec\":{\"worker\":null}}}",
                "{\"cluster\":{\"spec\":{\"worker\":{\"replicas\":\"3\"}}}}",
                "{\"cluster\":{\"spec\":{\"worker\":{\"replicas\":2}}},\"cluster\":{}}",
                "{\"cluster\":{\"spec\":{\"worker\":{\"replicas\":1,\"replicas\":5}}}}")) {
            String json = "{\"apiVersion\":\"kubernetes.dask.org/v1\",\"kind\":\"DaskJob\",\"metadata\":{\"name\":\"j\","
                    + "\"namespace\":\"ns\"},\"spec\":" + spec + ",\"status\":{\"jobStatus\":\"Running\"}}";
            assertSameJob(FABRIC8.unmarshal(json, GenericKubernetesResource.class),
                    SLIM.unmarshal(json, GenericKubernetesResource.class), json);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // What the bridge reads, as comparable values.

    private static void assertSamePod(Pod fabric8, Pod slim, String json) {
        assertEquals(podView(fabric8), podView(slim), "as the handlers and indexers see it: " + json);
        assertEquals(podView(SlimItemStore.pod(fabric8)), podView(SlimItemStore.pod(slim)), "cached: " + json);
        assertEquals(BridgeInformers.podJobs(fabric8), BridgeInformers.podJobs(slim));
        assertEquals(outcome(() -> SnapshotDerivation.podDetail(SlimItemStore.pod(fabric8))),
                outcome(() -> SnapshotDerivation.podDetail(SlimItemStore.pod(slim))), json);
    }

    private static void assertSameJob(GenericKubernetesResource fabric8, GenericKubernetesResource slim, String json) {
        assertEquals(jobView(SlimItemStore.daskJob(fabric8)), jobView(SlimItemStore.daskJob(slim)), "cached: " + json);
        assertEquals(jobView(SlimItemStore.daskJob(fabric8)), jobView(slim), "as the handlers see it: " + json);
        assertEquals(BridgeInformers.ref(fabric8), BridgeInformers.ref(slim));
        assertEquals(TaskIdentity.of(fabric8), TaskIdentity.of(slim));
        assertEquals(SnapshotDerivation.workersDesired(fabric8), SnapshotDerivation.workersDesired(slim));
    }

    private static void assertSameEvent(Event fabric8, Event slim, String json) {
        assertEquals(eventView(fabric8), eventView(slim), "as the handlers and indexers see it: " + json);
        assertEquals(eventView(SlimItemStore.event(fabric8)), eventView(SlimItemStore.event(slim)), "cached: " + json);
        assertEquals(BridgeInformers.eventJobs(fabric8), BridgeInformers.eventJobs(slim));
        assertEquals(outcome(() -> SnapshotDerivation.events(List.of(SlimItemStore.event(fabric8)))),
                outcome(() -> SnapshotDerivation.events(List.of(SlimItemStore.event(slim)))), json);
    }

    private static Map<String, Object> podView(Pod p) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("apiVersion", p.getApiVersion());
        v.put("kind", p.getKind());
        v.put("metadata", metaView(p, false));
        var s = p.getStatus();
        if (s != null) {
            Map<String, Object> status = new LinkedHashMap<>();
            status.put("phase", s.getPhase());
            status.put("reason", s.getReason());
            status.put("conditions", s.getConditions() == null ? null : s.getConditions().stream()
                    .map(SlimDecodingTest::conditionView).toList());
            status.put("containerStatuses", s.getContainerStatuses() == null ? null : s.getContainerStatuses()
                    .stream().map(SlimDecodingTest::containerView).toList());
            v.put("status", status);
        }
        return v;
    }

    private static Object conditionView(PodCondition c) {
        return c == null ? "null" : List.of(String.valueOf(c.getType()), String.valueOf(c.getStatus()),
                String.valueOf(c.getReason()), String.valueOf(c.getMessage()));
    }

    private static Object containerView(ContainerStatus c) {
        if (c == null) {
            return "null";
        }
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("name", c.getName());
        v.put("ready", c.getReady());
        v.put("restartCount", c.getRestartCount());
        v.put("state", stateView(c.getState()));
        v.put("lastState", stateView(c.getLastState()));
        return v;
    }

    private static Object stateView(ContainerState s) {
        if (s == null) {
            return "null";
        }
        List<Object> v = new ArrayList<>();
        v.add(s.getWaiting() == null ? "-" : List.of("waiting", String.valueOf(s.getWaiting().getReason()),
                String.valueOf(s.getWaiting().getMessage())));
        v.add(s.getRunning() == null ? "-" : List.of("running", String.valueOf(s.getRunning().getStartedAt())));
        v.add(s.getTerminated() == null ? "-" : List.of("terminated", String.valueOf(s.getTerminated().getReason()),
                String.valueOf(s.getTerminated().getMessage()), String.valueOf(s.getTerminated().getExitCode())));
        return v;
    }

    private static Map<String, Object> jobView(GenericKubernetesResource j) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("apiVersion", j.getApiVersion());
        v.put("kind", j.getKind());
        v.put("metadata", metaView(j, true));
        v.put("status", j.getAdditionalProperties().get("status"));
        Object replicas;
        try {
            replicas = j.get("spec", "cluster", "spec", "worker", "replicas");
        } catch (RuntimeException e) {
            replicas = "error";
        }
        v.put("replicas", replicas);
        v.put("identity", TaskIdentity.of(j));
        return v;
    }

    private static Map<String, Object> eventView(Event e) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("apiVersion", e.getApiVersion());
        v.put("kind", e.getKind());
        v.put("metadata", metaView(e, false));
        v.put("creationTimestamp", e.getMetadata() == null ? null : e.getMetadata().getCreationTimestamp());
        ObjectReference o = e.getInvolvedObject();
        v.put("involvedObject", o == null ? null : List.of(String.valueOf(o.getApiVersion()),
                String.valueOf(o.getKind()), String.valueOf(o.getName()), String.valueOf(o.getNamespace()),
                String.valueOf(o.getUid()), String.valueOf(o.getFieldPath()), String.valueOf(o.getResourceVersion())));
        v.put("type", e.getType());
        v.put("reason", e.getReason());
        v.put("message", e.getMessage());
        v.put("first", e.getFirstTimestamp());
        v.put("last", e.getLastTimestamp());
        v.put("eventTime", e.getEventTime() == null ? null : String.valueOf(e.getEventTime().getTime()));
        v.put("series", e.getSeries() == null ? null : e.getSeries().getCount() + "@"
                + (e.getSeries().getLastObservedTime() == null ? null : e.getSeries().getLastObservedTime().getTime()));
        v.put("relevant", EventAttribution.relevant(e));
        v.put("job", EventAttribution.jobOf(e));
        v.put("lastSeen", SnapshotDerivation.lastSeen(e));
        return v;
    }

    private static Map<String, Object> metaView(HasMetadata o, boolean annotations) {
        var m = o.getMetadata();
        if (m == null) {
            return null;
        }
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("name", m.getName());
        v.put("namespace", m.getNamespace());
        v.put("resourceVersion", m.getResourceVersion());
        v.put("uid", m.getUid());
        v.put("labels", m.getLabels());
        v.put("deletionTimestamp", m.getDeletionTimestamp());
        if (annotations) {
            v.put("annotations", m.getAnnotations());
        }
        return v;
    }

    private static List<Object> derive(KubernetesSerialization s, String jobs, String pods, String events) {
        List<GenericKubernetesResource> j = s.unmarshal(jobs, GenericKubernetesResourceList.class).getItems();
        List<Pod> p = s.unmarshal(pods, PodList.class).getItems().stream().map(SlimItemStore::pod).toList();
        List<Event> e = s.unmarshal(events, EventList.class).getItems().stream().map(SlimItemStore::event).toList();
        GenericKubernetesResource job = SlimItemStore.daskJob(j.get(0));
        return List.of(outcome(() -> SnapshotDerivation.derive(job, p, e)), String.valueOf(TaskIdentity.of(job)));
    }

    /**
     * The value, or the kind of exception: the derivation assumes what the API server guarantees (every container
     * status has a name, no list holds null), and documents that break it must break it the same way either way.
     */
    private static Object outcome(Supplier<Object> f) {
        try {
            return f.get();
        } catch (RuntimeException e) {
            return "threw " + e.getClass().getName();
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Generators: the captured documents, varied.

    private static ObjectNode pod(Random r, String name) {
        String job = "flytesnacks-development-" + name;
        String component = pick(r, "job-runner", "scheduler", "worker", "other");
        return podOf(r, job, job + "-" + component, component);
    }

    private static ObjectNode podOf(Random r, String job, String name, String component) {
        ObjectNode p = POD.deepCopy();
        ObjectNode meta = (ObjectNode) p.get("metadata");
        meta.put("name", name);
        ObjectNode labels = (ObjectNode) meta.get("labels");
        labels.put("dask.org/cluster-name", job);
        labels.put("dask.org/component", component);
        if (r.nextInt(8) == 0) {
            labels.remove("dask.org/cluster-name");
        }
        if (r.nextInt(4) == 0) {
            meta.put("deletionTimestamp", "2026-01-01T10:05:00Z");
            meta.put("deletionGracePeriodSeconds", 30);
        }
        if (r.nextInt(4) == 0) {
            meta.remove("managedFields");
        }
        if (r.nextInt(4) == 0) {
            meta.putArray("ownerReferences").addObject().put("apiVersion", "apps/v1").put("kind", "ReplicaSet")
                    .put("name", job + "-rs").put("uid", "u").put("controller", true);
            meta.putObject("annotations").put("kubectl.kubernetes.io/restartedAt", "2026-01-01T10:00:00Z");
        }
        if (r.nextInt(10) == 0) {
            p.remove("spec");
        }
        switch (r.nextInt(12)) {
            case 0 -> p.remove("status");
            case 1 -> p.putNull("status");
            case 2 -> p.putObject("status");
            default -> p.set("status", podStatus(r));
        }
        if (r.nextInt(5) == 0) {
            p.putObject("someFutureField").putArray("nested").add(1).add("x");
        }
        return shuffled(r, p);
    }

    private static ObjectNode podStatus(Random r) {
        ObjectNode s = F.objectNode();
        maybe(r, s, "phase", "Pending", "Running", "Succeeded", "Failed", "Unknown", "");
        maybe(r, s, "reason", "Evicted", "DeadlineExceeded", "UnexpectedAdmissionError", "");
        maybe(r, s, "message", "The node was low on resource: memory. ", message(r));
        s.put("hostIP", "192.168.0.1").put("podIP", "10.0.0.1").put("qosClass", "Burstable");
        s.putArray("podIPs").addObject().put("ip", "10.0.0.1");
        if (r.nextInt(6) == 0) {
            s.put("resize", "InProgress");
        }
        switch (r.nextInt(8)) {
            case 0 -> { }
            case 1 -> s.putNull("conditions");
            default -> {
                ArrayNode c = s.putArray("conditions");
                for (int i = r.nextInt(4); i > 0; i--) {
                    ObjectNode cond = c.addObject();
                    maybe(r, cond, "type", "Ready", "PodScheduled", "ContainersReady", "Initialized",
                            "PodReadyToStartContainers");
                    maybe(r, cond, "status", "True", "False", "Unknown");
                    maybe(r, cond, "reason", "Unschedulable", "ContainersNotReady", "PodCompleted");
                    maybe(r, cond, "message", "0/3 nodes are available: 3 Insufficient cpu.", "", message(r));
                    cond.putNull("lastProbeTime").put("lastTransitionTime", "2026-01-01T10:00:00Z");
                }
            }
        }
        for (String key : List.of("containerStatuses", "initContainerStatuses")) {
            switch (r.nextInt(6)) {
                case 0 -> { }
                case 1 -> s.putNull(key);
                default -> {
                    ArrayNode cs = s.putArray(key);
                    for (int i = r.nextInt(4); i > 0; i--) {
                        cs.add(containerStatus(r));
                    }
                }
            }
        }
        return s;
    }

    private static ObjectNode containerStatus(Random r) {
        ObjectNode c = F.objectNode();
        maybe(r, c, "name", "dask-worker", "job-runner", "scheduler", "sidecar");
        switch (r.nextInt(6)) {
            case 0 -> { }
            case 1 -> c.putNull("ready");
            default -> c.put("ready", r.nextBoolean());
        }
        switch (r.nextInt(6)) {
            case 0 -> { }
            case 1 -> c.put("restartCount", String.valueOf(r.nextInt(9)));
            default -> c.put("restartCount", r.nextInt(9));
        }
        c.put("image", "ghcr.io/example/dask-app:1.4").put("imageID", "").put("started", r.nextBoolean());
        c.put("containerID", "containerd://" + Long.toHexString(r.nextLong()));
        c.set("state", containerState(r));
        c.set("lastState", containerState(r));
        if (r.nextInt(8) == 0) {
            c.putObject("resources").putObject("limits").put("cpu", "1");
        }
        return shuffled(r, c);
    }

    private static JsonNode containerState(Random r) {
        ObjectNode s = F.objectNode();
        switch (r.nextInt(7)) {
            case 0 -> {
                return F.nullNode();
            }
            case 1 -> {
                return s;
            }
            case 2 -> s.putObject("running").put("startedAt", "2026-01-01T10:00:02Z");
            case 3, 4 -> {
                ObjectNode w = s.putObject("waiting");
                maybe(r, w, "reason", "ContainerCreating", "PodInitializing", "CrashLoopBackOff", "ImagePullBackOff",
                        "ErrImagePull", "CreateContainerConfigError", "");
                maybe(r, w, "message", "back-off 5m0s restarting failed container=dask-worker", message(r));
            }
            default -> {
                ObjectNode t = s.putObject("terminated");
                maybe(r, t, "reason", "Completed", "Error", "OOMKilled", "ContainerCannotRun", "DeadlineExceeded");
                if (r.nextInt(5) > 0) {
                    t.put("exitCode", pick(r, 0, 1, 2, 137, 143, 255));
                }
                maybe(r, t, "message", "Traceback (most recent call last):\n  File \"/app/main.py\"", message(r));
                if (r.nextBoolean()) {
                    t.put("signal", 9);
                }
                t.put("startedAt", "2026-01-01T10:00:02Z").put("finishedAt", "2026-01-01T10:09:00Z")
                        .put("containerID", "containerd://abc");
            }
        }
        return s;
    }

    private static ObjectNode daskJob(Random r, String name) {
        ObjectNode j = DASK_JOB.deepCopy();
        ObjectNode meta = (ObjectNode) j.get("metadata");
        meta.put("name", name);
        ObjectNode annotations = (ObjectNode) meta.get("annotations");
        annotations.put("daskrelay.dev/task-id", name);
        if (r.nextInt(6) == 0) {
            annotations.remove("daskrelay.dev/task-id");
        }
        if (r.nextInt(6) == 0) {
            annotations.put("daskrelay.dev/execution", pick(r, "p/d/n", "p/d/n/0/x", "a/b/c/d/3"));
        }
        if (r.nextInt(10) == 0) {
            meta.remove("annotations");
        }
        if (r.nextInt(4) == 0) {
            meta.put("deletionTimestamp", "2026-01-01T10:06:00Z");
            meta.putArray("finalizers").add("kopf.zalando.org/KopfFinalizerMarker");
        }
        ObjectNode worker = (ObjectNode) j.at("/spec/cluster/spec/worker");
        switch (r.nextInt(6)) {
            case 0 -> worker.remove("replicas");
            case 1 -> worker.put("replicas", "2");
            default -> worker.put("replicas", r.nextInt(20));
        }
        switch (r.nextInt(6)) {
            case 0 -> j.remove("status");
            case 1 -> j.putNull("status");
            default -> {
                ObjectNode s = j.putObject("status");
                maybe(r, s, "jobStatus", "JobCreated", "ClusterCreated", "Running", "Successful", "Failed", "");
                maybe(r, s, "clusterName", name);
                maybe(r, s, "jobRunnerPodName", name + "-runner");
                maybe(r, s, "startTime", "2026-01-01T10:00:01Z");
                maybe(r, s, "endTime", "2026-01-01T10:09:00Z");
                if (r.nextInt(5) == 0) {
                    s.putObject("kopf").putObject("progress").put("retries", 2).put("ratio", 0.5).putNull("none");
                }
            }
        }
        return shuffled(r, j);
    }

    private static ObjectNode event(Random r, String name) {
        ObjectNode e = EVENT.deepCopy();
        ObjectNode meta = (ObjectNode) e.get("metadata");
        meta.put("name", name);
        if (r.nextInt(4) == 0) {
            meta.remove("creationTimestamp");
        }
        ObjectNode involved = (ObjectNode) e.get("involvedObject");
        involved.put("kind", pick(r, "Pod", "ReplicaSet", "DaskJob", "DaskCluster", "Deployment", "Node"));
        if (r.nextInt(5) == 0) {
            involved.remove("namespace");
        }
        if (r.nextBoolean()) {
            involved.put("fieldPath", "spec.containers{dask-worker}").put("uid", "u-1").put("resourceVersion", "9");
        }
        maybe(r, e, "type", "Normal", "Warning", "Error");
        maybe(r, e, "reason", "BackOff", "FailedCreate", "Killing", "Preempted", "Evicted", "Scheduled", "Logging");
        maybe(r, e, "message", "exceeded quota: compute, requested: cpu=4", message(r));
        maybe(r, e, "firstTimestamp", "2026-01-01T10:00:00Z");
        maybe(r, e, "lastTimestamp", "2026-01-01T10:00:05Z", "", "not a time");
        switch (r.nextInt(3)) {
            case 0 -> e.putNull("eventTime");
            case 1 -> e.put("eventTime", "2026-01-01T10:00:03.123456Z");
            default -> e.remove("eventTime");
        }
        if (r.nextInt(3) == 0) {
            e.putObject("series").put("count", 4).put("lastObservedTime", "2026-01-01T10:00:09.000001Z");
        }
        return shuffled(r, e);
    }

    private static ObjectNode watchEvent(String type, ObjectNode object) {
        ObjectNode w = F.objectNode();
        w.put("type", type);
        w.set("object", object);
        return w;
    }

    private static ObjectNode list(String kind, String apiVersion) {
        ObjectNode l = F.objectNode();
        l.put("kind", kind).put("apiVersion", apiVersion);
        l.putObject("metadata").put("resourceVersion", "30695");
        l.putArray("items");
        return l;
    }

    /** Strings that need escaping, non-ASCII and over {@link SnapshotDerivation#MAX_MESSAGE} characters. */
    private static String message(Random r) {
        return pick(r, "quote \" backslash \\ tab \t newline \n", "naïve 数据 ✓ \uD83D\uDE80",
                "x".repeat(SnapshotDerivation.MAX_MESSAGE + 10), "");
    }

    /** Puts one of the values, or nothing (one time in four), or null (one time in eight). */
    private static void maybe(Random r, ObjectNode o, String key, String... values) {
        int n = r.nextInt(8);
        if (n < 2) {
            return;
        }
        if (n == 2) {
            o.putNull(key);
            return;
        }
        o.put(key, values[r.nextInt(values.length)]);
    }

    @SafeVarargs
    private static <T> T pick(Random r, T... values) {
        return values[r.nextInt(values.length)];
    }

    /** The same object with its keys in a random order (the decoder must not depend on the API server's order). */
    private static ObjectNode shuffled(Random r, ObjectNode o) {
        List<String> keys = new ArrayList<>();
        for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
            keys.add(it.next());
        }
        if (r.nextInt(3) > 0) {
            return o;
        }
        Collections.shuffle(keys, r);
        ObjectNode out = F.objectNode();
        keys.forEach(k -> out.set(k, o.get(k) instanceof ObjectNode child && r.nextBoolean() ? shuffled(r, child)
                : o.get(k)));
        return out;
    }

    private static ObjectNode resource(String name) {
        try (InputStream in = SlimDecodingTest.class.getResourceAsStream("api-server/" + name)) {
            return (ObjectNode) JSON.readTree(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
