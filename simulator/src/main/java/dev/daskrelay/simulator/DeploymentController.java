package dev.daskrelay.simulator;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.LoggerFactory;

/**
 * Deployment/ReplicaSet controller stand-in: for each Deployment a ReplicaSet {@code <deployment>-<hash>} and
 * {@code replicas} pods {@code <deployment>-<hash>-<5 chars>} labelled with {@code pod-template-hash}, owned by
 * the ReplicaSet; a deleted pod is replaced; Deployment status counts (replicas, readyReplicas, availableReplicas …)
 * follow the pods' Ready condition. No rollouts: a changed template gets a new ReplicaSet but the old one stays.
 */
final class DeploymentController extends Actor {

    static final String POD_TEMPLATE_HASH = "pod-template-hash";
    /** The alphabet Kubernetes uses for generated name suffixes (no vowels, no confusable digits). */
    private static final String SAFE = "bcdfghjklmnpqrstvwxz2456789";

    private final KubernetesClient client;
    private final String namespace;

    /** Generated names keep at most this much of their base (63 minus the 5 random characters), like the API server. */
    static final int MAX_GENERATED_BASE = 58;

    private final EventRecorder events;

    DeploymentController(KubernetesClient client, String namespace, EventRecorder events) {
        super("deployment-controller", LoggerFactory.getLogger(DeploymentController.class));
        this.events = events;
        this.client = client;
        this.namespace = namespace;
    }

    @Override
    void onStart() {
        var deployments = namespace == null ? client.apps().deployments().inAnyNamespace() : client.apps().deployments().inNamespace(namespace);
        watch(deployments, this::reconcile, d -> { });
        var pods = namespace == null ? client.pods().inAnyNamespace() : client.pods().inNamespace(namespace);
        watch(pods, this::onPodChanged, this::onPodDeleted);
    }

    private void onPodChanged(Pod pod) {
        Deployment d = deploymentOf(pod);
        if (d != null) {
            updateStatus(d);
        }
    }

    /** replicas / updatedReplicas / readyReplicas / availableReplicas / unavailableReplicas from the pods. */
    private void updateStatus(Deployment deployment) {
        String ns = deployment.getMetadata().getNamespace();
        String hash = templateHash(deployment.getSpec().getTemplate());
        List<Pod> pods = client.pods().inNamespace(ns).withLabel(POD_TEMPLATE_HASH, hash).list().getItems().stream()
                .filter(p -> !p.isMarkedForDeletion()).toList();
        int total = pods.size();
        int ready = (int) pods.stream().filter(DeploymentController::isReady).count();
        int desired = deployment.getSpec().getReplicas() == null ? 1 : deployment.getSpec().getReplicas();
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("observedGeneration", deployment.getMetadata().getGeneration() == null ? 1L : deployment.getMetadata().getGeneration());
        status.put("replicas", total);
        status.put("updatedReplicas", total);
        status.put("readyReplicas", ready);
        status.put("availableReplicas", ready);
        status.put("unavailableReplicas", Math.max(0, desired - ready));
        var current = deployment.getStatus();
        if (current != null && Integer.valueOf(total).equals(current.getReplicas())
                && Integer.valueOf(ready).equals(current.getReadyReplicas())
                && Integer.valueOf(Math.max(0, desired - ready)).equals(current.getUnavailableReplicas())) {
            return;
        }
        client.apps().deployments().inNamespace(ns).withName(deployment.getMetadata().getName())
                .subresource("status").patch(MERGE, json(Map.of("status", status)));
    }

    private static boolean isReady(Pod p) {
        return p.getStatus() != null && p.getStatus().getConditions() != null && p.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private Deployment deploymentOf(Pod pod) {
        OwnerReference owner = controller(pod.getMetadata().getOwnerReferences());
        if (owner == null || !"ReplicaSet".equals(owner.getKind())) {
            return null;
        }
        String ns = pod.getMetadata().getNamespace();
        ReplicaSet rs = client.apps().replicaSets().inNamespace(ns).withName(owner.getName()).get();
        OwnerReference rsOwner = rs == null ? null : controller(rs.getMetadata().getOwnerReferences());
        if (rsOwner == null || !"Deployment".equals(rsOwner.getKind())) {
            return null;
        }
        return client.apps().deployments().inNamespace(ns).withName(rsOwner.getName()).get();
    }

    private void onPodDeleted(Pod pod) {
        Deployment d = deploymentOf(pod);
        if (d != null) {
            reconcile(d);
            updateStatus(d);
        }
    }

    private void reconcile(Deployment deployment) {
        if (deployment.isMarkedForDeletion()) {
            return;
        }
        String ns = deployment.getMetadata().getNamespace();
        PodTemplateSpec template = deployment.getSpec().getTemplate();
        String hash = templateHash(template);
        String rsName = deployment.getMetadata().getName() + "-" + hash;
        Map<String, String> labels = new LinkedHashMap<>(template.getMetadata().getLabels() == null ? Map.of() : template.getMetadata().getLabels());
        labels.put(POD_TEMPLATE_HASH, hash);
        var replicaSets = client.apps().replicaSets().inNamespace(ns);
        ReplicaSet rs = replicaSets.withName(rsName).get();
        int replicas = deployment.getSpec().getReplicas() == null ? 1 : deployment.getSpec().getReplicas();
        if (rs == null) {
            ReplicaSet fresh = new ReplicaSetBuilder()
                    .withMetadata(new ObjectMetaBuilder().withName(rsName).withNamespace(ns).withLabels(labels)
                            .withAnnotations(template.getMetadata().getAnnotations())
                            .withOwnerReferences(DaskComponents.ownerReference(deployment)).build())
                    .withNewSpec().withReplicas(replicas)
                    .withNewSelector().withMatchLabels(labels).endSelector()
                    .withNewTemplate().withMetadata(new ObjectMetaBuilder().withLabels(labels)
                            .withAnnotations(template.getMetadata().getAnnotations()).build())
                    .withSpec(template.getSpec()).endTemplate()
                    .endSpec().build();
            try {
                rs = replicaSets.resource(fresh).create();
                events.normal(deployment, "deployment-controller", "ScalingReplicaSet",
                        "Scaled up replica set " + rsName + " from 0 to " + replicas);
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw e;
                }
                rs = replicaSets.withName(rsName).get();
            }
        }
        String rsUid = rs.getMetadata().getUid();
        List<Pod> pods = new ArrayList<>(client.pods().inNamespace(ns).withLabel(POD_TEMPLATE_HASH, hash).list().getItems());
        pods.removeIf(p -> p.isMarkedForDeletion() || p.getMetadata().getOwnerReferences() == null
                || p.getMetadata().getOwnerReferences().stream().noneMatch(o -> rsUid.equals(o.getUid())));
        for (int i = pods.size(); i < replicas; i++) {
            Pod pod = new PodBuilder()
                    .withMetadata(new ObjectMetaBuilder().withName(generatedName(rsName + "-")).withNamespace(ns)
                            .withLabels(labels).withAnnotations(template.getMetadata().getAnnotations())
                            .withOwnerReferences(DaskComponents.ownerReference(rs)).build())
                    .withSpec(template.getSpec())
                    .build();
            Pod created = client.pods().inNamespace(ns).resource(pod).create();
            events.normal(rs, "replicaset-controller", "SuccessfulCreate", "Created pod: " + created.getMetadata().getName());
        }
        for (int i = replicas; i < pods.size(); i++) {
            client.pods().inNamespace(ns).resource(pods.get(i)).delete();
        }
    }

    private static OwnerReference controller(List<OwnerReference> refs) {
        if (refs == null) {
            return null;
        }
        return refs.stream().filter(r -> Boolean.TRUE.equals(r.getController())).findFirst().orElse(null);
    }

    /**
     * The pod-template-hash as the Deployment controller computes it: a 32-bit FNV-1a hash of the template, printed
     * in decimal, each digit mapped into the safe alphabet — so 1 to 10 characters, mostly 8 to 10.
     */
    static String templateHash(PodTemplateSpec template) {
        byte[] bytes = DaskComponents.SERIALIZATION.asJson(template).getBytes(StandardCharsets.UTF_8);
        int h = 0x811c9dc5; // FNV-1a 32
        for (byte b : bytes) {
            h ^= b & 0xff;
            h *= 0x01000193;
        }
        String decimal = Integer.toUnsignedString(h);
        StringBuilder sb = new StringBuilder(decimal.length());
        for (char c : decimal.toCharArray()) {
            sb.append(SAFE.charAt(c % SAFE.length()));
        }
        return sb.toString();
    }

    /** {@code metadata.generateName} as the API server applies it: the base cut to 58 characters, 5 random added. */
    static String generatedName(String base) {
        return (base.length() > MAX_GENERATED_BASE ? base.substring(0, MAX_GENERATED_BASE) : base) + random(5);
    }

    private static String random(int n) {
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.append(SAFE.charAt(ThreadLocalRandom.current().nextInt(SAFE.length())));
        }
        return sb.toString();
    }
}
