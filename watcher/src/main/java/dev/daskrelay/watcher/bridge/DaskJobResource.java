package dev.daskrelay.watcher.bridge;

import dev.daskrelay.schemas.KubernetesLabels;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;

/** The DaskJob custom resource as the watcher reads it (generic: only status and a few spec fields are needed). */
public final class DaskJobResource {

    private DaskJobResource() {
    }

    public static final ResourceDefinitionContext CONTEXT = new ResourceDefinitionContext.Builder()
            .withGroup("kubernetes.dask.org")
            .withVersion("v1")
            .withKind("DaskJob")
            .withPlural("daskjobs")
            .withNamespaced(true)
            .build();

    /** Label selector of everything daskrelay manages: {@code app.kubernetes.io/managed-by=daskrelay}. */
    public static final String MANAGED_SELECTOR = KubernetesLabels.MANAGED_BY + "=" + KubernetesLabels.MANAGED_BY_VALUE;
}
