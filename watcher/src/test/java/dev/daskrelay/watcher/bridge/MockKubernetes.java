package dev.daskrelay.watcher.bridge;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/** What the tests do to the fabric8 mock API server in place of the Dask operator and the kubelet. */
final class MockKubernetes {

    private MockKubernetes() {
    }

    /** Registers the DaskJob CRD with a status subresource (so main updates leave status alone). */
    static void registerDaskJobCrd(KubernetesClient client) {
        var crd = new CustomResourceDefinitionBuilder()
                .withNewMetadata().withName("daskjobs.kubernetes.dask.org").endMetadata()
                .withNewSpec().withGroup("kubernetes.dask.org").withScope("Namespaced")
                .withNewNames().withKind("DaskJob").withPlural("daskjobs").withSingular("daskjob").endNames()
                .addNewVersion().withName("v1").withServed(true).withStorage(true)
                .withNewSubresources().withNewStatus().endStatus().endSubresources()
                .withNewSchema().withNewOpenAPIV3Schema().withType("object").withXKubernetesPreserveUnknownFields(true)
                .endOpenAPIV3Schema().endSchema()
                .endVersion().endSpec().build();
        client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
    }

    static GenericKubernetesResource create(KubernetesClient client, GenericKubernetesResource job) {
        return client.genericKubernetesResources(DaskJobResource.CONTEXT).inNamespace(job.getMetadata().getNamespace())
                .resource(job).create();
    }

    /** Merges the given fields into {@code status} through the status subresource, as the operator does. */
    static void patchStatus(KubernetesClient client, String ns, String name, Map<String, Object> fields) {
        client.genericKubernetesResources(DaskJobResource.CONTEXT).inNamespace(ns).withName(name).editStatus(j -> {
            @SuppressWarnings("unchecked")
            Map<String, Object> status = j.getAdditionalProperties().get("status") instanceof Map<?, ?> m
                    ? new LinkedHashMap<>((Map<String, Object>) m) : new LinkedHashMap<>();
            status.putAll(fields);
            j.getAdditionalProperties().put("status", status);
            return j;
        });
    }

    static void editJob(KubernetesClient client, String ns, String name, Consumer<GenericKubernetesResource> edit) {
        client.genericKubernetesResources(DaskJobResource.CONTEXT).inNamespace(ns).withName(name).edit(j -> {
            edit.accept(j);
            return j;
        });
    }

    static void deleteJob(KubernetesClient client, String ns, String name) {
        client.genericKubernetesResources(DaskJobResource.CONTEXT).inNamespace(ns).withName(name).delete();
    }

    static Pod createPod(KubernetesClient client, Pod pod) {
        return client.pods().inNamespace(pod.getMetadata().getNamespace()).resource(pod).create();
    }

    /** Replaces a pod's status through the status subresource, as the kubelet does. */
    static void setPodStatus(KubernetesClient client, Pod withStatus) {
        client.pods().inNamespace(withStatus.getMetadata().getNamespace()).withName(withStatus.getMetadata().getName())
                .editStatus(p -> {
                    p.setStatus(withStatus.getStatus());
                    return p;
                });
    }
}
