package dev.daskrelay.schemas;

/**
 * The label and annotation keys daskrelay puts on every DaskJob it creates (the renderer writes them, the watcher
 * selects and reads them), and the keys the Dask operator puts on the objects it creates for a DaskJob
 * (docs/DASK-OPERATOR.md §3.2). One place, so writer and reader cannot drift apart.
 */
public final class KubernetesLabels {

    private KubernetesLabels() {
    }

    /** Label marking every object daskrelay creates; the operator copies it to the cluster and every pod. */
    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    /** Value of {@link #MANAGED_BY}. */
    public static final String MANAGED_BY_VALUE = "daskrelay";
    /**
     * Label naming the daskrelay installation that created the object ({@code installation} in daskrelay.yaml,
     * {@link dev.daskrelay.schemas.config.Installation}); the operator copies it to the cluster and every pod. The
     * watcher selects on it, the janitor and the applier act only on objects that carry their own value.
     */
    public static final String INSTALLATION = "daskrelay.dev/installation";
    /** Label with a label-safe form of the task id (select one task's objects with it). */
    public static final String TASK = "daskrelay.dev/task";
    /** Annotation with the full task id. */
    public static final String TASK_ID = "daskrelay.dev/task-id";
    /** Annotation {@code <project>/<domain>/<execution name>/<node id>/<retry attempt>}. */
    public static final String EXECUTION = "daskrelay.dev/execution";
    /** Annotation with the hash of the rendered DaskJob spec. */
    public static final String SPEC_HASH = "daskrelay.dev/spec-hash";
    /**
     * Annotation the applier adds when it creates a DaskJob: the intent that created it,
     * {@code <topic>/<partition>/<offset>} ({@link IntentPosition}). The janitor deletes a finished DaskJob only once
     * that intent can no longer be applied again.
     */
    public static final String INTENT = "daskrelay.dev/intent";
    /** Keys with this prefix (and {@link #MANAGED_BY}) are daskrelay's own. */
    public static final String RESERVED_PREFIX = "daskrelay.dev/";

    /** Operator label on the DaskCluster and every pod: the DaskJob (= cluster) name. */
    public static final String DASK_CLUSTER_NAME = "dask.org/cluster-name";
    /** Operator label on every pod: {@code job-runner}, {@code scheduler} or {@code worker}. */
    public static final String DASK_COMPONENT = "dask.org/component";
    public static final String COMPONENT_JOB_RUNNER = "job-runner";
    public static final String COMPONENT_SCHEDULER = "scheduler";
    public static final String COMPONENT_WORKER = "worker";
}
