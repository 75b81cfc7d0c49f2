package dev.daskrelay.schemas.registry;

/** The registry could not be reached or kept failing (IO errors, 5xx, 408, 429) through every retry and URL. */
public class RegistryUnavailableException extends SchemaSerdeException {
    public RegistryUnavailableException(String message) {
        super(Reason.REGISTRY_UNAVAILABLE, message);
    }

    public RegistryUnavailableException(String message, Throwable cause) {
        super(Reason.REGISTRY_UNAVAILABLE, message, cause);
    }
}
