package dev.daskrelay.schemas.config;

import dev.daskrelay.schemas.KubernetesLabels;
import dev.daskrelay.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The identity of one daskrelay installation on a Kubernetes cluster: the value of the label
 * {@value KubernetesLabels#INSTALLATION} on every DaskJob it creates (and, through the Dask operator, on every
 * pod). The watcher follows, the janitor deletes and the applier adopts only DaskJobs carrying this value, so
 * several installations can share a namespace (docs/OPERATIONS.md, "Several installations on one cluster").
 *
 * <p>Configured with the top-level key {@code installation} of daskrelay.yaml; by default derived from
 * {@code kafka.topicPrefix} ({@link #derivedFrom}): installations with different topics get different identities.
 *
 * @param id a Kubernetes label value: 1 to 63 characters of {@code [A-Za-z0-9-_.]}, a letter or digit at both ends
 */
public record Installation(String id) {

    /** The key in daskrelay.yaml. */
    public static final String KEY = "installation";
    public static final int MAX_LENGTH = 63;
    /** What {@link #derivedFrom} appends to a prefix it had to change: {@code -} and this many hex digits. */
    static final int HASH_LENGTH = 10;
    private static final Pattern LABEL_VALUE = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?");

    /** The installation of the default topic prefix ({@code daskrelay}). */
    public static final Installation DEFAULT = derivedFrom(Topics.DEFAULT_PREFIX);

    /**
     * @throws IllegalArgumentException naming the key {@code installation} and saying what a label value is
     */
    public Installation {
        String problem = problem(id);
        if (problem != null) {
            throw new IllegalArgumentException(KEY + ": " + problem);
        }
    }

    /** Why {@code candidate} is not a usable installation id, or null when it is one. */
    public static String problem(String candidate) {
        if (candidate == null || candidate.isEmpty()) {
            return "must not be empty";
        }
        if (candidate.length() > MAX_LENGTH || !LABEL_VALUE.matcher(candidate).matches()) {
            return "must be a Kubernetes label value: at most " + MAX_LENGTH + " characters of letters, digits, "
                    + "'-', '_' and '.', starting and ending with a letter or digit (was \"" + candidate + "\")";
        }
        return null;
    }

    /**
     * The default installation id of a topic prefix: the prefix itself when it is a label value (the usual case:
     * {@code daskrelay}, {@code prod.eu}); otherwise (longer than 63 characters, or starting or ending with
     * {@code -}, {@code _} or {@code .}) the prefix without those ends, cut to fit, followed by {@code -} and the
     * first 10 hex digits of the SHA-256 of the whole prefix, so that prefixes that differ only there still get
     * different ids. Deterministic: translator and watcher derive the same id from the same prefix.
     */
    public static Installation derivedFrom(String topicPrefix) {
        if (problem(topicPrefix) == null) {
            return new Installation(topicPrefix);
        }
        String hash = HexFormat.of().formatHex(sha256(topicPrefix == null ? "" : topicPrefix))
                .substring(0, HASH_LENGTH);
        String stem = trimEnds(topicPrefix == null ? "" : topicPrefix);
        int room = MAX_LENGTH - 1 - HASH_LENGTH;
        if (stem.length() > room) {
            stem = trimEnds(stem.substring(0, room));
        }
        return new Installation(stem.isEmpty() ? hash : stem + "-" + hash);
    }

    /** The label selector of this installation's objects: managed by daskrelay, and this installation's. */
    public Map<String, String> selector() {
        return Map.of(KubernetesLabels.MANAGED_BY, KubernetesLabels.MANAGED_BY_VALUE,
                KubernetesLabels.INSTALLATION, id);
    }

    /** The same selector as text, for {@code kubectl -l}. */
    public String selectorText() {
        return KubernetesLabels.MANAGED_BY + "=" + KubernetesLabels.MANAGED_BY_VALUE + ","
                + KubernetesLabels.INSTALLATION + "=" + id;
    }

    /** True when the labels carry this installation's id ({@code null} labels: false). */
    public boolean owns(Map<String, String> labels) {
        return labels != null && id.equals(labels.get(KubernetesLabels.INSTALLATION));
    }

    /** The installation id in these labels, or null when they have none. */
    public static String of(Map<String, String> labels) {
        return labels == null ? null : labels.get(KubernetesLabels.INSTALLATION);
    }

    @Override
    public String toString() {
        return id;
    }

    private static String trimEnds(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && !alphanumeric(s.charAt(start))) {
            start++;
        }
        while (end > start && !alphanumeric(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(start, end);
    }

    private static boolean alphanumeric(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9';
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    }
}
