package dev.daskrelay.translator.render;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.daskrelay.schemas.thirdparty.VendoredDaskCrds;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The real DaskJob CRD of dask-kubernetes-operator 2025.4.3 (the vendored
 * {@code third_party/dask-kubernetes-operator-2025.4.3/crds/daskjob.yaml}, see {@link VendoredDaskCrds}) as a
 * test oracle: {@link #problems(JsonNode)} lists what a real API server would reject (JSON-schema validation of
 * the {@code openAPIV3Schema}) and what it would silently prune (fields the structural schema does not declare).
 *
 * <p>The OpenAPI v3 dialect is turned into JSON Schema draft 4 by dropping the {@code x-kubernetes-*} keywords
 * (list/map types, which a JSON-schema validator does not know), dropping {@code format: int-or-string} (the
 * {@code type: string} next to it stays, and is exactly what rejects a JSON integer) and turning
 * {@code nullable: true} into a {@code null} type alternative.
 *
 * <p>The file is read through {@link VendoredDaskCrds#crd(String)}: a missing file, or one that is not byte for byte
 * the released CRD, fails loudly.
 */
public final class DaskJobCrd {

    static final String FILE = "daskjob.yaml";

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static DaskJobCrd instance;

    private final JsonNode openApiSchema;
    private final JsonSchema jsonSchema;

    private DaskJobCrd(JsonNode crd) {
        JsonNode versions = crd.path("spec").path("versions");
        JsonNode v1 = null;
        for (JsonNode v : versions) {
            if ("v1".equals(v.path("name").asText())) {
                v1 = v;
            }
        }
        if (v1 == null) {
            throw new IllegalStateException("CRD has no version v1");
        }
        this.openApiSchema = v1.path("schema").path("openAPIV3Schema");
        if (!openApiSchema.isObject()) {
            throw new IllegalStateException("CRD v1 has no openAPIV3Schema");
        }
        JsonNode draft4 = toDraft4(openApiSchema.deepCopy());
        this.jsonSchema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(draft4);
    }

    public static synchronized DaskJobCrd load() {
        if (instance == null) {
            Path file = locate();
            try {
                instance = new DaskJobCrd(YAML.readTree(file.toFile()));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the DaskJob CRD " + file, e);
            }
        }
        return instance;
    }

    static Path locate() {
        return VendoredDaskCrds.crd(FILE);
    }

    /** Schema violations and pruned fields; empty when a real API server would store the manifest unchanged. */
    public List<String> problems(JsonNode manifest) {
        List<String> out = new ArrayList<>();
        if (!"kubernetes.dask.org/v1".equals(manifest.path("apiVersion").asText())) {
            out.add("$.apiVersion: must be kubernetes.dask.org/v1");
        }
        if (!"DaskJob".equals(manifest.path("kind").asText())) {
            out.add("$.kind: must be DaskJob");
        }
        Set<ValidationMessage> messages = jsonSchema.validate(manifest);
        messages.stream().map(m -> m.getInstanceLocation() + ": " + m.getMessage()).sorted().forEach(out::add);
        pruned(manifest, openApiSchema, "$", true, out);
        return out;
    }

    /** Fields a structural schema does not declare: the API server drops them on write. */
    private static void pruned(JsonNode value, JsonNode schema, String path, boolean root, List<String> out) {
        if (schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
            return;
        }
        if (value.isObject()) {
            JsonNode properties = schema.path("properties");
            JsonNode additional = schema.path("additionalProperties");
            Iterator<Map.Entry<String, JsonNode>> fields = value.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                String key = f.getKey();
                String childPath = path + "." + key;
                if (root && (key.equals("apiVersion") || key.equals("kind") || key.equals("metadata"))) {
                    continue; // ObjectMeta and type meta are validated by the API server itself
                }
                if (properties.has(key)) {
                    pruned(f.getValue(), properties.get(key), childPath, false, out);
                } else if (additional.isObject()) {
                    pruned(f.getValue(), additional, childPath, false, out);
                } else {
                    out.add(childPath + ": not in the CRD schema, a real API server prunes it");
                }
            }
        } else if (value.isArray() && schema.has("items")) {
            for (int i = 0; i < value.size(); i++) {
                pruned(value.get(i), schema.get("items"), path + "[" + i + "]", false, out);
            }
        }
    }

    private static JsonNode toDraft4(JsonNode node) {
        if (node.isObject()) {
            ObjectNode obj = (ObjectNode) node;
            List<String> drop = new ArrayList<>();
            obj.fieldNames().forEachRemaining(name -> {
                if (name.startsWith("x-kubernetes-")) {
                    drop.add(name);
                }
            });
            obj.remove(drop);
            if ("int-or-string".equals(obj.path("format").asText())) {
                obj.remove("format");
            }
            if (obj.path("nullable").asBoolean(false) && obj.has("type")) {
                ArrayNode types = obj.arrayNode().add(obj.get("type").asText()).add("null");
                obj.set("type", types);
            }
            obj.remove("nullable");
            obj.fields().forEachRemaining(e -> toDraft4(e.getValue()));
        } else if (node.isArray()) {
            node.forEach(DaskJobCrd::toDraft4);
        }
        return node;
    }
}
