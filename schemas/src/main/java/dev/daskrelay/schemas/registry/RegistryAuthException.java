package dev.daskrelay.schemas.registry;

/** The registry refused the credentials (HTTP 401 or 403). Not retried. */
public class RegistryAuthException extends SchemaSerdeException {
    public RegistryAuthException(String message) {
        super(Reason.REGISTRY_AUTH, message);
    }

    public RegistryAuthException(String message, Throwable cause) {
        super(Reason.REGISTRY_AUTH, message, cause);
    }
}
