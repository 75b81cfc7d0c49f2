package dev.daskrelay.translator.render;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * The deterministic DaskJob name of a task, and the value of its {@code daskrelay.dev/task} label.
 *
 * <p>Name rule (docs/RENDERING.md "Naming"): a task id that already is a lower-case DNS-1123 label starting with a
 * letter and at most {@value #MAX_NAME_LENGTH} characters is used as it is. Any other id is sanitized — lower-cased,
 * every character outside {@code [a-z0-9-]} replaced by {@code -}, runs of {@code -} collapsed, leading and
 * trailing {@code -} removed, {@code t-} put in front when it does not start with a letter — cut to
 * {@value #PREFIX_LENGTH} characters (trailing {@code -} removed again), and followed by {@code -} and the first
 * {@value #HASH_LENGTH} hex digits of the SHA-256 of the original task id (UTF-8). So two ids that sanitize
 * alike ({@code A.b}, {@code a-b}) still get different names, and every name fits the operator's 53-character
 * cluster-name limit (Flyte's limit is 50 as well).
 */
public final class DaskJobNames {

    /** Flyte's generated-name limit; the operator rejects cluster names longer than 53 characters. */
    public static final int MAX_NAME_LENGTH = 50;
    /** Hex digits of the task-id hash appended when the id cannot be used as it is. */
    public static final int HASH_LENGTH = 10;
    /** Room left for the readable part: 50 - "-" - 10. */
    public static final int PREFIX_LENGTH = MAX_NAME_LENGTH - 1 - HASH_LENGTH;

    private static final Pattern NAME = Pattern.compile("[a-z]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern LABEL_VALUE = Pattern.compile("([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?");
    private static final int MAX_LABEL_VALUE = 63;

    private DaskJobNames() {
    }

    /** The DaskJob (and Dask cluster) name of a task id; see the class comment for the rule. */
    public static String nameOf(String taskId) {
        if (taskId.length() <= MAX_NAME_LENGTH && NAME.matcher(taskId).matches()) {
            return taskId;
        }
        String prefix = sanitize(taskId);
        if (prefix.length() > PREFIX_LENGTH) {
            prefix = trimDashes(prefix.substring(0, PREFIX_LENGTH));
        }
        return prefix + "-" + shortHash(taskId);
    }

    /** True when {@code candidate} satisfies the name rule's output constraints (used by tests and callers). */
    public static boolean isValidName(String candidate) {
        return candidate.length() <= MAX_NAME_LENGTH && NAME.matcher(candidate).matches();
    }

    /**
     * The value of the {@code daskrelay.dev/task} label: the task id itself when it is a valid label value
     * (at most 63 characters of {@code [A-Za-z0-9-_.]}, alphanumeric at both ends), else the DaskJob name, which
     * always is one. Select a task's objects with {@code -l daskrelay.dev/task=<taskLabelValue(id)>}.
     */
    public static String taskLabelValue(String taskId) {
        if (taskId.length() <= MAX_LABEL_VALUE && LABEL_VALUE.matcher(taskId).matches()) {
            return taskId;
        }
        return nameOf(taskId);
    }

    private static String sanitize(String taskId) {
        StringBuilder out = new StringBuilder(taskId.length() + 2);
        boolean lastDash = true; // drops leading dashes
        for (int i = 0; i < taskId.length(); i++) {
            char c = Character.toLowerCase(taskId.charAt(i));
            boolean keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
            if (keep) {
                out.append(c);
                lastDash = false;
            } else if (!lastDash) {
                out.append('-');
                lastDash = true;
            }
        }
        String s = trimDashes(out.toString());
        if (s.isEmpty() || s.charAt(0) < 'a' || s.charAt(0) > 'z') {
            s = trimDashes("t-" + s);
        }
        return s;
    }

    private static String trimDashes(String s) {
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == '-') {
            end--;
        }
        return s.substring(0, end);
    }

    static String shortHash(String taskId) {
        return HexFormat.of().formatHex(sha256(taskId.getBytes(StandardCharsets.UTF_8))).substring(0, HASH_LENGTH);
    }

    private static byte[] sha256(byte[] bytes) {
        return CanonicalJson.digest().digest(bytes);
    }
}
