package dev.daskrelay.schemas.task;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The name rules of the Kubernetes API server (apimachinery's {@code validation} package), so that a task is
 * refused here rather than by the API server after it was accepted. Each check returns the reasons a text breaks
 * the rule, empty when it is fine.
 */
public final class KubernetesNames {

    public static final int DNS1123_LABEL_MAX = 63;
    public static final int DNS1123_SUBDOMAIN_MAX = 253;
    public static final int QUALIFIED_NAME_MAX = 63;
    public static final int LABEL_VALUE_MAX = 63;
    /** Total size of all annotation keys and values of one object, as the API server counts it. */
    public static final int ANNOTATIONS_TOTAL_MAX_BYTES = 256 * 1024;

    private static final String LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
    private static final Pattern DNS1123_LABEL = Pattern.compile(LABEL_FMT);
    private static final Pattern DNS1123_SUBDOMAIN = Pattern.compile(LABEL_FMT + "(\\." + LABEL_FMT + ")*");
    private static final Pattern QUALIFIED_NAME = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?");
    private static final Pattern ENV_VAR_NAME = Pattern.compile("[-._a-zA-Z][-._a-zA-Z0-9]*");

    /**
     * Label and annotation key prefixes daskrelay, the Dask operator and Kubernetes keep for themselves. A prefix
     * is reserved when it starts with {@code daskrelay.} or is (a subdomain of) {@code dask.org},
     * {@code kubernetes.io} or {@code k8s.io}. The simulator knobs ({@code simulator.daskrelay.dev/...}) do not
     * start with {@code daskrelay.} and so are not reserved.
     */
    public static final List<String> RESERVED_DOMAINS = List.of("dask.org", "kubernetes.io", "k8s.io");

    private KubernetesNames() {
    }

    /** A DNS-1123 label, e.g. a namespace: lower-case letters, digits and '-', at most 63 characters. */
    public static List<String> dns1123Label(String value) {
        List<String> errors = new ArrayList<>();
        if (value.length() > DNS1123_LABEL_MAX) {
            errors.add("must be no more than " + DNS1123_LABEL_MAX + " characters");
        }
        if (!DNS1123_LABEL.matcher(value).matches()) {
            errors.add("must consist of lower case letters, digits or '-', and start and end with a letter or digit");
        }
        return errors;
    }

    /** A DNS-1123 subdomain, e.g. a service account name: labels joined by '.', at most 253 characters. */
    public static List<String> dns1123Subdomain(String value) {
        List<String> errors = new ArrayList<>();
        if (value.length() > DNS1123_SUBDOMAIN_MAX) {
            errors.add("must be no more than " + DNS1123_SUBDOMAIN_MAX + " characters");
        }
        if (!DNS1123_SUBDOMAIN.matcher(value).matches()) {
            errors.add("must consist of lower case letters, digits, '-' or '.', and start and end with a letter or digit");
        }
        return errors;
    }

    /**
     * A label or annotation key: an optional DNS-1123 subdomain prefix and '/', then a name of at most 63
     * characters of letters, digits, '-', '_' and '.', starting and ending with a letter or digit.
     */
    public static List<String> qualifiedName(String key) {
        List<String> errors = new ArrayList<>();
        String[] parts = key.split("/", -1);
        String name;
        if (parts.length == 1) {
            name = parts[0];
        } else if (parts.length == 2) {
            String prefix = parts[0];
            name = parts[1];
            if (prefix.isEmpty()) {
                errors.add("prefix part must not be empty");
            } else {
                for (String e : dns1123Subdomain(prefix)) {
                    errors.add("prefix part " + e);
                }
            }
        } else {
            errors.add("must have at most one '/' (an optional DNS subdomain prefix, then a name)");
            return errors;
        }
        if (name.isEmpty()) {
            errors.add("name part must not be empty");
        } else {
            if (name.length() > QUALIFIED_NAME_MAX) {
                errors.add("name part must be no more than " + QUALIFIED_NAME_MAX + " characters");
            }
            if (!QUALIFIED_NAME.matcher(name).matches()) {
                errors.add("name part must consist of letters, digits, '-', '_' or '.', and start and end with a"
                        + " letter or digit");
            }
        }
        return errors;
    }

    /** A label value: empty, or at most 63 characters of letters, digits, '-', '_' and '.' starting and ending alphanumeric. */
    public static List<String> labelValue(String value) {
        List<String> errors = new ArrayList<>();
        if (value.isEmpty()) {
            return errors;
        }
        if (value.length() > LABEL_VALUE_MAX) {
            errors.add("must be no more than " + LABEL_VALUE_MAX + " characters");
        }
        if (!QUALIFIED_NAME.matcher(value).matches()) {
            errors.add("must be empty or consist of letters, digits, '-', '_' or '.', and start and end with a"
                    + " letter or digit");
        }
        return errors;
    }

    /** An environment variable name: letters, digits, '_', '-' and '.', not starting with a digit, nor with '..'. */
    public static List<String> envVarName(String name) {
        List<String> errors = new ArrayList<>();
        if (!ENV_VAR_NAME.matcher(name).matches()) {
            errors.add("must consist of letters, digits, '_', '-' or '.', and must not start with a digit");
        }
        if (name.equals(".")) {
            errors.add("must not be '.'");
        } else if (name.equals("..")) {
            errors.add("must not be '..'");
        } else if (name.startsWith("..")) {
            errors.add("must not start with '..'");
        }
        return errors;
    }

    /** The reserved prefix a label or annotation key uses, if any (see {@link #RESERVED_DOMAINS}). */
    public static Optional<String> reservedPrefix(String key) {
        int slash = key.indexOf('/');
        if (slash < 0) {
            return Optional.empty();
        }
        String prefix = key.substring(0, slash).toLowerCase(Locale.ROOT);
        if (prefix.startsWith("daskrelay.")) {
            return Optional.of(prefix);
        }
        for (String domain : RESERVED_DOMAINS) {
            if (prefix.equals(domain) || prefix.endsWith("." + domain)) {
                return Optional.of(prefix);
            }
        }
        return Optional.empty();
    }
}
