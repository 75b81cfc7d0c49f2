package dev.daskrelay.schemas.task;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.daskrelay.avro.v1.DaskScheduler;
import dev.daskrelay.avro.v1.DaskSpec;
import dev.daskrelay.avro.v1.DaskWorkerGroup;
import dev.daskrelay.avro.v1.EnvVar;
import dev.daskrelay.avro.v1.ExecutionIdentity;
import dev.daskrelay.avro.v1.LaunchDaskJob;
import dev.daskrelay.avro.v1.ResourceList;
import dev.daskrelay.avro.v1.Resources;
import dev.daskrelay.avro.v1.TaskCommand;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Turns the tree of a task file into a {@link TaskCommand}, collecting every structural problem (unknown key,
 * wrong type, unreadable duration) instead of stopping at the first. A field with a problem is left at its
 * default so that the rest can still be read and validated.
 */
final class TaskFileReader {

    /** A key of the file: its camelCase name and the snake_case spelling flytekit and Flyte's jsonpb also accept. */
    private record Key(String name, String alias) {
        static Key of(String name) {
            return new Key(name, null);
        }

        static Key of(String name, String alias) {
            return new Key(name, alias);
        }
    }

    private static final List<Key> ROOT = List.of(Key.of("taskId", "task_id"), Key.of("commandId", "command_id"),
            Key.of("execution"), Key.of("namespace"), Key.of("serviceAccount", "service_account"), Key.of("image"),
            Key.of("command"), Key.of("args"), Key.of("resources"), Key.of("env"), Key.of("labels"),
            Key.of("annotations"), Key.of("interruptible"), Key.of("timeout"), Key.of("dask"));
    private static final List<Key> EXECUTION = List.of(Key.of("project"), Key.of("domain"), Key.of("name"),
            Key.of("nodeId", "node_id"), Key.of("retryAttempt", "retry_attempt"));
    private static final List<Key> RESOURCES = List.of(Key.of("requests"), Key.of("limits"));
    private static final List<Key> RESOURCE_LIST = List.of(Key.of("cpu"), Key.of("memory"), Key.of("gpu"),
            Key.of("ephemeralStorage", "ephemeral_storage"));
    private static final List<Key> DASK = List.of(Key.of("scheduler"), Key.of("workers"));
    private static final List<Key> SCHEDULER = List.of(Key.of("image"), Key.of("resources"));
    private static final List<Key> WORKERS = List.of(Key.of("numberOfWorkers", "number_of_workers"), Key.of("image"),
            Key.of("resources"));
    private static final List<Key> ENV_ENTRY = List.of(Key.of("name"), Key.of("value"));

    private final List<Problem> problems = new ArrayList<>();

    List<Problem> problems() {
        return problems;
    }

    TaskCommand command(ObjectNode root, Instant issuedAt, Supplier<String> commandIds) {
        Map<String, JsonNode> f = fields(root, "", ROOT);
        ExecutionIdentity execution = execution(f.get("execution"));
        String taskId = text(f.get("taskId"), "taskId");
        if (taskId == null) {
            taskId = execution.getProject().isEmpty() || execution.getDomain().isEmpty()
                    || execution.getName().isEmpty() || execution.getNodeId().isEmpty()
                    ? "" : TaskId.derive(execution);
        }
        String commandId = text(f.get("commandId"), "commandId");
        if (commandId == null) {
            commandId = commandIds.get();
        }
        LaunchDaskJob launch = LaunchDaskJob.newBuilder()
                .setNamespace(text(f.get("namespace"), "namespace"))
                .setServiceAccount(text(f.get("serviceAccount"), "serviceAccount"))
                .setImage(text(f.get("image"), "image"))
                .setCommand(strings(f.get("command"), "command"))
                .setArgs(strings(f.get("args"), "args"))
                .setResources(resources(f.get("resources"), "resources"))
                .setEnv(env(f.get("env")))
                .setLabels(stringMap(f.get("labels"), "labels"))
                .setAnnotations(stringMap(f.get("annotations"), "annotations"))
                .setInterruptible(bool(f.get("interruptible"), "interruptible"))
                .setTimeoutSeconds(timeout(f.get("timeout")))
                .setDask(dask(f.get("dask")))
                .build();
        return TaskCommand.newBuilder()
                .setCommandId(commandId)
                .setTaskId(taskId)
                .setExecution(execution)
                .setIssuedAt(issuedAt)
                .setPayload(launch)
                .build();
    }

    private ExecutionIdentity execution(JsonNode node) {
        Map<String, JsonNode> f = fields(object(node, "execution"), "execution", EXECUTION);
        Integer retry = integer(f.get("retryAttempt"), "execution.retryAttempt");
        return ExecutionIdentity.newBuilder()
                .setProject(orEmpty(text(f.get("project"), "execution.project")))
                .setDomain(orEmpty(text(f.get("domain"), "execution.domain")))
                .setName(orEmpty(text(f.get("name"), "execution.name")))
                .setNodeId(orEmpty(text(f.get("nodeId"), "execution.nodeId")))
                .setRetryAttempt(retry == null ? 0 : retry)
                .build();
    }

    private Resources resources(JsonNode node, String path) {
        ObjectNode o = object(node, path);
        if (o == null) {
            return null;
        }
        Map<String, JsonNode> f = fields(o, path, RESOURCES);
        return new Resources(resourceList(f.get("requests"), path + ".requests"),
                resourceList(f.get("limits"), path + ".limits"));
    }

    private ResourceList resourceList(JsonNode node, String path) {
        ObjectNode o = object(node, path);
        if (o == null) {
            return null;
        }
        Map<String, JsonNode> f = fields(o, path, RESOURCE_LIST);
        return new ResourceList(text(f.get("cpu"), path + ".cpu"), text(f.get("memory"), path + ".memory"),
                text(f.get("gpu"), path + ".gpu"), text(f.get("ephemeralStorage"), path + ".ephemeralStorage"));
    }

    private DaskSpec dask(JsonNode node) {
        Map<String, JsonNode> f = fields(object(node, "dask"), "dask", DASK);
        Map<String, JsonNode> s = fields(object(f.get("scheduler"), "dask.scheduler"), "dask.scheduler", SCHEDULER);
        Map<String, JsonNode> w = fields(object(f.get("workers"), "dask.workers"), "dask.workers", WORKERS);
        Integer workers = integer(w.get("numberOfWorkers"), "dask.workers.numberOfWorkers");
        return new DaskSpec(
                new DaskScheduler(text(s.get("image"), "dask.scheduler.image"),
                        resources(s.get("resources"), "dask.scheduler.resources")),
                new DaskWorkerGroup(workers == null ? 1 : workers, text(w.get("image"), "dask.workers.image"),
                        resources(w.get("resources"), "dask.workers.resources")));
    }

    /** Env as a mapping (file order kept) or, for names a mapping cannot hold twice, a list of {name, value}. */
    private List<EnvVar> env(JsonNode node) {
        List<EnvVar> env = new ArrayList<>();
        if (absent(node)) {
            return env;
        }
        if (node.isObject()) {
            for (Map.Entry<String, String> e : stringMap(node, "env").entrySet()) {
                env.add(new EnvVar(e.getKey(), e.getValue()));
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                String path = "env[" + i + "]";
                ObjectNode entry = object(node.get(i), path);
                if (entry == null) {
                    problem(path, "must be a mapping with name and value (was null)");
                    continue;
                }
                Map<String, JsonNode> f = fields(entry, path, ENV_ENTRY);
                String name = text(f.get("name"), path + ".name");
                if (name == null) {
                    problem(path + ".name", "required");
                    continue;
                }
                String value = text(f.get("value"), path + ".value");
                env.add(new EnvVar(name, value == null ? "" : value));
            }
        } else {
            problem("env", "must be a mapping of names to values (was " + was(node) + ")");
        }
        return env;
    }

    private Long timeout(JsonNode node) {
        if (absent(node)) {
            return null;
        }
        if (!node.isTextual()) {
            problem("timeout", "must be " + DurationText.EXPECTED + " (was " + was(node) + ")");
            return null;
        }
        try {
            return DurationText.parse(node.asText()).getSeconds();
        } catch (IllegalArgumentException e) {
            problem("timeout", e.getMessage() + " (was " + was(node) + ")");
            return null;
        }
    }

    // ---- generic tree reading ----

    /** The known fields of a mapping by camelCase name; unknown and doubly given keys become problems. */
    private Map<String, JsonNode> fields(ObjectNode node, String path, List<Key> keys) {
        Map<String, JsonNode> result = new LinkedHashMap<>();
        if (node == null) {
            return result;
        }
        Map<String, String> spelledAs = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = node.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String given = e.getKey();
            Key key = keys.stream().filter(k -> k.name.equals(given) || given.equals(k.alias)).findFirst().orElse(null);
            String fieldPath = path.isEmpty() ? given : path + "." + given;
            if (key == null) {
                problem(fieldPath, "unknown key" + suggestion(given, keys));
                continue;
            }
            String before = spelledAs.putIfAbsent(key.name, given);
            if (before != null) {
                problem(path.isEmpty() ? key.name : path + "." + key.name,
                        "given twice (as " + before + " and " + given + ")");
                continue;
            }
            result.put(key.name, e.getValue());
        }
        return result;
    }

    /** flytekit spellings that are not simply snake_case of ours. */
    private static final Map<String, String> FLYTEKIT_NAMES = Map.of("mem", "memory", "storage", "ephemeralStorage");

    private static String suggestion(String given, List<Key> keys) {
        String flytekit = FLYTEKIT_NAMES.get(given);
        if (flytekit != null && keys.stream().anyMatch(k -> k.name.equals(flytekit))) {
            return " (did you mean " + flytekit + "?)";
        }
        String norm = normalise(given);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (Key k : keys) {
            int d = normalise(k.name).equals(norm) ? 0 : distance(given.toLowerCase(Locale.ROOT), k.name.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                bestDistance = d;
                best = k.name;
            }
        }
        StringBuilder known = new StringBuilder();
        for (Key k : keys) {
            known.append(known.length() == 0 ? "" : ", ").append(k.name);
        }
        if (best != null && bestDistance <= 2) {
            return " (did you mean " + best + "?)";
        }
        return " (known: " + known + ")";
    }

    private static String normalise(String s) {
        return s.replace("_", "").replace("-", "").toLowerCase(Locale.ROOT);
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    private ObjectNode object(JsonNode node, String path) {
        if (absent(node)) {
            return null;
        }
        if (!node.isObject()) {
            problem(path, "must be a mapping (was " + was(node) + ")");
            return null;
        }
        return (ObjectNode) node;
    }

    /** A scalar as text (numbers and booleans as written); null when absent. */
    private String text(JsonNode node, String path) {
        if (absent(node)) {
            return null;
        }
        if (node.isValueNode()) {
            return node.asText();
        }
        problem(path, "must be a single value (was " + was(node) + ")");
        return null;
    }

    private Integer integer(JsonNode node, String path) {
        if (absent(node)) {
            return null;
        }
        if (node.isIntegralNumber() && node.canConvertToInt()) {
            return node.intValue();
        }
        if (node.isTextual() && node.asText().matches("[-+]?[0-9]{1,9}")) {
            return Integer.parseInt(node.asText()); // a quoted integer, as proto3 JSON accepts
        }
        if (node.isIntegralNumber()) {
            problem(path, "must be an integer within 32 bits (was " + was(node) + ")");
        } else {
            problem(path, "must be an integer (was " + was(node) + ")");
        }
        return null;
    }

    private boolean bool(JsonNode node, String path) {
        if (absent(node)) {
            return false;
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        problem(path, "must be true or false (was " + was(node) + ")");
        return false;
    }

    private List<String> strings(JsonNode node, String path) {
        List<String> values = new ArrayList<>();
        if (absent(node)) {
            return values;
        }
        if (!node.isArray()) {
            problem(path, "must be a list of strings (was " + was(node) + ")");
            return values;
        }
        for (int i = 0; i < node.size(); i++) {
            JsonNode item = node.get(i);
            if (item.isNull()) {
                problem(path + "[" + i + "]", "must be a string (was null)");
            } else {
                String v = text(item, path + "[" + i + "]");
                if (v != null) {
                    values.add(v);
                }
            }
        }
        return values;
    }

    /** A mapping of strings in file order; a key without a value ({@code key:}) means the empty string. */
    private Map<String, String> stringMap(JsonNode node, String path) {
        Map<String, String> values = new LinkedHashMap<>();
        if (absent(node)) {
            return values;
        }
        if (!node.isObject()) {
            problem(path, "must be a mapping of strings (was " + was(node) + ")");
            return values;
        }
        Iterator<Map.Entry<String, JsonNode>> it = node.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            if (v == null || v.isNull()) {
                values.put(e.getKey(), "");
            } else {
                String text = text(v, path + "[" + TaskValidator.quote(e.getKey()) + "]");
                if (text != null) {
                    values.put(e.getKey(), text);
                }
            }
        }
        return values;
    }

    private static boolean absent(JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode();
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    /** How a wrong value is shown after "was". */
    static String was(JsonNode node) {
        if (node.isObject()) {
            return "a mapping";
        }
        if (node.isArray()) {
            return "a list";
        }
        if (node.isTextual()) {
            return TaskValidator.quote(node.asText());
        }
        return node.asText();
    }

    private void problem(String path, String message) {
        problems.add(new Problem(path, message));
    }
}
