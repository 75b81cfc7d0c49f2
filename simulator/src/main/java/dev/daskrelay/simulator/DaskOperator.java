package dev.daskrelay.simulator;

import static dev.daskrelay.simulator.DaskComponents.KOPF_FINALIZER;
import static dev.daskrelay.simulator.DaskComponents.LABEL_CLUSTER_NAME;
import static dev.daskrelay.simulator.DaskComponents.LABEL_COMPONENT;
import static dev.daskrelay.simulator.DaskComponents.LABEL_WORKERGROUP_NAME;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Informable;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The Dask Kubernetes Operator 2025.4.3's DaskJob, DaskCluster and DaskWorkerGroup handlers as
 * docs/DASK-OPERATOR.md §2–§5 describe them, against any Kubernetes API. Event-driven like kopf: handlers
 * fire on observed changes; a failing handler is retried after {@link SimulatorTiming#retryDelay()} forever.
 *
 * <p>kopf remembers what it handled in {@code kopf.zalando.org/last-handled-configuration} annotations; this
 * simulator keeps that memory in process and, after a restart, catches up from the objects' current state.
 */
final class DaskOperator extends Actor {

    static final String JOB_CREATED = "JobCreated";
    static final String CLUSTER_CREATED = "ClusterCreated";
    static final String RUNNING = "Running";
    static final String SUCCESSFUL = "Successful";
    static final String FAILED = "Failed";
    private static final String KOPF = "kopf";

    private final KubernetesClient client;
    private final Clock clock;
    private final SimulatorTiming timing;
    private final String namespace;
    private final EventRecorder events;
    /** Emulate the API server's Deployment validation (restartPolicy must be Always) where the API does not. */
    private final boolean validateDeployments;

    // touched only on the actor thread
    private final Set<String> jobsCreated = new HashSet<>();
    private final Set<String> jobsWithComponents = new HashSet<>();
    private final Set<String> clustersCreated = new HashSet<>();
    private final Set<String> clustersWithComponents = new HashSet<>();
    private final Map<String, Integer> workerGroupReplicas = new HashMap<>();
    private final Map<String, String> runnerPhases = new HashMap<>();

    DaskOperator(KubernetesClient client, Clock clock, SimulatorTiming timing, String namespace, EventRecorder events,
                 boolean validateDeployments) {
        super("operator", LoggerFactory.getLogger(DaskOperator.class));
        this.client = client;
        this.clock = clock;
        this.timing = timing;
        this.namespace = namespace;
        this.events = events;
        this.validateDeployments = validateDeployments;
    }

    @Override
    void onStart() {
        watch(scoped(DaskCrds.DASK_JOB), this::onJob, j -> forget(j, jobsCreated, jobsWithComponents));
        watch(scoped(DaskCrds.DASK_CLUSTER), this::onCluster, c -> forget(c, clustersCreated, clustersWithComponents));
        watch(scoped(DaskCrds.DASK_WORKER_GROUP), this::onWorkerGroup, g -> workerGroupReplicas.remove(uid(g)));
        var pods = namespace == null ? client.pods().inAnyNamespace() : client.pods().inNamespace(namespace);
        watch(pods.withLabel(LABEL_COMPONENT, DaskComponents.COMPONENT_JOB_RUNNER), this::onRunnerPod,
                p -> runnerPhases.remove(uid(p)));
    }

    // ---- DaskJob: daskjob_create, daskjob_create_components ---------------------------------------------------

    private void onJob(GenericKubernetesResource job) {
        if (job.isMarkedForDeletion()) {
            return;
        }
        String status = jobStatus(job);
        if ((status == null || status.isEmpty()) && jobsCreated.add(uid(job))) {
            daskjobCreate(job);
        } else if (JOB_CREATED.equals(status) && jobsWithComponents.add(uid(job))) {
            daskjobCreateComponents(job);
        }
    }

    private void daskjobCreate(GenericKubernetesResource job) {
        String name = job.getMetadata().getName();
        String ns = job.getMetadata().getNamespace();
        withJob(job, () -> {
            try {
                Scenario.fromAnnotations(job.getMetadata().getAnnotations());
            } catch (IllegalArgumentException e) {
                events.warning(job, "daskrelay-simulator", "InvalidScenario", e.getMessage() + "; using 'success'");
            }
            patchJobStatus(ns, name, Map.of("jobStatus", JOB_CREATED));
            markHandled(job, JOB_CREATED);
            events.normal(job, KOPF, "Logging", "A DaskJob has been created called " + name + " in " + ns + ".");
            log.info("DaskJob {}/{}: {}", ns, name, JOB_CREATED);
        });
    }

    private void daskjobCreateComponents(GenericKubernetesResource job) {
        withJob(job, () -> {
            Scenario scenario = Scenario.lenient(job.getMetadata().getAnnotations());
            if (scenario.kind() == Scenario.Kind.OPERATOR_STUCK) {
                log.info("DaskJob {}: scenario operator-stuck, leaving it in {}", describe(job), JOB_CREATED);
                return;
            }
            try {
                createJobComponents(job);
            } catch (RuntimeException e) {
                handlerFailed(job, "daskjob_create_components", e);
                later(timing.retryDelay(), "retry daskjob_create_components " + describe(job), () -> {
                    GenericKubernetesResource current = get(DaskCrds.DASK_JOB, job.getMetadata().getNamespace(), job.getMetadata().getName());
                    if (current != null && uid(current).equals(uid(job)) && JOB_CREATED.equals(jobStatus(current))) {
                        daskjobCreateComponents(current);
                    }
                });
            }
        });
    }

    private void createJobComponents(GenericKubernetesResource job) {
        String name = job.getMetadata().getName();
        String ns = job.getMetadata().getNamespace();
        events.normal(job, KOPF, "Logging", "Creating Dask job components.");
        var clusters = client.genericKubernetesResources(DaskCrds.DASK_CLUSTER).inNamespace(ns);
        if (clusters.withName(name).get() == null) { // since 2025.4.1: only if absent
            createIgnoringConflict(() -> clusters.resource(DaskComponents.daskCluster(job)).create());
        }
        Pod runner = DaskComponents.runnerPod(job); // fails (retried forever) when spec.job.spec is missing
        var pods = client.pods().inNamespace(ns);
        if (pods.withName(runner.getMetadata().getName()).get() == null) {
            createIgnoringConflict(() -> pods.resource(runner).create());
        }
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("clusterName", name);
        status.put("jobStatus", CLUSTER_CREATED);
        status.put("jobRunnerPodName", DaskComponents.runnerPodName(name));
        patchJobStatus(ns, name, status);
        markHandled(job, CLUSTER_CREATED);
        events.normal(job, KOPF, "Logging", "Handler 'daskjob_create_components' succeeded.");
        log.info("DaskJob {}/{}: {}", ns, name, CLUSTER_CREATED);
    }

    // ---- runner pod: handle_runner_status_change_* ----------------------------------------------------------

    private void onRunnerPod(Pod pod) {
        if (pod.getMetadata().getLabels() == null || !pod.getMetadata().getLabels().containsKey(LABEL_CLUSTER_NAME)) {
            return;
        }
        String phase = pod.getStatus() == null || pod.getStatus().getPhase() == null ? "" : pod.getStatus().getPhase();
        boolean firstSight = !runnerPhases.containsKey(uid(pod));
        String previous = runnerPhases.put(uid(pod), phase);
        if (phase.equals(previous)) {
            return;
        }
        String ns = pod.getMetadata().getNamespace();
        String jobName = pod.getMetadata().getLabels().get(LABEL_CLUSTER_NAME);
        if (firstSight && !phase.isEmpty()) { // operator (re)started: do not redo what the status already shows
            GenericKubernetesResource job = get(DaskCrds.DASK_JOB, ns, jobName);
            String status = job == null ? null : jobStatus(job);
            boolean terminal = SUCCESSFUL.equals(status) || FAILED.equals(status);
            if (terminal || ("Running".equals(phase) && RUNNING.equals(status))) {
                return;
            }
        }
        withJob(pod, jobName, () -> {
            switch (phase) {
                case "Running" -> runnerRunning(pod, jobName);
                case "Succeeded" -> runnerFinished(pod, jobName, SUCCESSFUL, "handle_runner_status_change_succeeded",
                        "Job succeeded, deleting Dask cluster.");
                case "Failed" -> runnerFinished(pod, jobName, FAILED, "handle_runner_status_change_failed",
                        "Job failed, deleting Dask cluster.");
                default -> {
                }
            }
        });
    }

    private void runnerRunning(Pod pod, String jobName) {
        String ns = pod.getMetadata().getNamespace();
        events.normal(pod, KOPF, "Logging", "Job now in running");
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("jobStatus", RUNNING);
        status.put("startTime", now());
        patchJobStatus(ns, jobName, status);
        markHandled(pod, "Running");
        log.info("DaskJob {}/{}: {}", ns, jobName, RUNNING);
    }

    private void runnerFinished(Pod pod, String jobName, String outcome, String handler, String message) {
        String ns = pod.getMetadata().getNamespace();
        var cluster = client.genericKubernetesResources(DaskCrds.DASK_CLUSTER).inNamespace(ns).withName(jobName);
        if (cluster.get() == null) {
            // upstream: DaskCluster.get raises NotFound and the handler is retried forever (issue #975)
            handlerFailed(pod, handler, new IllegalStateException("DaskCluster " + jobName + " not found"));
            later(timing.retryDelay(), "retry " + handler + " " + describe(pod), () -> {
                Pod current = client.pods().inNamespace(ns).withName(pod.getMetadata().getName()).get();
                if (current != null && uid(current).equals(uid(pod)) && current.getStatus() != null
                        && pod.getStatus().getPhase().equals(current.getStatus().getPhase())) {
                    runnerFinished(current, jobName, outcome, handler, message);
                }
            });
            return;
        }
        events.normal(pod, KOPF, "Logging", message);
        cluster.delete(); // first the cluster ...
        // ... which kopf's own DaskCluster handling releases (finalizer off) while this handler goes on: on a real
        // cluster the DaskCluster is usually gone before the terminal status is written (docs/SIMULATOR.md)
        releaseClusterFinalizer(ns, jobName);
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("jobStatus", outcome);
        status.put("endTime", now());
        patchJobStatus(ns, jobName, status); // ... then the terminal status
        markHandled(pod, pod.getStatus().getPhase());
        log.info("DaskJob {}/{}: {}", ns, jobName, outcome);
    }

    private void releaseClusterFinalizer(String ns, String name) {
        GenericKubernetesResource c = get(DaskCrds.DASK_CLUSTER, ns, name);
        if (c != null && c.isMarkedForDeletion() && c.getMetadata().getFinalizers() != null
                && c.getMetadata().getFinalizers().contains(KOPF_FINALIZER)) {
            List<String> rest = new ArrayList<>(c.getMetadata().getFinalizers());
            rest.remove(KOPF_FINALIZER);
            try {
                client.genericKubernetesResources(DaskCrds.DASK_CLUSTER).inNamespace(ns).withName(name)
                        .patch(JSON_PATCH, set("/metadata/finalizers", rest));
            } catch (KubernetesClientException e) {
                if (e.getCode() != 404) {
                    throw e;
                }
            }
        }
    }

    // ---- DaskCluster: daskcluster_create, daskcluster_create_components, service status ------------------------

    private void onCluster(GenericKubernetesResource cluster) {
        String ns = cluster.getMetadata().getNamespace();
        String name = cluster.getMetadata().getName();
        List<String> finalizers = cluster.getMetadata().getFinalizers() == null ? List.of() : cluster.getMetadata().getFinalizers();
        var resource = client.genericKubernetesResources(DaskCrds.DASK_CLUSTER).inNamespace(ns).withName(name);
        if (cluster.isMarkedForDeletion()) {
            if (finalizers.contains(KOPF_FINALIZER)) {
                List<String> rest = new ArrayList<>(finalizers);
                rest.remove(KOPF_FINALIZER);
                resource.patch(JSON_PATCH, set("/metadata/finalizers", rest));
            }
            return;
        }
        if (!finalizers.contains(KOPF_FINALIZER)) { // kopf adds its finalizer before the first handler runs
            List<String> all = new ArrayList<>(finalizers);
            all.add(KOPF_FINALIZER);
            resource.patch(JSON_PATCH, set("/metadata/finalizers", all));
            return;
        }
        String phase = (String) DaskComponents.map(cluster.get("status")).get("phase");
        if (phase == null && clustersCreated.add(uid(cluster))) {
            if (DaskComponents.isValidClusterName(name)) {
                patchClusterPhase(ns, name, "Created");
            } else {
                patchClusterPhase(ns, name, "Error");
                events.warning(cluster, KOPF, "Logging", "Handler 'daskcluster_create' failed permanently: "
                        + "The DaskCluster " + name + " is invalid: a lowercase RFC 1123 subdomain must consist of lower case "
                        + "alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character, "
                        + "and be at most 53 characters long.");
            }
        } else if ("Created".equals(phase) && clustersWithComponents.add(uid(cluster))) {
            // kopf works on the latest state of an object and runs no create/field handlers once it is being deleted
            GenericKubernetesResource latest = get(DaskCrds.DASK_CLUSTER, ns, name);
            if (latest != null && uid(latest).equals(uid(cluster)) && !latest.isMarkedForDeletion()) {
                daskclusterCreateComponents(latest);
            }
        }
    }

    private void daskclusterCreateComponents(GenericKubernetesResource cluster) {
        String ns = cluster.getMetadata().getNamespace();
        String name = cluster.getMetadata().getName();
        try {
            var deployments = client.apps().deployments().inNamespace(ns);
            if (deployments.withName(DaskComponents.schedulerName(name)).get() == null) {
                Deployment scheduler = DaskComponents.schedulerDeployment(cluster);
                validateDeployment(scheduler);
                createIgnoringConflict(() -> deployments.resource(scheduler).create());
            }
            var services = client.services().inNamespace(ns);
            if (services.withName(DaskComponents.schedulerName(name)).get() == null) {
                createIgnoringConflict(() -> services.resource(DaskComponents.schedulerService(cluster)).create());
            }
            var groups = client.genericKubernetesResources(DaskCrds.DASK_WORKER_GROUP).inNamespace(ns);
            if (groups.withName(DaskComponents.defaultWorkerGroupName(name)).get() == null) {
                createIgnoringConflict(() -> groups.resource(DaskComponents.defaultWorkerGroup(cluster)).create());
            }
            patchClusterPhase(ns, name, "Pending");
            // handle_scheduler_service_status: fires once the Service (and its status) is seen; not scheduler readiness
            Object type = cluster.get("spec", "scheduler", "service", "type");
            if (!"LoadBalancer".equals(type)) {
                patchClusterPhase(ns, name, "Running");
            }
        } catch (RuntimeException e) {
            handlerFailed(cluster, "daskcluster_create_components", e);
            later(timing.retryDelay(), "retry daskcluster_create_components " + describe(cluster), () -> {
                GenericKubernetesResource current = get(DaskCrds.DASK_CLUSTER, ns, name);
                if (current != null && uid(current).equals(uid(cluster)) && !current.isMarkedForDeletion()) {
                    daskclusterCreateComponents(current);
                }
            });
        }
    }

    // ---- DaskWorkerGroup: daskworkergroup_create / replica update ------------------------------------------------

    private void onWorkerGroup(GenericKubernetesResource group) {
        if (group.isMarkedForDeletion()) {
            return;
        }
        int replicas = DaskComponents.workerReplicas(group);
        Integer handled = workerGroupReplicas.put(uid(group), replicas);
        if (handled != null && handled == replicas) {
            return;
        }
        reconcileWorkerGroup(group);
    }

    private void reconcileWorkerGroup(GenericKubernetesResource group) {
        String ns = group.getMetadata().getNamespace();
        String name = group.getMetadata().getName();
        try {
            boolean owned = group.getMetadata().getOwnerReferences() != null && !group.getMetadata().getOwnerReferences().isEmpty();
            if (!owned) {
                String clusterName = String.valueOf((Object) group.get("spec", "cluster"));
                GenericKubernetesResource cluster = get(DaskCrds.DASK_CLUSTER, ns, clusterName);
                if (cluster == null) {
                    throw new IllegalStateException("DaskCluster " + clusterName + " not found");
                }
                client.genericKubernetesResources(DaskCrds.DASK_WORKER_GROUP).inNamespace(ns).withName(name).patch(JSON_PATCH,
                        set("/metadata/ownerReferences", List.of(DaskComponents.ownerReference(cluster))));
            }
            var deployments = client.apps().deployments().inNamespace(ns);
            List<Deployment> existing = new ArrayList<>(deployments.withLabel(LABEL_WORKERGROUP_NAME, name).list().getItems());
            existing.removeIf(Deployment::isMarkedForDeletion);
            int desired = DaskComponents.workerReplicas(group);
            for (int i = existing.size(); i < desired; i++) {
                Deployment worker = DaskComponents.workerDeployment(group, UUID.randomUUID().toString().replace("-", "").substring(0, 10));
                validateDeployment(worker);
                createIgnoringConflict(() -> deployments.resource(worker).create());
            }
            if (existing.size() > desired) {
                existing.sort(Comparator.comparing((Deployment d) -> d.getMetadata().getCreationTimestamp()).reversed());
                existing.subList(0, existing.size() - desired).forEach(d -> deployments.resource(d).delete());
            }
        } catch (RuntimeException e) {
            workerGroupReplicas.remove(uid(group));
            handlerFailed(group, "daskworkergroup_create", e);
            later(timing.retryDelay(), "retry daskworkergroup_create " + describe(group), () -> {
                GenericKubernetesResource current = get(DaskCrds.DASK_WORKER_GROUP, ns, name);
                if (current != null && uid(current).equals(uid(group))) {
                    onWorkerGroup(current);
                }
            });
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    /** What a real API server rejects since the scheduler/workers became Deployments (2023.6.0, PR #711). */
    private void validateDeployment(Deployment deployment) {
        PodSpec spec = deployment.getSpec().getTemplate().getSpec();
        String policy = spec.getRestartPolicy();
        if (validateDeployments && policy != null && !"Always".equals(policy)) {
            throw new IllegalStateException("Deployment.apps \"" + deployment.getMetadata().getName()
                    + "\" is invalid: spec.template.spec.restartPolicy: Unsupported value: \"" + policy
                    + "\": supported values: \"Always\"");
        }
    }

    private void handlerFailed(HasMetadata about, String handler, RuntimeException e) {
        if (Thread.currentThread().isInterrupted()) {
            return; // the simulator is stopping; a restarted one catches up from the objects
        }
        log.warn("{}: handler '{}' failed: {}; retrying in {}", describe(about), handler, e.getMessage(), timing.retryDelay());
        events.warning(about, KOPF, "Logging", "Handler '" + handler + "' failed with an exception. Will retry.");
    }

    /**
     * kopf's memory of what it handled: the {@code kopf.zalando.org/last-handled-configuration} annotation (spec,
     * labels, annotations and the watched status field) on DaskJobs and runner pods. Its writes are extra MODIFIED
     * events a watcher must tolerate (docs/DASK-OPERATOR.md §4.4).
     */
    private void markHandled(HasMetadata obj, String watchedValue) {
        Map<String, Object> essence = new LinkedHashMap<>();
        Map<String, Object> meta = new LinkedHashMap<>();
        if (obj.getMetadata().getLabels() != null && !obj.getMetadata().getLabels().isEmpty()) {
            meta.put("labels", obj.getMetadata().getLabels());
        }
        Map<String, String> annotations = DaskComponents.filteredAnnotations(obj.getMetadata());
        if (!annotations.isEmpty()) {
            meta.put("annotations", annotations);
        }
        String ns = obj.getMetadata().getNamespace();
        String name = obj.getMetadata().getName();
        try {
            if (obj instanceof GenericKubernetesResource job) {
                essence.put("spec", job.get("spec"));
                essence.put("metadata", meta);
                essence.put("status", Map.of("jobStatus", watchedValue));
                client.genericKubernetesResources(DaskCrds.DASK_JOB).inNamespace(ns).withName(name)
                        .patch(MERGE, json(Map.of("metadata", Map.of("annotations", Map.of(LAST_HANDLED, json(essence))))));
            } else if (obj instanceof Pod pod) {
                essence.put("spec", pod.getSpec());
                essence.put("metadata", meta);
                essence.put("status", Map.of("phase", watchedValue));
                client.pods().inNamespace(ns).withName(name)
                        .patch(MERGE, json(Map.of("metadata", Map.of("annotations", Map.of(LAST_HANDLED, json(essence))))));
            }
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                throw e;
            }
        }
    }

    static final String LAST_HANDLED = "kopf.zalando.org/last-handled-configuration";

    private void patchJobStatus(String ns, String name, Map<String, Object> status) {
        try {
            client.genericKubernetesResources(DaskCrds.DASK_JOB).inNamespace(ns).withName(name)
                    .subresource("status").patch(MERGE, json(Map.of("status", status)));
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                throw e;
            }
            log.info("DaskJob {}/{} is gone; status {} not written", ns, name, status);
        }
    }

    private void patchClusterPhase(String ns, String name, String phase) {
        // DaskCluster has no status subresource: its status is written through the main resource
        client.genericKubernetesResources(DaskCrds.DASK_CLUSTER).inNamespace(ns).withName(name)
                .patch(MERGE, json(Map.of("status", Map.of("phase", phase))));
    }

    private GenericKubernetesResource get(ResourceDefinitionContext ctx, String ns, String name) {
        return client.genericKubernetesResources(ctx).inNamespace(ns).withName(name).get();
    }

    private Informable<GenericKubernetesResource> scoped(
            ResourceDefinitionContext ctx) {
        var op = client.genericKubernetesResources(ctx);
        return namespace == null ? op.inAnyNamespace() : op.inNamespace(namespace);
    }

    private static void createIgnoringConflict(Supplier<?> create) {
        try {
            create.get();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
        }
    }

    /**
     * daskrelay's task-id annotation (set by the translator, copied to pods by the operator). A copy, not a
     * dependency: the simulator models the operator on its own; a test checks it equals daskrelay's.
     */
    static final String TASK_ID_ANNOTATION = "daskrelay.dev/task-id";
    /** The MDC key of the task id, as daskrelay's services log it (a test checks it equals daskrelay's). */
    static final String MDC_TASK_ID = "taskId";
    /** The MDC key of the DaskJob a log line is about ({@code namespace/name}). */
    static final String MDC_DASK_JOB = "daskJob";

    private void withJob(HasMetadata about, String jobName, Runnable action) {
        String taskId = about.getMetadata().getAnnotations() == null ? null
                : about.getMetadata().getAnnotations().get(TASK_ID_ANNOTATION);
        try (var job = MDC.putCloseable(MDC_DASK_JOB, about.getMetadata().getNamespace() + "/" + jobName);
             var task = taskId == null ? null : MDC.putCloseable(MDC_TASK_ID, taskId)) {
            action.run();
        }
    }

    private void withJob(GenericKubernetesResource job, Runnable action) {
        withJob(job, job.getMetadata().getName(), action);
    }

    private String now() {
        return EventRecorder.KUBE_TIME.format(clock.instant());
    }

    static String jobStatus(GenericKubernetesResource job) {
        Object status = DaskComponents.map(job.get("status")).get("jobStatus");
        return status == null ? null : status.toString();
    }

    private static void forget(HasMetadata obj, Set<String> a, Set<String> b) {
        a.remove(uid(obj));
        b.remove(uid(obj));
    }

}
