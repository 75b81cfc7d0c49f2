package dev.daskrelay.translator.render;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * A rendered DaskJob: its name and namespace (the idempotency key of the create), the manifest
 * ({@code kubernetes.dask.org/v1} {@code DaskJob}) and its spec hash, which is also in the manifest's
 * {@code daskrelay.dev/spec-hash} annotation.
 *
 * @param name the DaskJob name ({@link DaskJobNames#nameOf})
 * @param namespace the DaskJob namespace
 * @param manifest the DaskJob; {@link #manifest()} hands out a copy, so the record stays immutable
 * @param specHash lower-case hex SHA-256 of the manifest in {@link ManifestFormat#CANONICAL_JSON} form without
 *     the spec-hash annotation
 */
public record RenderedDaskJob(String name, String namespace, ObjectNode manifest, String specHash) {

    public RenderedDaskJob {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(manifest, "manifest");
        Objects.requireNonNull(specHash, "specHash");
    }

    /** A copy of the manifest tree; changing it changes nothing here. */
    @Override
    public ObjectNode manifest() {
        return manifest.deepCopy();
    }

    /** The manifest in the given format. */
    public String print(ManifestFormat format) {
        return format.print(manifest);
    }

    /** One line of JSON, as it travels in a DaskJobIntent and as the applier sends it. */
    public String toJson() {
        return ManifestFormat.JSON_COMPACT.print(manifest);
    }

    /** YAML, as {@code daskrelay render} prints it. */
    public String toYaml() {
        return ManifestFormat.YAML.print(manifest);
    }
}
