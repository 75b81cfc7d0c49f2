package dev.daskrelay.watcher.bridge;

import dev.daskrelay.avro.v1.Observation;
import java.util.concurrent.CompletableFuture;

/** Where the bridge's observations go: the {@code <prefix>.observations} topic, keyed by task id. */
public interface ObservationPublisher extends AutoCloseable {

    /** Sends one observation; the future completes when the broker acknowledged it (or failed). */
    CompletableFuture<Void> publish(Observation observation);

    /** False after a send failed and no later send succeeded. */
    boolean healthy();

    @Override
    void close();
}
