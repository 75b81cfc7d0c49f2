package dev.daskrelay.schemas.task;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.events.AliasEvent;
import org.yaml.snakeyaml.events.CollectionStartEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.events.NodeEvent;
import org.yaml.snakeyaml.events.ScalarEvent;
import org.yaml.snakeyaml.parser.Parser;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.StreamReader;

/**
 * Reads one YAML document into a Jackson tree, resolving anchors, aliases and merge keys as YAML says, with the
 * size of what aliases expand to bounded (no "billion laughs"). SnakeYAML's parser does the syntax; composing the
 * nodes and resolving the plain scalars is done here, so every rule is visible in one place:
 *
 * <ul>
 *   <li><b>Aliases</b> ({@code *name}) stand for the whole node their anchor ({@code &name}) marks: a scalar, a
 *       list or a mapping. An alias of an anchor not defined before it, or of a node that contains the alias
 *       itself (a recursive structure), is refused.</li>
 *   <li><b>Merge keys</b> ({@code <<: *base} or {@code <<: [*a, *b]}, the YAML merge type that YAML 1.1 defined
 *       and YAML tools keep supporting): the entries of the merged mappings are added unless the mapping has the
 *       key itself; of several merged mappings, the earlier one wins. Merged entries take the place of the
 *       {@code <<} key in the order of the mapping.</li>
 *   <li><b>Plain scalars</b> resolve by the YAML 1.2 core schema, keeping what the user wrote where a task file
 *       wants text: {@code null}, {@code Null}, {@code NULL}, {@code ~} and nothing are null; {@code true} and
 *       {@code false} are booleans; integers written canonically ({@code 0}, {@code 12}, {@code -3}) are numbers;
 *       everything else, {@code 1.5}, {@code 007}, {@code 0x10} and {@code True} included, is text exactly as
 *       written. Quoted and block scalars are text.</li>
 *   <li><b>Tags</b>: the core schema's {@code !!str}, {@code !!int}, {@code !!bool}, {@code !!null},
 *       {@code !!float}, {@code !!map} and {@code !!seq} are honoured (a value that does not fit its tag is a
 *       problem); {@code !} means text; any other tag is a problem at its field path, and the value is kept
 *       untagged so that no second problem ("required") follows from it.</li>
 *   <li><b>Keys</b> are scalars; a key given twice in one mapping is a problem naming both lines.</li>
 *   <li><b>Bounds</b>: nesting deeper than {@link #MAX_DEPTH}; aliases that expand to more than
 *       {@link #MAX_EXPANDED_NODES} values or {@link #MAX_EXPANDED_CHARS} characters of text.</li>
 * </ul>
 *
 * <p>Problems of the document as a whole (syntax, bounds, aliases) make the tree unusable: {@link Result#root()}
 * is null. Problems of one value (tags, duplicate keys) are reported with their field path in task-file spelling
 * and the tree is still returned.
 */
public final class YamlTree {

    /** Deepest nesting of lists and mappings accepted (a task file needs 6). */
    public static final int MAX_DEPTH = 64;
    /** Most values (scalars, lists, mappings) the document may expand to once aliases are resolved. */
    public static final int MAX_EXPANDED_NODES = 100_000;
    /** Most characters of scalar text the document may expand to once aliases are resolved. */
    public static final int MAX_EXPANDED_CHARS = 4 * TaskBounds.TASK_FILE_MAX_BYTES;

    static final String CORE = "tag:yaml.org,2002:";
    private static final Pattern CANONICAL_INTEGER = Pattern.compile("-?(0|[1-9][0-9]*)");
    private static final Pattern CORE_INTEGER = Pattern.compile("[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+");
    private static final Pattern CORE_FLOAT = Pattern.compile(
            "[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN)");
    private static final Set<String> NULLS = Set.of("", "~", "null", "Null", "NULL");
    private static final Set<String> BOOLEANS = Set.of("true", "True", "TRUE", "false", "False", "FALSE");
    private static final Pattern SIMPLE_KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_-]*");

    /**
     * The outcome of reading.
     *
     * @param root the document; null when it is empty or unusable as a whole
     * @param problems problems found, in document order; when root is null and this is empty, the document was
     *     empty
     */
    public record Result(JsonNode root, List<Problem> problems) {
        public Result {
            problems = List.copyOf(problems);
        }
    }

    private YamlTree() {
    }

    /** Reads {@code text}, one YAML document. */
    public static Result read(String text) {
        Composer composer = new Composer();
        YNode root;
        try {
            root = composer.document(text);
        } catch (DocumentProblem e) {
            return new Result(null, List.of(new Problem(Problem.DOCUMENT, e.getMessage())));
        } catch (MarkedYAMLException e) {
            return new Result(null, List.of(new Problem(Problem.DOCUMENT, syntax(e))));
        } catch (YAMLException e) {
            return new Result(null, List.of(new Problem(Problem.DOCUMENT, "not valid YAML: " + e.getMessage())));
        }
        if (root == null) {
            return new Result(null, List.of());
        }
        Converter converter = new Converter();
        try {
            JsonNode tree = converter.convert(root, "");
            return new Result(tree, converter.problems);
        } catch (DocumentProblem e) {
            return new Result(null, List.of(new Problem(Problem.DOCUMENT, e.getMessage())));
        }
    }

    /** {@code not valid YAML at line 2, column 6: while parsing a flow mapping; expected ',' or '}', but got :}. */
    private static String syntax(MarkedYAMLException e) {
        Mark at = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
        StringBuilder b = new StringBuilder("not valid YAML");
        if (at != null) {
            b.append(" at ").append(where(at));
        }
        List<String> parts = new ArrayList<>();
        if (e.getContext() != null && !e.getContext().isBlank()) {
            parts.add(e.getContext().strip());
        }
        if (e.getProblem() != null && !e.getProblem().isBlank()) {
            parts.add(e.getProblem().strip());
        }
        return b.append(": ").append(parts.isEmpty() ? "syntax error" : String.join("; ", parts)).toString();
    }

    static String where(Mark m) {
        return "line " + (m.getLine() + 1) + ", column " + (m.getColumn() + 1);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Composition: events -> a graph of nodes in which an alias is the very node its anchor marks

    private sealed interface YNode permits YScalar, YSeq, YMap {
        String tag();

        Mark start();
    }

    private record YScalar(String tag, Mark start, String value, boolean plain) implements YNode {
    }

    private record YSeq(String tag, Mark start, List<YNode> items) implements YNode {
    }

    private record YMap(String tag, Mark start, List<YNode[]> entries) implements YNode {
    }

    /** A problem of the whole document; the message is what the user reads. */
    private static final class DocumentProblem extends RuntimeException {
        private static final long serialVersionUID = 1L;

        DocumentProblem(String message) {
            super(message, null, false, false);
        }
    }

    private static final class Composer {
        private final Map<String, YNode> anchors = new HashMap<>();
        /** Collections being composed: an alias of one of them would make the structure recursive. */
        private final Set<YNode> open = Collections.newSetFromMap(new IdentityHashMap<>());
        private Parser parser;
        private int depth;

        YNode document(String text) {
            LoaderOptions options = new LoaderOptions();
            options.setProcessComments(false);
            parser = new ParserImpl(new StreamReader(text), options);
            parser.getEvent(); // stream start
            if (parser.checkEvent(Event.ID.StreamEnd)) {
                return null;
            }
            parser.getEvent(); // document start
            YNode root = node();
            parser.getEvent(); // document end
            if (!parser.checkEvent(Event.ID.StreamEnd)) {
                throw new DocumentProblem("must hold one task, found more than one document");
            }
            return root;
        }

        private YNode node() {
            Event e = parser.getEvent();
            if (e instanceof AliasEvent alias) {
                YNode target = anchors.get(alias.getAnchor());
                if (target == null) {
                    throw new DocumentProblem("not valid YAML at " + where(e.getStartMark()) + ": alias *"
                            + alias.getAnchor() + " refers to no anchor defined before it");
                }
                if (open.contains(target)) {
                    throw new DocumentProblem("not valid YAML at " + where(e.getStartMark()) + ": alias *"
                            + alias.getAnchor() + " is inside the node it refers to (a recursive structure)");
                }
                return target;
            }
            String anchor = e instanceof NodeEvent n ? n.getAnchor() : null;
            YNode result;
            if (e instanceof ScalarEvent s) {
                result = new YScalar(s.getTag(), s.getStartMark(), s.getValue(), s.isPlain());
            } else if (e.is(Event.ID.SequenceStart)) {
                YSeq seq = new YSeq(((CollectionStartEvent) e).getTag(), e.getStartMark(), new ArrayList<>());
                enter(seq, anchor, e);
                while (!parser.checkEvent(Event.ID.SequenceEnd)) {
                    seq.items().add(node());
                }
                parser.getEvent();
                leave(seq);
                result = seq;
            } else if (e.is(Event.ID.MappingStart)) {
                YMap map = new YMap(((CollectionStartEvent) e).getTag(), e.getStartMark(), new ArrayList<>());
                enter(map, anchor, e);
                while (!parser.checkEvent(Event.ID.MappingEnd)) {
                    YNode key = node();
                    YNode value = node();
                    map.entries().add(new YNode[] {key, value});
                }
                parser.getEvent();
                leave(map);
                result = map;
            } else {
                throw new DocumentProblem("not valid YAML at " + where(e.getStartMark()) + ": unexpected " + e.getEventId());
            }
            if (anchor != null && !(result instanceof YSeq) && !(result instanceof YMap)) {
                anchors.put(anchor, result);
            }
            return result;
        }

        /** Collections are anchored before their content is read, so that an alias inside them is recognised as recursive. */
        private void enter(YNode collection, String anchor, Event e) {
            if (++depth > MAX_DEPTH) {
                throw new DocumentProblem("nested more than " + MAX_DEPTH + " levels deep (at " + where(e.getStartMark())
                        + ")");
            }
            open.add(collection);
            if (anchor != null) {
                anchors.put(anchor, collection);
            }
        }

        private void leave(YNode collection) {
            open.remove(collection);
            depth--;
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Conversion: the node graph -> a Jackson tree, aliases expanded (within bounds), merge keys applied

    private static final class Converter {
        private final JsonNodeFactory f = JsonNodeFactory.instance;
        private final List<Problem> problems = new ArrayList<>();
        /** Nodes whose own problems were reported: a node reached again through an alias reports them once. */
        private final Set<YNode> reported = Collections.newSetFromMap(new IdentityHashMap<>());
        private long nodes;
        private long chars;

        JsonNode convert(YNode n, String path) {
            if (++nodes > MAX_EXPANDED_NODES) {
                throw new DocumentProblem("aliases expand to more than " + MAX_EXPANDED_NODES
                        + " values (refused, as an alias bomb would)");
            }
            if (n instanceof YScalar s) {
                chars += s.value().length();
                if (chars > MAX_EXPANDED_CHARS) {
                    throw new DocumentProblem("aliases expand to more than " + MAX_EXPANDED_CHARS
                            + " characters of text (refused, as an alias bomb would)");
                }
                return scalar(s, path);
            }
            if (n instanceof YSeq seq) {
                collectionTag(seq, "seq", "a list", path);
                ArrayNode a = f.arrayNode();
                for (int i = 0; i < seq.items().size(); i++) {
                    a.add(convert(seq.items().get(i), path + "[" + i + "]"));
                }
                return a;
            }
            YMap map = (YMap) n;
            collectionTag(map, "map", "a mapping", path);
            return mapping(map, path);
        }

        private ObjectNode mapping(YMap map, String path) {
            Set<String> explicit = new LinkedHashSet<>();
            Map<String, Mark> firstAt = new HashMap<>();
            for (YNode[] e : map.entries()) {
                if (!isMergeKey(e[0]) && e[0] instanceof YScalar k) {
                    explicit.add(k.value());
                }
            }
            Map<String, JsonNode> fields = new LinkedHashMap<>();
            for (YNode[] e : map.entries()) {
                YNode key = e[0];
                if (isMergeKey(key)) {
                    merge(e[1], path, explicit, fields);
                    continue;
                }
                if (!(key instanceof YScalar k)) {
                    if (reported.add(key)) {
                        problems.add(new Problem(path.isEmpty() ? Problem.DOCUMENT : path, "keys must be single "
                                + "values, found " + (key instanceof YSeq ? "a list" : "a mapping") + " as a key at "
                                + where(key.start())));
                    }
                    continue;
                }
                String name = k.value();
                Mark before = firstAt.putIfAbsent(name, k.start());
                String fieldPath = child(path, name);
                if (before != null) {
                    problems.add(new Problem(fieldPath, "given twice (at line " + (before.getLine() + 1) + " and line "
                            + (k.start().getLine() + 1) + ")"));
                    continue;
                }
                fields.put(name, convert(e[1], fieldPath));
            }
            ObjectNode o = f.objectNode();
            fields.forEach(o::set);
            return o;
        }

        /** {@code <<: *base} or {@code <<: [*a, *b]}: entries not given explicitly, earlier mappings first. */
        private void merge(YNode value, String path, Set<String> explicit, Map<String, JsonNode> fields) {
            List<YNode> sources = new ArrayList<>();
            if (value instanceof YMap) {
                sources.add(value);
            } else if (value instanceof YSeq seq && seq.items().stream().allMatch(i -> i instanceof YMap)) {
                sources.addAll(seq.items());
            } else {
                problems.add(new Problem(child(path, "<<"), "a merge key takes a mapping or a list of mappings "
                        + "(was " + (value instanceof YSeq ? "a list of other values" : "a single value") + ")"));
                return;
            }
            for (YNode source : sources) {
                ObjectNode merged = mapping((YMap) source, path);
                merged.fields().forEachRemaining(entry -> {
                    if (!explicit.contains(entry.getKey()) && !fields.containsKey(entry.getKey())) {
                        fields.put(entry.getKey(), entry.getValue());
                    }
                });
            }
        }

        private static boolean isMergeKey(YNode key) {
            return key instanceof YScalar s && s.plain() && s.tag() == null && s.value().equals("<<");
        }

        private void collectionTag(YNode n, String expected, String what, String path) {
            String tag = n.tag();
            if (tag == null || tag.equals("!") || tag.equals(CORE + expected)) {
                return;
            }
            if (reported.add(n)) {
                problems.add(new Problem(pathOrDocument(path), "YAML tag " + shortTag(tag) + " is not supported on "
                        + what + " (task files use plain YAML values)"));
            }
        }

        private JsonNode scalar(YScalar s, String path) {
            String v = s.value();
            String tag = s.tag();
            if (tag == null) {
                return s.plain() ? plain(v) : f.textNode(v);
            }
            switch (tag) {
                case "!", CORE + "str" -> {
                    return f.textNode(v);
                }
                case CORE + "null" -> {
                    if (NULLS.contains(v)) {
                        return f.nullNode();
                    }
                }
                case CORE + "bool" -> {
                    if (BOOLEANS.contains(v)) {
                        return f.booleanNode(v.equalsIgnoreCase("true"));
                    }
                }
                case CORE + "int" -> {
                    if (CORE_INTEGER.matcher(v).matches()) {
                        return integer(v);
                    }
                }
                case CORE + "float" -> {
                    if (CORE_FLOAT.matcher(v).matches()) {
                        return f.textNode(v);
                    }
                }
                default -> {
                    if (reported.add(s)) {
                        problems.add(new Problem(pathOrDocument(path), "YAML tag " + shortTag(tag)
                                + " is not supported (task files use plain YAML values) (was "
                                + TaskValidator.quote(v) + ")"));
                    }
                    return s.plain() ? plain(v) : f.textNode(v);
                }
            }
            if (reported.add(s)) {
                problems.add(new Problem(pathOrDocument(path), "not a valid " + shortTag(tag) + " value (was "
                        + TaskValidator.quote(v) + ")"));
            }
            return f.textNode(v);
        }

        /** The YAML 1.2 core schema for plain scalars, keeping non-canonical spellings as text. */
        private JsonNode plain(String v) {
            if (NULLS.contains(v)) {
                return f.nullNode();
            }
            if (v.equals("true") || v.equals("false")) {
                return f.booleanNode(v.equals("true"));
            }
            if (CANONICAL_INTEGER.matcher(v).matches()) {
                return number(new BigInteger(v));
            }
            return f.textNode(v);
        }

        private JsonNode integer(String v) {
            String digits = v.startsWith("+") ? v.substring(1) : v;
            if (digits.startsWith("0o")) {
                return number(new BigInteger(digits.substring(2), 8));
            }
            if (digits.startsWith("0x")) {
                return number(new BigInteger(digits.substring(2), 16));
            }
            return number(new BigInteger(digits));
        }

        private JsonNode number(BigInteger n) {
            if (n.bitLength() < 32) {
                return f.numberNode(n.intValue());
            }
            if (n.bitLength() < 64) {
                return f.numberNode(n.longValue());
            }
            return f.numberNode(n);
        }
    }

    private static String shortTag(String tag) {
        return tag.startsWith(CORE) ? "!!" + tag.substring(CORE.length()) : tag;
    }

    private static String pathOrDocument(String path) {
        return path.isEmpty() ? Problem.DOCUMENT : path;
    }

    /** {@code parent.key}, or {@code parent["odd key"]} for keys that are not simple names. */
    static String child(String parent, String key) {
        if (SIMPLE_KEY.matcher(key).matches()) {
            return parent.isEmpty() ? key : parent + "." + key;
        }
        return parent + "[" + TaskValidator.quote(key) + "]";
    }
}
