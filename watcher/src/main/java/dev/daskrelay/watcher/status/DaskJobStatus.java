package dev.daskrelay.watcher.status;

/**
 * The Dask operator's {@code DaskJob.status.jobStatus} values (dask-kubernetes 2025.4.3,
 * https://github.com/dask/dask-kubernetes/blob/2025.4.3/dask_kubernetes/operator/controller/controller.py),
 * read once at the boundary with {@link #of(String)}. The snapshot on the wire keeps the operator's text unchanged.
 *
 * <p>Flyte's Dask plugin maps JobCreated and ClusterCreated (and no status yet) to initializing, Successful and
 * Failed to their terminal phases, and <em>anything else to running</em>: "Running", and also a value it does not
 * know (a newer operator's). {@link #UNKNOWN} is that last case, named, so the rule is one line.
 */
public enum DaskJobStatus {
    /** The operator has not written a status yet (no {@code jobStatus}, or an empty one). */
    ABSENT(null),
    JOB_CREATED("JobCreated"),
    CLUSTER_CREATED("ClusterCreated"),
    RUNNING("Running"),
    SUCCESSFUL("Successful"),
    FAILED("Failed"),
    /** A value this version does not know; as in Flyte, it counts as running. */
    UNKNOWN(null);

    private final String text;

    DaskJobStatus(String text) {
        this.text = text;
    }

    /** The status written as {@code text} (null or blank: {@link #ABSENT}; not a known value: {@link #UNKNOWN}). */
    public static DaskJobStatus of(String text) {
        if (text == null || text.isBlank()) {
            return ABSENT;
        }
        for (DaskJobStatus s : values()) {
            if (text.equals(s.text)) {
                return s;
            }
        }
        return UNKNOWN;
    }

    /** The operator's own word for it; null for {@link #ABSENT} and {@link #UNKNOWN}. */
    public String text() {
        return text;
    }

    /** Successful or Failed: the operator changes nothing afterwards. */
    public boolean isTerminal() {
        return this == SUCCESSFUL || this == FAILED;
    }

    /** Not started yet: no status, JobCreated or ClusterCreated. */
    public boolean isInitializing() {
        return this == ABSENT || this == JOB_CREATED || this == CLUSTER_CREATED;
    }

    /** Running, or (Flyte's rule) a value not known to this version. */
    public boolean countsAsRunning() {
        return this == RUNNING || this == UNKNOWN;
    }
}
