package dev.daskrelay.submitter.sdk;

import dev.daskrelay.avro.v1.DaskSpec;
import java.util.Objects;

/** flytekit's {@code Dask(scheduler=, workers=)} task config: one scheduler and one (default) worker group. */
public record Dask(Scheduler scheduler, WorkerGroup workers) {

    public static final Dask DEFAULT = new Dask(Scheduler.DEFAULT, WorkerGroup.DEFAULT);

    public Dask {
        scheduler = Objects.requireNonNullElse(scheduler, Scheduler.DEFAULT);
        workers = Objects.requireNonNullElse(workers, WorkerGroup.DEFAULT);
    }

    public static Dask of(Scheduler scheduler, WorkerGroup workers) {
        return new Dask(scheduler, workers);
    }

    /** Default scheduler, {@code n} workers. */
    public static Dask workers(int n) {
        return new Dask(Scheduler.DEFAULT, WorkerGroup.of(n));
    }

    DaskSpec toAvro() {
        return new DaskSpec(scheduler.toAvro(), workers.toAvro());
    }
}
