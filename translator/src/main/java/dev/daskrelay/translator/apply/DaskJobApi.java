package dev.daskrelay.translator.apply;

import dev.daskrelay.avro.v1.DaskJobIntent;

/** The applier's only door to Kubernetes: one blocking call per intent attempt. Never throws for API errors. */
public interface DaskJobApi {

    /** Creates the intent's DaskJob; on 409 reads the existing object's spec hash. */
    ApiResponse create(DaskJobIntent intent);

    /** Deletes the intent's DaskJob (default propagation). */
    ApiResponse delete(DaskJobIntent intent);
}
