package dev.daskrelay.schemas.serde;

import dev.daskrelay.schemas.registry.SchemaSerdeException;

/** The object to serialize is not a valid instance of its schema (e.g. a null in a non-nullable field). */
public class InvalidRecordException extends SchemaSerdeException {
    public InvalidRecordException(String message) {
        super(Reason.INVALID_RECORD, message);
    }

    public InvalidRecordException(String message, Throwable cause) {
        super(Reason.INVALID_RECORD, message, cause);
    }
}
