package dev.daskrelay.schemas.config;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The {@code platform} section of {@code daskrelay.yaml} (docs/OPERATIONS.md §1.4): what a Flyte operator sets in
 * the k8s plugin config, plus daskrelay's allow-lists. Every field has a default, so an empty section is valid.
 *
 * @param namespace default target namespace of a task that names none
 * @param allowedNamespaces namespaces a command may target; empty = only {@code namespace}
 * @param serviceAccount default service account of the Dask pods
 * @param allowedServiceAccounts service accounts a command may ask for; empty = only {@code serviceAccount}
 * @param image default image for tasks that name none; null = tasks must name one
 * @param allowedImages image patterns a task may use ({@code *} matches any run of characters, e.g.
 *     {@code ghcr.io/acme/*}); empty = any image
 * @param resources platform default requests and caps
 * @param labels default labels of every DaskJob (a task's own win)
 * @param annotations default annotations of every DaskJob (a task's own win)
 * @param env default env of every container (a task's own win)
 * @param tolerations tolerations of all three components
 * @param nodeSelector node selector of all three components
 * @param interruptible placement of the workers of interruptible tasks
 * @param nonInterruptible placement of everything that is not an interruptible task's worker
 * @param gpuResourceName the extended resource a task's {@code gpu} maps to
 * @param maxWorkers upper bound for {@code dask.workers.numberOfWorkers}
 * @param dask Dask CLI flavour and scheduler Service type
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record PlatformConfig(
        String namespace,
        List<String> allowedNamespaces,
        String serviceAccount,
        List<String> allowedServiceAccounts,
        String image,
        List<String> allowedImages,
        ResourcePolicy resources,
        Map<String, String> labels,
        Map<String, String> annotations,
        Map<String, String> env,
        List<Toleration> tolerations,
        Map<String, String> nodeSelector,
        InterruptiblePlacement interruptible,
        NonInterruptiblePlacement nonInterruptible,
        String gpuResourceName,
        Integer maxWorkers,
        DaskSettings dask) {

    public static final String DEFAULT_NAMESPACE = "default";
    public static final String DEFAULT_SERVICE_ACCOUNT = "default";
    public static final String DEFAULT_GPU_RESOURCE = "nvidia.com/gpu";
    public static final int DEFAULT_MAX_WORKERS = 1000;

    public PlatformConfig {
        namespace = blankToDefault(namespace, DEFAULT_NAMESPACE);
        allowedNamespaces = allowedNamespaces == null || allowedNamespaces.isEmpty()
                ? List.of(namespace) : List.copyOf(allowedNamespaces);
        serviceAccount = blankToDefault(serviceAccount, DEFAULT_SERVICE_ACCOUNT);
        allowedServiceAccounts = allowedServiceAccounts == null || allowedServiceAccounts.isEmpty()
                ? List.of(serviceAccount) : List.copyOf(allowedServiceAccounts);
        image = image == null || image.isBlank() ? null : image;
        allowedImages = allowedImages == null ? List.of() : List.copyOf(allowedImages);
        resources = resources == null ? ResourcePolicy.DEFAULT : resources;
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        annotations = annotations == null
                ? Map.of("cluster-autoscaler.kubernetes.io/safe-to-evict", "false") : Map.copyOf(annotations);
        env = env == null ? Map.of() : Map.copyOf(env);
        tolerations = tolerations == null ? List.of() : List.copyOf(tolerations);
        nodeSelector = nodeSelector == null ? Map.of() : Map.copyOf(nodeSelector);
        interruptible = interruptible == null ? InterruptiblePlacement.NONE : interruptible;
        nonInterruptible = nonInterruptible == null ? NonInterruptiblePlacement.NONE : nonInterruptible;
        gpuResourceName = blankToDefault(gpuResourceName, DEFAULT_GPU_RESOURCE);
        maxWorkers = maxWorkers == null ? DEFAULT_MAX_WORKERS : maxWorkers;
        dask = dask == null ? DaskSettings.DEFAULT : dask;
    }

    /** All defaults: namespace {@code default}, no default image, requests cpu 1 / memory 1Gi, no caps. */
    public static PlatformConfig defaults() {
        return new PlatformConfig(null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null);
    }

    /** True when the image matches one of {@link #allowedImages} (or the list is empty). */
    public boolean imageAllowed(String candidate) {
        if (allowedImages.isEmpty()) {
            return true;
        }
        boolean lineTerminator = hasLineTerminator(candidate); // once per image, not once per pattern
        for (String pattern : allowedImages) {
            if (globMatches(pattern, candidate, lineTerminator)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether {@code text} matches the glob {@code pattern}, in which {@code *} stands for any run of characters
     * except line terminators and everything else for itself. Every image of every launch is checked, so this is
     * matched by hand (no regex compiled per call); a text with a line terminator takes the regex path, whose
     * {@code .} defines the exception exactly.
     */
    static boolean globMatches(String pattern, String text) {
        return globMatches(pattern, text, hasLineTerminator(text));
    }

    private static boolean globMatches(String pattern, String text, boolean lineTerminator) {
        if (lineTerminator) {
            String regex = Arrays.stream(pattern.split("\\*", -1))
                    .map(Pattern::quote)
                    .collect(Collectors.joining(".*"));
            return text.matches(regex);
        }
        int p = 0;
        int t = 0;
        int star = -1;
        int resume = 0;
        while (t < text.length()) {
            if (p < pattern.length() && pattern.charAt(p) == '*') {
                star = p++;
                resume = t;
            } else if (p < pattern.length() && pattern.charAt(p) == text.charAt(t)) {
                p++;
                t++;
            } else if (star >= 0) {
                p = star + 1; // the last star takes one more character
                t = ++resume;
            } else {
                return false;
            }
        }
        while (p < pattern.length() && pattern.charAt(p) == '*') {
            p++;
        }
        return p == pattern.length();
    }

    private static boolean hasLineTerminator(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n' || c == '\r' || c == '\u0085' || c == '\u2028' || c == '\u2029') {
                return true;
            }
        }
        return false;
    }

    private static String blankToDefault(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value;
    }

    /**
     * Platform default requests and caps, as Flyte's platform task resources.
     *
     * @param defaults fill requests a task leaves unset; absent values fall back to cpu {@code 1} and memory
     *     {@code 1Gi} (Flyte's {@code default-cpus}/{@code default-memory})
     * @param limits caps that clamp both requests and limits; an absent key means no cap
     */
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record ResourcePolicy(ResourceValues defaults, ResourceValues limits) {
        public static final ResourcePolicy DEFAULT = new ResourcePolicy(null, null);

        public ResourcePolicy {
            defaults = defaults == null ? new ResourceValues("1", "1Gi", null, null) : defaults.withFallback("1", "1Gi");
            limits = limits == null ? ResourceValues.EMPTY : limits;
        }
    }

    /** Quantities by resource; null = not set. */
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record ResourceValues(String cpu, String memory, String gpu, String ephemeralStorage) {
        public static final ResourceValues EMPTY = new ResourceValues(null, null, null, null);

        ResourceValues withFallback(String fallbackCpu, String fallbackMemory) {
            return new ResourceValues(cpu == null ? fallbackCpu : cpu, memory == null ? fallbackMemory : memory,
                    gpu, ephemeralStorage);
        }
    }

    /** Placement of interruptible tasks' workers (Flyte's interruptible-tolerations/-node-selector/-requirement). */
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record InterruptiblePlacement(List<Toleration> tolerations, Map<String, String> nodeSelector,
                                         NodeSelectorRequirement nodeSelectorRequirement) {
        public static final InterruptiblePlacement NONE = new InterruptiblePlacement(null, null, null);

        public InterruptiblePlacement {
            tolerations = tolerations == null ? List.of() : List.copyOf(tolerations);
            nodeSelector = nodeSelector == null ? Map.of() : Map.copyOf(nodeSelector);
        }
    }

    /** Flyte's non-interruptible-node-selector-requirement: job-runner, scheduler, non-interruptible workers. */
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record NonInterruptiblePlacement(NodeSelectorRequirement nodeSelectorRequirement) {
        public static final NonInterruptiblePlacement NONE = new NonInterruptiblePlacement(null);
    }

    /** The Dask command-line flavour: {@code modern} = {@code dask scheduler}/{@code dask worker}. */
    public enum DaskCli {
        modern, legacy
    }

    /**
     * @param cli {@code modern} (default; distributed 2026.6.0 removed the legacy scripts) or {@code legacy}
     * @param schedulerServiceType the scheduler Service type; Flyte hard-codes {@code NodePort}
     */
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record DaskSettings(DaskCli cli, String schedulerServiceType) {
        public static final DaskSettings DEFAULT = new DaskSettings(null, null);

        public DaskSettings {
            cli = cli == null ? DaskCli.modern : cli;
            schedulerServiceType = schedulerServiceType == null || schedulerServiceType.isBlank()
                    ? "ClusterIP" : schedulerServiceType;
        }
    }
}
