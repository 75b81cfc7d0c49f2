package dev.daskrelay.watcher.status;

import static dev.daskrelay.schemas.testing.TestObservations.RUNNER;
import static dev.daskrelay.schemas.testing.TestObservations.T0;
import static dev.daskrelay.schemas.testing.TestObservations.TASK;
import static dev.daskrelay.schemas.testing.TestObservations.comps;
import static dev.daskrelay.schemas.testing.TestObservations.container;
import static dev.daskrelay.schemas.testing.TestObservations.event;
import static dev.daskrelay.schemas.testing.TestObservations.gone;
import static dev.daskrelay.schemas.testing.TestObservations.job;
import static dev.daskrelay.schemas.testing.TestObservations.runner;
import static dev.daskrelay.schemas.testing.TestObservations.snapshot;
import static dev.daskrelay.schemas.testing.TestObservations.terminated;
import static dev.daskrelay.schemas.testing.TestObservations.waiting;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.daskrelay.avro.v1.ApplyResult;
import dev.daskrelay.avro.v1.CommandOutcomeKind;
import dev.daskrelay.avro.v1.DaskJobSnapshot;
import dev.daskrelay.avro.v1.IntentAction;
import dev.daskrelay.avro.v1.Observation;
import dev.daskrelay.avro.v1.PodDetail;
import dev.daskrelay.avro.v1.TaskPhase;
import dev.daskrelay.avro.v1.TaskStatus;
import dev.daskrelay.schemas.testing.TestObservations;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Properties of the state machine over random sequences of observations from every source (and wall-clock
 * ticks): gap-free sequences from 1, at most one terminal event and it is the last, no two events with the same
 * (phase, phaseVersion), no regression, deterministic ids, and replaying the observations changes nothing.
 */
class TaskStateMachinePropertyTest {

    private static final StatusSettings SETTINGS = StatusSettings.defaults()
            .withStuckAfter(Duration.ofMinutes(5)).withImagePullGrace(Duration.ofMinutes(2));

    /** The pool of facts a step can be: observations, or a wall-clock tick (null). */
    private static final List<Function<Instant, Observation>> POOL = List.of(
            at -> TestObservations.accepted(at, 1800L),
            at -> TestObservations.accepted(at, null),
            at -> TestObservations.rejected(at, "image: required"),
            at -> TestObservations.command(CommandOutcomeKind.LAUNCH_DUPLICATE, at),
            at -> TestObservations.command(CommandOutcomeKind.LAUNCH_AFTER_ABORT, at),
            at -> TestObservations.abort(CommandOutcomeKind.ABORT_ACCEPTED, "stop", at),
            at -> TestObservations.abort(CommandOutcomeKind.ABORT_BEFORE_LAUNCH, "early", at),
            at -> TestObservations.abort(CommandOutcomeKind.ABORT_UNKNOWN_TASK, null, at),
            at -> TestObservations.abort(CommandOutcomeKind.ABORT_OF_FINISHED_TASK, null, at),
            at -> TestObservations.apply(IntentAction.CREATE, ApplyResult.CREATED, at),
            at -> TestObservations.apply(IntentAction.CREATE, ApplyResult.ALREADY_EXISTED, at),
            at -> TestObservations.apply(TestObservations.applyBuilder(IntentAction.CREATE, ApplyResult.WAITING_FOR_RESOURCES)
                    .setMessage("quota").build(), at),
            at -> TestObservations.apply(TestObservations.applyBuilder(IntentAction.CREATE, ApplyResult.FAILED).setRetryable(true).build(), at),
            at -> TestObservations.apply(IntentAction.CREATE, ApplyResult.CONFLICT, at),
            at -> TestObservations.apply(IntentAction.DELETE, ApplyResult.DELETED, at),
            at -> TestObservations.apply(IntentAction.DELETE, ApplyResult.NOT_FOUND, at),
            at -> snapshot(job("").build(), at),
            at -> snapshot(job("JobCreated").build(), at),
            at -> snapshot(job("ClusterCreated").setJobRunnerPodName(RUNNER).build(), at),
            at -> snapshot(job("ClusterCreated").setComponents(comps(runner("Pending",
                    waiting("ImagePullBackOff", "back-off")), null, 2, 0, 2)).build(), at),
            at -> snapshot(job("ClusterCreated").setComponents(comps(runner("Pending",
                    waiting("InvalidImageName", "bad")), null, 2, 0, 2)).build(), at),
            at -> snapshot(job("ClusterCreated").setComponents(comps(PodDetail.newBuilder(runner("Pending",
                    container().build())).setUnschedulableMessage("no nodes").build(), null, 2, 0, 2)).build(), at),
            at -> snapshot(job("ClusterCreated").setComponents(comps(runner("Pending", container().build()),
                    null, 2, 0, 2)).setEvents(List.of(event("w-1", "FailedScheduling", "insufficient cpu"))).build(), at),
            at -> snapshot(job("Running").build(), at),
            at -> snapshot(job("Running").setComponents(comps(null, null, 4, 1, 3, "Pending")).build(), at),
            at -> snapshot(job("Running").setComponents(comps(null, null, 4, 4, 0)).build(), at),
            at -> snapshot(job("Running").setComponents(comps(runner("Failed", terminated("Error", 2, "x")), null,
                    0, 0, 0)).build(), at),
            at -> snapshot(job("Running").setDeleting(true).build(), at),
            at -> snapshot(job("Successful").build(), at),
            at -> snapshot(job("Failed").setComponents(comps(runner("Failed", terminated("OOMKilled", 137, null)),
                    null, 0, 0, 0)).build(), at),
            at -> snapshot(gone(), at),
            at -> null,   // wall-clock tick, 1 minute later
            at -> null);  // wall-clock tick

    @Provide
    Arbitrary<List<Integer>> sequences() {
        return Arbitraries.integers().between(0, POOL.size() - 1).list().ofMinSize(1).ofMaxSize(40);
    }

    @Property(tries = 400)
    void statusStreamInvariants(@ForAll("sequences") List<Integer> picks) {
        TaskState state = TaskState.initial(TASK);
        List<TaskStatus> events = new ArrayList<>();
        List<Observation> observations = new ArrayList<>();
        Instant now = T0;
        for (int pick : picks) {
            now = now.plusSeconds(30);
            Observation o = POOL.get(pick).apply(now);
            TaskStateMachine.Step step;
            if (o == null) {
                step = TaskStateMachine.tick(state, now, SETTINGS);
            } else {
                observations.add(o);
                step = TaskStateMachine.apply(state, o, now, SETTINGS);
            }
            for (TaskStateMachine.RejectedTransition r : step.rejected()) {
                assertFalse(r.from() == null, "the first event is never rejected");
            }
            if (events.isEmpty() && !step.events().isEmpty() && o != null
                    && o.getPayload() instanceof DaskJobSnapshot) {
                assertEquals(TaskPhase.QUEUED, step.events().get(0).getPhase(),
                        "a task whose DaskJob is seen starts with QUEUED: " + step.events());
            }
            state = step.state();
            events.addAll(step.events());
        }

        Set<String> phaseVersions = new HashSet<>();
        Phase previous = null;
        for (int i = 0; i < events.size(); i++) {
            TaskStatus e = events.get(i);
            assertEquals(i + 1, e.getSequence(), "gap-free from 1: " + events);
            assertEquals(TASK + ":" + (i + 1), e.getEventId());
            Phase p = Phase.valueOf(e.getPhase().name());
            assertEquals(p.isTerminal(), e.getTerminal());
            if (p.isTerminal()) {
                assertEquals(events.size() - 1, i, "a terminal event is the last: " + events);
                assertTrue(e.getPhase().name().equals("FAILED") == (e.getError() != null));
            }
            boolean seenBefore = phaseVersions.stream().anyMatch(pv -> pv.startsWith(p + "/"));
            assertEquals(seenBefore, e.getPhaseVersion() > 0, "version 0 exactly on the first entry of a phase");
            assertTrue(phaseVersions.add(p + "/" + e.getPhaseVersion()), "duplicate (phase, version): " + events);
            if (previous != null) {
                assertTrue(previous.canTransitionTo(p), "regression " + previous + " -> " + p);
            }
            previous = p;
        }
        assertEquals(events.size(), state.lastSequence());

        // Replaying every observation again changes nothing.
        TaskState replayed = state;
        for (Observation o : observations) {
            TaskStateMachine.Step step = TaskStateMachine.apply(replayed, o, now, SETTINGS);
            assertEquals(List.of(), step.events(), "replay of " + o);
            assertEquals(List.of(), step.intents());
            replayed = step.state();
        }
        assertEquals(state.lastSequence(), replayed.lastSequence());
    }

    @Property(tries = 200)
    void deleteIntentsAtMostOnceAndOnlyWithAFailure(@ForAll("sequences") List<Integer> picks) {
        TaskState state = TaskState.initial(TASK);
        int intents = 0;
        Instant now = T0;
        for (int pick : picks) {
            now = now.plusSeconds(90);
            Observation o = POOL.get(pick).apply(now);
            TaskStateMachine.Step step = o == null ? TaskStateMachine.tick(state, now, SETTINGS)
                    : TaskStateMachine.apply(state, o, now, SETTINGS);
            if (!step.intents().isEmpty()) {
                assertTrue(step.events().stream().anyMatch(e -> e.getPhase().name().equals("FAILED")));
            }
            intents += step.intents().size();
            state = step.state();
        }
        assertTrue(intents <= 1);
    }
}
