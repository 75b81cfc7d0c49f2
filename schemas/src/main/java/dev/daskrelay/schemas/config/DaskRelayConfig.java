package dev.daskrelay.schemas.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The whole {@code daskrelay.yaml}: the typed {@code platform} section, the top-level key {@code installation}
 * ({@link #installation()}), and the other sections ({@code kafka},
 * {@code registry}, {@code kubernetes}, {@code translator}, {@code watcher}, {@code submitter}, {@code local}) kept
 * as trees that the owning process binds to its own typed settings with {@link #section(String, Class)}, once. An
 * unknown top-level section is an error.
 *
 * <p>Binding is done by one YAML mapper for every section: durations are read as {@link java.time.Duration} with
 * {@link dev.daskrelay.schemas.task.DurationText} (so settings records hold {@code Duration}, parsed once), unknown
 * keys are errors, and every problem of a section is reported at once, each with its key path and in the user's
 * words: the values that cannot be bound, then what the section's own {@link CheckedSection#check} finds.
 */
public final class DaskRelayConfig {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
            .findAndRegisterModules()
            .registerModule(ConfigBinding.module());

    /** The sections a daskrelay.yaml may have; a misspelt one is an error, not a silently ignored block. */
    public static final List<String> SECTIONS = List.of(
            "kafka", "registry", "platform", "kubernetes", "translator", "watcher", "submitter", "local");
    /** Every top-level key: the sections and the one scalar key, {@code installation}. */
    public static final List<String> TOP_LEVEL_KEYS = List.of(
            "kafka", "registry", "platform", "kubernetes", "translator", "watcher", "submitter", "local",
            Installation.KEY);

    private static final String DEFAULT_ORIGIN = "daskrelay.yaml";

    private final ObjectNode root;
    private final String origin;
    private final PlatformConfig platform;

    private DaskRelayConfig(ObjectNode root, String origin, PlatformConfig platform) {
        this.root = root;
        this.origin = origin;
        this.platform = platform;
    }

    /** The configuration with every default. */
    public static DaskRelayConfig defaults() {
        return new DaskRelayConfig(YAML.createObjectNode(), DEFAULT_ORIGIN, PlatformConfig.defaults());
    }

    /** Reads a YAML (or JSON) file; errors name the file and the offending key path. */
    public static DaskRelayConfig load(Path file) {
        try {
            return parse(Files.readString(file), file.toString());
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage());
        }
    }

    /** Parses YAML or JSON text; {@code origin} names it in errors. */
    public static DaskRelayConfig parse(String text, String origin) {
        JsonNode tree;
        try {
            tree = YAML.readTree(text);
        } catch (IOException e) {
            throw new ConfigException(origin + ": not valid YAML: " + e.getMessage());
        }
        if (tree == null || tree.isMissingNode() || tree.isNull()) {
            return new DaskRelayConfig(YAML.createObjectNode(), origin, PlatformConfig.defaults());
        }
        if (!tree.isObject()) {
            throw new ConfigException(origin + ": must be a mapping of sections");
        }
        ObjectNode root = (ObjectNode) tree;
        List<String> unknown = new ArrayList<>();
        root.fieldNames().forEachRemaining(name -> {
            if (!TOP_LEVEL_KEYS.contains(name)) {
                unknown.add(name);
            }
        });
        if (!unknown.isEmpty()) {
            throw new ConfigException(origin + ": " + String.join(", ", unknown) + ": unknown section"
                    + (unknown.size() > 1 ? "s" : "") + " (known: " + String.join(", ", TOP_LEVEL_KEYS) + ")");
        }
        JsonNode installation = root.path(Installation.KEY);
        if (!installation.isMissingNode() && !installation.isNull()) {
            String problem = installation.isTextual() ? Installation.problem(installation.asText())
                    : "must be a string, a Kubernetes label value (was " + installation.getNodeType().name()
                    .toLowerCase(Locale.ROOT) + ")";
            if (problem != null) {
                throw new ConfigException(origin, List.of(Installation.KEY + ": " + problem));
            }
        }
        JsonNode platformNode = root.path("platform");
        PlatformConfig platform = platformNode.isMissingNode() || platformNode.isNull()
                ? PlatformConfig.defaults()
                : bind(platformNode, PlatformConfig.class, origin, "platform");
        return new DaskRelayConfig(root, origin, platform);
    }

    public PlatformConfig platform() {
        return platform;
    }

    /** The {@code kafka} section (defaults point at the local stack). */
    public KafkaSettings kafka() {
        return section("kafka", KafkaSettings.class);
    }

    /**
     * This installation's identity: the top-level key {@code installation} when set (checked at parse time),
     * else derived from {@code kafka.topicPrefix} ({@link Installation#derivedFrom}). Translator, watcher and
     * {@code daskrelay render} read it here, so they agree.
     */
    public Installation installation() {
        JsonNode explicit = root.path(Installation.KEY);
        if (explicit.isTextual()) {
            return new Installation(explicit.asText());
        }
        return Installation.derivedFrom(kafka().topicPrefix());
    }

    /** The {@code registry} section (defaults to {@code bundled://}). */
    public RegistrySettings registry() {
        return section("registry", RegistrySettings.class);
    }

    /** The raw tree of a section ({@link MissingNode} when absent). */
    public JsonNode sectionTree(String name) {
        return root.path(name);
    }

    /**
     * Binds a section to a settings type; the type's defaults apply when the section is absent.
     *
     * @throws ConfigException listing every problem of the section, each with its key path
     */
    public <T> T section(String name, Class<T> type) {
        JsonNode node = root.path(name);
        if (node.isMissingNode() || node.isNull()) {
            node = YAML.createObjectNode();
        }
        return bind(node, type, origin, name);
    }

    private static <T> T bind(JsonNode node, Class<T> type, String origin, String section) {
        ConfigBinding.Problems problems = new ConfigBinding.Problems(section);
        T value;
        try {
            value = YAML.readerFor(type).withHandler(problems).readValue(node);
        } catch (IOException | IllegalArgumentException e) {
            String message = e instanceof JacksonException je ? je.getOriginalMessage() : e.getMessage();
            throw new ConfigException(origin, List.of(section + ": " + message));
        }
        List<String> all = new ArrayList<>(problems.problems());
        if (value instanceof CheckedSection checked) {
            ConfigCheck check = ConfigCheck.of(section);
            checked.check(check);
            all.addAll(check.problems());
        }
        if (!all.isEmpty()) {
            throw new ConfigException(origin, all);
        }
        return value;
    }

    /**
     * A configuration that cannot be used. {@link #problems()} lists each problem as {@code key.path: message};
     * the message puts the file name before each, one per line.
     */
    public static final class ConfigException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        private final List<String> problems;

        public ConfigException(String message) {
            super(message);
            this.problems = List.of(message);
        }

        public ConfigException(String origin, List<String> problems) {
            super(String.join("\n", problems.stream().map(p -> origin + ": " + p).toList()));
            this.problems = List.copyOf(problems);
        }

        /** Each problem, {@code key.path: message}, without the file name. */
        public List<String> problems() {
            return problems;
        }
    }
}
