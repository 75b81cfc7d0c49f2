package dev.daskrelay.schemas.serde;

import dev.daskrelay.schemas.registry.SchemaSerdeException;

/** The record does not start with Confluent's magic byte 0: not written by a Confluent-format serializer. */
public class UnknownMagicByteException extends SchemaSerdeException {
    public UnknownMagicByteException(String message) {
        super(Reason.UNKNOWN_MAGIC_BYTE, message);
    }

    public UnknownMagicByteException(String message, Throwable cause) {
        super(Reason.UNKNOWN_MAGIC_BYTE, message, cause);
    }
}
