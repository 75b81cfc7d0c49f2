package dev.daskrelay.watcher.status;

/** The closed set of error codes the status topology itself assigns (apply errors pass the applier's code on). */
public enum ErrorCodes {
    /** A launch command failed validation; the message lists every problem. USER, permanent. */
    BadTaskSpecification,
    /** The API server refused the DaskJob (400/422); applier's default for permanent create failures. */
    BadTaskFormat,
    /** The applier's create conflicted with a different DaskJob of the same name. */
    SpecConflict,
    /** The applier gave up after its bounded retries. */
    RuntimeFailure,
    /** jobStatus Failed with nothing more specific known (Flyte's code and message "Dask Job failed"). */
    DownstreamSystemError,
    /** The runner container was killed for exceeding its memory limit. */
    OOMKilled,
    /** The runner exited with a non-zero code. */
    RunnerExitCode,
    /** The runner pod was evicted (node pressure). */
    Evicted,
    /** The runner's activeDeadlineSeconds expired. */
    DeadlineExceeded,
    /** The runner's image name is invalid. USER, permanent. */
    InvalidImageName,
    /**
     * Not emitted: an image pull failing past the grace period is {@link #ImagePullBackOff} whichever of the
     * kubelet's alternating reasons showed last. Kept so consumers that map it keep compiling.
     */
    ErrImagePull,
    /** The runner's image could not be pulled within the grace period (the message names the last reason). */
    ImagePullBackOff,
    /** The DaskJob disappeared while the task was not finished and no abort was asked. SYSTEM, retryable. */
    ResourceDeletedExternally,
    /** INITIALIZING longer than watcher.stuckAfter. SYSTEM, retryable; the DaskJob is deleted. */
    Stuck,
    /** The task's deadline (the launch's timeout) passed. SYSTEM, retryable; the DaskJob is deleted. */
    Timeout
}
