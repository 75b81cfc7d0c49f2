package dev.daskrelay.submitter.sdk;

import dev.daskrelay.avro.v1.DaskScheduler;

/**
 * flytekit's {@code Scheduler(image=, requests=, limits=)}: the Dask scheduler of the task's cluster. A null image
 * means the task image; requests or limits given here replace the task-level resources for the scheduler entirely.
 */
public record Scheduler(String image, Resources requests, Resources limits) {

    /** Task image and task-level resources. */
    public static final Scheduler DEFAULT = new Scheduler(null, null, null);

    public Scheduler withImage(String value) {
        return new Scheduler(value, requests, limits);
    }

    public Scheduler withRequests(Resources value) {
        return new Scheduler(image, value, limits);
    }

    public Scheduler withLimits(Resources value) {
        return new Scheduler(image, requests, value);
    }

    DaskScheduler toAvro() {
        return new DaskScheduler(image, Resources.toAvro(requests, limits));
    }
}
