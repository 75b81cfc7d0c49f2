package dev.daskrelay.simulator;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServiceSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The objects the Dask operator (2025.4.3) builds for a DaskJob, as pure functions of their parents
 * (docs/DASK-OPERATOR.md §3.1–§3.4): names, labels and annotations (merge order parent → sub-metadata →
 * fixed labels), owner references and the injected environment. No I/O, no clock.
 *
 * <p>{@code spec.cluster.metadata} of a DaskJob is ignored on purpose: a real API server prunes it (it is not in
 * the CRD schema), the in-memory one does not, and the simulator must behave as operator + real API together.
 */
public final class DaskComponents {

    public static final String LABEL_CLUSTER_NAME = "dask.org/cluster-name";
    public static final String LABEL_COMPONENT = "dask.org/component";
    public static final String LABEL_WORKERGROUP_NAME = "dask.org/workergroup-name";
    public static final String LABEL_ISTIO_INJECT = "sidecar.istio.io/inject";
    public static final String COMPONENT_JOB_RUNNER = "job-runner";
    public static final String COMPONENT_SCHEDULER = "scheduler";
    public static final String COMPONENT_WORKER = "worker";
    public static final String COMPONENT_WORKERGROUP = "workergroup";
    public static final String ENV_SCHEDULER_ADDRESS = "DASK_SCHEDULER_ADDRESS";
    public static final String ENV_WORKER_NAME = "DASK_WORKER_NAME";
    /** kopf's finalizer, put on every DaskCluster since 2023.6.0 (idle-shutdown timer). */
    public static final String KOPF_FINALIZER = "kopf.zalando.org/KopfFinalizerMarker";

    private static final List<String> FILTERED_ANNOTATION_PREFIXES = List.of("kopf.zalando.org", "kubectl.kubernetes.io");
    private static final Pattern CLUSTER_NAME = Pattern.compile("^(?=.{0,53}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?$");
    static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private DaskComponents() {
    }

    // ---- names --------------------------------------------------------------------------------------------

    public static String runnerPodName(String job) {
        return job + "-runner";
    }

    public static String schedulerName(String cluster) {
        return cluster + "-scheduler";
    }

    public static String defaultWorkerGroupName(String cluster) {
        return cluster + "-default";
    }

    /** {@code <group>-worker-<10 hex>}: the hex is the caller's (upstream: first 10 hex digits of a uuid4). */
    public static String workerDeploymentName(String workerGroup, String tenHex) {
        if (!tenHex.matches("[0-9a-f]{10}")) {
            throw new IllegalArgumentException("tenHex: expected 10 lowercase hex digits, was '" + tenHex + "'");
        }
        return workerGroup + "-worker-" + tenHex;
    }

    public static String schedulerAddress(String cluster, String namespace) {
        return "tcp://" + schedulerName(cluster) + "." + namespace + ".svc.cluster.local:8786";
    }

    /** Since 2024.3.0: at most 53 characters, lowercase alphanumerics and '-', alphanumeric at both ends. */
    public static boolean isValidClusterName(String name) {
        return name != null && CLUSTER_NAME.matcher(name).matches();
    }

    // ---- objects ------------------------------------------------------------------------------------------

    /** DaskCluster {@code J}: spec = {worker, scheduler} of the job (idleTimeout dropped), adopted by the DaskJob. */
    public static GenericKubernetesResource daskCluster(GenericKubernetesResource job) {
        String name = job.getMetadata().getName();
        Map<String, String> labels = new LinkedHashMap<>(labels(job.getMetadata()));
        labels.put(LABEL_CLUSTER_NAME, name);
        Map<String, Object> clusterSpec = map(job.get("spec", "cluster", "spec"));
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("worker", clusterSpec.get("worker"));
        spec.put("scheduler", clusterSpec.get("scheduler"));
        return new GenericKubernetesResourceBuilder()
                .withApiVersion(DaskCrds.API_VERSION).withKind("DaskCluster")
                .withMetadata(new ObjectMetaBuilder().withName(name).withNamespace(job.getMetadata().getNamespace())
                        .withLabels(labels).withAnnotations(filteredAnnotations(job.getMetadata()))
                        .withOwnerReferences(ownerReference(job)).build())
                .withAdditionalProperties(Map.of("spec", spec))
                .build();
    }

    /** Runner pod {@code J-runner} from {@code spec.job.spec}; {@code spec.job.metadata} merged; adopted by the DaskJob. */
    public static Pod runnerPod(GenericKubernetesResource job) {
        String name = job.getMetadata().getName();
        String namespace = job.getMetadata().getNamespace();
        Map<String, Object> jobSpec = map(job.get("spec", "job", "spec"));
        if (jobSpec.isEmpty()) {
            throw new IllegalArgumentException("spec.job.spec: missing (KeyError: 'spec' in the real operator)");
        }
        ComponentMetadata meta = ComponentMetadata.merge(job.getMetadata(), map(job.get("spec", "job", "metadata")),
                LABEL_CLUSTER_NAME, name, LABEL_COMPONENT, COMPONENT_JOB_RUNNER, LABEL_ISTIO_INJECT, "false");
        Map<String, String> labels = meta.labels();
        Map<String, String> annotations = meta.annotations();
        PodSpec spec = SERIALIZATION.convertValue(jobSpec, PodSpec.class);
        for (Container c : spec.getContainers()) {
            addEnvIfMissing(c, ENV_SCHEDULER_ADDRESS, schedulerAddress(name, namespace));
        }
        return new PodBuilder()
                .withMetadata(new ObjectMetaBuilder().withName(runnerPodName(name)).withNamespace(namespace)
                        .withLabels(labels).withAnnotations(annotations).withOwnerReferences(ownerReference(job)).build())
                .withSpec(spec)
                .build();
    }

    /** Scheduler Deployment {@code J-scheduler}, 1 replica, selector = the full label set, owned by the DaskCluster. */
    public static Deployment schedulerDeployment(GenericKubernetesResource cluster) {
        String name = cluster.getMetadata().getName();
        Map<String, Object> scheduler = map(cluster.get("spec", "scheduler"));
        ComponentMetadata meta = ComponentMetadata.merge(cluster.getMetadata(), map(scheduler.get("metadata")),
                LABEL_CLUSTER_NAME, name, LABEL_COMPONENT, COMPONENT_SCHEDULER, LABEL_ISTIO_INJECT, "false");
        Map<String, String> labels = meta.labels();
        Map<String, String> annotations = meta.annotations();
        PodSpec spec = SERIALIZATION.convertValue(map(scheduler.get("spec")), PodSpec.class);
        return deployment(schedulerName(name), cluster, labels, annotations, spec);
    }

    /** Scheduler Service {@code J-scheduler}: the ServiceSpec exactly as given (no selector added), owned by the DaskCluster. */
    public static Service schedulerService(GenericKubernetesResource cluster) {
        String name = cluster.getMetadata().getName();
        Map<String, Object> scheduler = map(cluster.get("spec", "scheduler"));
        ComponentMetadata meta = ComponentMetadata.merge(cluster.getMetadata(), map(scheduler.get("metadata")),
                LABEL_CLUSTER_NAME, name, LABEL_COMPONENT, COMPONENT_SCHEDULER);
        Map<String, String> labels = meta.labels();
        Map<String, String> annotations = meta.annotations();
        ServiceSpec spec = SERIALIZATION.convertValue(map(scheduler.get("service")), ServiceSpec.class);
        return new ServiceBuilder()
                .withMetadata(new ObjectMetaBuilder().withName(schedulerName(name)).withNamespace(cluster.getMetadata().getNamespace())
                        .withLabels(labels).withAnnotations(annotations).withOwnerReferences(ownerReference(cluster)).build())
                .withSpec(spec)
                .build();
    }

    /** DaskWorkerGroup {@code J-default}: spec = {cluster: J, worker}; no owner yet (adopted after creation). */
    public static GenericKubernetesResource defaultWorkerGroup(GenericKubernetesResource cluster) {
        String name = cluster.getMetadata().getName();
        Map<String, Object> worker = map(cluster.get("spec", "worker"));
        ComponentMetadata meta = ComponentMetadata.merge(cluster.getMetadata(), map(worker.get("metadata")),
                LABEL_CLUSTER_NAME, name, LABEL_COMPONENT, COMPONENT_WORKERGROUP);
        Map<String, String> labels = meta.labels();
        Map<String, String> annotations = meta.annotations();
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("cluster", name);
        spec.put("worker", worker);
        return new GenericKubernetesResourceBuilder()
                .withApiVersion(DaskCrds.API_VERSION).withKind("DaskWorkerGroup")
                .withMetadata(new ObjectMetaBuilder().withName(defaultWorkerGroupName(name))
                        .withNamespace(cluster.getMetadata().getNamespace())
                        .withLabels(labels).withAnnotations(annotations).build())
                .withAdditionalProperties(Map.of("spec", spec))
                .build();
    }

    /** The worker-group's desired number of workers ({@code spec.worker.replicas}, CRD default 1). */
    public static int workerReplicas(GenericKubernetesResource workerGroup) {
        Object replicas = workerGroup.get("spec", "worker", "replicas");
        return replicas instanceof Number n ? n.intValue() : 1;
    }

    /** Worker Deployment {@code <group>-worker-<hex>}, 1 replica, env DASK_WORKER_NAME / DASK_SCHEDULER_ADDRESS if absent. */
    public static Deployment workerDeployment(GenericKubernetesResource workerGroup, String tenHex) {
        String group = workerGroup.getMetadata().getName();
        String namespace = workerGroup.getMetadata().getNamespace();
        String cluster = String.valueOf((Object) workerGroup.get("spec", "cluster"));
        String name = workerDeploymentName(group, tenHex);
        Map<String, Object> worker = map(workerGroup.get("spec", "worker"));
        ComponentMetadata meta = ComponentMetadata.merge(workerGroup.getMetadata(), map(worker.get("metadata")),
                LABEL_CLUSTER_NAME, cluster, LABEL_WORKERGROUP_NAME, group, LABEL_COMPONENT, COMPONENT_WORKER,
                LABEL_ISTIO_INJECT, "false");
        Map<String, String> labels = meta.labels();
        Map<String, String> annotations = meta.annotations();
        PodSpec spec = SERIALIZATION.convertValue(map(worker.get("spec")), PodSpec.class);
        for (Container c : spec.getContainers()) {
            addEnvIfMissing(c, ENV_WORKER_NAME, name);
            addEnvIfMissing(c, ENV_SCHEDULER_ADDRESS, schedulerAddress(cluster, namespace));
        }
        return deployment(name, workerGroup, labels, annotations, spec);
    }

    /**
     * The operator's metadata rule for a child object: the parent's labels and annotations (annotations without
     * the {@code kopf.zalando.org} / {@code kubectl.kubernetes.io} keys), then the component's sub-metadata
     * ({@code spec.job.metadata}, {@code scheduler.metadata}, {@code worker.metadata}), then the operator's fixed
     * labels, which always win (docs/DASK-OPERATOR.md §3.2).
     */
    record ComponentMetadata(Map<String, String> labels, Map<String, String> annotations) {

        static ComponentMetadata merge(ObjectMeta parent, Map<String, Object> subMeta, String... fixedLabels) {
            Map<String, String> labels = new LinkedHashMap<>(DaskComponents.labels(parent));
            labels.putAll(stringMap(subMeta.get("labels")));
            for (int i = 0; i < fixedLabels.length; i += 2) {
                labels.put(fixedLabels[i], fixedLabels[i + 1]);
            }
            Map<String, String> annotations = new LinkedHashMap<>(filteredAnnotations(parent));
            annotations.putAll(stringMap(subMeta.get("annotations")));
            return new ComponentMetadata(labels, annotations);
        }
    }

    /** Owner reference as kopf.adopt writes it: controller and blockOwnerDeletion true. */
    public static OwnerReference ownerReference(HasMetadata owner) {
        return new OwnerReferenceBuilder()
                .withApiVersion(owner.getApiVersion()).withKind(owner.getKind())
                .withName(owner.getMetadata().getName()).withUid(owner.getMetadata().getUid())
                .withController(true).withBlockOwnerDeletion(true)
                .build();
    }

    /** Annotations of the object minus the keys starting {@code kopf.zalando.org} or {@code kubectl.kubernetes.io}. */
    public static Map<String, String> filteredAnnotations(ObjectMeta meta) {
        Map<String, String> out = new LinkedHashMap<>();
        if (meta.getAnnotations() != null) {
            meta.getAnnotations().forEach((k, v) -> {
                if (FILTERED_ANNOTATION_PREFIXES.stream().noneMatch(k::startsWith)) {
                    out.put(k, v);
                }
            });
        }
        return out;
    }

    // ---- helpers ------------------------------------------------------------------------------------------

    private static Deployment deployment(String name, HasMetadata owner, Map<String, String> labels,
                                         Map<String, String> annotations, PodSpec spec) {
        return new DeploymentBuilder()
                .withMetadata(new ObjectMetaBuilder().withName(name).withNamespace(owner.getMetadata().getNamespace())
                        .withLabels(labels).withAnnotations(annotations).withOwnerReferences(ownerReference(owner)).build())
                .withNewSpec()
                .withReplicas(1)
                .withNewSelector().withMatchLabels(new LinkedHashMap<>(labels)).endSelector()
                .withNewTemplate()
                .withMetadata(new ObjectMetaBuilder().withLabels(new LinkedHashMap<>(labels))
                        .withAnnotations(new LinkedHashMap<>(annotations)).build())
                .withSpec(spec)
                .endTemplate()
                .endSpec()
                .build();
    }

    private static void addEnvIfMissing(Container c, String name, String value) {
        List<EnvVar> env = c.getEnv() == null ? new ArrayList<>() : new ArrayList<>(c.getEnv());
        if (env.stream().noneMatch(e -> name.equals(e.getName()))) {
            env.add(new EnvVar(name, value, null));
        }
        c.setEnv(env);
    }

    private static Map<String, String> labels(ObjectMeta meta) {
        return meta.getLabels() == null ? Map.of() : meta.getLabels();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object value) {
        return value instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    private static Map<String, String> stringMap(Object value) {
        Map<String, String> out = new LinkedHashMap<>();
        if (value instanceof Map<?, ?> m) {
            m.forEach((k, v) -> out.put(String.valueOf(k), String.valueOf(v)));
        }
        return out;
    }
}
