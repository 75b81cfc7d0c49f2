package dev.daskrelay.submitter.sdk;

import dev.daskrelay.avro.v1.EnvVar;
import dev.daskrelay.avro.v1.ExecutionIdentity;
import dev.daskrelay.avro.v1.LaunchDaskJob;
import dev.daskrelay.avro.v1.TaskCommand;
import dev.daskrelay.schemas.config.PlatformConfig;
import dev.daskrelay.schemas.task.InvalidTaskException;
import dev.daskrelay.schemas.task.TaskId;
import dev.daskrelay.schemas.task.TaskValidator;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * A Dask task as code: the same content as a task file (docs/TASK-FILES.md), in flytekit's vocabulary.
 *
 * <pre>{@code
 * TaskCommand launch = DaskTask.builder()
 *         .execution("flytesnacks", "development", "a1b2c3", "n0", 0)
 *         .image("ghcr.io/example/dask-app:1.4")
 *         .args("python", "-m", "app.main")
 *         .requests(Resources.of("2", "8G"))
 *         .limits(Resources.of("8", "17G"))
 *         .env("FOO", "bar")
 *         .label("team", "data")
 *         .timeout(Duration.ofHours(2))
 *         .dask(Dask.of(Scheduler.DEFAULT.withLimits(Resources.of("1", "2Gi")),
 *                       WorkerGroup.of(10).withLimits(Resources.of("4", "10Gi"))))
 *         .build(platform, Clock.systemUTC());
 * }</pre>
 *
 * {@link Builder#build} runs {@link TaskValidator} - the one validation the task-file loader and the translator
 * use too - and throws {@link InvalidTaskException} listing every problem with its task-file field path.
 */
public final class DaskTask {

    private DaskTask() {
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Collects the fields of one launch; not thread-safe, reusable (each build gets a fresh command id unless set). */
    public static final class Builder {
        private String taskId;
        private String commandId;
        private ExecutionIdentity execution;
        private String issuedBy;
        private String namespace;
        private String serviceAccount;
        private String image;
        private final List<String> command = new ArrayList<>();
        private final List<String> args = new ArrayList<>();
        private Resources requests;
        private Resources limits;
        private final List<EnvVar> env = new ArrayList<>();
        private final Map<String, String> labels = new LinkedHashMap<>();
        private final Map<String, String> annotations = new LinkedHashMap<>();
        private boolean interruptible;
        private Duration timeout;
        private Dask dask = Dask.DEFAULT;

        private Builder() {
        }

        /** Flyte's identity of the task attempt; the task id is derived from it unless {@link #taskId} is set. */
        public Builder execution(String project, String domain, String name, String nodeId, int retryAttempt) {
            this.execution = new ExecutionIdentity(project, domain, name, nodeId, retryAttempt);
            return this;
        }

        public Builder taskId(String value) {
            this.taskId = value;
            return this;
        }

        /** Re-submitting a command with the same id is idempotent; default: a random UUID per build. */
        public Builder commandId(String value) {
            this.commandId = value;
            return this;
        }

        public Builder issuedBy(String value) {
            this.issuedBy = value;
            return this;
        }

        public Builder namespace(String value) {
            this.namespace = value;
            return this;
        }

        public Builder serviceAccount(String value) {
            this.serviceAccount = value;
            return this;
        }

        public Builder image(String value) {
            this.image = value;
            return this;
        }

        public Builder command(String... values) {
            command.clear();
            command.addAll(List.of(values));
            return this;
        }

        public Builder args(String... values) {
            args.clear();
            args.addAll(List.of(values));
            return this;
        }

        /** Task-level requests: the job-runner always, scheduler and workers unless they set their own. */
        public Builder requests(Resources value) {
            this.requests = value;
            return this;
        }

        /** Task-level limits. */
        public Builder limits(Resources value) {
            this.limits = value;
            return this;
        }

        /** Adds an environment variable to all components; order is kept. */
        public Builder env(String name, String value) {
            env.add(new EnvVar(name, value));
            return this;
        }

        public Builder label(String key, String value) {
            labels.put(key, value);
            return this;
        }

        public Builder annotation(String key, String value) {
            annotations.put(key, value);
            return this;
        }

        /** true: the workers get the platform's interruptible placement. */
        public Builder interruptible(boolean value) {
            this.interruptible = value;
            return this;
        }

        /** Task deadline, whole seconds; null = none. */
        public Builder timeout(Duration value) {
            this.timeout = value;
            return this;
        }

        public Builder dask(Dask value) {
            this.dask = Objects.requireNonNullElse(value, Dask.DEFAULT);
            return this;
        }

        /**
         * The launch command, validated against the platform.
         *
         * @throws InvalidTaskException every problem, with task-file field paths
         */
        public TaskCommand build(PlatformConfig platform, Clock clock) {
            TaskCommand c = unvalidated(clock);
            TaskValidator.validate(c, platform).throwIfInvalid();
            return c;
        }

        /** {@link #build(PlatformConfig, Clock)} with the platform defaults and the system clock. */
        public TaskCommand build() {
            return build(PlatformConfig.defaults(), Clock.systemUTC());
        }

        /** The command exactly as given, before validation (what a task file reads into). */
        TaskCommand unvalidated(Clock clock) {
            ExecutionIdentity exec = execution == null ? new ExecutionIdentity("", "", "", "", 0) : execution;
            String id = taskId;
            if (id == null) {
                id = exec.getProject().isEmpty() || exec.getDomain().isEmpty() || exec.getName().isEmpty()
                        || exec.getNodeId().isEmpty() ? "" : TaskId.derive(exec);
            }
            LaunchDaskJob launch = LaunchDaskJob.newBuilder()
                    .setNamespace(namespace)
                    .setServiceAccount(serviceAccount)
                    .setImage(image)
                    .setCommand(List.copyOf(command))
                    .setArgs(List.copyOf(args))
                    .setResources(Resources.toAvro(requests, limits))
                    .setEnv(List.copyOf(env))
                    .setLabels(new LinkedHashMap<>(labels))
                    .setAnnotations(new LinkedHashMap<>(annotations))
                    .setInterruptible(interruptible)
                    .setTimeoutSeconds(timeout == null ? null : timeout.toSeconds())
                    .setDask(dask.toAvro())
                    .build();
            return TaskCommand.newBuilder()
                    .setCommandId(commandId != null ? commandId : UUID.randomUUID().toString())
                    .setTaskId(id)
                    .setExecution(ExecutionIdentity.newBuilder(exec).build())
                    .setIssuedAt(clock.instant().truncatedTo(ChronoUnit.MILLIS)) // what the Avro timestamp-millis field keeps
                    .setIssuedBy(issuedBy)
                    .setPayload(launch)
                    .build();
        }
    }
}
