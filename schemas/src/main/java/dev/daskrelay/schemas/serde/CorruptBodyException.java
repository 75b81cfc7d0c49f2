package dev.daskrelay.schemas.serde;

import dev.daskrelay.schemas.registry.SchemaSerdeException;

/** The Avro body does not decode with the writer's schema, or bytes are left over after the record. */
public class CorruptBodyException extends SchemaSerdeException {
    public CorruptBodyException(String message) {
        super(Reason.CORRUPT_BODY, message);
    }

    public CorruptBodyException(String message, Throwable cause) {
        super(Reason.CORRUPT_BODY, message, cause);
    }
}
