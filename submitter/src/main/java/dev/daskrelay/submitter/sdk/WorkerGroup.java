package dev.daskrelay.submitter.sdk;

import dev.daskrelay.avro.v1.DaskWorkerGroup;

/**
 * flytekit's {@code WorkerGroup(number_of_workers=, image=, requests=, limits=)}: the default worker group. A null
 * image means the task image; requests or limits given here replace the task-level resources for the workers.
 */
public record WorkerGroup(int numberOfWorkers, String image, Resources requests, Resources limits) {

    /** One worker, task image and task-level resources (flytekit's default). */
    public static final WorkerGroup DEFAULT = new WorkerGroup(1, null, null, null);

    public static WorkerGroup of(int numberOfWorkers) {
        return new WorkerGroup(numberOfWorkers, null, null, null);
    }

    public WorkerGroup withImage(String value) {
        return new WorkerGroup(numberOfWorkers, value, requests, limits);
    }

    public WorkerGroup withRequests(Resources value) {
        return new WorkerGroup(numberOfWorkers, image, value, limits);
    }

    public WorkerGroup withLimits(Resources value) {
        return new WorkerGroup(numberOfWorkers, image, requests, value);
    }

    DaskWorkerGroup toAvro() {
        return new DaskWorkerGroup(numberOfWorkers, image, Resources.toAvro(requests, limits));
    }
}
