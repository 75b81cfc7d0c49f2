package dev.daskrelay.watcher.bridge;

import static dev.daskrelay.watcher.bridge.K8sFixtures.daskJob;
import static dev.daskrelay.watcher.bridge.K8sFixtures.event;
import static dev.daskrelay.watcher.bridge.K8sFixtures.runner;
import static dev.daskrelay.watcher.bridge.K8sFixtures.terminated;
import static dev.daskrelay.watcher.bridge.K8sFixtures.withStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.daskrelay.avro.v1.DaskJobSnapshot;
import dev.daskrelay.schemas.KubernetesLabels;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Every combination of the bridge's decision inputs, and the cases that matter one by one. */
class PublishDecisionTest {

    private static final String J = "relay-t1-0";
    private static final GenericKubernetesResource RUNNING = withStatus(daskJob(J, "t1", 2), "Running",
            "2026-01-01T10:00:00Z", null);
    private static final List<Pod> PODS = List.of(runner(J, "Running", true));
    private static final List<Event> EVENTS = List.of();
    private static final TaskIdentity T1 = TaskIdentity.of(RUNNING);

    private static GenericKubernetesResource withoutTaskId(GenericKubernetesResource job) {
        GenericKubernetesResource copy = new GenericKubernetesResourceBuilder(job).build();
        copy.getMetadata().getAnnotations().remove(KubernetesLabels.TASK_ID);
        copy.getMetadata().getLabels().remove(KubernetesLabels.TASK);
        return copy;
    }

    private static DaskJobSnapshot current() {
        return SnapshotDerivation.derive(RUNNING, PODS, EVENTS);
    }

    // ---------------------------------------------------------------------------------------------------------

    /** What is in the job cache for the DaskJob. */
    private enum JobIn { NONE, WITH_TASK_ID, WITHOUT_TASK_ID }

    /** The kept final state of a deleted DaskJob. */
    private enum TombstoneIn { NONE, WITH_TASK_ID, WITHOUT_TASK_ID }

    /** What was last sent. */
    private enum LastSent { NONE, SAME_AS_CURRENT, OTHER_EXISTING, GONE }

    private record Case(JobIn job, TombstoneIn tombstone, LastSent last, boolean absenceConfirmed) {
    }

    private static final TaskIdentity OTHER = new TaskIdentity("t-earlier", null);
    private static final DaskJobSnapshot EARLIER = SnapshotDerivation.derive(
            withStatus(daskJob(J, "t1", 2), "JobCreated", null, null), List.of(), List.of());

    private static PublishDecision.Next decide(Case c) {
        GenericKubernetesResource job = switch (c.job()) {
            case NONE -> null;
            case WITH_TASK_ID -> RUNNING;
            case WITHOUT_TASK_ID -> withoutTaskId(RUNNING);
        };
        GenericKubernetesResource tombstone = switch (c.tombstone()) {
            case NONE -> null;
            case WITH_TASK_ID -> RUNNING;
            case WITHOUT_TASK_ID -> withoutTaskId(RUNNING);
        };
        PublishDecision.Sent last = switch (c.last()) {
            case NONE -> null;
            case SAME_AS_CURRENT -> new PublishDecision.Sent(T1, current());
            case OTHER_EXISTING -> new PublishDecision.Sent(OTHER, EARLIER);
            case GONE -> new PublishDecision.Sent(OTHER, SnapshotDerivation.gone(EARLIER));
        };
        return job == null ? PublishDecision.next(null, List.of(), List.of(), tombstone, last, true,
                c.absenceConfirmed()) : PublishDecision.next(job, PODS, EVENTS, tombstone, last, true,
                c.absenceConfirmed());
    }

    /** The table of PublishDecision's javadoc, written out independently. */
    private static PublishDecision.Next expected(Case c) {
        if (c.job() == JobIn.WITHOUT_TASK_ID) {
            return new PublishDecision.Skip(PublishDecision.SkipReason.NO_TASK_ID);
        }
        if (c.job() == JobIn.WITH_TASK_ID) {
            return c.last() == LastSent.SAME_AS_CURRENT ? new PublishDecision.Unchanged()
                    : new PublishDecision.Publish(T1, current());
        }
        boolean reportsGone = c.last() == LastSent.SAME_AS_CURRENT || c.last() == LastSent.OTHER_EXISTING
                || c.last() == LastSent.NONE && c.tombstone() == TombstoneIn.WITH_TASK_ID;
        if (reportsGone && !c.absenceConfirmed()) {
            return new PublishDecision.Confirm();
        }
        return switch (c.last()) {
            case SAME_AS_CURRENT -> new PublishDecision.Publish(T1, SnapshotDerivation.gone(current()));
            case OTHER_EXISTING -> new PublishDecision.Publish(OTHER, SnapshotDerivation.gone(EARLIER));
            case GONE -> new PublishDecision.Skip(PublishDecision.SkipReason.ALREADY_GONE);
            case NONE -> c.tombstone() == TombstoneIn.WITH_TASK_ID
                    ? new PublishDecision.Publish(T1, SnapshotDerivation.gone(
                            SnapshotDerivation.derive(RUNNING, List.of(), List.of())))
                    : new PublishDecision.Skip(PublishDecision.SkipReason.NOTHING_KNOWN);
        };
    }

    @Test
    void everyCombinationOfInputsGivesTheTablesDecision() {
        List<Case> cases = new ArrayList<>();
        for (JobIn j : JobIn.values()) {
            for (TombstoneIn t : TombstoneIn.values()) {
                for (LastSent l : LastSent.values()) {
                    cases.add(new Case(j, t, l, false));
                    cases.add(new Case(j, t, l, true));
                }
            }
        }
        assertEquals(72, cases.size());
        for (Case c : cases) {
            assertEquals(expected(c), decide(c), c.toString());
        }
    }

    @Test
    void noPublishedSnapshotOfAMissingJobSaysItExists() {
        for (TombstoneIn t : TombstoneIn.values()) {
            for (LastSent l : LastSent.values()) {
                for (boolean confirmed : new boolean[] {false, true}) {
                    if (decide(new Case(JobIn.NONE, t, l, confirmed)) instanceof PublishDecision.Publish p) {
                        assertFalse(p.snapshot().getExists(), t + " " + l);
                        assertFalse(p.snapshot().getDeleting(), t + " " + l);
                    }
                }
            }
        }
    }

    @Nested
    class ExistingJob {

        @Test
        void aRepeatedBackOffEventThatOnlyMovesLastSeenIsUnchanged() {
            List<Event> first = List.of(event("Pod", J + "-runner", "Warning", "BackOff", "back-off",
                    "2026-01-01T10:00:07Z"));
            List<Event> again = List.of(event("Pod", J + "-runner", "Warning", "BackOff", "back-off",
                    "2026-01-01T10:05:07Z"));
            DaskJobSnapshot sent = SnapshotDerivation.derive(RUNNING, PODS, first);
            assertInstanceOf(PublishDecision.Unchanged.class, PublishDecision.next(RUNNING, PODS, again, null,
                    new PublishDecision.Sent(T1, sent), true, false));
        }

        @Test
        void aJobThatCameBackIsPublishedEvenWithATombstoneKept() {
            PublishDecision.Next next = PublishDecision.next(RUNNING, PODS, EVENTS, RUNNING,
                    new PublishDecision.Sent(T1, SnapshotDerivation.gone(current())), true, false);
            PublishDecision.Publish p = assertInstanceOf(PublishDecision.Publish.class, next);
            assertTrue(p.snapshot().getExists());
        }

        @Test
        void theIdentityIsTheJobsNotTheLastSent() {
            PublishDecision.Publish p = assertInstanceOf(PublishDecision.Publish.class,
                    PublishDecision.next(RUNNING, PODS, EVENTS, null, new PublishDecision.Sent(OTHER, EARLIER), true,
                            false));
            assertEquals(T1, p.identity());
            assertEquals("proj", p.identity().execution().getProject());
        }
    }

    @Nested
    class MissingJob {

        @Test
        void goneKeepsTheLastKnownStateAndTheLastSentTask() {
            PublishDecision.Publish p = assertInstanceOf(PublishDecision.Publish.class,
                    PublishDecision.next(null, List.of(), List.of(), RUNNING, new PublishDecision.Sent(T1, current()),
                            true, true));
            assertEquals(T1, p.identity());
            assertEquals("Running", p.snapshot().getJobStatus(), "the last known state, marked gone");
            assertEquals(current().getComponents(), p.snapshot().getComponents());
        }

        @Test
        void aTombstoneAloneReportsItsOwnStatusWithoutPods() {
            PublishDecision.Publish p = assertInstanceOf(PublishDecision.Publish.class,
                    PublishDecision.next(null, List.of(), List.of(), RUNNING, null, true, true));
            assertEquals("t1", p.identity().taskId());
            assertEquals("Running", p.snapshot().getJobStatus());
            assertEquals(null, p.snapshot().getComponents().getRunner(), "the pods are not derived again");
        }

        /**
         * A new leader recalls a DaskJob its broken watch never delivered: missing from the cache is no proof that it
         * is gone (chaos run c1ljwuz failed 46 running tasks that way). Only the API server's answer is.
         */
        @Test
        void aJobMissingWithoutADeletionSeenIsConfirmedBeforeItIsReportedGone() {
            PublishDecision.Sent last = new PublishDecision.Sent(T1, current());
            assertInstanceOf(PublishDecision.Confirm.class,
                    PublishDecision.next(null, List.of(), List.of(), null, last, true, false));
            PublishDecision.Publish p = assertInstanceOf(PublishDecision.Publish.class,
                    PublishDecision.next(null, List.of(), List.of(), null, last, true, true));
            assertFalse(p.snapshot().getExists());
            assertEquals("Running", p.snapshot().getJobStatus(), "the last known state, marked gone");
        }
    }

    /** A failed DaskJob waits for its runner pod's end to reach the cache, so the exit code is never lost. */
    @Nested
    class RunnerHold {

        private final GenericKubernetesResource failed = withStatus(daskJob(J, "t1", 2), "Failed",
                "2026-01-01T10:00:00Z", "2026-01-01T10:00:09Z");

        @Test
        void aFailedJobWhoseRunnerStillRunsInTheCacheIsHeldNamingTheRunner() {
            PublishDecision.Hold hold = assertInstanceOf(PublishDecision.Hold.class, PublishDecision.next(failed,
                    List.of(runner(J, "Running", true)), EVENTS, null, null, true, false));
            assertEquals(J + "-runner", hold.runnerPod(), "the pod the bridge reads when the hold runs out");
        }

        @Test
        void oncePublishedItIsHeldAgainOnlyWhileTheCallerAllows() {
            PublishDecision.Publish p = assertInstanceOf(PublishDecision.Publish.class, PublishDecision.next(failed,
                    List.of(runner(J, "Running", true)), EVENTS, null, null, false, false));
            assertEquals("Failed", p.snapshot().getJobStatus());
        }

        @Test
        void theRunnersEndInTheCacheIsPublishedWithItsExitCode() {
            PublishDecision.Publish p = assertInstanceOf(PublishDecision.Publish.class, PublishDecision.next(failed,
                    List.of(runner(J, "Failed", false, terminated("job-runner", "Error", 3, null))), EVENTS, null,
                    null, true, false));
            assertEquals(3, p.snapshot().getComponents().getRunner().getContainers().get(0).getExitCode());
        }

        @Test
        void aRunnerTheJobNamesButTheCacheLacksIsHeldToo() {
            PublishDecision.Hold hold = assertInstanceOf(PublishDecision.Hold.class, PublishDecision.next(failed,
                    List.of(), EVENTS, null, null, true, false));
            assertEquals(J + "-runner", hold.runnerPod(), "status.jobRunnerPodName: the pod read after the hold");
        }

        @Test
        void aMissingRunnerIsPublishedWithoutOneOnceTheHoldRanOut() {
            PublishDecision.Publish p = assertInstanceOf(PublishDecision.Publish.class, PublishDecision.next(failed,
                    List.of(), EVENTS, null, null, false, false));
            assertEquals(null, p.snapshot().getComponents().getRunner());
        }

        @Test
        void aFailedJobThatNamesNoRunnerHoldsNothing() {
            GenericKubernetesResource noRunner = new GenericKubernetesResourceBuilder(failed).build();
            @SuppressWarnings("unchecked")
            Map<String, Object> status = new LinkedHashMap<>(
                    (Map<String, Object>) failed.getAdditionalProperties().get("status"));
            status.remove("jobRunnerPodName");
            noRunner.getAdditionalProperties().put("status", status);
            assertInstanceOf(PublishDecision.Publish.class, PublishDecision.next(noRunner, List.of(), EVENTS, null,
                    null, true, false));
        }

        @Test
        void onlyFailedHolds() {
            GenericKubernetesResource succeeded = withStatus(daskJob(J, "t1", 2), "Successful",
                    "2026-01-01T10:00:00Z", "2026-01-01T10:00:09Z");
            assertInstanceOf(PublishDecision.Publish.class, PublishDecision.next(succeeded,
                    List.of(runner(J, "Running", true)), EVENTS, null, null, true, false));
            assertInstanceOf(PublishDecision.Publish.class, PublishDecision.next(RUNNING, PODS, EVENTS, null, null,
                    true, false));
        }
    }
}
