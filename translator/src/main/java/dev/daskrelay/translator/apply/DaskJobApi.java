package dev.daskrelay.translator.apply;

import dev.daskrelay.avro.v1.DaskJobIntent;
import dev.daskrelay.schemas.IntentPosition;
import dev.daskrelay.schemas.KubernetesLabels;

/** The applier's only door to Kubernetes: one blocking call per intent attempt. Never throws for API errors. */
public interface DaskJobApi {

    /**
     * Creates the intent's DaskJob, annotated with where the intent sits ({@link KubernetesLabels#INTENT}); on 409
     * reads the existing object's spec hash.
     */
    ApiResponse create(DaskJobIntent intent, IntentPosition position);

    /** Deletes the intent's DaskJob (default propagation). */
    ApiResponse delete(DaskJobIntent intent);
}
