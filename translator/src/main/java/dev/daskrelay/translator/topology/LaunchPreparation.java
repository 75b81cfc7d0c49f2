package dev.daskrelay.translator.topology;

import dev.daskrelay.avro.v1.TaskCommand;

/**
 * The pure step from a launch command to a DaskJob: validation of the task plus rendering with the platform
 * configuration. Implementations must be deterministic and free of I/O; they report every problem, not the first.
 */
@FunctionalInterface
public interface LaunchPreparation {

    /** {@code command.getPayload()} is a {@code LaunchDaskJob}. */
    PreparedLaunch prepare(TaskCommand command);
}
