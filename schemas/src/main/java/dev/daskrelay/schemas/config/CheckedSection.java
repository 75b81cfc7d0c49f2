package dev.daskrelay.schemas.config;

/**
 * A settings record of {@code daskrelay.yaml} that checks its own values after binding: every problem goes to the
 * {@link ConfigCheck} with its key path, none is thrown, so {@link DaskRelayConfig#section} reports them all at once
 * together with the values that could not be bound at all.
 */
public interface CheckedSection {

    /** Adds a problem for every value that cannot be used; {@code check} is positioned at this section. */
    void check(ConfigCheck check);
}
