package dev.daskrelay.watcher.bridge;

import java.util.Objects;

/**
 * A DaskJob by namespace and name: the unit the bridge re-derives a snapshot for. {@link #key()} is the informer
 * cache key ({@code namespace/name}).
 */
public record JobRef(String namespace, String name) {

    public JobRef {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(name, "name");
    }

    public String key() {
        return namespace + "/" + name;
    }

    @Override
    public String toString() {
        return key();
    }
}
