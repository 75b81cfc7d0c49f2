package dev.daskrelay.schemas.registry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;

/**
 * In-process registry for {@code schema.registry.url=mock://<scope>} (Confluent's convention): every client
 * configured with the same scope in one JVM shares one registry; different scopes are isolated. Nothing
 * survives the JVM and other processes cannot see it. Ids start at 1 per scope; the same schema gets the
 * same id under every subject; compatibility levels (default BACKWARD, as Confluent) are enforced on
 * register with Avro's own compatibility rules.
 */
public final class MockSchemaRegistry implements SchemaRegistryClient {

    private static final Map<String, MockSchemaRegistry> SCOPES = new ConcurrentHashMap<>();

    private final String scope;
    private final Map<Schema, Integer> ids = new HashMap<>();
    private final Map<Integer, Schema> schemas = new HashMap<>();
    private final Map<String, List<Integer>> versions = new HashMap<>();
    private final Map<String, String> compatibility = new HashMap<>();
    private String defaultCompatibility = "BACKWARD";

    private MockSchemaRegistry(String scope) {
        this.scope = scope;
    }

    /** The registry of a scope, created on first use. */
    public static MockSchemaRegistry forScope(String scope) {
        return SCOPES.computeIfAbsent(scope, MockSchemaRegistry::new);
    }

    /** Forgets a scope (tests call it to start clean). */
    public static void dropScope(String scope) {
        SCOPES.remove(scope);
    }

    @Override
    public synchronized int register(String subject, Schema schema) {
        List<Integer> subjectVersions = versions.computeIfAbsent(subject, s -> new ArrayList<>());
        Integer existing = ids.get(schema);
        if (existing != null && subjectVersions.contains(existing)) {
            return existing;
        }
        if (!compatibleWithSubject(subject, schema)) {
            throw new IncompatibleSchemaException("schema " + schema.getFullName() + " is incompatible with subject '"
                    + subject + "' at level " + level(subject) + " (mock://" + scope + ")");
        }
        int id = existing != null ? existing : schemas.size() + 1;
        ids.putIfAbsent(schema, id);
        schemas.putIfAbsent(id, schema);
        subjectVersions.add(id);
        return id;
    }

    @Override
    public synchronized RegisteredSchema lookup(String subject, Schema schema) {
        Integer id = ids.get(schema);
        List<Integer> subjectVersions = versions.getOrDefault(subject, List.of());
        int index = id == null ? -1 : subjectVersions.indexOf(id);
        if (index < 0) {
            throw new SchemaNotRegisteredException("schema " + schema.getFullName() + " is not registered under subject '"
                    + subject + "' (mock://" + scope + ")");
        }
        return new RegisteredSchema(subject, id, index + 1, schema);
    }

    @Override
    public synchronized Schema schemaById(int id) {
        Schema schema = schemas.get(id);
        if (schema == null) {
            throw new UnknownSchemaIdException("schema id " + id + " is unknown (mock://" + scope + ")");
        }
        return schema;
    }

    @Override
    public synchronized Optional<RegisteredSchema> latest(String subject) {
        List<Integer> subjectVersions = versions.get(subject);
        if (subjectVersions == null || subjectVersions.isEmpty()) {
            return Optional.empty();
        }
        int id = subjectVersions.get(subjectVersions.size() - 1);
        return Optional.of(new RegisteredSchema(subject, id, subjectVersions.size(), schemas.get(id)));
    }

    @Override
    public synchronized boolean isCompatible(String subject, Schema schema) {
        return compatibleWithSubject(subject, schema);
    }

    @Override
    public synchronized void setCompatibility(String subject, String level) {
        compatibility.put(subject, normalizeLevel(level));
    }

    /** Sets the level of subjects without their own ({@code PUT /config}). */
    public synchronized void setDefaultCompatibility(String level) {
        defaultCompatibility = normalizeLevel(level);
    }

    private String level(String subject) {
        return compatibility.getOrDefault(subject, defaultCompatibility);
    }

    private boolean compatibleWithSubject(String subject, Schema candidate) {
        List<Integer> subjectVersions = versions.getOrDefault(subject, List.of());
        if (subjectVersions.isEmpty()) {
            return true;
        }
        String level = level(subject);
        if (level.equals("NONE")) {
            return true;
        }
        boolean transitive = level.endsWith("_TRANSITIVE");
        String base = transitive ? level.substring(0, level.length() - "_TRANSITIVE".length()) : level;
        List<Integer> against = transitive ? subjectVersions : List.of(subjectVersions.get(subjectVersions.size() - 1));
        for (int id : against) {
            Schema previous = schemas.get(id);
            boolean backward = canRead(candidate, previous);
            boolean forward = canRead(previous, candidate);
            boolean ok = switch (base) {
                case "BACKWARD" -> backward;
                case "FORWARD" -> forward;
                case "FULL" -> backward && forward;
                default -> throw new IllegalStateException("level " + level);
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static boolean canRead(Schema reader, Schema writer) {
        return SchemaCompatibility.checkReaderWriterCompatibility(reader, writer).getType()
                == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE;
    }

    private static String normalizeLevel(String level) {
        String upper = level.trim().toUpperCase(Locale.ROOT);
        return switch (upper) {
            case "NONE", "BACKWARD", "FORWARD", "FULL", "BACKWARD_TRANSITIVE", "FORWARD_TRANSITIVE", "FULL_TRANSITIVE" -> upper;
            default -> throw new InvalidSchemaException("unknown compatibility level " + level);
        };
    }

    @Override
    public String toString() {
        return "MockSchemaRegistry[mock://" + scope + "]";
    }
}
