package dev.daskrelay.schemas.registry;

import java.util.Locale;
import org.apache.avro.Schema;
import org.apache.kafka.common.config.ConfigException;

/**
 * How a subject name is derived, with Confluent's semantics. Configured with
 * {@code key.subject.name.strategy} / {@code value.subject.name.strategy}, accepting Confluent's class names
 * ({@code io.confluent.kafka.serializers.subject.TopicNameStrategy}, ...) or the short names.
 */
public enum SubjectNameStrategy {
    /** {@code <topic>-key} / {@code <topic>-value} (Confluent's default). */
    TOPIC_NAME("TopicNameStrategy"),
    /** The record's full name: one subject per record type, across topics. */
    RECORD_NAME("RecordNameStrategy"),
    /** {@code <topic>-<record full name>}. */
    TOPIC_RECORD_NAME("TopicRecordNameStrategy");

    private static final String CONFLUENT_PACKAGE = "io.confluent.kafka.serializers.subject.";

    private final String shortName;

    SubjectNameStrategy(String shortName) {
        this.shortName = shortName;
    }

    /** The subject for a record of this schema on this topic. */
    public String subject(String topic, boolean isKey, Schema schema) {
        return switch (this) {
            case TOPIC_NAME -> topic + (isKey ? "-key" : "-value");
            case RECORD_NAME -> recordName(schema);
            case TOPIC_RECORD_NAME -> topic + "-" + recordName(schema);
        };
    }

    /** Confluent's class name for this strategy. */
    public String confluentClassName() {
        return CONFLUENT_PACKAGE + shortName;
    }

    /**
     * Parses a configured value: a Confluent class name, a short name ({@code TopicNameStrategy}) or the
     * enum constant ({@code TOPIC_NAME}), case-insensitively.
     */
    public static SubjectNameStrategy parse(String configKey, Object value) {
        if (value == null) {
            return TOPIC_NAME;
        }
        String text = value instanceof Class<?> c ? c.getName() : value.toString().trim();
        String simple = text.substring(text.lastIndexOf('.') + 1);
        for (SubjectNameStrategy s : values()) {
            if (s.shortName.equalsIgnoreCase(simple) || s.name().equalsIgnoreCase(simple)
                    || s.name().replace("_", "").equalsIgnoreCase(simple)) {
                return s;
            }
        }
        throw new ConfigException(configKey, value, "expected one of " + CONFLUENT_PACKAGE
                + "{TopicNameStrategy,RecordNameStrategy,TopicRecordNameStrategy} or a short name");
    }

    private static String recordName(Schema schema) {
        Schema.Type type = schema.getType();
        if (type != Schema.Type.RECORD && type != Schema.Type.ENUM && type != Schema.Type.FIXED) {
            throw new ConfigException("RecordNameStrategy and TopicRecordNameStrategy need a named schema (record, enum, fixed), got "
                    + type.name().toLowerCase(Locale.ROOT));
        }
        return schema.getFullName();
    }
}
