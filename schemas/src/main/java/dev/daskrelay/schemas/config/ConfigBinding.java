package dev.daskrelay.schemas.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.databind.deser.ValueInstantiator;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import dev.daskrelay.schemas.task.DurationText;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * How {@code daskrelay.yaml} sections become typed values: durations read by {@link DurationText}, and every value
 * that cannot be bound recorded as a problem with its key path, in the user's words (never a Java type name), while
 * binding goes on, so one run reports every problem of the file.
 */
final class ConfigBinding {

    private ConfigBinding() {
    }

    /** The module with daskrelay's own value types: {@link Duration} as {@code 90s}, {@code 15m}, {@code PT1M}. */
    static SimpleModule module() {
        return new SimpleModule("daskrelay-config").addDeserializer(Duration.class, new DurationDeserializer());
    }

    /** A config {@link Duration}: {@link DurationText} syntax, never negative. */
    static final class DurationDeserializer extends StdScalarDeserializer<Duration> {
        private static final long serialVersionUID = 1L;

        DurationDeserializer() {
            super(Duration.class);
        }

        @Override
        public Duration deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (!p.currentToken().isScalarValue()) {
                return (Duration) ctxt.handleUnexpectedToken(Duration.class, p);
            }
            String text = p.getText();
            Duration d;
            try {
                d = DurationText.parse(text);
            } catch (IllegalArgumentException e) {
                return (Duration) ctxt.handleWeirdStringValue(Duration.class, text, "must be " + DurationText.EXPECTED);
            }
            if (d.isNegative()) {
                return (Duration) ctxt.handleWeirdStringValue(Duration.class, text, "must not be negative");
            }
            return d;
        }
    }

    /** Records each binding problem with its path and lets binding go on with a null (the key's default). */
    static final class Problems extends DeserializationProblemHandler {

        private final String section;
        private final List<String> problems = new ArrayList<>();

        Problems(String section) {
            this.section = section;
        }

        List<String> problems() {
            return problems;
        }

        private void add(JsonParser p, String message) {
            String at = path(p);
            problems.add(section + (at.isEmpty() ? "" : at.startsWith("[") ? at : "." + at) + ": " + message);
        }

        @Override
        public boolean handleUnknownProperty(DeserializationContext ctxt, JsonParser p,
                                             JsonDeserializer<?> deserializer, Object beanOrClass,
                                             String propertyName) throws IOException {
            Collection<Object> known = deserializer.getKnownPropertyNames();
            add(p, "unknown key (known: "
                    + (known == null ? "none" : new TreeSet<>(known.stream().map(String::valueOf).toList())) + ")");
            p.skipChildren();
            return true;
        }

        @Override
        public Object handleWeirdStringValue(DeserializationContext ctxt, Class<?> targetType, String valueToConvert,
                                             String failureMsg) {
            // daskrelay's own deserializers say what they expect ("must be ..."); Jackson's messages name Java types
            String expected = failureMsg != null && failureMsg.startsWith("must ") ? failureMsg
                    : expected(ctxt.constructType(targetType));
            add(ctxt.getParser(), expected + " (was \"" + valueToConvert + "\")");
            return null;
        }

        @Override
        public Object handleWeirdNumberValue(DeserializationContext ctxt, Class<?> targetType, Number valueToConvert,
                                             String failureMsg) {
            add(ctxt.getParser(), expected(ctxt.constructType(targetType)) + " (was " + valueToConvert + ")");
            return null;
        }

        @Override
        public Object handleUnexpectedToken(DeserializationContext ctxt, JavaType targetType, JsonToken t,
                                            JsonParser p, String failureMsg) throws IOException {
            String was = t == JsonToken.START_OBJECT ? "a mapping" : t == JsonToken.START_ARRAY ? "a list"
                    : "\"" + p.getText() + "\"";
            add(p, expected(targetType) + " (was " + was + ")");
            p.skipChildren();
            return null;
        }

        @Override
        public Object handleMissingInstantiator(DeserializationContext ctxt, Class<?> instClass,
                                                ValueInstantiator valueInsts, JsonParser p, String msg)
                throws IOException {
            String was = p.currentToken() == JsonToken.START_ARRAY ? "a list" : "\"" + p.getText() + "\"";
            add(p, expected(ctxt.constructType(instClass)) + " (was " + was + ")");
            p.skipChildren();
            return null;
        }

        @Override
        public Object handleInstantiationProblem(DeserializationContext ctxt, Class<?> instClass, Object argument,
                                                 Throwable t) {
            Throwable root = t;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            // a value type's own check ("must be ..."); anything else is no message for a user
            add(ctxt.getParser(), root instanceof IllegalArgumentException && root.getMessage() != null
                    ? root.getMessage() : "is not valid");
            return null;
        }

        /** What a value of this type looks like, in the words of the configuration reference. */
        private static String expected(JavaType type) {
            Class<?> c = type.getRawClass();
            if (c == Integer.class || c == int.class || c == Long.class || c == long.class || c == Short.class
                    || c == short.class) {
                return "must be a whole number";
            }
            if (c == Boolean.class || c == boolean.class) {
                return "must be true or false";
            }
            if (c == Duration.class) {
                return "must be " + DurationText.EXPECTED;
            }
            if (c == String.class) {
                return "must be text";
            }
            if (c.isEnum()) {
                List<String> names = new ArrayList<>();
                for (Object e : c.getEnumConstants()) {
                    names.add(e.toString());
                }
                return "must be one of " + String.join(", ", names);
            }
            if (type.isCollectionLikeType() || type.isArrayType()) {
                return "must be a list";
            }
            if (type.isMapLikeType() || Map.class.isAssignableFrom(c)) {
                return "must be a mapping";
            }
            if (c.isRecord()) {
                List<String> keys = new ArrayList<>();
                for (var component : c.getRecordComponents()) {
                    keys.add(component.getName());
                }
                return keys.size() <= 4 ? "expected {" + String.join(", ", keys) + "}" : "must be a mapping";
            }
            return "is not valid";
        }

        /** The key path of the parser's position: {@code applier.concurrency}, {@code logLinks[1].uri}. */
        private static String path(JsonParser p) {
            JsonStreamContext c = p.getParsingContext();
            JsonToken t = p.currentToken();
            if (c != null && t != null && (t.isStructStart() || t.isStructEnd())) {
                c = c.getParent(); // positioned on a mapping or list itself: its path is its parent's
            }
            Deque<String> parts = new ArrayDeque<>();
            for (; c != null && !c.inRoot(); c = c.getParent()) {
                if (c.inObject() && c.getCurrentName() != null) {
                    parts.push("." + c.getCurrentName());
                } else if (c.inArray()) {
                    parts.push("[" + Math.max(0, c.getCurrentIndex()) + "]");
                }
            }
            String joined = String.join("", parts);
            return joined.startsWith(".") ? joined.substring(1) : joined;
        }
    }
}
