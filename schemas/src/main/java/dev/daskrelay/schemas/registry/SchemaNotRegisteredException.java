package dev.daskrelay.schemas.registry;

/** The schema is not registered under the subject (or the subject does not exist) and auto-registration is off. */
public class SchemaNotRegisteredException extends SchemaSerdeException {
    public SchemaNotRegisteredException(String message) {
        super(Reason.SCHEMA_NOT_REGISTERED, message);
    }

    public SchemaNotRegisteredException(String message, Throwable cause) {
        super(Reason.SCHEMA_NOT_REGISTERED, message, cause);
    }
}
