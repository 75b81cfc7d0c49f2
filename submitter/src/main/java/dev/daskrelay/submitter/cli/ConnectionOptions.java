package dev.daskrelay.submitter.cli;

import dev.daskrelay.schemas.config.DaskRelayConfig;
import dev.daskrelay.submitter.client.DaskRelayClient;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --config}: the {@code kafka}, {@code registry} and {@code platform} sections of a daskrelay.yaml. Values
 * the file leaves out come from {@code DASKRELAY_BOOTSTRAP_SERVERS}, {@code DASKRELAY_TOPIC_PREFIX},
 * {@code DASKRELAY_SCHEMA_REGISTRY_URL}, then defaults that point at the local stack ({@code daskrelay local}).
 */
public final class ConnectionOptions {

    @Option(names = "--config", paramLabel = "FILE", description = "daskrelay.yaml (kafka, registry and platform sections)")
    Path config;

    /** The configuration; {@link DaskRelayConfig.ConfigException} for a file that cannot be used. */
    public DaskRelayConfig load() {
        return config == null ? DaskRelayConfig.defaults() : DaskRelayConfig.load(config);
    }

    public DaskRelayClient client(DaskRelayConfig cfg) {
        return DaskRelayClient.builder().config(cfg).issuedBy(System.getProperty("user.name", "unknown") + " via daskrelay-cli")
                .build();
    }
}
