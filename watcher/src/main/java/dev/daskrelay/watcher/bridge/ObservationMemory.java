package dev.daskrelay.watcher.bridge;

import dev.daskrelay.avro.v1.DaskJobSnapshot;
import dev.daskrelay.avro.v1.Observation;
import dev.daskrelay.avro.v1.ObservationSource;
import java.util.Map;

/**
 * What the bridge last published per DaskJob, as found where it published it. A new leader starts from this instead
 * of from nothing: a job whose last snapshot said "exists" but that is gone from the API server now (deleted while no
 * bridge ran, or just before the previous leader stopped) is reported gone, and a job that did not change is not
 * published again.
 */
public interface ObservationMemory {

    /** The last bridge observation per DaskJob still existing according to it; empty when nothing is known. */
    Map<JobRef, Observation> recall();

    /** No memory: a new leader publishes every current snapshot once and cannot report jobs deleted meanwhile. */
    ObservationMemory NONE = Map::of;

    /** True for an observation the bridge wrote about an existing DaskJob. */
    static boolean isLiveBridgeSnapshot(Observation o) {
        return o.getSource() == ObservationSource.BRIDGE && o.getPayload() instanceof DaskJobSnapshot s
                && s.getExists() && o.getDaskJobName() != null && o.getDaskJobNamespace() != null;
    }
}
