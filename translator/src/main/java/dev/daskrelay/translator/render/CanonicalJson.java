package dev.daskrelay.translator.render;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;

/**
 * The canonical JSON the spec hash is computed over: no whitespace, object keys sorted by UTF-16 code units at
 * every level (as RFC 8785 JCS does), array order kept, strings escaped minimally ({@code "}, {@code \}, and
 * control characters: {@code \b \f \n \r \t} or {@code \}{@code u00xx}), integers in plain decimal, everything
 * else as UTF-8. Written by hand because it is the hot path of rendering (Jackson's sorted-properties mode builds
 * a TreeMap per object).
 */
final class CanonicalJson {

    private static final MessageDigest SHA256_PROTOTYPE;

    static {
        try {
            SHA256_PROTOTYPE = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private CanonicalJson() {
    }

    static String print(JsonNode node) {
        StringBuilder out = new StringBuilder(8192);
        write(node, out, null);
        return out.toString();
    }

    /**
     * Lower-case hex SHA-256 of the canonical JSON of {@code node}, leaving out the member {@code skipKey} of the
     * object at {@code skipPath} (one object reached by following object keys from the root), so the hash of a
     * manifest can be computed with its own hash annotation in place.
     */
    static String sha256(JsonNode node, String[] skipPath, String skipKey) {
        StringBuilder out = new StringBuilder(8192);
        write(node, out, new Skip(skipPath, 0, skipKey));
        return HexFormat.of().formatHex(digest().digest(out.toString().getBytes(StandardCharsets.UTF_8)));
    }

    static MessageDigest digest() {
        try {
            return (MessageDigest) SHA256_PROTOTYPE.clone();
        } catch (CloneNotSupportedException e) {
            try {
                return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException never) {
                throw new IllegalStateException(never);
            }
        }
    }

    /** Which member to leave out: at depth {@code depth} of {@code path}. */
    private record Skip(String[] path, int depth, String key) {
        Skip child(String name) {
            return depth < path.length && path[depth].equals(name) ? new Skip(path, depth + 1, key) : null;
        }

        boolean skips(String name) {
            return depth == path.length && key.equals(name);
        }
    }

    private static void write(JsonNode node, StringBuilder out, Skip skip) {
        switch (node.getNodeType()) {
            case OBJECT -> {
                // the members sorted by key (insertion sort: objects are small), values kept alongside so that no
                // member is looked up again by its key
                int size = node.size();
                String[] keys = new String[size];
                JsonNode[] values = new JsonNode[size];
                int n = 0;
                for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> member = it.next();
                    String key = member.getKey();
                    int j = n++;
                    while (j > 0 && keys[j - 1].compareTo(key) > 0) {
                        keys[j] = keys[j - 1];
                        values[j] = values[j - 1];
                        j--;
                    }
                    keys[j] = key;
                    values[j] = member.getValue();
                }
                out.append('{');
                boolean first = true;
                for (int i = 0; i < n; i++) {
                    String key = keys[i];
                    if (skip != null && skip.skips(key)) {
                        continue;
                    }
                    if (!first) {
                        out.append(',');
                    }
                    first = false;
                    string(key, out);
                    out.append(':');
                    write(values[i], out, skip == null ? null : skip.child(key));
                }
                out.append('}');
            }
            case ARRAY -> {
                out.append('[');
                for (int i = 0; i < node.size(); i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    write(node.get(i), out, null);
                }
                out.append(']');
            }
            case STRING -> string(node.textValue(), out);
            case NUMBER -> {
                if (node.isInt() || node.isLong()) {
                    out.append(node.longValue());
                } else if (node.isIntegralNumber()) {
                    out.append(node.bigIntegerValue());
                } else {
                    throw new IllegalArgumentException("a DaskJob manifest has only integral numbers: " + node);
                }
            }
            case BOOLEAN -> out.append(node.booleanValue());
            case NULL -> out.append("null");
            default -> throw new IllegalArgumentException("not JSON: " + node.getNodeType());
        }
    }

    private static void string(String s, StringBuilder out) {
        out.append('"');
        int clean = 0;
        while (clean < s.length()) {
            char c = s.charAt(clean);
            if (c < 0x20 || c == '"' || c == '\\') {
                break;
            }
            clean++;
        }
        if (clean == s.length()) {
            out.append(s).append('"'); // the usual case: nothing to escape
            return;
        }
        out.append(s, 0, clean);
        for (int i = clean; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append("\\u00").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 0xf, 16));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
