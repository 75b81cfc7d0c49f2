package dev.daskrelay.e2e;

import dev.daskrelay.avro.v1.TaskPhase;
import java.util.List;
import java.util.Locale;

/**
 * One task file of {@code src/test/resources/scenarios/} and what daskrelay must report for it — the same on the
 * real cluster and on the simulator. The task files use the simulator's scenario annotations, which the test bed's
 * kwok stages honour too; {@code unschedulable} and {@code workers-never-ready} ask for more CPU than a node has,
 * so the real scheduler refuses them.
 *
 * @param name          the scenario (and task file) name
 * @param action        what the test does to the task while it runs
 * @param end           the terminal phase
 * @param error         {@code code/KIND/retryable|permanent} of the FAILED event (null otherwise)
 * @param passesThrough phases the timeline must contain before the end
 * @param jobRemains    whether the DaskJob is still in the cluster after the end (the janitor keeps finished ones
 *                      in this suite; daskrelay deletes the DaskJob itself on aborts, timeouts, stuck jobs and
 *                      image failures)
 */
record Scenario(String name, Action action, TaskPhase end, String error, List<TaskPhase> passesThrough,
                boolean jobRemains) {

    /** What the test does during the run. */
    enum Action {
        NONE,
        /** {@code daskrelay cancel} (the SDK's cancel) once the task is RUNNING. */
        ABORT_WHEN_RUNNING,
        /** Deletes the DaskJob behind daskrelay's back (background propagation) once the task is RUNNING. */
        DELETE_WHEN_RUNNING,
        /** Publishes the launch without the client's validation: the translator must refuse it. */
        PUBLISH_UNVALIDATED
    }

    static final List<TaskPhase> STARTED = List.of(TaskPhase.QUEUED, TaskPhase.INITIALIZING, TaskPhase.RUNNING);

    /** Every scenario that runs while the operator is up, all at once. */
    static List<Scenario> withOperator() {
        return List.of(
                new Scenario("success", Action.NONE, TaskPhase.SUCCEEDED, null, STARTED, true),
                new Scenario("runner-exit", Action.NONE, TaskPhase.FAILED, "RunnerExitCode/USER/retryable", STARTED, true),
                new Scenario("oom", Action.NONE, TaskPhase.FAILED, "OOMKilled/USER/retryable", STARTED, true),
                new Scenario("image-pull-error", Action.NONE, TaskPhase.FAILED, "ImagePullBackOff/USER/retryable",
                        List.of(TaskPhase.QUEUED, TaskPhase.INITIALIZING), false),
                new Scenario("invalid-image", Action.NONE, TaskPhase.FAILED, "InvalidImageName/USER/permanent",
                        List.of(TaskPhase.QUEUED, TaskPhase.INITIALIZING), false),
                new Scenario("unschedulable", Action.NONE, TaskPhase.FAILED, "Timeout/SYSTEM/retryable",
                        List.of(TaskPhase.QUEUED, TaskPhase.WAITING_FOR_RESOURCES), false),
                new Scenario("workers-never-ready", Action.NONE, TaskPhase.FAILED, "RunnerExitCode/USER/retryable",
                        STARTED, true),
                new Scenario("long", Action.ABORT_WHEN_RUNNING, TaskPhase.ABORTED, null, STARTED, false),
                new Scenario("long", Action.DELETE_WHEN_RUNNING, TaskPhase.FAILED,
                        "ResourceDeletedExternally/SYSTEM/retryable", STARTED, false),
                new Scenario("invalid-spec", Action.PUBLISH_UNVALIDATED, TaskPhase.FAILED,
                        "BadTaskSpecification/USER/permanent", List.of(), false));
    }

    /** The file name of the task file. */
    String file() {
        return "scenarios/" + name + ".yaml";
    }

    /** A name unique among the scenarios (the same task file can run with different actions). */
    String key() {
        return action == Action.NONE || action == Action.PUBLISH_UNVALIDATED ? name
                : name + "/" + action.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
