package dev.daskrelay.translator.render;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.daskrelay.avro.v1.DaskScheduler;
import dev.daskrelay.avro.v1.DaskSpec;
import dev.daskrelay.avro.v1.DaskWorkerGroup;
import dev.daskrelay.avro.v1.EnvVar;
import dev.daskrelay.avro.v1.ExecutionIdentity;
import dev.daskrelay.avro.v1.LaunchDaskJob;
import dev.daskrelay.avro.v1.TaskCommand;
import dev.daskrelay.schemas.KubernetesLabels;
import dev.daskrelay.schemas.config.Installation;
import dev.daskrelay.schemas.config.PlatformConfig;
import dev.daskrelay.schemas.quantity.Quantity;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Renders a task launch to a {@code kubernetes.dask.org/v1} {@code DaskJob} with Flyte's Dask-plugin rules
 * (every rule and its source in docs/RENDERING.md). Pure: no clock, no I/O, no logging;
 * the same input always gives a byte-identical manifest. Build one renderer per platform configuration and
 * installation (whose id every DaskJob carries as the label {@value KubernetesLabels#INSTALLATION}) and call
 * {@link #render(String, ExecutionIdentity, LaunchDaskJob)} for every task; it is thread-safe.
 *
 * <p>Render refuses rather than substitutes: a namespace, service account or image the platform does not allow,
 * a missing image, an unparsable quantity, a worker count out of range, a non-positive timeout or a task label
 * or annotation in daskrelay's reserved space is reported as a {@link RenderProblem} naming the task-file field.
 */
public final class DaskJobRenderer {

    public static final String API_VERSION = "kubernetes.dask.org/v1";
    public static final String KIND = "DaskJob";

    public static final String JOB_RUNNER_CONTAINER = "job-runner";
    public static final String SCHEDULER_CONTAINER = "scheduler";
    public static final String WORKER_CONTAINER = "dask-worker";
    public static final int SCHEDULER_COMM_PORT = 8786;
    public static final int SCHEDULER_DASHBOARD_PORT = 8787;
    public static final String COMM_PORT_NAME = "tcp-comm";
    public static final String DASHBOARD_PORT_NAME = "dashboard";

    // daskrelay's own label and annotation keys are KubernetesLabels' (one place, which the watcher reads too)

    private static final String[] HASH_SKIP_PATH = {"metadata", "annotations"};
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final ObjectMapper MODEL_MAPPER = new ObjectMapper();

    private final PlatformConfig platform;
    private final Installation installation;
    private final ResourceResolver resources;
    private final SortedMap<String, String> platformLabels;
    private final SortedMap<String, String> platformAnnotations;
    private final SortedMap<String, String> platformEnv;
    private final ArrayNode defaultTolerations;
    private final ArrayNode interruptibleWorkerTolerations;
    private final ObjectNode defaultNodeSelector;
    private final ObjectNode interruptibleWorkerNodeSelector;
    private final ObjectNode nonInterruptibleAffinity;
    private final ObjectNode interruptibleAffinity;
    private final ArrayNode schedulerArgs;
    private final boolean legacyCli;

    /**
     * @throws IllegalArgumentException when the platform section itself is unusable (an invalid quantity, a
     *     label or annotation in daskrelay's reserved space); the message starts with the {@code platform.*} path
     */
    public DaskJobRenderer(PlatformConfig platform, Installation installation) {
        this.platform = Objects.requireNonNull(platform, "platform");
        this.installation = Objects.requireNonNull(installation, "installation");
        this.resources = new ResourceResolver(platform);
        this.platformLabels = new TreeMap<>(platform.labels());
        this.platformAnnotations = new TreeMap<>(platform.annotations());
        requireUnreserved(platformLabels, "platform.labels");
        requireUnreserved(platformAnnotations, "platform.annotations");
        this.platformEnv = new TreeMap<>(platform.env());
        this.defaultTolerations = MODEL_MAPPER.valueToTree(platform.tolerations());
        ArrayNode workerTolerations = NODES.arrayNode();
        // Flyte's order: interruptible tolerations, then the default ones.
        workerTolerations.addAll((ArrayNode) MODEL_MAPPER.valueToTree(platform.interruptible().tolerations()));
        workerTolerations.addAll(defaultTolerations.deepCopy());
        this.interruptibleWorkerTolerations = workerTolerations;
        this.defaultNodeSelector = stringMap(new TreeMap<>(platform.nodeSelector()));
        TreeMap<String, String> interruptibleSelector = new TreeMap<>(platform.nodeSelector());
        interruptibleSelector.putAll(platform.interruptible().nodeSelector()); // interruptible keys win
        this.interruptibleWorkerNodeSelector = stringMap(interruptibleSelector);
        this.nonInterruptibleAffinity = requiredAffinity(platform.nonInterruptible().nodeSelectorRequirement());
        this.interruptibleAffinity = requiredAffinity(platform.interruptible().nodeSelectorRequirement());
        this.legacyCli = platform.dask().cli() == PlatformConfig.DaskCli.legacy;
        this.schedulerArgs = legacyCli ? strings(List.of("dask-scheduler")) : strings(List.of("dask", "scheduler"));
    }

    /** Convenience for one-off renders; build a {@link DaskJobRenderer} once when rendering many tasks. */
    public static RenderResult render(String taskId, ExecutionIdentity execution, LaunchDaskJob launch,
                                      PlatformConfig platform, Installation installation) {
        return new DaskJobRenderer(platform, installation).render(taskId, execution, launch);
    }

    /** Renders the launch of a {@link TaskCommand}; an abort command is a programming error. */
    public RenderResult render(TaskCommand command) {
        if (!(command.getPayload() instanceof LaunchDaskJob launch)) {
            throw new IllegalArgumentException("not a launch command: " + command.getCommandId());
        }
        return render(command.getTaskId(), command.getExecution(), launch);
    }

    /**
     * Renders one task attempt.
     *
     * @param taskId the task id (the Kafka key); names the DaskJob deterministically
     * @param execution the attempt's identity, recorded in an annotation
     * @param launch what the task asks for
     * @return the DaskJob, or every problem found (not just the first)
     */
    public RenderResult render(String taskId, ExecutionIdentity execution, LaunchDaskJob launch) {
        Objects.requireNonNull(launch, "launch");
        List<RenderProblem> problems = new ArrayList<>();
        if (taskId == null || taskId.isBlank()) {
            problems.add(new RenderProblem("taskId", "must not be empty"));
        }
        String namespace = allowedOrProblem("namespace", blankToNull(launch.getNamespace()), platform.namespace(),
                platform.allowedNamespaces(), problems);
        String serviceAccount = allowedOrProblem("serviceAccount", blankToNull(launch.getServiceAccount()),
                platform.serviceAccount(), platform.allowedServiceAccounts(), problems);

        String taskImage = blankToNull(launch.getImage());
        if (taskImage == null) {
            taskImage = platform.image();
        }
        if (taskImage == null) {
            problems.add(new RenderProblem("image", "required: the platform has no default image"));
        } else {
            checkImage("image", taskImage, problems);
        }
        DaskSpec dask = launch.getDask();
        if (dask == null) {
            problems.add(new RenderProblem("dask", "required"));
            return new RenderResult.Rejected(problems);
        }
        DaskScheduler scheduler = dask.getScheduler();
        DaskWorkerGroup workers = dask.getWorkers();
        String schedulerImage = scheduler == null ? null : blankToNull(scheduler.getImage());
        if (schedulerImage != null) {
            checkImage("dask.scheduler.image", schedulerImage, problems);
        } else {
            schedulerImage = taskImage;
        }
        String workerImage = workers == null ? null : blankToNull(workers.getImage());
        if (workerImage != null) {
            checkImage("dask.workers.image", workerImage, problems);
        } else {
            workerImage = taskImage;
        }
        int replicas = workers == null ? 1 : workers.getNumberOfWorkers();
        if (replicas < 1) {
            problems.add(new RenderProblem("dask.workers.numberOfWorkers", "must be >= 1 (was " + replicas + ")"));
        } else if (replicas > platform.maxWorkers()) {
            problems.add(new RenderProblem("dask.workers.numberOfWorkers",
                    "must be <= " + platform.maxWorkers() + ", the platform's maxWorkers (was " + replicas + ")"));
        }
        Long timeout = launch.getTimeoutSeconds();
        if (timeout != null && timeout <= 0) {
            problems.add(new RenderProblem("timeout", "must be > 0 (was " + timeout + "s)"));
        }
        Map<String, String> taskLabels = orEmpty(launch.getLabels());
        Map<String, String> taskAnnotations = orEmpty(launch.getAnnotations());
        checkUnreserved(taskLabels, "labels", problems);
        checkUnreserved(taskAnnotations, "annotations", problems);

        // Resources: task level for the runner always; a component's own when it has any entry (docs/RENDERING.md).
        ResolvedResources taskLevel = resources.resolve(launch.getResources(), "resources", problems);
        ResolvedResources schedulerResources = scheduler != null && ResourceResolver.hasAnyEntry(scheduler.getResources())
                ? resources.resolve(scheduler.getResources(), "dask.scheduler.resources", problems)
                : taskLevel;
        ResolvedResources workerResources = workers != null && ResourceResolver.hasAnyEntry(workers.getResources())
                ? resources.resolve(workers.getResources(), "dask.workers.resources", problems)
                : taskLevel;

        if (!problems.isEmpty()) {
            return new RenderResult.Rejected(problems);
        }

        String name = DaskJobNames.nameOf(taskId);
        ArrayNode env = env(launch.getEnv() == null ? List.of() : launch.getEnv());

        ObjectNode manifest = NODES.objectNode();
        manifest.put("apiVersion", API_VERSION);
        manifest.put("kind", KIND);
        ObjectNode metadata = manifest.putObject("metadata");
        metadata.put("name", name);
        metadata.put("namespace", namespace);
        metadata.set("labels", labels(taskId, taskLabels));
        ObjectNode annotations = annotations(taskId, execution, taskAnnotations);
        metadata.set("annotations", annotations);

        ObjectNode spec = manifest.putObject("spec");
        // spec.job: the job-runner pod, never interruptible; no spec.job.metadata (Flyte sets none).
        ObjectNode runner = container(JOB_RUNNER_CONTAINER, taskImage, strings(orEmpty(launch.getCommand())),
                strings(orEmpty(launch.getArgs())), null, env, taskLevel);
        spec.putObject("job").set("spec", podSpec("Never", serviceAccount, timeout, runner,
                defaultNodeSelector, defaultTolerations, nonInterruptibleAffinity));

        // spec.cluster: no metadata (not in the CRD schema; the API server would prune it), no idleTimeout.
        ObjectNode clusterSpec = spec.putObject("cluster").putObject("spec");
        ObjectNode schedulerNode = clusterSpec.putObject("scheduler");
        ObjectNode schedulerContainer = container(SCHEDULER_CONTAINER, schedulerImage, null, schedulerArgs,
                schedulerPorts(), env, schedulerResources);
        schedulerNode.set("spec", podSpec("Always", serviceAccount, null, schedulerContainer,
                defaultNodeSelector, defaultTolerations, nonInterruptibleAffinity));
        schedulerNode.set("service", schedulerService(name));

        ObjectNode workerNode = clusterSpec.putObject("worker");
        workerNode.put("replicas", replicas);
        ObjectNode workerContainer = container(WORKER_CONTAINER, workerImage, null, workerArgs(workerResources),
                null, env, workerResources);
        boolean interruptible = launch.getInterruptible();
        workerNode.set("spec", podSpec("Always", serviceAccount, null, workerContainer,
                interruptible ? interruptibleWorkerNodeSelector : defaultNodeSelector,
                interruptible ? interruptibleWorkerTolerations : defaultTolerations,
                interruptible ? interruptibleAffinity : nonInterruptibleAffinity));

        String specHash = specHash(manifest);
        annotations.put(KubernetesLabels.SPEC_HASH, specHash); // replaces the placeholder, keeping its place
        return new RenderResult.Rendered(new RenderedDaskJob(name, namespace, manifest, specHash));
    }

    /** The spec hash of a manifest: SHA-256 of its canonical JSON without the spec-hash annotation. */
    public static String specHash(JsonNode manifest) {
        return CanonicalJson.sha256(manifest, HASH_SKIP_PATH, KubernetesLabels.SPEC_HASH);
    }

    private ObjectNode labels(String taskId, Map<String, String> taskLabels) {
        TreeMap<String, String> labels = new TreeMap<>(platformLabels);
        labels.putAll(taskLabels); // the task's own win
        labels.put(KubernetesLabels.MANAGED_BY, KubernetesLabels.MANAGED_BY_VALUE);
        labels.put(KubernetesLabels.INSTALLATION, installation.id());
        labels.put(KubernetesLabels.TASK, DaskJobNames.taskLabelValue(taskId));
        return stringMap(labels);
    }

    private ObjectNode annotations(String taskId, ExecutionIdentity execution, Map<String, String> taskAnnotations) {
        TreeMap<String, String> annotations = new TreeMap<>(platformAnnotations);
        annotations.putAll(taskAnnotations);
        annotations.put(KubernetesLabels.TASK_ID, taskId);
        if (execution != null) {
            annotations.put(KubernetesLabels.EXECUTION, execution.getProject() + "/" + execution.getDomain() + "/"
                    + execution.getName() + "/" + execution.getNodeId() + "/" + execution.getRetryAttempt());
        }
        // a place for the spec hash, in key order: the hash leaves this member out and then fills it in, so the
        // annotations print sorted without being sorted again
        annotations.put(KubernetesLabels.SPEC_HASH, "");
        return stringMap(annotations);
    }

    /** Task env in the order given, then platform env the task does not set (by name). */
    private ArrayNode env(List<EnvVar> taskEnv) {
        ArrayNode env = NODES.arrayNode(taskEnv.size() + platformEnv.size());
        Set<String> taskNames = new HashSet<>();
        for (EnvVar var : taskEnv) {
            taskNames.add(var.getName());
            env.addObject().put("name", var.getName()).put("value", var.getValue());
        }
        platformEnv.forEach((key, value) -> {
            if (!taskNames.contains(key)) {
                env.addObject().put("name", key).put("value", value);
            }
        });
        return env;
    }

    private ArrayNode workerArgs(ResolvedResources worker) {
        ArrayNode args = NODES.arrayNode(9);
        if (legacyCli) {
            args.add("dask-worker");
        } else {
            args.add("dask").add("worker");
        }
        return args.add("--name").add("$(DASK_WORKER_NAME)")
                .add("--nthreads").add(Long.toString(worker.workerThreads()))
                .add("--memory-limit").add(worker.workerMemoryLimit());
    }

    private static ArrayNode schedulerPorts() {
        ArrayNode ports = NODES.arrayNode(2);
        ports.addObject().put("name", COMM_PORT_NAME).put("containerPort", SCHEDULER_COMM_PORT).put("protocol", "TCP");
        ports.addObject().put("name", DASHBOARD_PORT_NAME).put("containerPort", SCHEDULER_DASHBOARD_PORT)
                .put("protocol", "TCP");
        return ports;
    }

    private ObjectNode schedulerService(String name) {
        ObjectNode service = NODES.objectNode();
        service.put("type", platform.dask().schedulerServiceType());
        service.putObject("selector")
                .put("dask.org/cluster-name", name)
                .put("dask.org/component", "scheduler");
        ArrayNode ports = service.putArray("ports");
        // targetPort names the container port: a JSON string (the CRD types int-or-string as string).
        ports.addObject().put("name", COMM_PORT_NAME).put("protocol", "TCP").put("port", SCHEDULER_COMM_PORT)
                .put("targetPort", COMM_PORT_NAME);
        ports.addObject().put("name", DASHBOARD_PORT_NAME).put("protocol", "TCP")
                .put("port", SCHEDULER_DASHBOARD_PORT).put("targetPort", DASHBOARD_PORT_NAME);
        return service;
    }

    private static ObjectNode container(String name, String image, ArrayNode command, ArrayNode args,
                                        ArrayNode ports, ArrayNode env, ResolvedResources resources) {
        ObjectNode c = NODES.objectNode();
        c.put("name", name);
        c.put("image", image);
        if (command != null && !command.isEmpty()) {
            c.set("command", command);
        }
        if (args != null && !args.isEmpty()) {
            c.set("args", args);
        }
        if (ports != null) {
            c.set("ports", ports);
        }
        if (!env.isEmpty()) {
            c.set("env", env);
        }
        ObjectNode res = c.putObject("resources");
        if (!resources.limits().isEmpty()) {
            res.set("limits", quantities(resources.limits()));
        }
        if (!resources.requests().isEmpty()) {
            res.set("requests", quantities(resources.requests()));
        }
        c.put("terminationMessagePolicy", "FallbackToLogsOnError");
        return c;
    }

    private static ObjectNode podSpec(String restartPolicy, String serviceAccount, Long activeDeadlineSeconds,
                                      ObjectNode container, ObjectNode nodeSelector, ArrayNode tolerations,
                                      ObjectNode affinity) {
        ObjectNode pod = NODES.objectNode();
        pod.put("restartPolicy", restartPolicy);
        pod.put("serviceAccountName", serviceAccount);
        if (activeDeadlineSeconds != null) {
            pod.put("activeDeadlineSeconds", activeDeadlineSeconds.longValue());
        }
        pod.putArray("containers").add(container);
        if (!nodeSelector.isEmpty()) {
            pod.set("nodeSelector", nodeSelector);
        }
        if (!tolerations.isEmpty()) {
            pod.set("tolerations", tolerations);
        }
        if (affinity != null) {
            pod.set("affinity", affinity);
        }
        return pod;
    }

    private static ObjectNode requiredAffinity(Object nodeSelectorRequirement) {
        if (nodeSelectorRequirement == null) {
            return null;
        }
        ObjectNode affinity = NODES.objectNode();
        affinity.putObject("nodeAffinity")
                .putObject("requiredDuringSchedulingIgnoredDuringExecution")
                .putArray("nodeSelectorTerms")
                .addObject()
                .putArray("matchExpressions")
                .add(MODEL_MAPPER.<JsonNode>valueToTree(nodeSelectorRequirement));
        return affinity;
    }

    private static ObjectNode quantities(SortedMap<String, Quantity> values) {
        ObjectNode node = NODES.objectNode();
        values.forEach((key, q) -> node.put(key, QuantityCache.canonical(q)));
        return node;
    }

    private static ObjectNode stringMap(SortedMap<String, String> map) {
        ObjectNode node = NODES.objectNode();
        map.forEach(node::put);
        return node;
    }

    private static ArrayNode strings(List<String> values) {
        ArrayNode node = NODES.arrayNode(values.size());
        values.forEach(node::add);
        return node;
    }

    private void checkImage(String path, String image, List<RenderProblem> problems) {
        if (!platform.imageAllowed(image)) {
            problems.add(new RenderProblem(path, "not allowed by the platform (allowed: "
                    + String.join(", ", platform.allowedImages()) + ") (was \"" + image + "\")"));
        }
    }

    private static String allowedOrProblem(String path, String requested, String platformDefault,
                                           List<String> allowed, List<RenderProblem> problems) {
        String value = requested != null ? requested : platformDefault;
        if (!allowed.contains(value)) {
            String origin = requested != null ? "" : ", the platform default";
            problems.add(new RenderProblem(path, "not allowed by the platform (allowed: " + String.join(", ", allowed)
                    + ") (was \"" + value + "\"" + origin + ")"));
        }
        return value;
    }

    private static void checkUnreserved(Map<String, String> map, String path, List<RenderProblem> problems) {
        for (String key : new TreeMap<>(map).keySet()) {
            if (isReserved(key)) {
                problems.add(new RenderProblem(path + "[\"" + key + "\"]", "key is reserved for daskrelay"));
            }
        }
    }

    private static void requireUnreserved(Map<String, String> map, String path) {
        for (String key : map.keySet()) {
            if (isReserved(key)) {
                throw new IllegalArgumentException(path + "[\"" + key + "\"]: key is reserved for daskrelay");
            }
        }
    }

    /** True for keys only daskrelay may set: {@code daskrelay.dev/*} and {@code app.kubernetes.io/managed-by}. */
    public static boolean isReserved(String key) {
        return key.startsWith(KubernetesLabels.RESERVED_PREFIX) || key.equals(KubernetesLabels.MANAGED_BY);
    }

    private static <K, V> Map<K, V> orEmpty(Map<K, V> map) {
        return map == null ? Map.of() : map;
    }

    private static List<String> orEmpty(List<String> list) {
        return list == null ? List.of() : list;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
