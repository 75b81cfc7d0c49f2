package dev.daskrelay.watcher.status;

import dev.daskrelay.avro.v1.DaskJobIntent;
import dev.daskrelay.avro.v1.Observation;
import dev.daskrelay.avro.v1.TaskStatus;
import java.util.Objects;
import org.apache.kafka.common.serialization.Serde;

/**
 * The value serdes of the topics the status topology reads and writes (keys are UTF-8 task ids everywhere).
 * Production wiring passes the Confluent wire-format serdes of {@code dev.daskrelay.schemas.serde}, configured
 * (isKey=false) before they get here; tests may pass any serde of the same records.
 */
public record StatusSerdes(Serde<Observation> observations, Serde<TaskStatus> statuses,
                           Serde<DaskJobIntent> intents) {
    public StatusSerdes {
        Objects.requireNonNull(observations, "observations");
        Objects.requireNonNull(statuses, "statuses");
        Objects.requireNonNull(intents, "intents");
    }
}
