package dev.daskrelay.schemas.registry;

/** The registry answered with a status or body this client does not understand. */
public class RegistryProtocolException extends SchemaSerdeException {
    public RegistryProtocolException(String message) {
        super(Reason.REGISTRY_PROTOCOL, message);
    }

    public RegistryProtocolException(String message, Throwable cause) {
        super(Reason.REGISTRY_PROTOCOL, message, cause);
    }
}
