package dev.daskrelay.schemas.serde;

import dev.daskrelay.schemas.registry.RegistryConfig;
import dev.daskrelay.schemas.registry.SubjectNameStrategy;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;

/**
 * Serde settings with Confluent's key names (on top of the registry keys of {@link RegistryConfig}).
 *
 * @param registry           where schemas live ({@code schema.registry.url}, auth, TLS, retries)
 * @param autoRegisterSchemas {@code auto.register.schemas} (default true): register the record's schema on
 *                           first use; false: look it up and fail with SchemaNotRegistered if absent
 * @param useLatestVersion   {@code use.latest.version} (default false): write with the id of the subject's
 *                           latest version (the record's schema must equal it in canonical form)
 * @param keyStrategy        {@code key.subject.name.strategy} (default TopicNameStrategy)
 * @param valueStrategy      {@code value.subject.name.strategy} (default TopicNameStrategy)
 * @param specificAvroReader {@code specific.avro.reader} (default false): a deserializer without a target
 *                           class reads into the generated class named by the writer's schema when present
 */
public record AvroSerdeConfig(
        RegistryConfig registry,
        boolean autoRegisterSchemas,
        boolean useLatestVersion,
        SubjectNameStrategy keyStrategy,
        SubjectNameStrategy valueStrategy,
        boolean specificAvroReader) {

    public static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";
    public static final String USE_LATEST_VERSION = "use.latest.version";
    public static final String KEY_SUBJECT_NAME_STRATEGY = "key.subject.name.strategy";
    public static final String VALUE_SUBJECT_NAME_STRATEGY = "value.subject.name.strategy";
    public static final String SPECIFIC_AVRO_READER = "specific.avro.reader";

    /** Reads the settings; throws {@link ConfigException} naming the key on any bad value. */
    public static AvroSerdeConfig from(Map<String, ?> config) {
        return new AvroSerdeConfig(
                RegistryConfig.from(config),
                bool(config, AUTO_REGISTER_SCHEMAS, true),
                bool(config, USE_LATEST_VERSION, false),
                SubjectNameStrategy.parse(KEY_SUBJECT_NAME_STRATEGY, config.get(KEY_SUBJECT_NAME_STRATEGY)),
                SubjectNameStrategy.parse(VALUE_SUBJECT_NAME_STRATEGY, config.get(VALUE_SUBJECT_NAME_STRATEGY)),
                bool(config, SPECIFIC_AVRO_READER, false));
    }

    /** The subject strategy for keys or values. */
    public SubjectNameStrategy strategy(boolean isKey) {
        return isKey ? keyStrategy : valueStrategy;
    }

    private static boolean bool(Map<String, ?> config, String key, boolean defaultValue) {
        Object value = config.get(key);
        if (value == null) {
            return defaultValue;
        }
        if (value instanceof Boolean b) {
            return b;
        }
        return switch (value.toString().trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            case "" -> defaultValue;
            default -> throw new ConfigException(key, value, "expected true or false");
        };
    }
}
