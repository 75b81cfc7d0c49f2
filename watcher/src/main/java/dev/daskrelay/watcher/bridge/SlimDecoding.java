package dev.daskrelay.watcher.bridge;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.type.TypeFactory;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateRunning;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventSeries;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.MicroTime;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The bridge's streaming decoder: Jackson deserializers that read pods, DaskJobs and Events token by token and build
 * slim fabric8 objects straight from the JSON — only what {@link SlimItemStore} keeps — instead of decoding the whole
 * object into fabric8's model classes and slimming it afterwards. A pod's {@code spec} and
 * {@code metadata.managedFields} (three quarters of its bytes) and a DaskJob's three pod templates are skipped by the
 * tokenizer without building anything.
 *
 * <p>It plugs into fabric8 below the informers: the bridge's informers run on a client whose serialization has these
 * deserializers ({@link BridgeInformers}), so lists (every page) and watch events (ADDED, MODIFIED, DELETED,
 * BOOKMARK) of the bridge's informers decode through them; fabric8's informer machinery (resource versions,
 * bookmarks, 410 Gone → relist, reconnects, resync) is unchanged. Other kinds (the {@code Status} of a watch ERROR)
 * decode as before.
 *
 * <p>Equivalence with fabric8 for the fields the bridge reads (tested: {@code SlimDecodingTest}):
 * <ul>
 * <li>the kept fields are read into the same fabric8 classes, from default-constructed objects, so absent fields
 *     have fabric8's defaults;</li>
 * <li>a kept value in the JSON token type fabric8 expects (a string for a string, an object for an object ...) is
 *     read directly; any other token — a number where a string is expected, an unexpected object, an unknown
 *     shape — is handed to the deserializer fabric8 itself uses for that field's type, so the result (a coerced
 *     value, or the same error) is fabric8's;</li>
 * <li>fields not kept are skipped whatever their shape, so a malformed pod spec that would fail fabric8's decoding
 *     of the whole list does not fail this one.</li>
 * </ul>
 */
final class SlimDecoding {

    private SlimDecoding() {
    }

    private static final JavaType STRING_MAP = TypeFactory.defaultInstance()
            .constructMapType(LinkedHashMap.class, String.class, String.class);

    /** A fabric8 serialization that decodes {@link Pod}, {@link Event} and DaskJobs slim. */
    static KubernetesSerialization serialization() {
        ObjectMapper mapper = new ObjectMapper();
        KubernetesSerialization serialization = new KubernetesSerialization(mapper, true);
        // registered after fabric8's own modules, so these take precedence
        mapper.registerModule(new SimpleModule("daskrelay-slim-decoding")
                .addDeserializer(Pod.class, new PodDecoder())
                .addDeserializer(Event.class, new EventDecoder())
                .addDeserializer(GenericKubernetesResource.class, new DaskJobDecoder()));
        return serialization;
    }

    // ---------------------------------------------------------------------------------------------------------
    // The three top-level decoders.

    /** A pod: apiVersion, kind, metadata (identity, labels, deletion), status. */
    static final class PodDecoder extends StdDeserializer<Pod> {
        PodDecoder() {
            super(Pod.class);
        }

        @Override
        public Pod deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            Pod pod = new Pod();
            for (String f = firstField(p, ctxt, Pod.class); f != null; f = p.nextFieldName()) {
                p.nextToken();
                switch (f) {
                    case "apiVersion" -> pod.setApiVersion(text(p, ctxt));
                    case "kind" -> pod.setKind(text(p, ctxt));
                    case "metadata" -> pod.setMetadata(metadata(p, ctxt, false));
                    case "status" -> pod.setStatus(podStatus(p, ctxt));
                    default -> p.skipChildren();
                }
            }
            return pod;
        }
    }

    /**
     * A DaskJob (any resource decoded generically by this client: the bridge watches only DaskJobs that way):
     * apiVersion, kind, metadata with annotations, {@code status} as fabric8 decodes it (maps, lists, scalars), and
     * of the spec only {@code spec.cluster.spec.worker.replicas}.
     */
    static final class DaskJobDecoder extends StdDeserializer<GenericKubernetesResource> {
        DaskJobDecoder() {
            super(GenericKubernetesResource.class);
        }

        @Override
        public GenericKubernetesResource deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            GenericKubernetesResource job = new GenericKubernetesResource();
            Object status = null;
            Object replicas = null;
            boolean replicasSeen = false;
            for (String f = firstField(p, ctxt, GenericKubernetesResource.class); f != null; f = p.nextFieldName()) {
                p.nextToken();
                switch (f) {
                    case "apiVersion" -> job.setApiVersion(text(p, ctxt));
                    case "kind" -> job.setKind(text(p, ctxt));
                    case "metadata" -> job.setMetadata(metadata(p, ctxt, true));
                    case "status" -> status = p.currentToken() == JsonToken.VALUE_NULL ? null
                            : ctxt.readValue(p, Object.class);
                    case "spec" -> {
                        replicas = at(p, ctxt, WORKER_REPLICAS, 0);
                        replicasSeen = true;
                    }
                    default -> p.skipChildren();
                }
            }
            Map<String, Object> props = new LinkedHashMap<>();
            if (status != null) {
                props.put("status", status);
            }
            if (replicasSeen && replicas != null) {
                props.put("spec", Map.of("cluster", Map.of("spec", Map.of("worker", Map.of("replicas", replicas)))));
            }
            job.setAdditionalProperties(props);
            return job;
        }
    }

    /** An Event: identity and creation time; involved object, type, reason, message and its times. */
    static final class EventDecoder extends StdDeserializer<Event> {
        EventDecoder() {
            super(Event.class);
        }

        @Override
        public Event deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            Event e = new Event();
            for (String f = firstField(p, ctxt, Event.class); f != null; f = p.nextFieldName()) {
                p.nextToken();
                switch (f) {
                    case "apiVersion" -> e.setApiVersion(text(p, ctxt));
                    case "kind" -> e.setKind(text(p, ctxt));
                    case "metadata" -> e.setMetadata(metadata(p, ctxt, false));
                    case "involvedObject" -> e.setInvolvedObject(objectReference(p, ctxt));
                    case "type" -> e.setType(text(p, ctxt));
                    case "reason" -> e.setReason(text(p, ctxt));
                    case "message" -> e.setMessage(text(p, ctxt));
                    case "firstTimestamp" -> e.setFirstTimestamp(text(p, ctxt));
                    case "lastTimestamp" -> e.setLastTimestamp(text(p, ctxt));
                    case "eventTime" -> e.setEventTime(p.currentToken() == JsonToken.VALUE_NULL ? null
                            : ctxt.readValue(p, MicroTime.class));
                    case "series" -> e.setSeries(p.currentToken() == JsonToken.VALUE_NULL ? null
                            : ctxt.readValue(p, EventSeries.class));
                    default -> p.skipChildren();
                }
            }
            return e;
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Nested objects. Each starts on the value's first token and ends on its last; a value that is not a JSON
    // object goes to fabric8's deserializer of the field's type (null stays null, as in fabric8's beans).

    /**
     * Name, namespace, resourceVersion, uid, labels, deletion and creation timestamps; annotations when asked
     * (DaskJobs carry the task identity there). Managed fields, owner references, finalizers ... are skipped.
     */
    static ObjectMeta metadata(JsonParser p, DeserializationContext ctxt, boolean annotations) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            return fallback(p, ctxt, ObjectMeta.class);
        }
        ObjectMeta m = new ObjectMeta();
        for (String f = p.nextFieldName(); f != null; f = p.nextFieldName()) {
            p.nextToken();
            switch (f) {
                case "name" -> m.setName(text(p, ctxt));
                case "namespace" -> m.setNamespace(text(p, ctxt));
                case "resourceVersion" -> m.setResourceVersion(text(p, ctxt));
                case "uid" -> m.setUid(text(p, ctxt));
                case "labels" -> m.setLabels(stringMap(p, ctxt));
                case "annotations" -> {
                    if (annotations) {
                        m.setAnnotations(stringMap(p, ctxt));
                    } else {
                        p.skipChildren();
                    }
                }
                case "deletionTimestamp" -> m.setDeletionTimestamp(text(p, ctxt));
                case "creationTimestamp" -> m.setCreationTimestamp(text(p, ctxt));
                default -> p.skipChildren();
            }
        }
        return m;
    }

    /** Phase, reason, conditions and container statuses. */
    static PodStatus podStatus(JsonParser p, DeserializationContext ctxt) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            return fallback(p, ctxt, PodStatus.class);
        }
        PodStatus s = new PodStatus();
        for (String f = p.nextFieldName(); f != null; f = p.nextFieldName()) {
            p.nextToken();
            switch (f) {
                case "phase" -> s.setPhase(text(p, ctxt));
                case "reason" -> s.setReason(text(p, ctxt));
                case "conditions" -> s.setConditions(list(p, ctxt, PodCondition.class, SlimDecoding::podCondition));
                case "containerStatuses" -> s.setContainerStatuses(list(p, ctxt, ContainerStatus.class,
                        SlimDecoding::containerStatus));
                default -> p.skipChildren();
            }
        }
        return s;
    }

    static PodCondition podCondition(JsonParser p, DeserializationContext ctxt) throws IOException {
        PodCondition c = new PodCondition();
        for (String f = p.nextFieldName(); f != null; f = p.nextFieldName()) {
            p.nextToken();
            switch (f) {
                case "type" -> c.setType(text(p, ctxt));
                case "status" -> c.setStatus(text(p, ctxt));
                case "reason" -> c.setReason(text(p, ctxt));
                case "message" -> c.setMessage(text(p, ctxt));
                default -> p.skipChildren();
            }
        }
        return c;
    }

    static ContainerStatus containerStatus(JsonParser p, DeserializationContext ctxt) throws IOException {
        ContainerStatus c = new ContainerStatus();
        for (String f = p.nextFieldName(); f != null; f = p.nextFieldName()) {
            p.nextToken();
            switch (f) {
                case "name" -> c.setName(text(p, ctxt));
                case "ready" -> c.setReady(bool(p, ctxt));
                case "restartCount" -> c.setRestartCount(integer(p, ctxt));
                case "state" -> c.setState(containerState(p, ctxt));
                case "lastState" -> c.setLastState(containerState(p, ctxt));
                default -> p.skipChildren();
            }
        }
        return c;
    }

    /** Waiting (reason, message), running (start) or terminated (reason, message, exit code). */
    static ContainerState containerState(JsonParser p, DeserializationContext ctxt) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            return fallback(p, ctxt, ContainerState.class);
        }
        ContainerState s = new ContainerState();
        for (String f = p.nextFieldName(); f != null; f = p.nextFieldName()) {
            p.nextToken();
            switch (f) {
                case "waiting" -> s.setWaiting(p.currentToken() != JsonToken.START_OBJECT
                        ? fallback(p, ctxt, ContainerStateWaiting.class) : waiting(p, ctxt));
                case "running" -> s.setRunning(p.currentToken() != JsonToken.START_OBJECT
                        ? fallback(p, ctxt, ContainerStateRunning.class) : running(p, ctxt));
                case "terminated" -> s.setTerminated(p.currentToken() != JsonToken.START_OBJECT
                        ? fallback(p, ctxt, ContainerStateTerminated.class) : terminated(p, ctxt));
                default -> p.skipChildren();
            }
        }
        return s;
    }

    private static ContainerStateWaiting waiting(JsonParser p, DeserializationContext ctxt) throws IOException {
        ContainerStateWaiting w = new ContainerStateWaiting();
        for (String f = p.nextFieldName(); f != null; f = p.nextFieldName()) {
            p.nextToken();
            switch (f) {
                case "reason" -> w.setReason(text(p, ctxt));
                case "message" -> w.setMessage(text(p, ctxt));
                default -> p.skipChildren();
            }
        }
        return w;
    }

    private static ContainerStateRunning running(JsonParser p, DeserializationContext ctxt) throws IOException {
        ContainerStateRunning r = new ContainerStateRunning();
        for (String f = p.nextFieldName(); f != null; f = p.nextFieldName()) {
            p.nextToken();
            if (f.equals("startedAt")) {
                r.setStartedAt(text(p, ctxt));
            } else {
                p.skipChildren();
            }
        }
        return r;
    }

    private static ContainerStateTerminated terminated(JsonParser p, DeserializationContext ctxt) throws IOException {
        ContainerStateTerminated t = new ContainerStateTerminated();
        for (String f = p.nextFieldName(); f != null; f = p.nextFieldName()) {
            p.nextToken();
            switch (f) {
                case "reason" -> t.setReason(text(p, ctxt));
                case "message" -> t.setMessage(text(p, ctxt));
                case "exitCode" -> t.setExitCode(integer(p, ctxt));
                default -> p.skipChildren();
            }
        }
        return t;
    }

    /** Every field of an object reference (all strings). */
    static ObjectReference objectReference(JsonParser p, DeserializationContext ctxt) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            return fallback(p, ctxt, ObjectReference.class);
        }
        ObjectReference r = new ObjectReference();
        for (String f = p.nextFieldName(); f != null; f = p.nextFieldName()) {
            p.nextToken();
            switch (f) {
                case "apiVersion" -> r.setApiVersion(text(p, ctxt));
                case "kind" -> r.setKind(text(p, ctxt));
                case "name" -> r.setName(text(p, ctxt));
                case "namespace" -> r.setNamespace(text(p, ctxt));
                case "uid" -> r.setUid(text(p, ctxt));
                case "fieldPath" -> r.setFieldPath(text(p, ctxt));
                case "resourceVersion" -> r.setResourceVersion(text(p, ctxt));
                default -> p.skipChildren();
            }
        }
        return r;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Values.

    /** Reads one object of a list (the parser is on its START_OBJECT). */
    @FunctionalInterface
    interface ObjectReader<T> {
        T read(JsonParser p, DeserializationContext ctxt) throws IOException;
    }

    /** The first field name of the object the parser is on (or in), null for an empty object. */
    private static String firstField(JsonParser p, DeserializationContext ctxt, Class<?> type) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.START_OBJECT) {
            return p.nextFieldName();
        }
        if (t == JsonToken.FIELD_NAME) {
            return p.currentName();
        }
        if (t == JsonToken.END_OBJECT) {
            return null;
        }
        return (String) ctxt.handleUnexpectedToken(type, p);
    }

    /** Path of the worker replicas inside the DaskJob's spec. */
    private static final String[] WORKER_REPLICAS = {"cluster", "spec", "worker", "replicas"};

    /**
     * The value at {@code path[depth..]} below the current value, as fabric8's generic decoding would give it
     * ({@code GenericKubernetesResource.get}: a missing key or a non-object on the way gives null; a repeated key, the
     * last one). Consumes the current value.
     */
    private static Object at(JsonParser p, DeserializationContext ctxt, String[] path, int depth) throws IOException {
        if (depth == path.length) {
            return p.currentToken() == JsonToken.VALUE_NULL ? null : ctxt.readValue(p, Object.class);
        }
        if (p.currentToken() != JsonToken.START_OBJECT) {
            p.skipChildren();
            return null;
        }
        Object found = null;
        for (String f = p.nextFieldName(); f != null; f = p.nextFieldName()) {
            p.nextToken();
            if (f.equals(path[depth])) {
                found = at(p, ctxt, path, depth + 1);
            } else {
                p.skipChildren();
            }
        }
        return found;
    }

    static String text(JsonParser p, DeserializationContext ctxt) throws IOException {
        return switch (p.currentToken()) {
            case VALUE_STRING -> p.getText();
            case VALUE_NULL -> null;
            default -> ctxt.readValue(p, String.class);
        };
    }

    static Integer integer(JsonParser p, DeserializationContext ctxt) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NUMBER_INT && p.getNumberType() == JsonParser.NumberType.INT) {
            return p.getIntValue();
        }
        return t == JsonToken.VALUE_NULL ? null : ctxt.readValue(p, Integer.class);
    }

    static Boolean bool(JsonParser p, DeserializationContext ctxt) throws IOException {
        return switch (p.currentToken()) {
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> null;
            default -> ctxt.readValue(p, Boolean.class);
        };
    }

    static Map<String, String> stringMap(JsonParser p, DeserializationContext ctxt) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        if (t != JsonToken.START_OBJECT) {
            return ctxt.readValue(p, STRING_MAP);
        }
        Map<String, String> m = new LinkedHashMap<>();
        for (String f = p.nextFieldName(); f != null; f = p.nextFieldName()) {
            p.nextToken();
            m.put(f, text(p, ctxt));
        }
        return m;
    }

    static <T> List<T> list(JsonParser p, DeserializationContext ctxt, Class<T> type, ObjectReader<T> element)
            throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        if (t != JsonToken.START_ARRAY) {
            return ctxt.readValue(p, ctxt.getTypeFactory().constructCollectionType(ArrayList.class, type));
        }
        List<T> out = new ArrayList<>();
        for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
            if (e == JsonToken.START_OBJECT) {
                out.add(element.read(p, ctxt));
            } else if (e == JsonToken.VALUE_NULL) {
                out.add(null);
            } else {
                out.add(ctxt.readValue(p, type));
            }
        }
        return out;
    }

    private static <T> T fallback(JsonParser p, DeserializationContext ctxt, Class<T> type) throws IOException {
        return p.currentToken() == JsonToken.VALUE_NULL ? null : ctxt.readValue(p, type);
    }
}
