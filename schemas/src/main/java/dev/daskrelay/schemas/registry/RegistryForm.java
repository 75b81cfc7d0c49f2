package dev.daskrelay.schemas.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;

/**
 * The text daskrelay registers for a schema, so that a Java producer and any other producer that registers the
 * published file register the <em>same</em> schema (one version, one id) under a subject.
 *
 * <p>A generated Avro class carries Java-only properties in its schema ({@code "avro.java.string": "String"} on every
 * string, from the build's {@code stringType}); registered as is, it would differ from the same schema written by
 * hand or by another language's tools, and a registry keeps such texts as two versions, so "latest" would flip with
 * whoever registered last. The registry form is the schema without those properties, in Avro's own compact JSON
 * ({@link Schema#toString()}): names, namespaces, docs, defaults, logical types and order are kept, so it is the same
 * schema to every Avro library. The files under {@code schemas/registry/} in the repository are exactly these texts
 * (a test keeps them equal); docs/PRODUCERS.md tells non-Java producers to register them byte for byte.
 */
public final class RegistryForm {

    /** Properties only the Java code generator reads. */
    public static final List<String> JAVA_ONLY_PROPERTIES = List.of("avro.java.string", "java-class", "java-key-class",
            "java-element-class");

    private static final ObjectMapper JSON = new ObjectMapper();

    private RegistryForm() {
    }

    /** The schema without Java-only properties (the same object when it has none). */
    public static Schema of(Schema schema) {
        String text = schema.toString();
        if (JAVA_ONLY_PROPERTIES.stream().noneMatch(text::contains)) {
            return schema;
        }
        try {
            JsonNode tree = JSON.readTree(text);
            return new Schema.Parser().parse(JSON.writeValueAsString(strip(tree)));
        } catch (IOException e) {
            throw new IllegalStateException("cannot rewrite schema " + schema.getFullName(), e);
        }
    }

    /** The registry form's text: what daskrelay registers, and the content of the published file. */
    public static String text(Schema schema) {
        return of(schema).toString();
    }

    private static JsonNode strip(JsonNode node) {
        if (node instanceof ObjectNode o) {
            JAVA_ONLY_PROPERTIES.forEach(o::remove);
            for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                e.setValue(strip(e.getValue()));
            }
            // {"type": "string"} left without properties is the primitive "string"
            if (o.size() == 1 && o.has("type") && o.get("type").isTextual()) {
                return o.get("type");
            }
            return o;
        }
        if (node instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) {
                a.set(i, strip(a.get(i)));
            }
        }
        return node;
    }

    /** Writes {@code <dir>/<Name>.avsc} with {@link #text} for each schema (how {@code schemas/registry/} is made). */
    public static void write(Path dir, List<Schema> schemas) {
        try {
            Files.createDirectories(dir);
            for (Schema s : schemas) {
                Files.writeString(dir.resolve(s.getName() + ".avsc"), text(s), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
