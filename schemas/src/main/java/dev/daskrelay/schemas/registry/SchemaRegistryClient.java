package dev.daskrelay.schemas.registry;

import java.util.Optional;
import org.apache.avro.Schema;

/**
 * The part of the Confluent Schema Registry protocol daskrelay needs, for Avro schemas.
 *
 * <p>Implementations: {@link RestSchemaRegistryClient} (HTTP, any Confluent-compatible registry),
 * {@link CachingSchemaRegistryClient} (caches in front of another client), {@link MockSchemaRegistry}
 * ({@code mock://scope}, in-process) and {@link BundledSchemaRegistry} ({@code bundled://}, no server,
 * ids derived from the schemas). Every failure is a {@link SchemaSerdeException}.
 * Implementations are thread-safe.
 */
public interface SchemaRegistryClient extends AutoCloseable {

    /** {@code POST /subjects/{subject}/versions}: registers (idempotent) and returns the global schema id. */
    int register(String subject, Schema schema);

    /**
     * {@code POST /subjects/{subject}}: the id and version of a schema already registered under the subject.
     *
     * @throws SchemaNotRegisteredException if the subject or the schema under it is unknown
     */
    RegisteredSchema lookup(String subject, Schema schema);

    /**
     * {@code GET /schemas/ids/{id}}.
     *
     * @throws UnknownSchemaIdException if no schema has that id
     */
    Schema schemaById(int id);

    /** {@code GET /subjects/{subject}/versions/latest}; empty when the subject has no version. */
    Optional<RegisteredSchema> latest(String subject);

    /**
     * {@code POST /compatibility/subjects/{subject}/versions/latest}: whether the schema may be registered
     * under the subject given its compatibility level. True when the subject has no version yet.
     */
    boolean isCompatible(String subject, Schema schema);

    /** {@code PUT /config/{subject}}: sets the subject's compatibility level (e.g. BACKWARD, FULL, NONE). */
    void setCompatibility(String subject, String level);

    @Override
    default void close() {
    }
}
