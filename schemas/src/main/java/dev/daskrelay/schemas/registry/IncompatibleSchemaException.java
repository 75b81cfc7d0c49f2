package dev.daskrelay.schemas.registry;

/** The registry refused a schema as incompatible (HTTP 409), or a writer's schema cannot be read into the reader's schema. */
public class IncompatibleSchemaException extends SchemaSerdeException {
    public IncompatibleSchemaException(String message) {
        super(Reason.INCOMPATIBLE_SCHEMA, message);
    }

    public IncompatibleSchemaException(String message, Throwable cause) {
        super(Reason.INCOMPATIBLE_SCHEMA, message, cause);
    }
}
