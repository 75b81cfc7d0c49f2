package dev.daskrelay.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.daskrelay.avro.v1.TaskPhase;
import dev.daskrelay.avro.v1.TaskStatus;
import dev.daskrelay.schemas.task.TaskFile;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What only the real cluster can show: foreground deletion (the DaskJob stays visible with a finalizer while its
 * dependents go), the watcher killed mid-run (tasks end while it is down), a burst of short jobs (the operator's own
 * races and leaks under load), daskrelay restarted with fresh topics against the DaskJobs of its first run
 * (adoption), and the janitor. Every check is on the status timelines and on what is left in the cluster.
 */
@Order(2)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RealClusterE2E {

    static final Duration END = Duration.ofMinutes(3);
    static final String DASKJOB = "DaskJob";
    static final String DASK_API = "kubernetes.dask.org/v1";

    private static final Logger LOG = LoggerFactory.getLogger(RealClusterE2E.class);

    private RealCluster cluster;
    private Pipeline p;

    @BeforeAll
    void start() {
        cluster = RealCluster.shared();
        // a burst of 60 jobs keeps one operator process busy for minutes on 2 cores: not a stuck operator
        p = Pipeline.start(cluster, Pipeline.Options.of("behaviour").watcher("stuckAfter", "10m"));
    }

    @AfterAll
    void stop() {
        if (p != null) {
            p.close();
        }
    }

    @Test
    void foregroundDeletionOfARunningDaskJobFailsTheTaskAsDeletedExternally() {
        String id = submit(p, "long", "fg");
        List<TaskStatus> running = p.statuses().awaitPhase(id, TaskPhase.RUNNING, END);
        TaskStatus r = running.get(running.size() - 1);
        cluster.kubectl("delete", "daskjob", r.getDaskJobName(), "-n", r.getDaskJobNamespace(),
                "--cascade=foreground", "--wait=false");
        List<TaskStatus> events = p.statuses().awaitTerminal(id, END);
        TaskStatus last = events.get(events.size() - 1);
        assertEquals("ResourceDeletedExternally/SYSTEM/retryable", Timeline.error(last.getError()), Timeline.describe(events));
        Await.until(Duration.ofMinutes(1), "DaskJob and its pods gone", () ->
                job(p, r.getDaskJobName()) == null && pods(p, r.getDaskJobName()).isEmpty());
        assertGapFree(events);
    }

    @Test
    void watcherKilledMidRunPublishesCompleteTimelinesAfterItsRestart() {
        String ok = submit(p, "success", "wk-ok");
        String fails = submit(p, "runner-exit", "wk-fail");
        String aborted = submit(p, "long", "wk-abort");
        for (String id : List.of(ok, fails, aborted)) {
            p.statuses().awaitPhase(id, TaskPhase.RUNNING, END);
        }
        p.killWatcher();
        int seenBefore = p.statuses().events(ok).size() + p.statuses().events(fails).size();
        // while no watcher runs: the two runners end, and an abort is answered by the translator (DaskJob deleted)
        String okJob = jobName(ok);
        String failJob = jobName(fails);
        Await.until(END, "both runners ended while the watcher was down", () ->
                runnerEnded(okJob) && runnerEnded(failJob));
        p.client().cancel(aborted, "e2e: abort while the watcher is down");
        Await.until(END, "the aborted task's DaskJob deleted", () -> job(p, jobName(aborted)) == null);
        assertEquals(seenBefore, p.statuses().events(ok).size() + p.statuses().events(fails).size(),
                "no status while the watcher is down");
        p.startWatcher();
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put(ok, "SUCCEEDED null");
        expected.put(fails, "FAILED RunnerExitCode/USER/retryable");
        expected.put(aborted, "ABORTED null");
        expected.forEach((id, end) -> {
            List<TaskStatus> events = p.statuses().awaitTerminal(id, END);
            TaskStatus last = events.get(events.size() - 1);
            assertEquals(end, last.getPhase() + " " + Timeline.error(last.getError()), Timeline.describe(events));
            assertGapFree(events);
        });
    }

    @Test
    void burstOfSixtyShortJobsEndsEveryTaskExactlyOnce() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            ids.add(submit(p, "short", "burst-" + i));
        }
        List<String> problems = new ArrayList<>();
        for (String id : ids) {
            List<TaskStatus> events = p.statuses().awaitTerminal(id, Duration.ofMinutes(6));
            TaskStatus last = events.get(events.size() - 1);
            if (last.getPhase() != TaskPhase.SUCCEEDED) {
                problems.add(id + ":" + Timeline.describe(events));
            }
            assertGapFree(events);
        }
        assertEquals(List.of(), problems, "every short job of the burst succeeds");
        // what the operator left behind is reported, not asserted: its leaks are its own (docs/DASK-OPERATOR.md)
        List<GenericKubernetesResource> groups = cluster.client().genericKubernetesResources(DASK_API, "DaskWorkerGroup")
                .inNamespace(p.namespace()).list().getItems();
        LOG.info("burst: DaskWorkerGroups left by the operator: {}", groups.size());
    }

    @Test
    void freshTopicsAgainstExistingDaskJobsGiveTheSameOutcomes() {
        List<String> scenarios = List.of("success", "runner-exit", "oom");
        Map<String, String> first = new LinkedHashMap<>();
        Map<String, String> uids = new LinkedHashMap<>();
        try (Pipeline one = Pipeline.start(cluster, Pipeline.Options.of("adopt-1").namespace("adoption").installation("adoption"))) {
            for (String s : scenarios) {
                String id = submit(one, s, "adopt");
                List<TaskStatus> events = one.statuses().awaitTerminal(id, END);
                first.put(id, outcome(events));
                uids.put(id, job(one, events.get(events.size() - 1).getDaskJobName()).getMetadata().getUid());
            }
        }
        // daskrelay again, with new topics (its Kafka state lost), the same cluster and namespace, the same launches
        try (Pipeline two = Pipeline.start(cluster, Pipeline.Options.of("adopt-2").namespace("adoption").installation("adoption"))) {
            // the new watcher has re-observed the existing DaskJobs before their launches arrive
            two.awaitObservations(scenarios.size(), END);
            for (String s : scenarios) {
                submit(two, s, "adopt");
            }
            first.forEach((id, outcome) -> {
                List<TaskStatus> events = two.statuses().awaitTerminal(id, END);
                assertEquals(outcome, outcome(events), "adopted: " + Timeline.describe(events));
                assertGapFree(events);
                assertEquals(TaskPhase.QUEUED, events.get(0).getPhase(), "adopted tasks start QUEUED: " + Timeline.describe(events));
                String name = events.get(events.size() - 1).getDaskJobName();
                assertEquals(uids.get(id), job(two, name).getMetadata().getUid(), "the same DaskJob, never a second one");
            });
        }
    }

    @Test
    void janitorDeletesFinishedDaskJobsAfterTheRetentionAndNothingFollowsTheTerminalStatus() {
        try (Pipeline j = Pipeline.start(cluster, Pipeline.Options.of("janitor").watcher("retainFinished", "3s"))) {
            String id = submit(j, "short", "janitor");
            List<TaskStatus> events = j.statuses().awaitTerminal(id, END);
            String name = events.get(events.size() - 1).getDaskJobName();
            assertEquals(TaskPhase.SUCCEEDED, events.get(events.size() - 1).getPhase(), Timeline.describe(events));
            Await.until(Duration.ofMinutes(1), "DaskJob deleted by the janitor", () -> job(j, name) == null);
            Await.until(Duration.ofMinutes(1), "runner pod garbage-collected", () -> pods(j, name).isEmpty());
            // the deletion is the janitor's own: no further status (e.g. no ResourceDeletedExternally)
            int count = events.size();
            String marker = submit(j, "short", "janitor-marker");
            j.statuses().awaitTerminal(marker, END);
            assertEquals(count, j.statuses().events(id).size(), Timeline.describe(j.statuses().events(id)));
        }
    }

    // ------------------------------------------------------------------------------------------------------------

    static String submit(Pipeline pipeline, String scenario, String run) {
        String text = E2eFiles.resource("scenarios/" + scenario + ".yaml").replace("${RUN}", run);
        return pipeline.client().submit(TaskFile.load(text, pipeline.config().platform(), Clock.systemUTC())).taskId();
    }

    private String jobName(String taskId) {
        return p.statuses().events(taskId).stream().map(TaskStatus::getDaskJobName).filter(n -> n != null)
                .findFirst().orElseThrow();
    }

    private boolean runnerEnded(String jobName) {
        Pod runner = cluster.client().pods().inNamespace(p.namespace()).withName(jobName + "-runner").get();
        return runner != null && runner.getStatus() != null
                && ("Succeeded".equals(runner.getStatus().getPhase()) || "Failed".equals(runner.getStatus().getPhase()));
    }

    static GenericKubernetesResource job(Pipeline pipeline, String name) {
        return pipeline.kube().client().genericKubernetesResources(DASK_API, DASKJOB).inNamespace(pipeline.namespace())
                .withName(name).get();
    }

    static List<Pod> pods(Pipeline pipeline, String jobName) {
        return pipeline.kube().client().pods().inNamespace(pipeline.namespace())
                .withLabel("dask.org/cluster-name", jobName).list().getItems();
    }

    static String outcome(List<TaskStatus> events) {
        TaskStatus last = events.get(events.size() - 1);
        return last.getPhase() + " " + Timeline.error(last.getError());
    }

    static void assertGapFree(List<TaskStatus> events) {
        for (int i = 0; i < events.size(); i++) {
            assertEquals(i + 1, events.get(i).getSequence(), Timeline.describe(events));
        }
        assertTrue(events.get(events.size() - 1).getTerminal(), Timeline.describe(events));
        assertEquals(1, events.stream().filter(TaskStatus::getTerminal).count(), Timeline.describe(events));
    }
}
