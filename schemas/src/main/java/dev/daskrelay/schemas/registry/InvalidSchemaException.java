package dev.daskrelay.schemas.registry;

/** The registry rejected a schema as invalid (HTTP 422). */
public class InvalidSchemaException extends SchemaSerdeException {
    public InvalidSchemaException(String message) {
        super(Reason.INVALID_SCHEMA, message);
    }

    public InvalidSchemaException(String message, Throwable cause) {
        super(Reason.INVALID_SCHEMA, message, cause);
    }
}
