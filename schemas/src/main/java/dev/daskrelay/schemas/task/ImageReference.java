package dev.daskrelay.schemas.task;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The syntax of a container image reference, as the container runtimes read it (the grammar of
 * <a href="https://github.com/distribution/reference/blob/v0.6.0/reference.go">distribution/reference v0.6.0</a>):
 * {@code [registry[:port]/]path[:tag][@digest]}, where
 *
 * <ul>
 *   <li>the registry is the first component when it contains a {@code .} or a {@code :} or is
 *       {@code localhost}: dot-separated host labels of letters, digits and inner hyphens, an optional port;</li>
 *   <li>the path is one or more {@code /}-separated components of lowercase letters and digits, joined inside a
 *       component by {@code .}, {@code _}, {@code __} or runs of {@code -} (so never {@code ..}, never empty,
 *       never starting or ending with a separator);</li>
 *   <li>the tag is at most 128 of {@code [A-Za-z0-9_.-]}, not starting with {@code .} or {@code -};</li>
 *   <li>the digest is {@code algorithm:hex} with at least 32 hex digits;</li>
 *   <li>the name (registry and path) is at most 255 characters.</li>
 * </ul>
 *
 * A reference that passes cannot walk out of a repository prefix: {@code ghcr.io/example/../evil:1} is refused
 * here, before the platform's allow-list ({@code ghcr.io/example/*}) is consulted.
 */
public final class ImageReference {

    public static final int NAME_MAX = 255;

    private static final String DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
    private static final String DOMAIN = DOMAIN_COMPONENT + "(?:\\." + DOMAIN_COMPONENT + ")*(?::[0-9]+)?";
    private static final Pattern DOMAIN_PATTERN = Pattern.compile(DOMAIN + "|\\[[0-9a-fA-F:]+\\](?::[0-9]+)?");
    private static final Pattern PATH_COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
    private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");
    private static final Pattern DIGEST = Pattern.compile("[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}");

    private ImageReference() {
    }

    /** Empty when {@code image} is a valid reference, else why not (a sentence without the value). */
    public static Optional<String> problem(String image) {
        int at = image.indexOf('@');
        String digest = at < 0 ? null : image.substring(at + 1);
        String rest = at < 0 ? image : image.substring(0, at);
        if (digest != null && !DIGEST.matcher(digest).matches()) {
            return Optional.of("the digest after @ must be algorithm:hex with at least 32 hex digits");
        }
        int lastSlash = rest.lastIndexOf('/');
        int colon = rest.lastIndexOf(':');
        String name = rest;
        String tag = null;
        if (colon > lastSlash) {
            name = rest.substring(0, colon);
            tag = rest.substring(colon + 1);
        }
        if (tag != null && !TAG.matcher(tag).matches()) {
            return Optional.of("the tag after : must be 1 to 128 letters, digits, '_', '.' or '-', not starting with "
                    + "'.' or '-'");
        }
        if (name.isEmpty()) {
            return Optional.of("the repository name is missing");
        }
        if (name.length() > NAME_MAX) {
            return Optional.of("the repository name must be no more than " + NAME_MAX + " characters");
        }
        String[] parts = name.split("/", -1);
        int first = 0;
        if (parts.length > 1 && (parts[0].contains(".") || parts[0].contains(":") || parts[0].equals("localhost")
                || parts[0].startsWith("["))) {
            if (!DOMAIN_PATTERN.matcher(parts[0]).matches()) {
                return Optional.of("the registry '" + parts[0] + "' is not a host name with an optional :port");
            }
            first = 1;
        }
        for (int i = first; i < parts.length; i++) {
            if (!PATH_COMPONENT.matcher(parts[i]).matches()) {
                return Optional.of(parts[i].isEmpty() ? "the repository path has an empty component"
                        : "the repository path component '" + parts[i] + "' must be lowercase letters and digits "
                        + "joined by '.', '_', '__' or '-'");
            }
        }
        return Optional.empty();
    }
}
