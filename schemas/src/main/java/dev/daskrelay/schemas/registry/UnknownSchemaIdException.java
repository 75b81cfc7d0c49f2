package dev.daskrelay.schemas.registry;

/** The registry (or the bundled schema set) does not know a schema id. */
public class UnknownSchemaIdException extends SchemaSerdeException {
    public UnknownSchemaIdException(String message) {
        super(Reason.UNKNOWN_SCHEMA_ID, message);
    }

    public UnknownSchemaIdException(String message, Throwable cause) {
        super(Reason.UNKNOWN_SCHEMA_ID, message, cause);
    }
}
