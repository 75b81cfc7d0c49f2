package dev.daskrelay.watcher.status;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One configured log link: a display name and a URI template in Flyte's {@code {{ .name }}} syntax (spaces inside
 * the braces optional). Placeholders: {@link #PLACEHOLDERS}.
 *
 * <p>Unlike Flyte, a link is produced only once every placeholder it uses has a value (before the runner pod is
 * known a template with {@code {{ .podName }}} yields no link rather than a broken URI). Values are inserted as
 * they are: Kubernetes names and Flyte identifiers are URL-safe.
 */
public record LogLinkTemplate(String name, String uriTemplate) {

    /** namespace, podName (runner pod), daskJobName, taskId, project, domain, executionName, nodeId, retryAttempt. */
    public static final Set<String> PLACEHOLDERS = Set.of(
            "namespace", "podName", "daskJobName", "taskId", "project", "domain", "executionName", "nodeId",
            "retryAttempt");

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*\\.([A-Za-z]+)\\s*}}");

    /**
     * Templates split once (a status event renders every link, so the pattern is not matched per event): literal
     * text at even indexes, placeholder names at odd ones. Keyed by the template text; a process has a handful.
     */
    private static final Map<String, String[]> PARSED = new ConcurrentHashMap<>();

    public LogLinkTemplate {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name: a log link needs a name");
        }
        if (uriTemplate == null || uriTemplate.isBlank()) {
            throw new IllegalArgumentException("uri: a log link needs a URI template");
        }
        for (String p : placeholders(uriTemplate)) {
            if (!PLACEHOLDERS.contains(p)) {
                throw new IllegalArgumentException("uri: unknown placeholder {{ ." + p + " }} in '" + uriTemplate
                        + "'; known: " + PLACEHOLDERS.stream().sorted().toList());
            }
        }
    }

    static Set<String> placeholders(String template) {
        Set<String> names = new LinkedHashSet<>();
        Matcher m = PLACEHOLDER.matcher(template);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    /** The URI with every placeholder replaced, or empty when a placeholder has no (non-blank) value. */
    public Optional<String> render(Map<String, String> values) {
        String[] parts = PARSED.computeIfAbsent(uriTemplate, LogLinkTemplate::parse);
        StringBuilder out = new StringBuilder(uriTemplate.length() + 64);
        for (int i = 0; i < parts.length; i++) {
            if (i % 2 == 0) {
                out.append(parts[i]);
            } else {
                String v = values.get(parts[i]);
                if (v == null || v.isBlank()) {
                    return Optional.empty();
                }
                out.append(v);
            }
        }
        return Optional.of(out.toString());
    }

    private static String[] parse(String template) {
        List<String> parts = new ArrayList<>();
        Matcher m = PLACEHOLDER.matcher(template);
        int at = 0;
        while (m.find()) {
            parts.add(template.substring(at, m.start()));
            parts.add(m.group(1));
            at = m.end();
        }
        parts.add(template.substring(at));
        return parts.toArray(String[]::new);
    }
}
