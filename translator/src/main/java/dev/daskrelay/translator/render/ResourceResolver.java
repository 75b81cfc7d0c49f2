package dev.daskrelay.translator.render;

import dev.daskrelay.avro.v1.ResourceList;
import dev.daskrelay.avro.v1.Resources;
import dev.daskrelay.schemas.config.PlatformConfig;
import dev.daskrelay.schemas.quantity.Quantity;
import dev.daskrelay.schemas.quantity.QuantityFormatException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Flyte's resource rules (docs/RENDERING.md, Resources) for one container.
 *
 * <ol>
 *   <li>Zero values are dropped (they count as unset).</li>
 *   <li>{@code cpu} and {@code memory} always, {@code ephemeral-storage} and the GPU resource only when a request
 *       or limit is present: a missing request takes the limit, else the platform default request; a missing
 *       limit equals the request.</li>
 *   <li>Request and limit are each lowered to the platform limit (a platform limit that is absent or zero means
 *       no cap); then a request above its limit is lowered to the limit.</li>
 * </ol>
 * Whether a component uses its own resources or the task level ones is decided by the caller
 * ({@link #hasAnyEntry}).
 */
final class ResourceResolver {

    static final String CPU = "cpu";
    static final String MEMORY = "memory";
    static final String EPHEMERAL_STORAGE = "ephemeral-storage";
    private static final int CPU_AT = 0;
    private static final int MEMORY_AT = 1;
    private static final int EPHEMERAL_STORAGE_AT = 2;
    private static final int GPU_AT = 3;

    private final String gpuName;
    private final Map<String, Quantity> platformDefaults;
    private final Map<String, Quantity> platformLimits;

    /**
     * @throws IllegalArgumentException when a platform quantity is not a valid, non-negative Kubernetes quantity;
     *     the message names {@code platform.resources.defaults.<key>} / {@code platform.resources.limits.<key>}
     */
    ResourceResolver(PlatformConfig platform) {
        this.gpuName = platform.gpuResourceName();
        Map<String, Quantity> defaults = new TreeMap<>(
                platformValues(platform.resources().defaults(), "platform.resources.defaults"));
        // Flyte's default-cpus / default-memory when the platform sets no (or a zero) default request.
        defaults.putIfAbsent(CPU, Quantity.parse("1"));
        defaults.putIfAbsent(MEMORY, Quantity.parse("1Gi"));
        this.platformDefaults = Map.copyOf(defaults);
        this.platformLimits = platformValues(platform.resources().limits(), "platform.resources.limits");
    }

    /** Flyte's "component resources are set": at least one request or limit entry, whatever its value. */
    static boolean hasAnyEntry(Resources resources) {
        return resources != null && (hasAnyEntry(resources.getRequests()) || hasAnyEntry(resources.getLimits()));
    }

    private static boolean hasAnyEntry(ResourceList list) {
        return list != null && (list.getCpu() != null || list.getMemory() != null || list.getGpu() != null
                || list.getEphemeralStorage() != null);
    }

    /**
     * Resolves {@code resources} (may be null = nothing set). Unparsable or negative values are reported under
     * {@code path} ({@code resources}, {@code dask.workers.resources}, ...) and treated as unset.
     */
    ResolvedResources resolve(Resources resources, String path, List<RenderProblem> problems) {
        // indexed by resource (CPU, MEMORY, EPHEMERAL_STORAGE, GPU): four keys, so arrays rather than maps
        Quantity[] requests = new Quantity[4];
        Quantity[] limits = new Quantity[4];
        if (resources != null) {
            read(resources.getRequests(), path, "requests", requests, problems);
            read(resources.getLimits(), path, "limits", limits, problems);
        }
        TreeMap<String, Quantity> outRequests = new TreeMap<>();
        TreeMap<String, Quantity> outLimits = new TreeMap<>();
        adjust(CPU_AT, CPU, true, requests, limits, outRequests, outLimits);
        adjust(MEMORY_AT, MEMORY, true, requests, limits, outRequests, outLimits);
        adjust(EPHEMERAL_STORAGE_AT, EPHEMERAL_STORAGE, false, requests, limits, outRequests, outLimits);
        adjust(GPU_AT, gpuName, false, requests, limits, outRequests, outLimits);
        return new ResolvedResources(outRequests, outLimits);
    }

    private void adjust(int at, String key, boolean always, Quantity[] requests, Quantity[] limits,
                        Map<String, Quantity> outRequests, Map<String, Quantity> outLimits) {
        Quantity request = requests[at];
        Quantity limit = limits[at];
        if (!always && request == null && limit == null) {
            return;
        }
        if (request == null) {
            request = limit != null ? limit : platformDefaults.get(key);
        }
        if (limit == null) {
            limit = request;
        }
        Quantity cap = platformLimits.get(key);
        if (cap != null) {
            request = lowerTo(request, cap);
            limit = lowerTo(limit, cap);
        }
        if (limit != null) {
            request = lowerTo(request, limit);
        }
        if (request != null) {
            outRequests.put(key, request);
        }
        if (limit != null) {
            outLimits.put(key, limit);
        }
    }

    private static Quantity lowerTo(Quantity value, Quantity cap) {
        return value != null && value.compareTo(cap) > 0 ? cap : value;
    }

    private static void read(ResourceList list, String path, String listName, Quantity[] into,
                             List<RenderProblem> problems) {
        if (list == null) {
            return;
        }
        put(into, CPU_AT, list.getCpu(), path, listName, "cpu", problems);
        put(into, MEMORY_AT, list.getMemory(), path, listName, "memory", problems);
        put(into, GPU_AT, list.getGpu(), path, listName, "gpu", problems);
        put(into, EPHEMERAL_STORAGE_AT, list.getEphemeralStorage(), path, listName, "ephemeralStorage", problems);
    }

    /** The problem's path is {@code path.listName.field}, put together only when there is a problem. */
    private static void put(Quantity[] into, int at, String text, String path, String listName, String field,
                            List<RenderProblem> problems) {
        if (text == null) {
            return;
        }
        Quantity q;
        String problem;
        try {
            q = QuantityCache.parse(text);
            problem = q.isNegative() ? "must not be negative" : fitsALong(q) ? null : "too large";
        } catch (QuantityFormatException e) {
            q = null;
            problem = "not a Kubernetes quantity, e.g. 500m, 2, 1.5, 8Gi or 8G";
        }
        if (problem != null) {
            problems.add(new RenderProblem(path + "." + listName + "." + field, problem + " (was \"" + text + "\")"));
        } else if (!q.isZero()) {
            into[at] = q; // zero = unset, as Flyte drops zero quantities
        }
    }

    private static boolean fitsALong(Quantity q) {
        try {
            q.ceilValue();
            return true;
        } catch (ArithmeticException e) {
            return false;
        }
    }

    private Map<String, Quantity> platformValues(PlatformConfig.ResourceValues values, String path) {
        Map<String, Quantity> out = new TreeMap<>();
        platformPut(out, CPU, values.cpu(), path + ".cpu");
        platformPut(out, MEMORY, values.memory(), path + ".memory");
        platformPut(out, gpuName, values.gpu(), path + ".gpu");
        platformPut(out, EPHEMERAL_STORAGE, values.ephemeralStorage(), path + ".ephemeralStorage");
        return Map.copyOf(out);
    }

    private static void platformPut(Map<String, Quantity> out, String key, String text, String path) {
        if (text == null) {
            return;
        }
        Quantity q;
        try {
            q = Quantity.parse(text);
        } catch (QuantityFormatException e) {
            throw new IllegalArgumentException(path + ": " + e.getMessage(), e);
        }
        if (q.isNegative()) {
            throw new IllegalArgumentException(path + ": must not be negative (was \"" + text + "\")");
        }
        if (!q.isZero()) {
            out.put(key, q); // a zero default is no default; a zero cap is no cap (Flyte)
        }
    }
}
