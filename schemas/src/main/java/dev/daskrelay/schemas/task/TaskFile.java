package dev.daskrelay.schemas.task;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.daskrelay.avro.v1.DaskScheduler;
import dev.daskrelay.avro.v1.DaskWorkerGroup;
import dev.daskrelay.avro.v1.EnvVar;
import dev.daskrelay.avro.v1.ExecutionIdentity;
import dev.daskrelay.avro.v1.LaunchDaskJob;
import dev.daskrelay.avro.v1.ResourceList;
import dev.daskrelay.avro.v1.Resources;
import dev.daskrelay.avro.v1.TaskCommand;
import dev.daskrelay.schemas.config.PlatformConfig;
import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The task file (docs/TASK-FILES.md): the human face of a launch command, in YAML or
 * JSON. {@link #parse} reads one into a {@link TaskCommand} with a {@link LaunchDaskJob} payload, {@link #load}
 * also validates it against the platform, {@link #write} prints a launch command back as a task file, so that
 * {@code parse(write(c))} gives {@code c} again (with the same clock).
 */
public final class TaskFile {

    /** The two spellings of a task file. */
    public enum Format {
        YAML, JSON;

        /** JSON for {@code *.json}, YAML otherwise. */
        public static Format of(Path file) {
            return file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".json") ? JSON : YAML;
        }
    }

    /**
     * The outcome of reading a task file.
     *
     * @param command the command read; null only when the document is unusable as a whole (not YAML, not a
     *     mapping); fields with a problem are left at their defaults
     * @param problems structural problems (unknown keys, wrong types, unreadable values), not yet validation
     */
    public record Parsed(TaskCommand command, List<Problem> problems) {
        public Parsed {
            problems = List.copyOf(problems);
        }
    }

    /** JSON task files; YAML ones go through {@link YamlTree} (anchors, aliases and merge keys resolved). */
    private static final ObjectMapper JSON_READER = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(YamlTree.MAX_DEPTH).build())
            .build())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final ObjectMapper YAML_WRITER = new ObjectMapper(YAMLFactory.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
            .build());
    private static final ObjectMapper JSON_WRITER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private static final Pattern PLAIN_INTEGER = Pattern.compile("-?(0|[1-9][0-9]*)");

    private TaskFile() {
    }

    /** Reads a task file; the command id is a random UUID unless the file gives one. */
    public static Parsed parse(String text, Clock clock) {
        return parse(text, clock, () -> UUID.randomUUID().toString());
    }

    /**
     * Reads a task file (YAML, or JSON when the text starts with <code>{</code>).
     *
     * @param clock gives {@code issuedAt}
     * @param commandIds gives the command id when the file has none
     */
    public static Parsed parse(String text, Clock clock, Supplier<String> commandIds) {
        List<Problem> problems = new ArrayList<>();
        if (text.getBytes(StandardCharsets.UTF_8).length > TaskBounds.TASK_FILE_MAX_BYTES) {
            problems.add(new Problem(Problem.DOCUMENT, "must be no more than " + TaskBounds.TASK_FILE_MAX_BYTES + " bytes"));
            return new Parsed(null, problems);
        }
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1); // a byte order mark some editors write
        }
        boolean json = text.stripLeading().startsWith("{");
        JsonNode root;
        if (json) {
            try (JsonParser parser = JSON_READER.createParser(text)) {
                JsonToken first = parser.nextToken();
                root = first == null ? null : node(parser);
                if (root != null && parser.nextToken() != null) {
                    problems.add(new Problem(Problem.DOCUMENT, "must hold one task, found more after the closing brace"));
                    return new Parsed(null, problems);
                }
            } catch (StreamConstraintsException e) {
                problems.add(new Problem(Problem.DOCUMENT, "nested more than " + YamlTree.MAX_DEPTH + " levels deep"));
                return new Parsed(null, problems);
            } catch (JsonProcessingException e) {
                JsonLocation at = e.getLocation();
                String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
                problems.add(new Problem(Problem.DOCUMENT, "not valid JSON" + where + ": " + syntaxMessage(e.getOriginalMessage())));
                return new Parsed(null, problems);
            } catch (IOException | RuntimeException e) {
                problems.add(new Problem(Problem.DOCUMENT, "not valid JSON: " + e.getMessage()));
                return new Parsed(null, problems);
            }
        } else {
            YamlTree.Result yaml = YamlTree.read(text);
            problems.addAll(yaml.problems());
            root = yaml.root();
            if (root == null && !problems.isEmpty()) {
                return new Parsed(null, problems);
            }
        }
        if (root == null || root.isNull() || root.isMissingNode()) {
            problems.add(new Problem(Problem.DOCUMENT, "empty: a task needs at least execution and dask"));
            return new Parsed(null, problems);
        }
        if (!root.isObject()) {
            problems.add(new Problem(Problem.DOCUMENT, "must be a mapping of task fields (was " + TaskFileReader.was(root) + ")"));
            return new Parsed(null, problems);
        }
        TaskFileReader reader = new TaskFileReader();
        TaskCommand command = reader.command((ObjectNode) root, clock.instant(), commandIds);
        return new Parsed(command, Problem.inStages(problems, reader.problems()));
    }

    /**
     * The tree of one JSON value, keeping scalars as written: a number that is not a plain integer ({@code 1e3},
     * {@code 2.50}) becomes text, so that quantities and messages show exactly what the user wrote (as
     * {@link YamlTree} does for YAML).
     */
    private static JsonNode node(JsonParser p) throws IOException {
        JsonNodeFactory f = JsonNodeFactory.instance;
        JsonToken t = p.currentToken();
        switch (t) {
            case START_OBJECT -> {
                ObjectNode o = f.objectNode();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    p.nextToken();
                    o.set(name, node(p));
                }
                return o;
            }
            case START_ARRAY -> {
                ArrayNode a = f.arrayNode();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    a.add(node(p));
                }
                return a;
            }
            case VALUE_NUMBER_INT -> {
                String text = p.getText();
                if (PLAIN_INTEGER.matcher(text).matches()) { // written as Java would print it, e.g. not 007 or +3
                    return p.getNumberType() == JsonParser.NumberType.INT ? f.numberNode(p.getIntValue())
                            : p.getNumberType() == JsonParser.NumberType.LONG ? f.numberNode(p.getLongValue())
                            : f.numberNode(p.getBigIntegerValue());
                }
                return f.textNode(text);
            }
            case VALUE_NUMBER_FLOAT, VALUE_STRING -> {
                return f.textNode(p.getText());
            }
            case VALUE_TRUE, VALUE_FALSE -> {
                String text = p.getText();
                return text.equals("true") || text.equals("false") ? f.booleanNode(t == JsonToken.VALUE_TRUE) : f.textNode(text);
            }
            case VALUE_NULL -> {
                return f.nullNode();
            }
            default -> {
                return f.textNode(String.valueOf(p.getText()));
            }
        }
    }

    /** Jackson's message without its source-location lines. */
    private static String syntaxMessage(String message) {
        return message.lines()
                .filter(l -> !l.startsWith("  ")) // SnakeYAML's quoted source lines and carets
                .map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("in 'reader'") && !l.startsWith("at [Source"))
                .reduce((a, b) -> a + "; " + b).orElse(message);
    }

    /**
     * Reads and validates a task file: the launch command, or an {@link InvalidTaskException} with every
     * problem, structural ones first, then those of {@link TaskValidator} (a path the reading already found
     * wrong is not reported again).
     */
    public static TaskCommand load(String text, PlatformConfig platform, Clock clock) {
        Parsed parsed = parse(text, clock);
        List<Problem> problems = parsed.problems();
        if (parsed.command() != null) {
            problems = Problem.inStages(problems, TaskValidator.validate(parsed.command(), platform).problems());
        }
        if (!problems.isEmpty()) {
            throw new InvalidTaskException(problems);
        }
        return parsed.command();
    }

    /** {@link #load(String, PlatformConfig, Clock)} of a file; a file that cannot be read is a document problem. */
    public static TaskCommand load(Path file, PlatformConfig platform, Clock clock) {
        return load(readText(file), platform, clock);
    }

    /**
     * The text of a task file. A file that cannot be read is one document problem, worded the same by every
     * command: {@code cannot read: no such file}, {@code ... it is a directory}, {@code ... permission denied},
     * {@code ... not UTF-8 text}; a file larger than {@link TaskBounds#TASK_FILE_MAX_BYTES} is refused unread.
     *
     * @throws InvalidTaskException with that one problem
     */
    public static String readText(Path file) {
        String why;
        try {
            if (Files.isDirectory(file)) {
                why = "cannot read: it is a directory";
            } else if (Files.size(file) > TaskBounds.TASK_FILE_MAX_BYTES) {
                why = "must be no more than " + TaskBounds.TASK_FILE_MAX_BYTES + " bytes";
            } else {
                return Files.readString(file);
            }
        } catch (NoSuchFileException e) {
            why = "cannot read: no such file";
        } catch (AccessDeniedException e) {
            why = "cannot read: permission denied";
        } catch (MalformedInputException e) {
            why = "cannot read: not UTF-8 text";
        } catch (IOException e) {
            why = "cannot read: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }
        throw new InvalidTaskException(List.of(new Problem(Problem.DOCUMENT, why)));
    }

    /**
     * A task file checked as {@code render}, {@code submit} and {@code local} check it: read, parse, validate
     * against the platform; each problem once.
     *
     * @param source how the file is named in messages (its path, {@code stdin}, a bundled example's name)
     * @param command the launch command; null when there are problems
     * @param problems every problem, structural ones first
     */
    public record Checked(String source, TaskCommand command, List<Problem> problems) {
        public Checked {
            problems = List.copyOf(problems);
        }

        public boolean valid() {
            return problems.isEmpty();
        }

        /** The lines users read: {@code source: path: message}. */
        public List<String> lines() {
            return problems.stream().map(p -> source + ": " + p).toList();
        }
    }

    /** Checks the text of a task file named {@code source} in messages. */
    public static Checked check(String source, String text, PlatformConfig platform, Clock clock) {
        Parsed parsed = parse(text, clock);
        List<Problem> problems = parsed.problems();
        TaskCommand command = parsed.command();
        if (command != null) {
            if (!(command.getPayload() instanceof LaunchDaskJob)) {
                problems = Problem.inStages(problems, List.of(new Problem(Problem.DOCUMENT, "not a launch")));
            }
            problems = Problem.inStages(problems, TaskValidator.validate(command, platform).problems());
        }
        return new Checked(source, problems.isEmpty() ? command : null, problems);
    }

    /** Reads and checks a task file. */
    public static Checked check(Path file, PlatformConfig platform, Clock clock) {
        String text;
        try {
            text = readText(file);
        } catch (InvalidTaskException e) {
            return new Checked(file.toString(), null, e.problems());
        }
        return check(file.toString(), text, platform, clock);
    }

    /**
     * Prints a launch command as a task file. {@code issuedAt}, {@code issuedBy} and {@code trace} are not part
     * of a task file and are left out; everything else is written, the command id included.
     *
     * @throws IllegalArgumentException for an abort command
     */
    public static String write(TaskCommand command, Format format) {
        if (!(command.getPayload() instanceof LaunchDaskJob launch)) {
            throw new IllegalArgumentException("only launch commands are task files, this is "
                    + command.getPayload().getClass().getSimpleName());
        }
        ObjectNode root = JSON_WRITER.createObjectNode();
        root.put("taskId", command.getTaskId());
        root.put("commandId", command.getCommandId());
        ExecutionIdentity e = command.getExecution();
        ObjectNode execution = root.putObject("execution");
        execution.put("project", e.getProject());
        execution.put("domain", e.getDomain());
        execution.put("name", e.getName());
        execution.put("nodeId", e.getNodeId());
        execution.put("retryAttempt", e.getRetryAttempt());
        putIfSet(root, "namespace", launch.getNamespace());
        putIfSet(root, "serviceAccount", launch.getServiceAccount());
        putIfSet(root, "image", launch.getImage());
        putStrings(root, "command", launch.getCommand());
        putStrings(root, "args", launch.getArgs());
        putResources(root, "resources", launch.getResources());
        putEnv(root, launch.getEnv());
        putMap(root, "labels", launch.getLabels());
        putMap(root, "annotations", launch.getAnnotations());
        if (launch.getInterruptible()) {
            root.put("interruptible", true);
        }
        if (launch.getTimeoutSeconds() != null) {
            root.put("timeout", DurationText.format(launch.getTimeoutSeconds()));
        }
        ObjectNode dask = root.putObject("dask");
        DaskScheduler scheduler = launch.getDask().getScheduler();
        if (scheduler.getImage() != null || scheduler.getResources() != null) {
            ObjectNode s = dask.putObject("scheduler");
            putIfSet(s, "image", scheduler.getImage());
            putResources(s, "resources", scheduler.getResources());
        }
        DaskWorkerGroup workers = launch.getDask().getWorkers();
        ObjectNode w = dask.putObject("workers");
        w.put("numberOfWorkers", workers.getNumberOfWorkers());
        putIfSet(w, "image", workers.getImage());
        putResources(w, "resources", workers.getResources());
        try {
            return format == Format.JSON
                    ? JSON_WRITER.writeValueAsString(root) + "\n"
                    : YAML_WRITER.writeValueAsString(root);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException("cannot print a task file tree", ex);
        }
    }

    private static void putIfSet(ObjectNode node, String name, String value) {
        if (value != null) {
            node.put(name, value);
        }
    }

    private static void putStrings(ObjectNode node, String name, List<String> values) {
        if (!values.isEmpty()) {
            ArrayNode array = node.putArray(name);
            values.forEach(array::add);
        }
    }

    private static void putResources(ObjectNode node, String name, Resources resources) {
        if (resources == null) {
            return;
        }
        ObjectNode r = node.putObject(name);
        putResourceList(r, "requests", resources.getRequests());
        putResourceList(r, "limits", resources.getLimits());
    }

    private static void putResourceList(ObjectNode node, String name, ResourceList list) {
        if (list == null) {
            return;
        }
        ObjectNode l = node.putObject(name);
        putIfSet(l, "cpu", list.getCpu());
        putIfSet(l, "memory", list.getMemory());
        putIfSet(l, "gpu", list.getGpu());
        putIfSet(l, "ephemeralStorage", list.getEphemeralStorage());
    }

    /** A mapping in the given order; a list of {name, value} when a name repeats, so that nothing is lost. */
    private static void putEnv(ObjectNode node, List<EnvVar> env) {
        if (env.isEmpty()) {
            return;
        }
        Set<String> names = new HashSet<>();
        boolean unique = env.stream().allMatch(v -> names.add(v.getName()));
        if (unique) {
            ObjectNode m = node.putObject("env");
            env.forEach(v -> m.put(v.getName(), v.getValue()));
        } else {
            ArrayNode list = node.putArray("env");
            env.forEach(v -> list.addObject().put("name", v.getName()).put("value", v.getValue()));
        }
    }

    /** Sorted by key, so that the same command always prints the same way. */
    private static void putMap(ObjectNode node, String name, Map<String, String> map) {
        if (!map.isEmpty()) {
            ObjectNode m = node.putObject(name);
            new TreeMap<>(map).forEach(m::put);
        }
    }
}
