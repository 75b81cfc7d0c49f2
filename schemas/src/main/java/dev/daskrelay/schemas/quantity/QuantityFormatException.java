package dev.daskrelay.schemas.quantity;

/** A text that is not a Kubernetes quantity. */
public final class QuantityFormatException extends IllegalArgumentException {
    public QuantityFormatException(String message) {
        super(message);
    }
}
