package dev.daskrelay.schemas.task;

import static dev.daskrelay.schemas.task.TaskBounds.ABORT_REASON_MAX_BYTES;
import static dev.daskrelay.schemas.task.TaskBounds.ANNOTATIONS_MAX;
import static dev.daskrelay.schemas.task.TaskBounds.ARGS_ENTRIES_MAX;
import static dev.daskrelay.schemas.task.TaskBounds.ARG_MAX_BYTES;
import static dev.daskrelay.schemas.task.TaskBounds.COMMAND_ENTRIES_MAX;
import static dev.daskrelay.schemas.task.TaskBounds.COMMAND_ID_MAX;
import static dev.daskrelay.schemas.task.TaskBounds.COMMAND_MAX_BYTES;
import static dev.daskrelay.schemas.task.TaskBounds.ENV_ENTRIES_MAX;
import static dev.daskrelay.schemas.task.TaskBounds.ENV_VALUE_MAX_BYTES;
import static dev.daskrelay.schemas.task.TaskBounds.IDENTITY_PART_MAX;
import static dev.daskrelay.schemas.task.TaskBounds.IMAGE_MAX;
import static dev.daskrelay.schemas.task.TaskBounds.ISSUED_BY_MAX;
import static dev.daskrelay.schemas.task.TaskBounds.LABELS_MAX;

import dev.daskrelay.avro.v1.AbortDaskJob;
import dev.daskrelay.avro.v1.DaskScheduler;
import dev.daskrelay.avro.v1.DaskSpec;
import dev.daskrelay.avro.v1.DaskWorkerGroup;
import dev.daskrelay.avro.v1.EnvVar;
import dev.daskrelay.avro.v1.ExecutionIdentity;
import dev.daskrelay.avro.v1.LaunchDaskJob;
import dev.daskrelay.avro.v1.ResourceList;
import dev.daskrelay.avro.v1.Resources;
import dev.daskrelay.avro.v1.TaskCommand;
import dev.daskrelay.schemas.config.PlatformConfig;
import dev.daskrelay.schemas.quantity.Quantity;
import dev.daskrelay.schemas.quantity.QuantityFormatException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * The one validation of a command, used by the task-file loader, the SDK and the translator alike. Pure: the
 * command and the platform configuration in, every problem out (never only the first). Paths use task-file
 * spelling (docs/TASK-FILES.md); the Avro field {@code timeoutSeconds} is reported as {@code timeout}.
 * The rules and bounds are listed in docs/TASK-FILES.md.
 */
public final class TaskValidator {

    private static final Pattern COMMAND_ID = Pattern.compile("[A-Za-z0-9._:-]+");
    private static final Pattern IDENTITY_PART = Pattern.compile("[A-Za-z0-9._-]+");
    private static final Pattern NO_SPACE_OR_CONTROL = Pattern.compile("[^\\s\\p{Cntrl}]+");

    /** Datum writers keep no per-write state; one serves every thread. */
    private static final SpecificDatumWriter<TaskCommand> COMMAND_WRITER = new SpecificDatumWriter<>(TaskCommand.class);

    private final PlatformConfig platform;
    private final List<Problem> problems = new ArrayList<>();

    private TaskValidator(PlatformConfig platform) {
        this.platform = platform;
    }

    /** Every problem of a launch or abort command under the given platform configuration. */
    public static ValidationResult validate(TaskCommand command, PlatformConfig platform) {
        TaskValidator v = new TaskValidator(platform);
        v.command(command);
        return new ValidationResult(v.problems);
    }

    private void command(TaskCommand c) {
        String commandId = c.getCommandId();
        if (commandId == null || commandId.isEmpty()) {
            add("commandId", "must not be empty");
        } else {
            if (commandId.length() > COMMAND_ID_MAX) {
                add("commandId", "must be no more than " + COMMAND_ID_MAX + " characters (was " + commandId.length() + ")");
            }
            if (!COMMAND_ID.matcher(commandId).matches()) {
                add("commandId", "must consist of letters, digits, '.', '_', ':' or '-' (was " + quote(commandId) + ")");
            }
        }
        boolean executionValid = execution(c.getExecution());
        taskId(c.getTaskId(), c.getExecution(), executionValid);
        if (c.getIssuedBy() != null && c.getIssuedBy().length() > ISSUED_BY_MAX) {
            add("issuedBy", "must be no more than " + ISSUED_BY_MAX + " characters (was " + c.getIssuedBy().length() + ")");
        }
        Object payload = c.getPayload();
        if (payload instanceof LaunchDaskJob launch) {
            launch(launch);
        } else if (payload instanceof AbortDaskJob abort) {
            if (abort.getReason() != null && utf8(abort.getReason()) > ABORT_REASON_MAX_BYTES) {
                add("reason", "must be no more than " + ABORT_REASON_MAX_BYTES + " bytes (was " + utf8(abort.getReason()) + ")");
            }
        } else {
            add("payload", "must be a launch or an abort (was " + (payload == null ? "null" : payload.getClass().getSimpleName()) + ")");
        }
        int size = encodedSize(c);
        if (size > COMMAND_MAX_BYTES) {
            add(Problem.DOCUMENT, "the command must be no more than " + COMMAND_MAX_BYTES + " bytes encoded (was " + size + ")");
        }
    }

    private boolean execution(ExecutionIdentity e) {
        if (e == null) {
            add("execution", "required");
            return false;
        }
        boolean complete = identityPart("execution.project", e.getProject());
        complete &= identityPart("execution.domain", e.getDomain());
        complete &= identityPart("execution.name", e.getName());
        complete &= identityPart("execution.nodeId", e.getNodeId());
        if (e.getRetryAttempt() < 0) {
            add("execution.retryAttempt", "must be >= 0 (was " + e.getRetryAttempt() + ")");
            complete = false;
        }
        return complete;
    }

    private boolean identityPart(String path, String value) {
        if (value == null || value.isEmpty()) {
            add(path, "required");
            return false;
        }
        boolean ok = true;
        if (value.length() > IDENTITY_PART_MAX) {
            add(path, "must be no more than " + IDENTITY_PART_MAX + " characters (was " + value.length() + ")");
            ok = false;
        }
        if (!IDENTITY_PART.matcher(value).matches()) {
            add(path, "must consist of letters, digits, '.', '_' or '-' (was " + quote(value) + ")");
            ok = false;
        }
        return ok;
    }

    private void taskId(String taskId, ExecutionIdentity execution, boolean executionValid) {
        if (taskId == null || taskId.isEmpty()) {
            // a task file without taskId and with an incomplete execution: the execution problems say it all
            if (executionValid) {
                add("taskId", "must not be empty");
            }
            return;
        }
        if (!executionValid && execution != null && taskId.equals(TaskId.derive(execution))) {
            return; // derived from a faulty execution: the execution problems say it all
        }
        if (taskId.length() > TaskId.MAX_LENGTH) {
            add("taskId", "must be no more than " + TaskId.MAX_LENGTH + " characters (was " + taskId.length() + ")");
        }
        if (!TaskId.PATTERN.matcher(taskId).matches()) {
            add("taskId", "must consist of letters, digits, '.', '_' or '-', starting with a letter or digit (was "
                    + quote(taskId) + ")");
        }
    }

    private void launch(LaunchDaskJob l) {
        namespace(l.getNamespace());
        serviceAccount(l.getServiceAccount());
        String taskImage = l.getImage();
        if (taskImage == null) {
            if (platform.image() == null) {
                add("image", "required: the platform has no default image");
            }
        } else {
            image("image", taskImage);
        }
        strings("command", orEmpty(l.getCommand()), COMMAND_ENTRIES_MAX);
        strings("args", orEmpty(l.getArgs()), ARGS_ENTRIES_MAX);
        resources("resources", l.getResources());
        env(orEmpty(l.getEnv()));
        labels(l.getLabels() == null ? Map.of() : l.getLabels());
        annotations(l.getAnnotations() == null ? Map.of() : l.getAnnotations());
        Long timeout = l.getTimeoutSeconds();
        if (timeout != null && timeout <= 0) {
            add("timeout", "must be > 0 (was " + DurationText.format(timeout) + ")");
        }
        dask(l.getDask());
    }

    private void namespace(String ns) {
        if (ns == null) {
            return;
        }
        List<String> errors = KubernetesNames.dns1123Label(ns);
        for (String e : errors) {
            add("namespace", e + " (was " + quote(ns) + ")");
        }
        if (errors.isEmpty() && !platform.allowedNamespaces().contains(ns)) {
            add("namespace", "not allowed by the platform (allowed: " + String.join(", ", platform.allowedNamespaces())
                    + ") (was " + quote(ns) + ")");
        }
    }

    private void serviceAccount(String sa) {
        if (sa == null) {
            return;
        }
        List<String> errors = KubernetesNames.dns1123Subdomain(sa);
        for (String e : errors) {
            add("serviceAccount", e + " (was " + quote(sa) + ")");
        }
        if (errors.isEmpty() && !platform.allowedServiceAccounts().contains(sa)) {
            add("serviceAccount", "not allowed by the platform (allowed: "
                    + String.join(", ", platform.allowedServiceAccounts()) + ") (was " + quote(sa) + ")");
        }
    }

    private void image(String path, String image) {
        if (image.isBlank()) {
            add(path, "must not be blank (leave it out to use the default)");
            return;
        }
        if (image.length() > IMAGE_MAX) {
            add(path, "must be no more than " + IMAGE_MAX + " characters (was " + image.length() + ")");
            return;
        }
        if (!NO_SPACE_OR_CONTROL.matcher(image).matches()) {
            add(path, "must not contain spaces or control characters (was " + quote(image) + ")");
            return;
        }
        Optional<String> syntax = ImageReference.problem(image);
        if (syntax.isPresent()) {
            add(path, "not a valid image reference: " + syntax.get() + " (was " + quote(image) + ")");
            return;
        }
        if (!platform.imageAllowed(image)) {
            add(path, "not allowed by the platform (allowed: " + String.join(", ", platform.allowedImages())
                    + ") (was " + quote(image) + ")");
        }
    }

    private void strings(String path, List<String> values, int maxEntries) {
        if (values.size() > maxEntries) {
            add(path, "must have no more than " + maxEntries + " entries (was " + values.size() + ")");
        }
        for (int i = 0; i < values.size(); i++) {
            String v = values.get(i);
            if (utf8(v) > ARG_MAX_BYTES) {
                add(path + "[" + i + "]", "must be no more than " + ARG_MAX_BYTES + " bytes (was " + utf8(v) + ")");
            }
            if (v.indexOf('\0') >= 0) {
                add(path + "[" + i + "]", "must not contain NUL characters");
            }
        }
    }

    private void resources(String path, Resources r) {
        if (r == null) {
            return;
        }
        resourceList(path + ".requests", r.getRequests());
        resourceList(path + ".limits", r.getLimits());
    }

    private void resourceList(String path, ResourceList list) {
        if (list == null) {
            return;
        }
        quantity(path + ".cpu", list.getCpu(), false);
        quantity(path + ".memory", list.getMemory(), false);
        quantity(path + ".gpu", list.getGpu(), true);
        quantity(path + ".ephemeralStorage", list.getEphemeralStorage(), false);
    }

    private void quantity(String path, String text, boolean whole) {
        if (text == null) {
            return;
        }
        Quantity q;
        try {
            q = Quantity.parse(text);
        } catch (QuantityFormatException e) {
            add(path, "not a Kubernetes quantity, e.g. 500m, 2, 1.5, 8Gi or 8G (was " + quote(text) + ")");
            return;
        }
        if (q.isNegative()) {
            add(path, "must not be negative (was " + quote(text) + ")");
            return;
        }
        try {
            q.ceilValue();
        } catch (ArithmeticException e) {
            add(path, "too large (was " + quote(text) + ")");
            return;
        }
        if (whole && q.value().stripTrailingZeros().scale() > 0) {
            add(path, "must be a whole number (was " + quote(text) + ")");
        }
    }

    private void env(List<EnvVar> env) {
        if (env.size() > ENV_ENTRIES_MAX) {
            add("env", "must have no more than " + ENV_ENTRIES_MAX + " entries (was " + env.size() + ")");
        }
        Set<String> seen = new HashSet<>();
        for (EnvVar var : env) {
            String name = var.getName() == null ? "" : var.getName();
            String value = var.getValue() == null ? "" : var.getValue();
            String path = "env[" + quote(name) + "]";
            if (name.isEmpty()) {
                add(path, "name must not be empty");
            } else {
                for (String e : KubernetesNames.envVarName(name)) {
                    add(path, "name " + e);
                }
            }
            if (!seen.add(name)) {
                add(path, "given more than once");
            }
            if (utf8(value) > ENV_VALUE_MAX_BYTES) {
                add(path, "value must be no more than " + ENV_VALUE_MAX_BYTES + " bytes (was " + utf8(value) + ")");
            }
        }
    }

    private void labels(Map<String, String> labels) {
        if (labels.size() > LABELS_MAX) {
            add("labels", "must have no more than " + LABELS_MAX + " entries (was " + labels.size() + ")");
        }
        for (Map.Entry<String, String> e : new TreeMap<>(labels).entrySet()) {
            String path = "labels[" + quote(e.getKey()) + "]";
            key(path, e.getKey());
            for (String err : KubernetesNames.labelValue(e.getValue() == null ? "" : e.getValue())) {
                add(path, "value " + err + " (was " + quote(e.getValue()) + ")");
            }
        }
    }

    private void annotations(Map<String, String> annotations) {
        if (annotations.size() > ANNOTATIONS_MAX) {
            add("annotations", "must have no more than " + ANNOTATIONS_MAX + " entries (was " + annotations.size() + ")");
        }
        long total = 0;
        for (Map.Entry<String, String> e : new TreeMap<>(annotations).entrySet()) {
            key("annotations[" + quote(e.getKey()) + "]", e.getKey());
            total += utf8(e.getKey()) + (e.getValue() == null ? 0 : utf8(e.getValue()));
        }
        if (total > KubernetesNames.ANNOTATIONS_TOTAL_MAX_BYTES) {
            add("annotations", "keys and values must total no more than " + KubernetesNames.ANNOTATIONS_TOTAL_MAX_BYTES
                    + " bytes (was " + total + ")");
        }
    }

    private void key(String path, String key) {
        List<String> errors = KubernetesNames.qualifiedName(key);
        for (String err : errors) {
            add(path, "key " + err);
        }
        KubernetesNames.reservedPrefix(key).ifPresent(prefix ->
                add(path, "key prefix " + prefix + "/ is reserved for daskrelay, the Dask operator and Kubernetes"));
    }

    private void dask(DaskSpec dask) {
        if (dask == null) {
            add("dask", "required");
            return;
        }
        DaskScheduler scheduler = dask.getScheduler();
        if (scheduler != null) {
            if (scheduler.getImage() != null) {
                image("dask.scheduler.image", scheduler.getImage());
            }
            resources("dask.scheduler.resources", scheduler.getResources());
        }
        DaskWorkerGroup workers = dask.getWorkers();
        if (workers == null) {
            add("dask.workers", "required");
            return;
        }
        int n = workers.getNumberOfWorkers();
        if (n < 1) {
            add("dask.workers.numberOfWorkers", "must be >= 1 (was " + n + ")");
        } else if (n > platform.maxWorkers()) {
            add("dask.workers.numberOfWorkers", "must be <= " + platform.maxWorkers() + ", the platform's maxWorkers (was " + n + ")");
        }
        if (workers.getImage() != null) {
            image("dask.workers.image", workers.getImage());
        }
        resources("dask.workers.resources", workers.getResources());
    }

    /** Avro never decodes a null list, but a hand-built record may hold one. */
    private static <T> List<T> orEmpty(List<T> list) {
        return list == null ? List.of() : list;
    }

    private void add(String path, String message) {
        problems.add(new Problem(path, message));
    }

    private static int utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    /** The Avro binary size; -1 when the record cannot be encoded (a required field is null: reported elsewhere). */
    private static int encodedSize(TaskCommand c) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
            COMMAND_WRITER.write(c, encoder);
            encoder.flush();
            return out.size();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /** A value as it appears after "was": JSON-quoted, long values shortened. */
    static String quote(String s) {
        if (s == null) {
            return "null";
        }
        String shown = s.length() > 80 ? s.substring(0, 80) + "…" : s;
        StringBuilder sb = new StringBuilder("\"");
        for (char ch : shown.toCharArray()) {
            switch (ch) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\r' -> sb.append("\\r");
                default -> {
                    if (ch < 0x20) {
                        sb.append(String.format("\\u%04x", (int) ch));
                    } else {
                        sb.append(ch);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
