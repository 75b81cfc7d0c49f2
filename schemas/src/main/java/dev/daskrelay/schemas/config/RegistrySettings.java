package dev.daskrelay.schemas.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code registry} section of {@code daskrelay.yaml}: Confluent serde configuration keys passed through
 * unchanged ({@code schema.registry.url}, {@code basic.auth.*}, {@code auto.register.schemas} ...). When no URL is
 * given: {@code DASKRELAY_SCHEMA_REGISTRY_URL}, else {@code bundled://} (ids derived from the bundled schemas; see
 * docs/REGISTRY.md), which is what the local stack uses.
 */
public record RegistrySettings(Map<String, String> config) {

    public static final String URL_KEY = "schema.registry.url";
    public static final String ENV_URL = "DASKRELAY_SCHEMA_REGISTRY_URL";
    public static final String DEFAULT_URL = "bundled://";

    public RegistrySettings {
        Map<String, String> m = new LinkedHashMap<>(config == null ? Map.of() : config);
        if (m.get(URL_KEY) == null || m.get(URL_KEY).isBlank()) {
            String env = System.getenv(ENV_URL);
            m.put(URL_KEY, env == null || env.isBlank() ? DEFAULT_URL : env);
        }
        config = Map.copyOf(m);
    }

    /** Builds the settings from the YAML tree of the section (a flat map of strings). */
    @JsonCreator
    public static RegistrySettings of(Map<String, String> config) {
        return new RegistrySettings(config);
    }

    public static RegistrySettings defaults() {
        return new RegistrySettings(null);
    }

    public String url() {
        return config.get(URL_KEY);
    }
}
