package dev.daskrelay.simulator;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinitionBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceSubresources;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceSubresourcesBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaPropsBuilder;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.List;

/**
 * The Dask Kubernetes Operator's custom resource definitions (2025.4.3), built in code.
 *
 * <p>Identity (group, version, kind, plural, singular, short names, scope, subresources, printer columns) is the
 * released one: {@code DaskCrdsTest} compares each definition with the vendored CRDs in
 * {@code third_party/dask-kubernetes-operator-2025.4.3/crds/} (docs/DASK-OPERATOR.md, "The objects"). The schemas
 * are deliberately open ({@code x-kubernetes-preserve-unknown-fields}); the fabric8 mock server validates nothing
 * anyway, and on a real cluster the vendored CRDs are installed instead of these (see docs/SIMULATOR.md).
 */
public final class DaskCrds {

    public static final String GROUP = "kubernetes.dask.org";
    public static final String VERSION = "v1";
    public static final String API_VERSION = GROUP + "/" + VERSION;

    public static final ResourceDefinitionContext DASK_JOB = context("DaskJob", "daskjobs");
    public static final ResourceDefinitionContext DASK_CLUSTER = context("DaskCluster", "daskclusters");
    public static final ResourceDefinitionContext DASK_WORKER_GROUP = context("DaskWorkerGroup", "daskworkergroups");
    public static final ResourceDefinitionContext DASK_AUTOSCALER = context("DaskAutoscaler", "daskautoscalers");

    private DaskCrds() {
    }

    /** All four CRDs: daskjobs (status subresource), daskclusters and daskworkergroups (scale), daskautoscalers. */
    public static List<CustomResourceDefinition> all() {
        return List.of(daskJob(), daskCluster(), daskWorkerGroup(), daskAutoscaler());
    }

    public static CustomResourceDefinition daskJob() {
        return crd("DaskJob", "daskjobs", "daskjob", List.of("djb"),
                new CustomResourceSubresourcesBuilder().withNewStatus().endStatus().build(),
                List.of(column("Status", ".status.jobStatus", "string", null),
                        column("Number Of Workers", ".spec.cluster.spec.worker.replicas", "integer", null),
                        column("Age", ".metadata.creationTimestamp", "date", null)));
    }

    public static CustomResourceDefinition daskCluster() {
        return crd("DaskCluster", "daskclusters", "daskcluster", List.of("daskcluster", "dsk"), scale(),
                List.of(column("Workers", ".spec.worker.replicas", "integer", "The number of desired worker Pods"),
                        column("Status", ".status.phase", "string", null),
                        column("Age", ".metadata.creationTimestamp", "date", null)));
    }

    public static CustomResourceDefinition daskWorkerGroup() {
        return crd("DaskWorkerGroup", "daskworkergroups", "daskworkergroup", List.of("daskworkers"), scale(),
                List.of(column("Workers", ".spec.worker.replicas", "integer", "The number of desired worker Pods"),
                        column("Age", ".metadata.creationTimestamp", "date", null)));
    }

    public static CustomResourceDefinition daskAutoscaler() {
        return crd("DaskAutoscaler", "daskautoscalers", "daskautoscaler", List.of(), null,
                List.of(column("Cluster", ".spec.cluster", "string", "Cluster to autoscale"),
                        column("Minimum", ".spec.minimum", "integer", null),
                        column("Maximum", ".spec.maximum", "integer", null),
                        column("Age", ".metadata.creationTimestamp", "date", null)));
    }

    private static CustomResourceSubresources scale() {
        return new CustomResourceSubresourcesBuilder().withNewScale()
                .withSpecReplicasPath(".spec.worker.replicas")
                .withStatusReplicasPath(".status.replicas")
                .endScale().build();
    }

    private static CustomResourceColumnDefinition column(
            String name, String jsonPath, String type, String description) {
        return new CustomResourceColumnDefinitionBuilder()
                .withName(name).withJsonPath(jsonPath).withType(type).withDescription(description).build();
    }

    private static CustomResourceDefinition crd(String kind, String plural, String singular, List<String> shortNames,
                                                CustomResourceSubresources subresources,
                                                List<CustomResourceColumnDefinition> columns) {
        JSONSchemaProps open = new JSONSchemaPropsBuilder().withType("object").withXKubernetesPreserveUnknownFields(true).build();
        return new CustomResourceDefinitionBuilder()
                .withNewMetadata().withName(plural + "." + GROUP).endMetadata()
                .withNewSpec()
                .withGroup(GROUP)
                .withScope("Namespaced")
                .withNewNames().withKind(kind).withPlural(plural).withSingular(singular).withShortNames(shortNames).endNames()
                .addNewVersion()
                .withName(VERSION).withServed(true).withStorage(true)
                .withNewSchema().withOpenAPIV3Schema(open).endSchema()
                .withSubresources(subresources)
                .withAdditionalPrinterColumns(columns)
                .endVersion()
                .endSpec()
                .build();
    }

    private static ResourceDefinitionContext context(String kind, String plural) {
        return new ResourceDefinitionContext.Builder()
                .withGroup(GROUP).withVersion(VERSION).withKind(kind).withPlural(plural).withNamespaced(true).build();
    }
}
