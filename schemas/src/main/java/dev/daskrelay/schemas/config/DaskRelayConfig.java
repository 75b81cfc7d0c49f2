package dev.daskrelay.schemas.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;

/**
 * The whole {@code daskrelay.yaml}: the typed {@code platform} section, and the other sections ({@code kafka},
 * {@code registry}, {@code kubernetes}, {@code translator}, {@code watcher}, {@code submitter}, {@code local}) kept
 * as trees that the owning process binds to its own typed settings with {@link #section(String, Class)}. An
 * unknown top-level section is an error.
 */
public final class DaskRelayConfig {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
            .findAndRegisterModules();

    /** The sections a daskrelay.yaml may have; a misspelt one is an error, not a silently ignored block. */
    public static final java.util.List<String> SECTIONS = java.util.List.of(
            "kafka", "registry", "platform", "kubernetes", "translator", "watcher", "submitter", "local");

    private final ObjectNode root;
    private final PlatformConfig platform;

    private DaskRelayConfig(ObjectNode root, PlatformConfig platform) {
        this.root = root;
        this.platform = platform;
    }

    /** The configuration with every default. */
    public static DaskRelayConfig defaults() {
        return new DaskRelayConfig(YAML.createObjectNode(), PlatformConfig.defaults());
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
            return defaults();
        }
        if (!tree.isObject()) {
            throw new ConfigException(origin + ": must be a mapping of sections");
        }
        ObjectNode root = (ObjectNode) tree;
        java.util.List<String> unknown = new java.util.ArrayList<>();
        root.fieldNames().forEachRemaining(name -> {
            if (!SECTIONS.contains(name)) {
                unknown.add(name);
            }
        });
        if (!unknown.isEmpty()) {
            throw new ConfigException(origin + ": " + String.join(", ", unknown) + ": unknown section"
                    + (unknown.size() > 1 ? "s" : "") + " (known: " + String.join(", ", SECTIONS) + ")");
        }
        JsonNode platformNode = root.path("platform");
        PlatformConfig platform = platformNode.isMissingNode() || platformNode.isNull()
                ? PlatformConfig.defaults()
                : bind(platformNode, PlatformConfig.class, origin, "platform");
        return new DaskRelayConfig(root, platform);
    }

    public PlatformConfig platform() {
        return platform;
    }

    /** The {@code kafka} section (defaults point at the local stack). */
    public KafkaSettings kafka() {
        return section("kafka", KafkaSettings.class);
    }

    /** The {@code registry} section (defaults to {@code bundled://}). */
    public RegistrySettings registry() {
        return section("registry", RegistrySettings.class);
    }

    /** The raw tree of a section ({@link MissingNode} when absent). */
    public JsonNode sectionTree(String name) {
        return root.path(name);
    }

    /** Binds a section to a settings type; the type's defaults apply when the section is absent. */
    public <T> T section(String name, Class<T> type) {
        JsonNode node = root.path(name);
        if (node.isMissingNode() || node.isNull()) {
            node = YAML.createObjectNode();
        }
        return bind(node, type, "daskrelay.yaml", name);
    }

    private static <T> T bind(JsonNode node, Class<T> type, String origin, String path) {
        try {
            return YAML.treeToValue(node, type);
        } catch (UnrecognizedPropertyException e) {
            String at = e.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining("."));
            throw new ConfigException(origin + ": " + path + "." + at + ": unknown key (known: "
                    + e.getKnownPropertyIds() + ")");
        } catch (IOException | IllegalArgumentException e) {
            String msg = e instanceof com.fasterxml.jackson.core.JsonProcessingException jpe ? jpe.getOriginalMessage() : e.getMessage();
            throw new ConfigException(origin + ": " + path + ": " + msg);
        }
    }

    /** A configuration file that cannot be used; the message names the file and the key. */
    public static final class ConfigException extends RuntimeException {
        public ConfigException(String message) {
            super(message);
        }
    }
}
