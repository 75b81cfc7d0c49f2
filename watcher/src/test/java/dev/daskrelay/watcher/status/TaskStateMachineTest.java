package dev.daskrelay.watcher.status;

import static dev.daskrelay.schemas.testing.TestObservations.JOB;
import static dev.daskrelay.schemas.testing.TestObservations.NS;
import static dev.daskrelay.schemas.testing.TestObservations.RUNNER;
import static dev.daskrelay.schemas.testing.TestObservations.T0;
import static dev.daskrelay.schemas.testing.TestObservations.TASK;
import static dev.daskrelay.schemas.testing.TestObservations.accepted;
import static dev.daskrelay.schemas.testing.TestObservations.apply;
import static dev.daskrelay.schemas.testing.TestObservations.applyBuilder;
import static dev.daskrelay.schemas.testing.TestObservations.comps;
import static dev.daskrelay.schemas.testing.TestObservations.container;
import static dev.daskrelay.schemas.testing.TestObservations.event;
import static dev.daskrelay.schemas.testing.TestObservations.gone;
import static dev.daskrelay.schemas.testing.TestObservations.job;
import static dev.daskrelay.schemas.testing.TestObservations.pod;
import static dev.daskrelay.schemas.testing.TestObservations.runner;
import static dev.daskrelay.schemas.testing.TestObservations.snapshot;
import static dev.daskrelay.schemas.testing.TestObservations.terminated;
import static dev.daskrelay.schemas.testing.TestObservations.waiting;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.daskrelay.avro.v1.ApplyResult;
import dev.daskrelay.avro.v1.CommandOutcome;
import dev.daskrelay.avro.v1.CommandOutcomeKind;
import dev.daskrelay.avro.v1.DaskJobIntent;
import dev.daskrelay.avro.v1.ErrorKind;
import dev.daskrelay.avro.v1.IntentAction;
import dev.daskrelay.avro.v1.Observation;
import dev.daskrelay.avro.v1.ObservationSource;
import dev.daskrelay.avro.v1.PodDetail;
import dev.daskrelay.avro.v1.TaskPhase;
import dev.daskrelay.avro.v1.TaskStatus;
import dev.daskrelay.schemas.testing.TestObservations;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Table tests of the derivation rules and the state machine (docs/STATUS-MODEL.md, one test per row or rule). */
class TaskStateMachineTest {

    private StatusSettings settings = StatusSettings.defaults();
    private TaskState state = TaskState.initial(TASK);
    private final List<TaskStatus> events = new ArrayList<>();
    private final List<DaskJobIntent> intents = new ArrayList<>();
    private final List<TaskStateMachine.RejectedTransition> rejected = new ArrayList<>();

    private TaskStateMachine.Step feed(Observation o) {
        return feed(o, o.getObservedAt());
    }

    private TaskStateMachine.Step feed(Observation o, Instant now) {
        return record(TaskStateMachine.apply(state, o, now, settings));
    }

    private TaskStateMachine.Step tick(Instant now) {
        return record(TaskStateMachine.tick(state, now, settings));
    }

    private TaskStateMachine.Step record(TaskStateMachine.Step step) {
        state = step.state();
        events.addAll(step.events());
        intents.addAll(step.intents());
        rejected.addAll(step.rejected());
        return step;
    }

    private TaskStatus last() {
        return events.get(events.size() - 1);
    }

    private static Instant at(int seconds) {
        return T0.plusSeconds(seconds);
    }

    private void assertLast(TaskPhase phase, int version, String reason) {
        TaskStatus e = last();
        assertEquals(phase, e.getPhase(), "phase of " + e);
        assertEquals(version, e.getPhaseVersion(), "phaseVersion of " + e);
        assertEquals(reason, e.getReason(), "reason of " + e);
        assertEquals(events.size(), e.getSequence(), "sequence");
        assertEquals(TASK + ":" + e.getSequence(), e.getEventId());
        assertEquals(phase == TaskPhase.SUCCEEDED || phase == TaskPhase.FAILED || phase == TaskPhase.ABORTED,
                e.getTerminal());
    }

    private void assertError(String code, ErrorKind kind, boolean retryable) {
        TaskStatus e = last();
        assertEquals(TaskPhase.FAILED, e.getPhase());
        assertEquals(code, e.getError().getCode(), "code of " + e);
        assertEquals(kind, e.getError().getKind(), "kind of " + e);
        assertEquals(retryable, e.getError().getRetryable(), "retryable of " + e);
        assertEquals(code, e.getReason());
        assertTrue(e.getTerminal());
    }

    /** Where every real task starts: the command topology accepted its launch (no event of its own). */
    private void launched() {
        feed(accepted(at(0), null));
    }

    private void running() {
        feed(apply(IntentAction.CREATE, ApplyResult.CREATED, at(1)));
        feed(snapshot(job("Running").setJobRunnerPodName(RUNNER).build(), at(2)));
        assertEquals(TaskPhase.RUNNING, last().getPhase());
    }

    /** The architecture table and Flyte's mapping of jobStatus to phases. */
    @Nested
    class FlyteMapping {

        @Test
        void createdIsQueued() {
            feed(apply(IntentAction.CREATE, ApplyResult.CREATED, at(0)));
            assertLast(TaskPhase.QUEUED, 0, "task submitted to Kubernetes");
            TaskStatus e = last();
            assertEquals(1, e.getSequence());
            assertEquals(JOB, e.getDaskJobName());
            assertEquals(NS, e.getDaskJobNamespace());
            assertEquals(TestObservations.EXEC, e.getExecution());
            assertNull(e.getError());
            assertEquals(at(0), e.getOccurredAt());
            feed(apply(IntentAction.CREATE, ApplyResult.ALREADY_EXISTED, at(1)));
            assertEquals(1, events.size(), "ALREADY_EXISTED after CREATED is the same QUEUED");
        }

        @Test
        void alreadyExistedAloneIsQueued() {
            feed(apply(IntentAction.CREATE, ApplyResult.ALREADY_EXISTED, at(0)));
            assertLast(TaskPhase.QUEUED, 0, "task submitted to Kubernetes");
        }

        @ParameterizedTest(name = "jobStatus ''{0}'' -> {1} ''{2}''")
        @CsvSource(delimiter = '|', value = {
                "''             | INITIALIZING | waiting for the Dask operator",
                "JobCreated     | INITIALIZING | job created",
                "ClusterCreated | INITIALIZING | cluster created",
                "Running        | RUNNING      | running",
                "Successful     | SUCCEEDED    | job succeeded",
                "Failed         | FAILED       | DownstreamSystemError",
                "Restarting     | RUNNING      | running",
        })
        void jobStatusMapping(String jobStatus, TaskPhase phase, String reason) {
            launched();
            feed(snapshot(job(jobStatus).build(), at(0)));
            assertLast(phase, 0, reason);
            if (phase == TaskPhase.FAILED) {
                assertError("DownstreamSystemError", ErrorKind.USER, true);
                assertEquals("Dask Job failed", last().getError().getMessage());
            }
        }

        @Test
        void noJobStatusYetMeansTheOperatorHasNotPickedTheJobUp() {
            launched();
            feed(snapshot(job(null).build(), at(0)));
            assertLast(TaskPhase.INITIALIZING, 0, "waiting for the Dask operator");
        }

        @Test
        void aFirstSnapshotBeforeTheAppliersOutcomeIsPrecededByQueued() {
            launched();
            feed(snapshot(job("JobCreated").build(), at(1)));
            assertEquals(List.of(TaskPhase.QUEUED, TaskPhase.INITIALIZING),
                    events.stream().map(TaskStatus::getPhase).toList());
            assertEquals("task submitted to Kubernetes", events.get(0).getReason());
            assertEquals("DaskJob " + NS + "/" + JOB + " observed", events.get(0).getMessage());
            assertEquals(at(1), events.get(0).getOccurredAt());
            assertEquals(List.of(1L, 2L), events.stream().map(TaskStatus::getSequence).toList());
            // the applier's CREATED, arriving late, changes nothing (QUEUED again would be a regression)
            TaskStateMachine.Step late = feed(apply(IntentAction.CREATE, ApplyResult.CREATED, at(2)));
            assertEquals(List.of(), late.events());
            assertEquals(2, events.size());
        }

        @Test
        void aFirstSnapshotThatIsAlreadyTerminalIsPrecededByQueuedToo() {
            launched();
            feed(snapshot(job("Successful").build(), at(1)));
            assertEquals(List.of(TaskPhase.QUEUED, TaskPhase.INITIALIZING, TaskPhase.RUNNING, TaskPhase.SUCCEEDED),
                    events.stream().map(TaskStatus::getPhase).toList(),
                    "a Successful DaskJob proves its cluster was created and its runner ran");
        }

        @Test
        void aTaskThatEndsBeforeItsDaskJobExistsDoesNotStartWithQueued() {
            feed(TestObservations.rejected(at(0)));
            assertEquals(List.of(TaskPhase.FAILED), events.stream().map(TaskStatus::getPhase).toList());
        }

        @Test
        void flyteSequenceWithVersionBumps() {
            feed(apply(IntentAction.CREATE, ApplyResult.CREATED, at(0)));
            feed(snapshot(job("").build(), at(1)));
            assertLast(TaskPhase.INITIALIZING, 0, "waiting for the Dask operator");
            feed(snapshot(job("JobCreated").build(), at(2)));
            assertLast(TaskPhase.INITIALIZING, 1, "job created");
            feed(snapshot(job("ClusterCreated").build(), at(3)));
            assertLast(TaskPhase.INITIALIZING, 2, "cluster created");
            feed(snapshot(job("Running").build(), at(4)));
            assertLast(TaskPhase.RUNNING, 0, "running");
            feed(snapshot(job("Successful").build(), at(5)));
            assertLast(TaskPhase.SUCCEEDED, 0, "job succeeded");
            assertEquals(6, events.size());
            for (int i = 0; i < events.size(); i++) {
                assertEquals(i + 1, events.get(i).getSequence());
            }
        }

        @Test
        void initializingCarriesComponentDetail() {
            PodDetail r = runner("Pending", container().build());
            PodDetail s = PodDetail.newBuilder(pod("sched", "Running", container().setName("scheduler").build()))
                    .setReady(true).build();
            launched();
            feed(snapshot(job("ClusterCreated").setComponents(comps(r, s, 3, 0, 3)).build(), at(0)));
            assertLast(TaskPhase.INITIALIZING, 0,
                    "cluster created (runner Pending, scheduler Running ready, workers ready 0/3)");
            assertEquals(3, last().getComponents().getWorkersDesired());
        }

        @Test
        void workersReadyWhileRunningAreReasonChanges() {
            launched();
            feed(snapshot(job("Running").setComponents(comps(null, null, 3, 1, 2)).build(), at(0)));
            assertLast(TaskPhase.RUNNING, 0, "workers ready 1/3");
            feed(snapshot(job("Running").setComponents(comps(null, null, 3, 3, 0)).build(), at(1)));
            assertLast(TaskPhase.RUNNING, 1, "workers ready 3/3");
            feed(snapshot(job("Running").setComponents(comps(null, null, 3, 3, 0)).build(), at(2)));
            assertEquals(4, events.size(), "QUEUED, INITIALIZING, RUNNING, RUNNING v1; the same reason again: no event");
        }

        @Test
        void unschedulableWorkersWhileRunningStayRunning() {
            launched();
            feed(snapshot(job("Running").setComponents(comps(null, null, 3, 1, 2, "0/2 nodes are available"))
                    .setEvents(List.of(event("w-1", "FailedScheduling", "0/2 nodes are available"))).build(), at(0)));
            assertLast(TaskPhase.RUNNING, 0, "workers ready 1/3 (0/2 nodes are available)");
        }
    }

    /** The runner pod ends before the operator notices. */
    @Nested
    class RunnerFailures {

        @Test
        void runnerExitCodeBeforeOperatorNotices() {
            running();
            feed(snapshot(job("Running").setComponents(comps(runner("Failed", terminated("Error", 1, "boom\n")),
                    null, 0, 0, 0)).build(), at(10)));
            assertError("RunnerExitCode", ErrorKind.USER, true);
            assertEquals("runner exited with code 1: boom", last().getError().getMessage());
            assertTrue(intents.isEmpty(), "the operator cleans up after a failed runner itself");
        }

        @Test
        void oomKilled() {
            running();
            feed(snapshot(job("Failed").setComponents(comps(runner("Failed", terminated("OOMKilled", 137, null)),
                    null, 0, 0, 0)).build(), at(10)));
            assertError("OOMKilled", ErrorKind.USER, true);
            assertEquals("runner container was OOMKilled (exit code 137)", last().getError().getMessage());
        }

        @Test
        void evictedRunner() {
            running();
            PodDetail r = PodDetail.newBuilder(runner("Failed", container().build())).setStatusReason("Evicted").build();
            feed(snapshot(job("Running").setComponents(comps(r, null, 0, 0, 0)).build(), at(10)));
            assertError("Evicted", ErrorKind.SYSTEM, true);
        }

        @Test
        void runnerSucceededBeforeOperatorNotices() {
            running();
            feed(snapshot(job("Running").setComponents(comps(runner("Succeeded", terminated("Completed", 0, null)),
                    null, 0, 0, 0)).build(), at(10)));
            assertLast(TaskPhase.SUCCEEDED, 0, "runner succeeded");
        }
    }

    /** Runner image problems. */
    @Nested
    class ImagePull {

        @Test
        void imagePullFailingPastGraceFailsAndDeletes() {
            feed(apply(IntentAction.CREATE, ApplyResult.CREATED, at(0)));
            var pulling = comps(runner("Pending", waiting("ImagePullBackOff", "Back-off pulling image \"x:1\"")),
                    null, 0, 0, 0);
            feed(snapshot(job("ClusterCreated").setComponents(pulling).build(), at(10)));
            assertLast(TaskPhase.INITIALIZING, 0, "cluster created (runner Pending image pull failing)");
            var errPull = comps(runner("Pending", waiting("ErrImagePull", "rpc error: not found")), null, 0, 0, 0);
            feed(snapshot(job("ClusterCreated").setComponents(errPull).build(), at(100)));
            assertEquals(2, events.size(), "ErrImagePull/ImagePullBackOff alternation is one reason");
            tick(at(10 + 179));
            assertEquals(2, events.size(), "inside the grace period");
            tick(at(10 + 180));
            assertError("ImagePullBackOff", ErrorKind.USER, true);
            assertTrue(last().getError().getMessage().contains("(ErrImagePull: rpc error: not found)"),
                    last().getError().getMessage());
            assertEquals(1, intents.size());
            assertEquals("ImagePullBackOff", intents.get(0).getReason());
        }

        @Test
        void aPullFailingPastTheGraceIsImagePullBackOffWhicheverReasonShowedLast() {
            feed(apply(IntentAction.CREATE, ApplyResult.CREATED, at(0)));
            var errPull = comps(runner("Pending", waiting("ErrImagePull", "rpc error: not found")), null, 0, 0, 0);
            feed(snapshot(job("ClusterCreated").setComponents(errPull).build(), at(10)));
            tick(at(10 + 180));
            assertError("ImagePullBackOff", ErrorKind.USER, true);
        }

        @Test
        void imagePullRecoveringClearsTheTimer() {
            var pulling = comps(runner("Pending", waiting("ImagePullBackOff", "slow")), null, 0, 0, 0);
            launched();
            feed(snapshot(job("ClusterCreated").setComponents(pulling).build(), at(0)));
            assertTrue(state.imagePullFailingSince() != null);
            feed(snapshot(job("ClusterCreated").setComponents(comps(runner("Pending", container().build()), null, 0, 0,
                    0)).build(), at(60)));
            assertNull(state.imagePullFailingSince());
            tick(at(600));
            assertEquals(TaskPhase.INITIALIZING, last().getPhase());
        }

        @Test
        void invalidImageNameFailsAtOncePermanently() {
            feed(apply(IntentAction.CREATE, ApplyResult.CREATED, at(0)));
            feed(snapshot(job("ClusterCreated").setComponents(comps(runner("Pending",
                    waiting("InvalidImageName", "couldn't parse image reference \"UPPER:x\"")), null, 0, 0, 0)).build(),
                    at(5)));
            assertError("InvalidImageName", ErrorKind.USER, false);
            assertEquals(1, intents.size());
        }
    }

    /** Waiting for resources and back. */
    @Nested
    class Resources {

        @Test
        void unschedulableRunnerWaitsThenInitializesThenRuns() {
            PodDetail r = PodDetail.newBuilder(runner("Pending", container().build()))
                    .setUnschedulableMessage("0/3 nodes are available: 3 Insufficient cpu.").build();
            launched();
            feed(snapshot(job("ClusterCreated").setComponents(comps(r, null, 0, 0, 0)).build(), at(0)));
            assertLast(TaskPhase.WAITING_FOR_RESOURCES, 0, "job-runner unschedulable: 0/3 nodes are available: 3 Insufficient cpu.");
            feed(snapshot(job("ClusterCreated").setComponents(comps(runner("Pending", container().build()), null, 0, 0, 0))
                    .build(), at(30)));
            assertLast(TaskPhase.INITIALIZING, 1, "cluster created (runner Pending)");
            assertEquals(List.of(TaskPhase.QUEUED, TaskPhase.INITIALIZING, TaskPhase.WAITING_FOR_RESOURCES,
                    TaskPhase.INITIALIZING), events.stream().map(TaskStatus::getPhase).toList(),
                    "the first snapshot proves the cluster was created: INITIALIZING before the wait, as on a real cluster");
            feed(snapshot(job("Running").build(), at(40)));
            assertLast(TaskPhase.RUNNING, 0, "running");
            assertTrue(rejected.isEmpty());
        }

        @Test
        void reEnteringAPhaseContinuesItsVersions() {
            launched();
            feed(snapshot(job("JobCreated").build(), at(0)));
            assertLast(TaskPhase.INITIALIZING, 0, "job created");
            PodDetail r = PodDetail.newBuilder(runner("Pending", container().build())).setUnschedulableMessage("full")
                    .build();
            feed(snapshot(job("ClusterCreated").setComponents(comps(r, null, 0, 0, 0)).build(), at(10)));
            assertLast(TaskPhase.WAITING_FOR_RESOURCES, 0, "job-runner unschedulable: full");
            feed(snapshot(job("ClusterCreated").build(), at(20)));
            assertLast(TaskPhase.INITIALIZING, 1, "cluster created");
            feed(snapshot(job("ClusterCreated").setComponents(comps(r, null, 0, 0, 0)).build(), at(30)));
            assertLast(TaskPhase.WAITING_FOR_RESOURCES, 1, "job-runner unschedulable: full");
        }

        @Test
        void failedSchedulingEventOfPendingWorkers() {
            launched();
            feed(snapshot(job("ClusterCreated").setComponents(comps(runner("Pending", container().build()), null, 2, 0, 2))
                    .setEvents(List.of(event("w-1", "FailedScheduling", "0/1 nodes are available: 1 Insufficient memory.")))
                    .build(), at(0)));
            assertLast(TaskPhase.WAITING_FOR_RESOURCES, 0,
                    "workers unschedulable: 0/1 nodes are available: 1 Insufficient memory.");
        }

        @Test
        void failedSchedulingOfARunnerThatIsRunningIsIgnored() {
            launched();
            feed(snapshot(job("ClusterCreated").setComponents(comps(runner("Running", container().build()), null, 0, 0, 0))
                    .setEvents(List.of(event(RUNNER, "FailedScheduling", "old news"))).build(), at(0)));
            assertLast(TaskPhase.RUNNING, 0, "running");
        }

        @Test
        void workersTheSchedulerCannotPlaceAreWaitingForResourcesWithoutAnyEvent() {
            launched();
            feed(snapshot(job("ClusterCreated").setComponents(comps(runner("Pending", container().build()), null, 2,
                    0, 2, "Unschedulable: 0/3 nodes are available: 3 Insufficient cpu.")).build(), at(0)));
            assertLast(TaskPhase.WAITING_FOR_RESOURCES, 0,
                    "workers unschedulable: 0/3 nodes are available: 3 Insufficient cpu.");
        }

        @Test
        void quotaRefusalWhilePodsAreMissing() {
            launched();
            feed(snapshot(job("JobCreated").setEvents(List.of(event(JOB, "FailedCreate",
                    "Error creating: pods \"x\" is forbidden: exceeded quota: compute, requested: cpu=2"))).build(), at(0)));
            assertLast(TaskPhase.WAITING_FOR_RESOURCES, 0,
                    "quota exceeded: Error creating: pods \"x\" is forbidden: exceeded quota: compute, requested: cpu=2");
        }

        @Test
        void applierWaitingForResources() {
            feed(apply(applyBuilder(IntentAction.CREATE, ApplyResult.WAITING_FOR_RESOURCES)
                    .setMessage("Exceeded resourcequota: daskjobs count 5/5").build(), at(0)));
            assertLast(TaskPhase.WAITING_FOR_RESOURCES, 0, "Exceeded resourcequota: daskjobs count 5/5");
            feed(apply(IntentAction.CREATE, ApplyResult.CREATED, at(5)));
            assertEquals(1, events.size(), "QUEUED after WAITING_FOR_RESOURCES is a regression");
            assertEquals(List.of(new TaskStateMachine.RejectedTransition(Phase.WAITING_FOR_RESOURCES, Phase.QUEUED)),
                    rejected);
        }
    }

    /** The DaskJob deleted, by someone else or by an abort. */
    @Nested
    class DeletionAndAbort {

        @Test
        void deletedExternally() {
            running();
            feed(snapshot(gone(), at(10)));
            assertError("ResourceDeletedExternally", ErrorKind.SYSTEM, true);
            assertTrue(last().getError().getMessage().contains(NS + "/" + JOB));
        }

        @Test
        void deletingExternally() {
            running();
            feed(snapshot(job("Running").setDeleting(true).build(), at(10)));
            assertError("ResourceDeletedExternally", ErrorKind.SYSTEM, true);
        }

        @Test
        void successfulWinsOverDeletion() {
            running();
            feed(snapshot(job("Successful").setDeleting(true).build(), at(10)));
            assertLast(TaskPhase.SUCCEEDED, 0, "job succeeded");
        }

        @Test
        void abortMidRunEndsAbortedWhenTheDeleteIsDone() {
            running();
            feed(TestObservations.abort(CommandOutcomeKind.ABORT_ACCEPTED, "user cancelled", at(10)));
            assertEquals(3, events.size(), "an accepted abort alone is no status change");
            assertTrue(state.abortRequested());
            feed(apply(IntentAction.DELETE, ApplyResult.DELETED, at(11)));
            assertLast(TaskPhase.ABORTED, 0, "user cancelled");
            feed(snapshot(gone(), at(12)));
            assertEquals(4, events.size(), "nothing after terminal");
        }

        @Test
        void abortThenJobGoneIsAborted() {
            running();
            feed(TestObservations.abort(CommandOutcomeKind.ABORT_ACCEPTED, null, at(10)));
            feed(snapshot(gone(), at(11)));
            assertLast(TaskPhase.ABORTED, 0, "aborted by request");
        }

        @Test
        void runnerKilledByTheAbortIsAborted() {
            running();
            feed(TestObservations.abort(CommandOutcomeKind.ABORT_ACCEPTED, "stop", at(10)));
            feed(snapshot(job("Running").setComponents(comps(runner("Failed", terminated("Error", 143, null)), null,
                    0, 0, 0)).build(), at(11)));
            assertLast(TaskPhase.ABORTED, 0, "stop");
        }

        @Test
        void successBeforeTheAbortTookEffectIsSuccess() {
            running();
            feed(TestObservations.abort(CommandOutcomeKind.ABORT_ACCEPTED, "stop", at(10)));
            feed(snapshot(job("Successful").build(), at(11)));
            assertLast(TaskPhase.SUCCEEDED, 0, "job succeeded");
        }

        @Test
        void abortAndDeleteNotFoundIsAborted() {
            feed(TestObservations.abort(CommandOutcomeKind.ABORT_ACCEPTED, "stop", at(0)));
            feed(apply(IntentAction.DELETE, ApplyResult.NOT_FOUND, at(1)));
            assertLast(TaskPhase.ABORTED, 0, "stop");
            assertEquals(1, last().getSequence());
        }

        @Test
        void deleteOutcomeWithoutAbortChangesNothing() {
            running();
            feed(apply(IntentAction.DELETE, ApplyResult.DELETED, at(10)));
            assertEquals(3, events.size());
        }
    }

    /** The command topology's answers. */
    @Nested
    class CommandOutcomes {

        @Test
        void rejectionListsEveryProblem() {
            feed(TestObservations.rejected(at(0), "image: required", "dask.workers.numberOfWorkers: must be >= 1"));
            assertError("BadTaskSpecification", ErrorKind.USER, false);
            assertEquals("image: required; dask.workers.numberOfWorkers: must be >= 1", last().getError().getMessage());
            assertEquals(1, last().getSequence());
        }

        @Test
        void launchAfterAbortIsAborted() {
            feed(TestObservations.command(CommandOutcomeKind.LAUNCH_AFTER_ABORT, at(0)));
            assertLast(TaskPhase.ABORTED, 0, "aborted before launch");
        }

        @Test
        void abortBeforeLaunchAnswersOnceAndTheLateLaunchAddsNothing() {
            feed(TestObservations.abort(CommandOutcomeKind.ABORT_BEFORE_LAUNCH, "changed my mind", at(0)));
            assertLast(TaskPhase.ABORTED, 0, "changed my mind");
            feed(TestObservations.command(CommandOutcomeKind.LAUNCH_AFTER_ABORT, at(1)));
            assertEquals(1, events.size());
        }

        @Test
        void abortOfUnknownTaskIsAnswered() {
            feed(TestObservations.abort(CommandOutcomeKind.ABORT_UNKNOWN_TASK, "who?", at(0)));
            assertLast(TaskPhase.ABORTED, 0, "abort of unknown task");
            assertEquals("who?", last().getMessage());
        }

        @Test
        void abortUnknownTaskForAKnownTaskChangesNothing() {
            running();
            feed(TestObservations.abort(CommandOutcomeKind.ABORT_UNKNOWN_TASK, null, at(10)));
            assertEquals(3, events.size());
        }

        @Test
        void aRejectedAbortIsAnsweredWithAReasonChangeAndTheTaskGoesOn() {
            running();
            feed(TestObservations.of(CommandOutcome.newBuilder().setCommandId("cmd-3")
                    .setKind(CommandOutcomeKind.ABORT_REJECTED).setMessage("abort rejected")
                    .setProblems(List.of("execution: the abort names execution a/b/c/d/0 but ...")).build(),
                    ObservationSource.COMMANDS, at(3)));
            assertLast(TaskPhase.RUNNING, 1, "abort rejected");
            assertEquals("execution: the abort names execution a/b/c/d/0 but ...", last().getMessage());
            assertFalse(last().getTerminal());
            feed(snapshot(job("Successful").build(), at(5)));
            assertEquals(TaskPhase.SUCCEEDED, last().getPhase(), "the task goes on to its own end");
        }

        @Test
        void aRejectedAbortBeforeAnyStatusIsAnsweredAsQueued() {
            feed(TestObservations.command(CommandOutcomeKind.LAUNCH_ACCEPTED, at(0)));
            feed(TestObservations.abort(CommandOutcomeKind.ABORT_REJECTED,
                    "abort rejected: its execution identity is not the task's", at(1)));
            assertLast(TaskPhase.QUEUED, 0, "abort rejected");
        }

        @Test
        void abortOfFinishedTaskAddsNothing() {
            running();
            feed(snapshot(job("Successful").build(), at(5)));
            var step = feed(TestObservations.abort(CommandOutcomeKind.ABORT_OF_FINISHED_TASK, null, at(6)));
            assertTrue(step.ignored());
            assertEquals(4, events.size(), "QUEUED, INITIALIZING, RUNNING, SUCCEEDED");
        }

        @ParameterizedTest
        @CsvSource({"LAUNCH_DUPLICATE", "ABORT_DUPLICATE", "UNKNOWN", "LAUNCH_ACCEPTED"})
        void quietCommandOutcomes(CommandOutcomeKind kind) {
            feed(TestObservations.command(kind, at(0)));
            assertTrue(events.isEmpty());
        }
    }

    /** The applier's final outcomes. */
    @Nested
    class ApplierFailures {

        @Test
        void conflictIsPermanent() {
            feed(apply(applyBuilder(IntentAction.CREATE, ApplyResult.CONFLICT).setHttpCode(409).build(), at(0)));
            assertError("SpecConflict", ErrorKind.USER, false);
        }

        @Test
        void permanentApplyFailureKeepsTheApplierCode() {
            feed(apply(applyBuilder(IntentAction.CREATE, ApplyResult.FAILED).setHttpCode(422)
                    .setErrorCode("BadTaskFormat").setMessage("spec.job: Required value").build(), at(0)));
            assertError("BadTaskFormat", ErrorKind.USER, false);
            assertEquals("spec.job: Required value", last().getError().getMessage());
            feed(apply(applyBuilder(IntentAction.CREATE, ApplyResult.FAILED).setHttpCode(413)
                    .setErrorCode("EntityTooLarge").build(), at(0)));
            assertEquals(1, events.size());
        }

        @Test
        void retryableApplyFailureAfterRetries() {
            feed(apply(applyBuilder(IntentAction.CREATE, ApplyResult.FAILED).setHttpCode(503).setRetryable(true)
                    .setAttempts(5).setMessage("service unavailable").build(), at(0)));
            assertError("RuntimeFailure", ErrorKind.SYSTEM, true);
            assertEquals("service unavailable (gave up after 5 attempts)", last().getError().getMessage());
        }

        @Test
        void forbiddenApplyFailureIsUser() {
            feed(apply(applyBuilder(IntentAction.CREATE, ApplyResult.FAILED).setHttpCode(403).setRetryable(true)
                    .setErrorCode("RuntimeFailure").build(), at(0)));
            assertError("RuntimeFailure", ErrorKind.USER, true);
        }
    }

    /** Stuck and deadline timers (wall clock). */
    @Nested
    class Timers {

        @Test
        void stuckInJobCreatedFailsAndDeletes() {
            feed(accepted(at(0), null));
            feed(apply(IntentAction.CREATE, ApplyResult.CREATED, at(1)));
            feed(snapshot(job("JobCreated").build(), at(2)));
            assertEquals(Instant.parse("2026-11-27T10:15:02Z"), PhaseDerivation.nextTimerDue(state, settings));
            tick(at(2).plus(Duration.ofMinutes(15)).minusMillis(1));
            assertEquals(TaskPhase.INITIALIZING, last().getPhase());
            tick(at(2).plus(Duration.ofMinutes(15)));
            assertError("Stuck", ErrorKind.SYSTEM, true);
            assertTrue(last().getError().getMessage().contains("job created"));
            assertEquals(1, intents.size());
            DaskJobIntent i = intents.get(0);
            assertEquals(TASK + "/DELETE", i.getIntentId());
            assertEquals(IntentAction.DELETE, i.getAction());
            assertEquals("Stuck", i.getReason());
            assertEquals(NS, i.getNamespace());
            assertEquals(JOB, i.getName());
            assertEquals("cmd-1", i.getCommandId());
            assertEquals(TestObservations.EXEC, i.getExecution());
            feed(apply(IntentAction.DELETE, ApplyResult.DELETED, at(2000)));
            feed(snapshot(gone(), at(2001)));
            assertEquals(3, events.size(), "the deletion we asked for adds nothing");
            assertNull(PhaseDerivation.nextTimerDue(state, settings));
        }

        @Test
        void stuckTimerRestartsAfterWaitingForResources() {
            settings = settings.withStuckAfter(Duration.ofMinutes(10));
            launched();
            feed(snapshot(job("JobCreated").build(), at(0)));
            PodDetail r = PodDetail.newBuilder(runner("Pending", container().build()))
                    .setUnschedulableMessage("no nodes").build();
            feed(snapshot(job("ClusterCreated").setComponents(comps(r, null, 0, 0, 0)).build(), at(540)));
            assertEquals(TaskPhase.WAITING_FOR_RESOURCES, last().getPhase());
            tick(at(1200));
            assertEquals(TaskPhase.WAITING_FOR_RESOURCES, last().getPhase(), "waiting for resources is not stuck");
            feed(snapshot(job("ClusterCreated").build(), at(1300)));
            tick(at(1300 + 599));
            assertEquals(TaskPhase.INITIALIZING, last().getPhase());
            tick(at(1300 + 600));
            assertError("Stuck", ErrorKind.SYSTEM, true);
        }

        @Test
        void deadlineFailsWithTimeoutAndDeletes() {
            feed(accepted(at(0), 3600L));
            running();
            tick(at(3599));
            assertEquals(TaskPhase.RUNNING, last().getPhase());
            tick(at(3600));
            assertError("Timeout", ErrorKind.SYSTEM, true);
            assertEquals("task deadline passed: not finished 1h after its launch was accepted",
                    last().getError().getMessage());
            assertEquals("Timeout", intents.get(0).getReason());
            assertEquals(at(3600), last().getOccurredAt());
        }

        @Test
        void deadlineAlsoFiresOnALateObservation() {
            feed(accepted(at(0), 60L));
            feed(snapshot(job("Running").build(), at(30)), at(61));
            assertEquals(List.of(TaskPhase.QUEUED, TaskPhase.INITIALIZING, TaskPhase.RUNNING, TaskPhase.FAILED),
                    events.stream().map(TaskStatus::getPhase).toList());
            assertEquals("Timeout", last().getError().getCode());
        }

        @Test
        void timeoutBeforeTheDaskJobIsKnownHasNoDeleteIntent() {
            Observation o = Observation.newBuilder(accepted(at(0), 10L)).setDaskJobName(null).setDaskJobNamespace(null)
                    .build();
            feed(o);
            tick(at(10));
            assertError("Timeout", ErrorKind.SYSTEM, true);
            assertTrue(intents.isEmpty());
        }
    }

    /** Nothing after terminal, no regression, replays add nothing. */
    @Nested
    class OrderingAndIdempotence {

        @Test
        void nothingAfterTerminal() {
            running();
            feed(snapshot(job("Successful").build(), at(5)));
            var step = feed(snapshot(job("Failed").build(), at(6)));
            assertTrue(step.ignored());
            assertTrue(step.events().isEmpty());
            assertTrue(tick(at(100_000)).events().isEmpty());
        }

        @Test
        void regressionIsRejected() {
            running();
            feed(snapshot(job("ClusterCreated").build(), at(5)));
            assertEquals(3, events.size());
            assertEquals(List.of(new TaskStateMachine.RejectedTransition(Phase.RUNNING, Phase.INITIALIZING)), rejected);
        }

        @Test
        void identicalObservationsProduceNothing() {
            launched();
            feed(snapshot(job("JobCreated").build(), at(0)));
            var again = feed(snapshot(job("JobCreated").build(), at(1)));
            assertFalse(again.ignored());
            assertTrue(again.events().isEmpty());
        }

        @Test
        void exactReplayIsIgnored() {
            launched();
            Observation o = snapshot(job("JobCreated").build(), at(0));
            feed(o);
            feed(snapshot(job("ClusterCreated").build(), at(1)));
            var replay = feed(o, at(2));
            assertTrue(replay.ignored());
            assertEquals(3, events.size(), "QUEUED, INITIALIZING, INITIALIZING v1");
        }

        @Test
        void theNewestObservationIdsAreRemembered() {
            launched();
            List<Observation> seen = new ArrayList<>();
            for (int i = 0; i <= TaskStateMachine.RECENT_IDS; i++) {
                Observation o = snapshot(job("JobCreated").build(), at(0));
                seen.add(o);
                assertFalse(feed(o, at(1)).ignored());
            }
            assertFalse(feed(seen.get(0), at(2)).ignored(), "the oldest id was forgotten: read like a new observation");
            assertTrue(feed(seen.get(2), at(2)).ignored(), "the other " + TaskStateMachine.RECENT_IDS + " are replays");
            assertTrue(feed(seen.get(TaskStateMachine.RECENT_IDS), at(2)).ignored());
        }

        /** A store written when the ids themselves were kept (recentObservationIds) still drops their replays. */
        @Test
        void replayOfAnIdRememberedInTheOlderStoreFormatIsIgnored() throws Exception {
            launched();
            Observation o = snapshot(job("JobCreated").build(), at(0));
            feed(o);
            var json = (ObjectNode) TaskStateSerde.MAPPER.readTree(
                    new TaskStateSerde().serializer().serialize("t", state));
            json.remove("recentObservations");
            json.putArray("recentObservationIds").add("an-older-id").add(o.getObservationId());
            state = new TaskStateSerde().deserializer().deserialize("t", TaskStateSerde.MAPPER.writeValueAsBytes(json));
            assertNull(state.recentObservationIds(), "converted on reading");
            assertEquals(2, RecentObservations.size(state.recentObservations()));
            assertTrue(feed(o, at(2)).ignored());
            assertFalse(new String(new TaskStateSerde().serializer().serialize("t", state))
                    .contains("recentObservationIds"), "never written again");
        }

        @Test
        void staleObservationIsIgnored() {
            launched();
            feed(snapshot(job("ClusterCreated").build(), at(600)));
            var stale = feed(snapshot(job("JobCreated").build(), at(0)), at(601));
            assertTrue(stale.ignored());
        }
    }

    /** Log links once the runner pod is known. */
    @Nested
    class LogLinks {

        @Test
        void logLinksAppearOnceThePodIsKnown() {
            feed(apply(IntentAction.CREATE, ApplyResult.CREATED, at(0)));
            assertEquals(List.of(), last().getLogLinks(), "no runner pod yet: no link");
            feed(snapshot(job("ClusterCreated").setJobRunnerPodName(RUNNER).build(), at(1)));
            assertEquals(1, last().getLogLinks().size());
            assertEquals("Kubernetes Logs (Dask Runner Logs)", last().getLogLinks().get(0).getName());
            assertEquals("http://localhost:30082/#!/log/" + NS + "/" + RUNNER + "/pod?namespace=" + NS,
                    last().getLogLinks().get(0).getUri());
            assertEquals(RUNNER, last().getRunnerPod());
        }

        @Test
        void logLinksWithTaskIdentity() {
            settings = settings.withLogLinks(List.of(new LogLinkTemplate("Console",
                    "https://console/{{.project}}/{{ .domain }}/{{ .executionName }}/{{ .nodeId }}/{{ .retryAttempt }}"
                            + "?task={{ .taskId }}&job={{ .daskJobName }}")));
            feed(apply(IntentAction.CREATE, ApplyResult.CREATED, at(0)));
            assertEquals("https://console/flytesnacks/development/a1b2c3/n0/0?task=" + TASK + "&job=" + JOB,
                    last().getLogLinks().get(0).getUri());
        }
    }

    /** The runner's container runs before the operator says Running: the task runs. */
    @Nested
    class RunnerRunsBeforeTheOperatorSaysSo {

        @Test
        void aRunningRunnerIsRunningWhateverTheJobStatus() {
            launched();
            feed(snapshot(job("JobCreated").setComponents(comps(runner("Running", container().build()), null, 2, 0,
                    2)).build(), at(1)));
            assertLast(TaskPhase.RUNNING, 0, "workers ready 0/2");
            feed(snapshot(job("Running").setComponents(comps(runner("Running", container().build()), null, 2, 2,
                    0)).build(), at(2)));
            assertLast(TaskPhase.RUNNING, 1, "workers ready 2/2");
            assertTrue(rejected.isEmpty());
        }

        @Test
        void aRunnerInRestartBackOffIsNotRunning() {
            launched();
            feed(snapshot(job("ClusterCreated").setComponents(comps(runner("Running",
                    waiting("CrashLoopBackOff", "back-off 10s")), null, 0, 0, 0)).build(), at(1)));
            assertEquals(TaskPhase.INITIALIZING, last().getPhase());
        }

        @Test
        void aRunnerStillPendingIsInitializing() {
            launched();
            feed(snapshot(job("ClusterCreated").setComponents(comps(runner("Pending", container().build()), null, 0,
                    0, 0)).build(), at(1)));
            assertEquals(TaskPhase.INITIALIZING, last().getPhase());
        }
    }

    /** Phases a snapshot proves are reported even when no snapshot showed the task in them. */
    @Nested
    class ImpliedPhases {

        @Test
        void aRunnerThatEndedBeforeAnySnapshotStillReadsInitializingAndRunning() {
            launched();
            feed(snapshot(job("Failed").setComponents(comps(runner("Failed", terminated("Error", 3, null)), null, 0,
                    0, 0)).build(), at(2)));
            assertEquals(List.of(TaskPhase.QUEUED, TaskPhase.INITIALIZING, TaskPhase.RUNNING, TaskPhase.FAILED),
                    events.stream().map(TaskStatus::getPhase).toList());
            assertEquals(List.of(at(2), at(2), at(2), at(2)), events.stream().map(TaskStatus::getOccurredAt).toList());
            assertError("RunnerExitCode", ErrorKind.USER, true);
            assertTrue(rejected.isEmpty());
        }

        @Test
        void aRunnerThatNeverStartedImpliesNoRunning() {
            launched();
            feed(snapshot(job("ClusterCreated").setComponents(comps(runner("Pending", container()
                    .setWaitingReason("InvalidImageName").setWaitingMessage("bad").build()), null, 0, 0, 0)).build(),
                    at(1)));
            assertEquals(List.of(TaskPhase.QUEUED, TaskPhase.INITIALIZING, TaskPhase.FAILED),
                    events.stream().map(TaskStatus::getPhase).toList());
        }

        @Test
        void aJobGoneBeforeTheOperatorActedImpliesNothing() {
            launched();
            feed(snapshot(job("JobCreated").setExists(false).build(), at(1)));
            assertEquals(List.of(TaskPhase.QUEUED, TaskPhase.FAILED), events.stream().map(TaskStatus::getPhase).toList());
        }

        @Test
        void aPhaseAlreadyReportedIsNotImpliedAgain() {
            running();
            feed(snapshot(job("Successful").build(), at(5)));
            assertEquals(List.of(TaskPhase.QUEUED, TaskPhase.INITIALIZING, TaskPhase.RUNNING, TaskPhase.SUCCEEDED),
                    events.stream().map(TaskStatus::getPhase).toList());
        }
    }

    /**
     * The watcher sees a DaskJob before the task's launch is known (Kafka state lost, the cluster kept its DaskJobs,
     * the orchestrator launches again): the snapshot waits for the launch, then the task reads QUEUED and what the
     * DaskJob shows.
     */
    @Nested
    class SnapshotsBeforeTheLaunch {

        @Test
        void aFinishedDaskJobSeenBeforeItsLaunchIsAnsweredOnceTheLaunchIsAccepted() {
            var early = feed(snapshot(job("Successful").build(), at(0)));
            assertEquals(List.of(), early.events(), "no status before the launch");
            assertFalse(early.ignored());
            assertEquals(1, state.heldSnapshots().size());
            feed(accepted(at(5), null));
            assertEquals(List.of(TaskPhase.QUEUED, TaskPhase.INITIALIZING, TaskPhase.RUNNING, TaskPhase.SUCCEEDED),
                    events.stream().map(TaskStatus::getPhase).toList(), "the same phases as a first run");
            assertEquals(List.of(), state.heldSnapshots());
            feed(apply(IntentAction.CREATE, ApplyResult.ALREADY_EXISTED, at(6)));
            assertEquals(4, events.size(), "the applier's ALREADY_EXISTED comes after the end: nothing");
        }

        @Test
        void aFailedRunnerKeepsItsExitCodeWhenAdopted() {
            feed(snapshot(job("Failed").setComponents(comps(runner("Failed", terminated("Error", 1, null)), null, 0,
                    0, 0)).build(), at(0)));
            feed(accepted(at(5), null));
            assertError("RunnerExitCode", ErrorKind.USER, true);
            assertEquals(List.of(TaskPhase.QUEUED, TaskPhase.INITIALIZING, TaskPhase.RUNNING, TaskPhase.FAILED),
                    events.stream().map(TaskStatus::getPhase).toList());
        }

        @Test
        void snapshotsSeenBeforeTheLaunchAreAppliedInObservationOrder() {
            feed(snapshot(job("Running").build(), at(10)));
            feed(snapshot(job("ClusterCreated").build(), at(3)));
            feed(accepted(at(20), null));
            assertEquals(List.of(TaskPhase.QUEUED, TaskPhase.INITIALIZING, TaskPhase.RUNNING),
                    events.stream().map(TaskStatus::getPhase).toList(),
                    "the phases the DaskJob went through before the launch was known, in the order they happened");
        }

        @Test
        void aTaskHoldsAtMostTheNewestSnapshots() {
            for (int i = 0; i < TaskStateMachine.MAX_HELD + 3; i++) {
                feed(snapshot(job(i < TaskStateMachine.MAX_HELD + 2 ? "ClusterCreated" : "Successful").build(), at(i)));
            }
            assertEquals(TaskStateMachine.MAX_HELD, state.heldSnapshots().size());
            feed(accepted(at(30), null));
            assertEquals(List.of(TaskPhase.QUEUED, TaskPhase.INITIALIZING, TaskPhase.RUNNING, TaskPhase.SUCCEEDED),
                    events.stream().map(TaskStatus::getPhase).toList());
        }

        @Test
        void aRunningDaskJobSeenBeforeItsLaunchGoesOnToItsEnd() {
            feed(snapshot(job("Running").build(), at(0)));
            feed(accepted(at(1), null));
            feed(apply(IntentAction.CREATE, ApplyResult.ALREADY_EXISTED, at(2)));
            feed(snapshot(job("Successful").build(), at(3)));
            assertEquals(List.of(TaskPhase.QUEUED, TaskPhase.INITIALIZING, TaskPhase.RUNNING, TaskPhase.SUCCEEDED),
                    events.stream().map(TaskStatus::getPhase).toList());
            for (int i = 0; i < events.size(); i++) {
                assertEquals(i + 1, events.get(i).getSequence());
            }
        }

        @Test
        void theAppliersOutcomeAloneAlsoMakesTheLaunchKnown() {
            feed(snapshot(job("ClusterCreated").build(), at(0)));
            feed(apply(IntentAction.CREATE, ApplyResult.ALREADY_EXISTED, at(1)));
            assertEquals(List.of(TaskPhase.QUEUED, TaskPhase.INITIALIZING),
                    events.stream().map(TaskStatus::getPhase).toList());
        }

        @Test
        void theHeldSnapshotSurvivesTheStoresJson() {
            feed(snapshot(job("Successful").build(), at(0)));
            TaskStateSerde serde = new TaskStateSerde();
            TaskState back = serde.deserializer().deserialize("t", serde.serializer().serialize("t", state));
            assertEquals(state, back);
        }
    }
}
