package dev.daskrelay.watcher.status;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A JSON codec for a record type that reads and writes the JSON Jackson's data binding reads and writes for it (the
 * status store's {@link TaskStateSerde} format), several times faster: the record's components are looked up once
 * (names, types, accessor and canonical constructor handles), values are streamed token by token, instants are
 * formatted and parsed without {@link java.time.format.DateTimeFormatter}.
 *
 * <p>Compatibility with the data-binding mapper it is given, in both directions (tested by {@code RecordJsonTest}):
 * <ul>
 * <li>it writes every non-null component under its name (Jackson reads what it writes: a record from an older
 *     version, or a rollback to one, reads the store as before);</li>
 * <li>it reads unknown properties by skipping them and missing ones as Java defaults, like the mapper;</li>
 * <li>strings, booleans, ints, longs, instants (ISO-8601), enums (by name), nested records, lists of strings and
 *     enum-keyed maps of integers are read on a fast path when the JSON token is the usual one; any other token, and
 *     any other component type, is handed to the mapper for that value, so the result (or the error) is the
 *     mapper's.</li>
 * </ul>
 */
final class RecordJson<R extends Record> {

    private enum Kind { STRING, BOOLEAN, INT, LONG, INSTANT, ENUM, RECORD, STRING_LIST, ENUM_INT_MAP, OTHER }

    /** One record component; {@code jsonName} is its name quoted and encoded once, for the generator to copy. */
    private record Component(String name, SerializedString jsonName, Kind kind, JavaType type, MethodHandle accessor,
                             Object defaultValue, Map<String, Enum<?>> enumConstants, RecordJson<?> nested) {
    }

    private final Component[] components;
    private final Map<String, Integer> index = new HashMap<>();
    private final MethodHandle constructor;
    private final ObjectMapper mapper;

    RecordJson(Class<R> type, ObjectMapper mapper) {
        this.mapper = mapper;
        RecordComponent[] rc = type.getRecordComponents();
        components = new Component[rc.length];
        Class<?>[] parameterTypes = new Class<?>[rc.length];
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        try {
            for (int i = 0; i < rc.length; i++) {
                parameterTypes[i] = rc[i].getType();
                components[i] = component(rc[i], lookup.unreflect(rc[i].getAccessor())
                        .asType(MethodType.methodType(Object.class, Object.class)));
                index.put(rc[i].getName(), i);
            }
            constructor = lookup.findConstructor(type, MethodType.methodType(void.class, parameterTypes))
                    .asSpreader(Object[].class, rc.length)
                    .asType(MethodType.methodType(Object.class, Object[].class));
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException("record " + type.getName() + " cannot be accessed", e);
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private Component component(RecordComponent rc, MethodHandle accessor) {
        Class<?> raw = rc.getType();
        Type generic = rc.getGenericType();
        JavaType type = mapper.getTypeFactory().constructType(generic);
        Kind kind = Kind.OTHER;
        Object defaultValue = null;
        Map<String, Enum<?>> constants = null;
        RecordJson<?> nested = null;
        if (raw == String.class) {
            kind = Kind.STRING;
        } else if (raw == boolean.class || raw == Boolean.class) {
            kind = Kind.BOOLEAN;
            defaultValue = raw == boolean.class ? Boolean.FALSE : null;
        } else if (raw == int.class || raw == Integer.class) {
            kind = Kind.INT;
            defaultValue = raw == int.class ? 0 : null;
        } else if (raw == long.class || raw == Long.class) {
            kind = Kind.LONG;
            defaultValue = raw == long.class ? 0L : null;
        } else if (raw == Instant.class) {
            kind = Kind.INSTANT;
        } else if (raw.isEnum() && plainEnum((Class<? extends Enum>) raw)) {
            kind = Kind.ENUM;
            constants = constants((Class<? extends Enum>) raw);
        } else if (raw.isRecord()) {
            kind = Kind.RECORD;
            nested = new RecordJson(raw, mapper);
        } else if (raw == List.class && typeArgument(generic, 0) == String.class) {
            kind = Kind.STRING_LIST;
        } else if (raw == Map.class && typeArgument(generic, 0) instanceof Class<?> k && k.isEnum()
                && plainEnum((Class<? extends Enum>) k) && typeArgument(generic, 1) == Integer.class) {
            kind = Kind.ENUM_INT_MAP;
            constants = constants((Class<? extends Enum>) k);
        } else if (raw.isPrimitive()) {
            throw new IllegalArgumentException(rc + ": primitive type " + raw + " not supported");
        }
        return new Component(rc.getName(), new SerializedString(rc.getName()), kind, type, accessor, defaultValue,
                constants, nested);
    }

    /** An enum Jackson writes by {@code name()} (no annotations that change it). */
    @SuppressWarnings("rawtypes")
    private static boolean plainEnum(Class<? extends Enum> type) {
        for (var f : type.getFields()) {
            if (f.isEnumConstant() && f.getAnnotations().length > 0) {
                return false;
            }
        }
        for (var m : type.getDeclaredMethods()) {
            if (m.getAnnotations().length > 0) {
                return false;
            }
        }
        return true;
    }

    @SuppressWarnings("rawtypes")
    private static Map<String, Enum<?>> constants(Class<? extends Enum> type) {
        Map<String, Enum<?>> m = new HashMap<>();
        for (Enum<?> e : type.getEnumConstants()) {
            m.put(e.name(), e);
        }
        return m;
    }

    private static Type typeArgument(Type generic, int i) {
        return generic instanceof ParameterizedType p && p.getActualTypeArguments().length > i
                ? p.getActualTypeArguments()[i] : null;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Writing

    void write(R value, JsonGenerator g) throws IOException {
        g.writeStartObject();
        for (Component c : components) {
            Object v = get(c, value);
            if (v == null) {
                continue;
            }
            g.writeFieldName(c.jsonName());
            switch (c.kind()) {
                case STRING -> g.writeString((String) v);
                case BOOLEAN -> g.writeBoolean((Boolean) v);
                case INT -> g.writeNumber((Integer) v);
                case LONG -> g.writeNumber((Long) v);
                case INSTANT -> g.writeString(iso((Instant) v));
                case ENUM -> g.writeString(((Enum<?>) v).name());
                case RECORD -> writeNested(c.nested(), v, g);
                case STRING_LIST -> {
                    g.writeStartArray();
                    for (Object s : (List<?>) v) {
                        if (s == null) {
                            g.writeNull();
                        } else {
                            g.writeString((String) s);
                        }
                    }
                    g.writeEndArray();
                }
                case ENUM_INT_MAP -> {
                    g.writeStartObject();
                    for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                        g.writeFieldName(((Enum<?>) e.getKey()).name());
                        if (e.getValue() == null) {
                            g.writeNull();
                        } else {
                            g.writeNumber((Integer) e.getValue());
                        }
                    }
                    g.writeEndObject();
                }
                case OTHER -> mapper.writerFor(c.type()).writeValue(g, v);
                default -> throw new IllegalStateException(c.kind().name());
            }
        }
        g.writeEndObject();
    }

    @SuppressWarnings("unchecked")
    private static <T extends Record> void writeNested(RecordJson<T> codec, Object v, JsonGenerator g)
            throws IOException {
        codec.write((T) v, g);
    }

    private static Object get(Component c, Object record) {
        try {
            return c.accessor().invokeExact(record);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Reading

    /** Reads one record; the parser is on its START_OBJECT (or on a VALUE_NULL: null). */
    @SuppressWarnings("unchecked")
    R read(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        if (t != JsonToken.START_OBJECT) {
            throw new IOException("expected a JSON object, found " + t + " at " + p.currentLocation());
        }
        Object[] args = new Object[components.length];
        for (int i = 0; i < components.length; i++) {
            args[i] = components[i].defaultValue();
        }
        for (String f = p.nextFieldName(); f != null; f = p.nextFieldName()) {
            p.nextToken();
            Integer i = index.get(f);
            if (i == null) {
                p.skipChildren();
                continue;
            }
            Component c = components[i];
            Object v = value(c, p);
            args[i] = v == null ? c.defaultValue() : v;
        }
        try {
            Object record = constructor.invokeExact(args);
            return (R) record;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    private Object value(Component c, JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        switch (c.kind()) {
            case STRING -> {
                if (t == JsonToken.VALUE_STRING) {
                    return p.getText();
                }
            }
            case BOOLEAN -> {
                if (t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE) {
                    return t == JsonToken.VALUE_TRUE;
                }
            }
            case INT -> {
                if (t == JsonToken.VALUE_NUMBER_INT && p.getNumberType() == JsonParser.NumberType.INT) {
                    return p.getIntValue();
                }
            }
            case LONG -> {
                if (t == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
                    return p.getLongValue();
                }
            }
            case INSTANT -> {
                if (t == JsonToken.VALUE_STRING) {
                    Instant i = parseIso(p.getText());
                    if (i != null) {
                        return i;
                    }
                }
            }
            case ENUM -> {
                if (t == JsonToken.VALUE_STRING) {
                    Enum<?> e = c.enumConstants().get(p.getText());
                    if (e != null) {
                        return e;
                    }
                }
            }
            case RECORD -> {
                if (t == JsonToken.START_OBJECT) {
                    return c.nested().read(p);
                }
            }
            case STRING_LIST -> {
                if (t == JsonToken.START_ARRAY) {
                    return stringList(p);
                }
            }
            case ENUM_INT_MAP -> {
                if (t == JsonToken.START_OBJECT) {
                    return enumIntMap(c, p);
                }
            }
            default -> {
            }
        }
        return mapper.readerFor(c.type()).readValue(p);
    }

    private List<String> stringList(JsonParser p) throws IOException {
        List<String> out = new ArrayList<>();
        for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
            if (e == null) {
                throw new IOException("end of input inside an array");
            }
            out.add(e == JsonToken.VALUE_STRING ? p.getText() : e == JsonToken.VALUE_NULL ? null
                    : mapper.readerFor(String.class).readValue(p));
        }
        return out;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private Map<?, ?> enumIntMap(Component c, JsonParser p) throws IOException {
        Map out = new LinkedHashMap<>();
        for (String f = p.nextFieldName(); f != null; f = p.nextFieldName()) {
            JsonToken t = p.nextToken();
            Enum<?> key = c.enumConstants().get(f);
            if (key == null) {
                throw new IOException("unknown " + c.type().getKeyType().getRawClass().getSimpleName() + " '" + f
                        + "' in " + c.name());
            }
            out.put(key, t == JsonToken.VALUE_NUMBER_INT && p.getNumberType() == JsonParser.NumberType.INT
                    ? (Object) p.getIntValue() : t == JsonToken.VALUE_NULL ? null
                    : mapper.readerFor(Integer.class).readValue(p));
        }
        return out;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Instants: the ISO-8601 form Instant.toString() and Jackson write (UTC, 'Z', 0/3/6/9 fraction digits).

    /** As {@link Instant#toString()}. */
    static String iso(Instant i) {
        long seconds = i.getEpochSecond();
        int nanos = i.getNano();
        long days = Math.floorDiv(seconds, 86_400);
        int secondOfDay = (int) Math.floorMod(seconds, 86_400);
        if (days < -719_162 || days > 2_932_896) { // outside years 0001–9999
            return i.toString();
        }
        LocalDate d = LocalDate.ofEpochDay(days);
        char[] c = new char[30];
        int n = 0;
        n = digits(c, n, d.getYear(), 4);
        c[n++] = '-';
        n = digits(c, n, d.getMonthValue(), 2);
        c[n++] = '-';
        n = digits(c, n, d.getDayOfMonth(), 2);
        c[n++] = 'T';
        n = digits(c, n, secondOfDay / 3600, 2);
        c[n++] = ':';
        n = digits(c, n, secondOfDay / 60 % 60, 2);
        c[n++] = ':';
        n = digits(c, n, secondOfDay % 60, 2);
        if (nanos > 0) {
            c[n++] = '.';
            if (nanos % 1_000_000 == 0) {
                n = digits(c, n, nanos / 1_000_000, 3);
            } else if (nanos % 1_000 == 0) {
                n = digits(c, n, nanos / 1_000, 6);
            } else {
                n = digits(c, n, nanos, 9);
            }
        }
        c[n++] = 'Z';
        return new String(c, 0, n);
    }

    private static int digits(char[] c, int at, int value, int width) {
        for (int k = width - 1; k >= 0; k--) {
            c[at + k] = (char) ('0' + value % 10);
            value /= 10;
        }
        return at + width;
    }

    /** {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}]Z}, else null (the caller hands the text to Jackson). */
    static Instant parseIso(String s) {
        int len = s.length();
        if (len < 20 || len > 30 || s.charAt(len - 1) != 'Z' || s.charAt(4) != '-' || s.charAt(7) != '-'
                || s.charAt(10) != 'T' || s.charAt(13) != ':' || s.charAt(16) != ':') {
            return null;
        }
        int year = number(s, 0, 4);
        int month = number(s, 5, 2);
        int day = number(s, 8, 2);
        int hour = number(s, 11, 2);
        int minute = number(s, 14, 2);
        int second = number(s, 17, 2);
        if (year < 1 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0
                || minute > 59 || second < 0 || second > 59) {
            return null;
        }
        int nanos = 0;
        if (len > 20) {
            if (s.charAt(19) != '.' || len == 21) {
                return null;
            }
            int fraction = len - 21;
            int f = number(s, 20, fraction);
            if (f < 0) {
                return null;
            }
            for (int k = fraction; k < 9; k++) {
                f *= 10;
            }
            nanos = f;
        }
        if (day > LocalDate.of(year, month, 1).lengthOfMonth()) {
            return null;
        }
        long epochDay = LocalDate.of(year, month, day).toEpochDay();
        return Instant.ofEpochSecond(epochDay * 86_400 + hour * 3600L + minute * 60L + second, nanos);
    }

    /** The decimal number of {@code width} digits at {@code at}, or -1. */
    private static int number(String s, int at, int width) {
        int v = 0;
        for (int k = at; k < at + width; k++) {
            char ch = s.charAt(k);
            if (ch < '0' || ch > '9') {
                return -1;
            }
            v = v * 10 + (ch - '0');
        }
        return v;
    }
}
