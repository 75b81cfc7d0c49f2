package dev.daskrelay.watcher.bridge;

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
}
