package dev.daskrelay.schemas.registry;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;

/**
 * Caches in front of another client so that a hot path never calls the registry: ids per (subject, schema)
 * from register and lookup, schemas per id, and (briefly) unknown ids, so that a burst of poison records
 * with random ids does not become a burst of registry calls. {@link #latest} and {@link #isCompatible} are
 * not cached (they answer questions about the registry's current state). Thread-safe.
 */
public final class CachingSchemaRegistryClient implements SchemaRegistryClient {

    private static final int MAX_ENTRIES = 10_000;
    private static final Duration UNKNOWN_ID_TTL = Duration.ofSeconds(30);

    private record SubjectSchema(String subject, Schema schema) {
    }

    private final SchemaRegistryClient delegate;
    private final Clock clock;
    private final Map<SubjectSchema, Integer> registered = new ConcurrentHashMap<>();
    private final Map<SubjectSchema, RegisteredSchema> lookedUp = new ConcurrentHashMap<>();
    private final Map<Integer, Schema> byId = new ConcurrentHashMap<>();
    private final Map<Integer, Long> unknownIdsUntil = new ConcurrentHashMap<>();

    public CachingSchemaRegistryClient(SchemaRegistryClient delegate) {
        this(delegate, Clock.systemUTC());
    }

    public CachingSchemaRegistryClient(SchemaRegistryClient delegate, Clock clock) {
        this.delegate = delegate;
        this.clock = clock;
    }

    @Override
    public int register(String subject, Schema schema) {
        SubjectSchema key = new SubjectSchema(subject, schema);
        Integer id = registered.get(key);
        if (id == null) {
            id = delegate.register(subject, schema);
            bounded(registered).put(key, id);
            bounded(byId).putIfAbsent(id, schema);
        }
        return id;
    }

    @Override
    public RegisteredSchema lookup(String subject, Schema schema) {
        SubjectSchema key = new SubjectSchema(subject, schema);
        RegisteredSchema found = lookedUp.get(key);
        if (found == null) {
            found = delegate.lookup(subject, schema);
            bounded(lookedUp).put(key, found);
            bounded(byId).putIfAbsent(found.id(), schema);
        }
        return found;
    }

    @Override
    public Schema schemaById(int id) {
        Schema schema = byId.get(id);
        if (schema != null) {
            return schema;
        }
        Long until = unknownIdsUntil.get(id);
        long now = clock.millis();
        if (until != null && until > now) {
            throw new UnknownSchemaIdException("schema id " + id + " is unknown to the registry (cached answer)");
        }
        try {
            schema = delegate.schemaById(id);
        } catch (UnknownSchemaIdException e) {
            bounded(unknownIdsUntil).put(id, now + UNKNOWN_ID_TTL.toMillis());
            throw e;
        }
        unknownIdsUntil.remove(id);
        bounded(byId).put(id, schema);
        return schema;
    }

    @Override
    public Optional<RegisteredSchema> latest(String subject) {
        Optional<RegisteredSchema> latest = delegate.latest(subject);
        latest.ifPresent(r -> bounded(byId).putIfAbsent(r.id(), r.schema()));
        return latest;
    }

    @Override
    public boolean isCompatible(String subject, Schema schema) {
        return delegate.isCompatible(subject, schema);
    }

    @Override
    public void setCompatibility(String subject, String level) {
        delegate.setCompatibility(subject, level);
    }

    /** The client behind the caches. */
    public SchemaRegistryClient delegate() {
        return delegate;
    }

    @Override
    public void close() {
        delegate.close();
    }

    /** Crude bound: a cache that grows past its cap (only with pathological schema churn) starts over. */
    private static <K, V> Map<K, V> bounded(Map<K, V> map) {
        if (map.size() >= MAX_ENTRIES) {
            map.clear();
        }
        return map;
    }

    @Override
    public String toString() {
        return "Caching(" + delegate + ")";
    }
}
