package dev.daskrelay.schemas.registry;

import org.apache.kafka.common.errors.SerializationException;

/**
 * Base of every failure of daskrelay's Confluent-format serdes and registry client.
 *
 * <p>It is a Kafka {@link SerializationException}, so a Kafka Streams deserialization exception handler sees
 * it like any other serde failure. {@link #reason()} is a closed set that a dead-letter router can put in a
 * header; {@link Reason#poison()} tells whether retrying the same bytes can ever succeed.
 */
public abstract class SchemaSerdeException extends SerializationException {

    /** Why a record could not be (de)serialized. */
    public enum Reason {
        /** First byte of the frame is not the Confluent magic byte 0. */
        UNKNOWN_MAGIC_BYTE(true),
        /** Fewer than 5 bytes, or the Avro body ends early. */
        TRUNCATED_FRAME(true),
        /** The Avro body does not decode with the writer's schema, or has trailing bytes. */
        CORRUPT_BODY(true),
        /** The registry does not know the schema id in the frame. */
        UNKNOWN_SCHEMA_ID(true),
        /** The writer's schema cannot be read into the reader's schema (or the registry refused a schema). */
        INCOMPATIBLE_SCHEMA(true),
        /** The schema is not registered under the subject and auto-registration is off. */
        SCHEMA_NOT_REGISTERED(false),
        /** The registry rejected the schema as invalid (HTTP 422). */
        INVALID_SCHEMA(false),
        /** The record to serialize is not a valid instance of its schema. */
        INVALID_RECORD(true),
        /** HTTP 401/403 from the registry. */
        REGISTRY_AUTH(false),
        /** The registry did not answer (IO errors, 5xx, 408, 429) within the bounded retries. */
        REGISTRY_UNAVAILABLE(false),
        /** The registry answered something this client does not understand. */
        REGISTRY_PROTOCOL(false);

        private final boolean poison;

        Reason(boolean poison) {
            this.poison = poison;
        }

        /**
         * True when the bytes (or the object) themselves are the problem: retrying cannot help, the record
         * belongs on the dead-letter topic. False for failures of the environment (registry down, credentials).
         */
        public boolean poison() {
            return poison;
        }
    }

    private final Reason reason;

    protected SchemaSerdeException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    protected SchemaSerdeException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    /**
     * True when {@code error} (or one of its causes) is a serde failure that is not the record's fault — the
     * registry unreachable or refusing credentials — so the record must be retried, never dead-lettered.
     */
    public static boolean isTransient(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SchemaSerdeException s) {
                return !s.reason().poison();
            }
        }
        return false;
    }
}
