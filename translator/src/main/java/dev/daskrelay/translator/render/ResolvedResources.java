package dev.daskrelay.translator.render;

import dev.daskrelay.schemas.quantity.Quantity;
import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The requests and limits of one container after precedence, defaulting and clamping, keyed by Kubernetes
 * resource name ({@code cpu}, {@code memory}, {@code ephemeral-storage}, the platform's GPU resource), sorted.
 */
public record ResolvedResources(SortedMap<String, Quantity> requests, SortedMap<String, Quantity> limits) {

    public ResolvedResources {
        requests = Collections.unmodifiableSortedMap(new TreeMap<>(requests));
        limits = Collections.unmodifiableSortedMap(new TreeMap<>(limits));
    }

    /** The CPU limit rounded up to whole cores: Dask's {@code --nthreads}. */
    public long workerThreads() {
        Quantity cpu = limits.get(ResourceResolver.CPU);
        return cpu == null ? 0 : cpu.ceilValue();
    }

    /** The memory limit in canonical Kubernetes form: Dask's {@code --memory-limit}. */
    public String workerMemoryLimit() {
        Quantity memory = limits.get(ResourceResolver.MEMORY);
        return memory == null ? "0" : QuantityCache.canonical(memory);
    }
}
