package dev.daskrelay.chaos.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the auditor found: per check how many subjects it examined and which violated it, plus the figures of the
 * run. Printed as Markdown tables; written as JSON for tooling.
 */
public final class AuditReport {

    /** One broken promise. */
    public record Violation(String check, String subject, String detail) {
    }

    private final Map<String, Long> examined = new LinkedHashMap<>();
    private final Map<String, String> descriptions = new LinkedHashMap<>();
    private final List<Violation> violations = new ArrayList<>();
    private final Map<String, Object> figures = new LinkedHashMap<>();

    /** Declares a check (its order is the table's). */
    void check(String name, String description) {
        examined.putIfAbsent(name, 0L);
        descriptions.put(name, description);
    }

    void examined(String check, long n) {
        examined.merge(check, n, Long::sum);
    }

    void violation(String check, String subject, String detail) {
        examined.putIfAbsent(check, 0L);
        violations.add(new Violation(check, subject, detail));
    }

    void figure(String name, Object value) {
        figures.put(name, value);
    }

    public List<Violation> violations() {
        return List.copyOf(violations);
    }

    public Map<String, Object> figures() {
        return Map.copyOf(figures);
    }

    public boolean clean() {
        return violations.isEmpty();
    }

    public long violationsOf(String check) {
        return violations.stream().filter(v -> v.check().equals(check)).count();
    }

    /** The checks table, the figures table and the violations (at most {@code maxListed}). */
    public String markdown(int maxListed) {
        StringBuilder sb = new StringBuilder();
        sb.append("| check | what it means | examined | violations |\n|---|---|---:|---:|\n");
        for (var e : examined.entrySet()) {
            sb.append("| ").append(e.getKey()).append(" | ").append(descriptions.getOrDefault(e.getKey(), ""))
                    .append(" | ").append(e.getValue()).append(" | ").append(violationsOf(e.getKey())).append(" |\n");
        }
        sb.append("\n| figure | value |\n|---|---|\n");
        for (var e : figures.entrySet()) {
            sb.append("| ").append(e.getKey()).append(" | ").append(e.getValue()).append(" |\n");
        }
        if (!violations.isEmpty()) {
            sb.append("\nViolations (").append(violations.size()).append(")\n\n");
            violations.stream().limit(maxListed).forEach(v -> sb.append("- ").append(v.check()).append(": ")
                    .append(v.subject()).append(": ").append(v.detail()).append('\n'));
            if (violations.size() > maxListed) {
                sb.append("- … ").append(violations.size() - maxListed).append(" more in audit.json\n");
            }
        } else {
            sb.append("\nNo violations.\n");
        }
        return sb.toString();
    }

    /** Writes {@code audit.json} (everything) and {@code audit.md} (the tables) into {@code dir}. */
    public void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("examined", examined);
        all.put("violations", violations);
        all.put("figures", figures);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(dir.resolve("audit.json").toFile(), all);
        Files.writeString(dir.resolve("audit.md"), markdown(200));
    }
}
