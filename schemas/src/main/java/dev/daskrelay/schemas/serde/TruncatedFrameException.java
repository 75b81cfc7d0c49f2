package dev.daskrelay.schemas.serde;

import dev.daskrelay.schemas.registry.SchemaSerdeException;

/** The record is shorter than the 5-byte header, or its Avro body ends early. */
public class TruncatedFrameException extends SchemaSerdeException {
    public TruncatedFrameException(String message) {
        super(Reason.TRUNCATED_FRAME, message);
    }

    public TruncatedFrameException(String message, Throwable cause) {
        super(Reason.TRUNCATED_FRAME, message, cause);
    }
}
