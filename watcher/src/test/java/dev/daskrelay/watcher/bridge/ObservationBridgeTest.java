package dev.daskrelay.watcher.bridge;

import static dev.daskrelay.watcher.bridge.K8sFixtures.NS;
import static dev.daskrelay.watcher.bridge.K8sFixtures.daskJob;
import static dev.daskrelay.watcher.bridge.K8sFixtures.event;
import static dev.daskrelay.watcher.bridge.K8sFixtures.pod;
import static dev.daskrelay.watcher.bridge.K8sFixtures.runner;
import static dev.daskrelay.watcher.bridge.K8sFixtures.running;
import static dev.daskrelay.watcher.bridge.K8sFixtures.terminated;
import static dev.daskrelay.watcher.bridge.K8sFixtures.worker;
import static dev.daskrelay.watcher.bridge.ObservationReader.snapshot;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.daskrelay.avro.v1.DaskJobSnapshot;
import dev.daskrelay.avro.v1.Observation;
import dev.daskrelay.avro.v1.ObservationSource;
import dev.daskrelay.embedded.KafkaBroker;
import dev.daskrelay.schemas.KubernetesLabels;
import dev.daskrelay.schemas.config.Installation;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The bridge against the fabric8 mock API server (CRUD mode, DaskJob CRD registered) publishing to a real
 * in-process broker. The tests play the Dask operator and the kubelet by writing DaskJob status and pods, and wait
 * for each observation before the next change (the bridge coalesces bursts by design).
 */
@EnableKubernetesMockClient(crud = true)
class ObservationBridgeTest {

    private static final AtomicInteger TOPICS = new AtomicInteger();
    private static KafkaBroker broker;

    KubernetesMockServer server;
    KubernetesClient client;

    private String topic;
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private ObservationReader reader;

    @BeforeAll
    static void startBroker() {
        broker = KafkaBroker.forTests();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @BeforeEach
    void setUp() {
        MockKubernetes.registerDaskJobCrd(client);
        topic = "bridge-test-" + TOPICS.incrementAndGet() + ".observations";
        broker.createTopics(1, topic);
        reader = new ObservationReader(broker.clientProperties(), topic);
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
        reader.close();
    }

    private ObservationBridge bridge(KubernetesClient c) {
        return bridge(c, ObservationMemory.NONE);
    }

    /** A bridge that recalls what was published before from the topic, as the watcher process wires it. */
    private ObservationBridge bridgeWithMemory(KubernetesClient c) {
        return bridge(c, topicMemory());
    }

    /** What a new leader recalls: the observations topic, as the watcher process reads it. */
    private ObservationTopicMemory topicMemory() {
        return new ObservationTopicMemory(broker.clientProperties(), topic, TestAvro.deserializer(), Duration.ofHours(1),
                Clock.systemUTC());
    }

    private ObservationBridge bridge(KubernetesClient c, ObservationMemory memory) {
        var publisher = new KafkaObservationPublisher(broker.clientProperties(), topic, TestAvro.serializer());
        closeables.add(publisher);
        var bridge = new ObservationBridge(c, ObservationBridge.Options.of(List.of(NS), Installation.DEFAULT), publisher,
                memory, Clock.systemUTC(), new SimpleMeterRegistry());
        closeables.add(bridge);
        bridge.start();
        await(bridge::synced, "informers synced");
        return bridge;
    }

    private static void await(BooleanSupplier condition, String what) {
        Instant deadline = Instant.now().plus(ObservationReader.WAIT);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                fail("timed out waiting for " + what);
            }
            Thread.onSpinWait();
            try {
                Thread.sleep(20); // polling interval of a condition wait, not a synchronisation stand-in
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
        }
    }

    private static String state(Observation o) {
        DaskJobSnapshot s = snapshot(o);
        var runner = s.getComponents().getRunner();
        return (s.getExists() ? "" : "gone:") + s.getJobStatus() + "/" + (runner == null ? "-" : runner.getPhase());
    }

    /** The DaskJob with another installation's label ({@code null}: without one, as before installations). */
    private static GenericKubernetesResource of(GenericKubernetesResource job, String installation) {
        job.getMetadata().getLabels().remove(KubernetesLabels.INSTALLATION);
        if (installation != null) {
            job.getMetadata().getLabels().put(KubernetesLabels.INSTALLATION, installation);
        }
        return job;
    }

    private static Pod of(Pod pod, String installation) {
        pod.getMetadata().getLabels().remove(KubernetesLabels.INSTALLATION);
        if (installation != null) {
            pod.getMetadata().getLabels().put(KubernetesLabels.INSTALLATION, installation);
        }
        return pod;
    }

    @Test
    void anotherInstallationsObjectsNeverReachTheCachesNorTheTopic() {
        // there before the informers list: a server-side selector that let them through would cache them at sync
        MockKubernetes.create(client, of(daskJob("relay-theirs-0", "theirs-0", 1), "staging"));
        MockKubernetes.createPod(client, of(pod("relay-theirs-0", "relay-theirs-0-runner", "job-runner").build(),
                "staging"));
        MockKubernetes.create(client, of(daskJob("relay-old-0", "old-0", 1), null));
        MockKubernetes.createPod(client, of(pod("relay-old-0", "relay-old-0-runner", "job-runner").build(), null));
        MockKubernetes.create(client, daskJob("relay-mine-0", "mine-0", 1));
        MockKubernetes.createPod(client, pod("relay-mine-0", "relay-mine-0-runner", "job-runner").build());
        ObservationBridge bridge = bridge(client);
        assertEquals(1, bridge.cacheSizes().jobs(), "only this installation's DaskJob");
        assertEquals(1, bridge.cacheSizes().pods(), "only this installation's pod");
        assertEquals(List.of("relay-mine-0"), bridge.cachedJobs().stream().map(j -> j.getMetadata().getName())
                .toList());

        bridge.startPublishing();
        reader.awaitCount(1);
        // changes of the others' objects after the start, then one of ours as a marker
        MockKubernetes.patchStatus(client, NS, "relay-theirs-0", Map.of("jobStatus", "Failed",
                "endTime", "2026-01-01T10:00:00Z"));
        MockKubernetes.create(client, of(daskJob("relay-theirs-1", "theirs-1", 1), "staging"));
        MockKubernetes.create(client, daskJob("relay-mine-1", "mine-1", 1));
        List<Observation> all = reader.awaitCount(2);
        assertEquals(List.of("mine-0", "mine-1"), all.stream().map(Observation::getTaskId).toList(),
                ObservationReader.describe(all));
        assertEquals(2, bridge.cacheSizes().jobs());
    }

    @Test
    void lifecyclePublishesExactlyTheChanges() {
        ObservationBridge bridge = bridge(client);
        bridge.startPublishing();
        String j = "relay-life-0";
        MockKubernetes.create(client, daskJob(j, "life", 2));
        reader.awaitCount(1);
        MockKubernetes.patchStatus(client, NS, j, Map.of("jobStatus", "JobCreated"));
        reader.awaitCount(2);
        MockKubernetes.patchStatus(client, NS, j, Map.of("jobStatus", "ClusterCreated", "clusterName", j,
                "jobRunnerPodName", j + "-runner"));
        reader.awaitCount(3);
        Pod runner = MockKubernetes.createPod(client, pod(j, j + "-runner", "job-runner")
                .withNewStatus().withPhase("Pending").endStatus().build());
        reader.awaitCount(4);
        // An update that changes nothing the snapshot carries (kopf's last-handled annotation) is suppressed.
        double suppressedBefore = bridge.metrics().suppressedCount();
        MockKubernetes.editJob(client, NS, j, job -> job.getMetadata().getAnnotations()
                .put("kopf.zalando.org/last-handled-configuration", "{\"spec\":{}}"));
        await(() -> bridge.metrics().suppressedCount() > suppressedBefore, "the no-op update to be suppressed");
        MockKubernetes.setPodStatus(client, runner(j, "Running", true, running("job-runner", true)));
        reader.awaitCount(5);
        MockKubernetes.patchStatus(client, NS, j, Map.of("jobStatus", "Running", "startTime", "2026-01-01T10:00:01Z"));
        reader.awaitCount(6);
        MockKubernetes.setPodStatus(client, runner(j, "Succeeded", false, terminated("job-runner", "Completed", 0, null)));
        reader.awaitCount(7);
        MockKubernetes.patchStatus(client, NS, j, Map.of("jobStatus", "Successful", "endTime", "2026-01-01T10:05:00Z"));
        List<Observation> all = reader.awaitCount(8);

        assertEquals(List.of("null/-", "JobCreated/-", "ClusterCreated/-", "ClusterCreated/Pending",
                "ClusterCreated/Running", "Running/Running", "Running/Succeeded", "Successful/Succeeded"),
                all.stream().map(ObservationBridgeTest::state).toList());
        for (int i = 1; i < all.size(); i++) {
            assertTrue(SnapshotDerivation.changed(snapshot(all.get(i - 1)), snapshot(all.get(i))),
                    "identical consecutive observations at " + i);
        }
        Observation last = all.get(7);
        assertEquals("life", last.getTaskId());
        assertEquals(ObservationSource.BRIDGE, last.getSource());
        assertEquals(j, last.getDaskJobName());
        assertEquals(NS, last.getDaskJobNamespace());
        assertEquals("proj", last.getExecution().getProject());
        assertEquals(0, snapshot(last).getComponents().getRunner().getContainers().get(0).getExitCode());
        assertEquals("hash-life", snapshot(last).getSpecHash());
        assertEquals(8, all.stream().map(Observation::getObservationId).distinct().count());
        assertEquals(8, reader.drain().size(), "nothing after the terminal snapshot");
    }

    @Test
    void restartedBridgeReobservesAndPublishesWhatHappenedWhileDown() throws Exception {
        String j = "relay-restart-0";
        ObservationBridge first = bridge(client);
        first.startPublishing();
        MockKubernetes.create(client, daskJob(j, "restart", 1));
        MockKubernetes.patchStatus(client, NS, j, Map.of("jobStatus", "Running", "clusterName", j,
                "jobRunnerPodName", j + "-runner", "startTime", "2026-01-01T10:00:01Z"));
        reader.awaitUntil(all -> !all.isEmpty() && "Running".equals(snapshot(all.get(all.size() - 1)).getJobStatus()),
                "Running");
        first.close();
        int before = reader.drain().size();

        // While no bridge runs, the job finishes.
        MockKubernetes.patchStatus(client, NS, j, Map.of("jobStatus", "Successful", "endTime", "2026-01-01T10:05:00Z"));

        ObservationBridge second = bridge(client);
        second.startPublishing();
        List<Observation> all = reader.awaitCount(before + 1);
        assertEquals("Successful", snapshot(all.get(before)).getJobStatus(), "the terminal state is not missed");

        // The next change after the restart is published too, and exactly once.
        MockKubernetes.deleteJob(client, NS, j);
        all = reader.awaitCount(before + 2);
        assertFalse(snapshot(all.get(before + 1)).getExists());
        assertEquals(before + 2, reader.drain().size());
    }

    @Test
    void deletedJobIsReportedGone() {
        ObservationBridge bridge = bridge(client);
        bridge.startPublishing();
        String j = "relay-del-0";
        MockKubernetes.create(client, daskJob(j, "del", 1));
        MockKubernetes.patchStatus(client, NS, j, Map.of("jobStatus", "ClusterCreated", "clusterName", j,
                "jobRunnerPodName", j + "-runner"));
        reader.awaitUntil(all -> !all.isEmpty()
                && "ClusterCreated".equals(snapshot(all.get(all.size() - 1)).getJobStatus()), "ClusterCreated");
        MockKubernetes.deleteJob(client, NS, j);
        List<Observation> all = reader.awaitUntil(a -> !snapshot(a.get(a.size() - 1)).getExists(), "gone");
        Observation gone = all.get(all.size() - 1);
        assertEquals("del", gone.getTaskId());
        assertEquals("ClusterCreated", snapshot(gone).getJobStatus(), "the last known state, marked gone");
    }

    @Test
    void standbyBridgeDoesNotPublishUntilLeading() {
        ObservationBridge bridge = bridge(client);
        String j = "relay-standby-0";
        MockKubernetes.create(client, daskJob(j, "standby", 1));
        await(() -> bridge.cachedJobs().size() == 1, "the job in the standby's cache");
        assertEquals(0, reader.drain().size());
        bridge.startPublishing();
        assertEquals("standby", reader.awaitCount(1).get(0).getTaskId());
    }

    @Test
    void podAndEventChangesReachTheSnapshot() {
        ObservationBridge bridge = bridge(client);
        bridge.startPublishing();
        String j = "relay-ev-0";
        MockKubernetes.create(client, daskJob(j, "ev", 3));
        MockKubernetes.patchStatus(client, NS, j, Map.of("jobStatus", "Running", "clusterName", j,
                "jobRunnerPodName", j + "-runner"));
        for (int i = 0; i < 3; i++) {
            MockKubernetes.createPod(client, worker(j, i, i == 0 ? "Running" : "Pending", i == 0));
        }
        reader.awaitUntil(a -> !a.isEmpty() && snapshot(a.get(a.size() - 1)).getComponents().getWorkersPending() == 2
                        && snapshot(a.get(a.size() - 1)).getComponents().getWorkersReady() == 1, "workers 1 ready, 2 pending");
        client.v1().events().inNamespace(NS).resource(event("ReplicaSet", j + "-default-worker-0000000002-6b7c8d9f5",
                "Warning", "FailedCreate", "exceeded quota: compute-resources", "2026-01-01T10:00:07Z")).create();
        // An unrelated Normal event and an event about some other pod change nothing.
        client.v1().events().inNamespace(NS).resource(event("Pod", j + "-runner", "Normal", "Pulled", "pulled",
                "2026-01-01T10:00:08Z")).create();
        client.v1().events().inNamespace(NS).resource(event("Pod", "nginx-7d4f8b9c6-abcde", "Warning", "BackOff",
                "back-off", "2026-01-01T10:00:09Z")).create();
        List<Observation> all = reader.awaitUntil(a -> !snapshot(a.get(a.size() - 1)).getEvents().isEmpty(), "event");
        assertEquals(3, snapshot(all.get(all.size() - 1)).getComponents().getWorkersDesired(),
                "spec.cluster.spec.worker.replicas survives the reduced informer cache");
        var events = snapshot(all.get(all.size() - 1)).getEvents();
        assertEquals(1, events.size());
        assertEquals("FailedCreate", events.get(0).getReason());
        assertEquals("exceeded quota: compute-resources", events.get(0).getMessage(),
                "the message survives the reduced Event cache");
        assertEquals(Instant.parse("2026-01-01T10:00:07Z"), events.get(0).getLastSeen());
        BridgeInformers.CacheSizes cached = bridge.cacheSizes();
        assertEquals(1, cached.jobs());
        assertEquals(3, cached.pods());
        assertTrue(cached.events() >= 2, "the mock ignores != field selectors; a real API server sends 2: " + cached);
    }

    @Test
    void twoBridgesOnlyTheLeaderPublishesAndAHandoverReobserves() {
        KubernetesClient c1 = server.createClient();
        KubernetesClient c2 = server.createClient();
        closeables.add(c1);
        closeables.add(c2);
        ObservationBridge b1 = bridge(c1);
        ObservationBridge b2 = bridge(c2);
        AtomicInteger lost = new AtomicInteger();
        var timing = new LeaderElection.Timing(Duration.ofSeconds(3), Duration.ofSeconds(2), Duration.ofMillis(250));
        var e1 = new LeaderElection(c1, NS, "watcher-lease", "w1", timing, b1::startPublishing, lost::incrementAndGet);
        var e2 = new LeaderElection(c2, NS, "watcher-lease", "w2", timing, b2::startPublishing, lost::incrementAndGet);
        closeables.add(e1);
        closeables.add(e2);
        e1.start();
        e2.start();
        await(() -> e1.leading() || e2.leading(), "a leader");
        LeaderElection leader = e1.leading() ? e1 : e2;
        LeaderElection follower = leader == e1 ? e2 : e1;
        ObservationBridge leaderBridge = leader == e1 ? b1 : b2;
        ObservationBridge followerBridge = leader == e1 ? b2 : b1;

        // Let the leader renew the Lease a few times while the follower keeps trying.
        var renewals = new HashSet<Object>();
        await(() -> {
            var lease = client.leases().inNamespace(NS).withName("watcher-lease").get();
            renewals.add(lease.getSpec().getRenewTime());
            return renewals.size() >= 3;
        }, "three renewals");
        assertEquals(leader.identity(), client.leases().inNamespace(NS).withName("watcher-lease").get().getSpec()
                .getHolderIdentity());
        assertFalse(follower.leading());
        assertTrue(leaderBridge.publishing());
        assertFalse(followerBridge.publishing());

        MockKubernetes.create(client, daskJob("relay-ha-0", "ha", 1));
        List<Observation> all = reader.awaitCount(1);
        await(() -> followerBridge.cachedJobs().size() == 1, "the job in the follower's cache");
        await(() -> leaderBridge.metrics().publishedCount() == 1.0, "the leader's send acknowledged");
        assertEquals(0.0, followerBridge.metrics().publishedCount());

        // Handover: the leader stops and releases the Lease; the follower takes over and re-observes.
        leader.close();
        leaderBridge.close();
        await(follower::leading, "the follower to lead");
        all = reader.awaitCount(2);
        await(() -> followerBridge.metrics().publishedCount() == 1.0, "the new leader's send acknowledged");
        assertFalse(SnapshotDerivation.changed(snapshot(all.get(0)), snapshot(all.get(1))),
                "the new leader publishes the current snapshot once");
        assertEquals(0, lost.get(), "a released Lease is not a lost one");

        // Someone else takes the Lease: the leader notices within the renew deadline and reports the loss.
        client.leases().inNamespace(NS).withName("watcher-lease").edit(l -> {
            l.getSpec().setHolderIdentity("intruder");
            l.getSpec().setRenewTime(ZonedDateTime.now());
            l.getSpec().setLeaseDurationSeconds(60);
            return l;
        });
        await(() -> lost.get() == 1, "the loss to be reported");
        assertFalse(follower.leading());
    }

    @Test
    void aNewLeaderRecallsWhatWasPublishedReportsJobsDeletedMeanwhileAndRepeatsNothing() {
        ObservationBridge first = bridgeWithMemory(client);
        first.startPublishing();
        MockKubernetes.create(client, daskJob("relay-kept-0", "kept", 1));
        MockKubernetes.create(client, daskJob("relay-lost-0", "lost", 1));
        MockKubernetes.patchStatus(client, NS, "relay-kept-0", Map.of("jobStatus", "Running"));
        reader.awaitUntil(a -> a.stream().anyMatch(o -> o.getTaskId().equals("lost"))
                && a.stream().anyMatch(o -> "Running".equals(snapshot(o).getJobStatus())), "both jobs published");
        await(() -> first.metrics().publishedCount() >= reader.drain().size(), "every send acknowledged");
        first.close();
        int before = reader.drain().size();

        // While no bridge runs, one job is deleted; the other does not change.
        MockKubernetes.deleteJob(client, NS, "relay-lost-0");

        ObservationBridge second = bridgeWithMemory(client);
        second.startPublishing();
        List<Observation> all = reader.awaitCount(before + 1);
        Observation gone = all.get(before);
        assertEquals("lost", gone.getTaskId());
        assertFalse(snapshot(gone).getExists());
        await(() -> second.metrics().suppressedCount() >= 1, "the unchanged job to be suppressed");
        assertEquals(before + 1, reader.drain().size(), "the unchanged job is not published again");
    }

    /** The janitor's question: is this finished DaskJob's end out? Only once acknowledged, or recalled from the topic. */
    @Test
    void aFinishedJobCountsAsReportedOnlyOnceItsEndIsAcknowledgedOrRecalled() {
        String j = "relay-reported-0";
        ObservationBridge first = bridgeWithMemory(client);
        MockKubernetes.create(client, daskJob(j, "reported", 1));
        MockKubernetes.patchStatus(client, NS, j, Map.of("jobStatus", "Successful", "clusterName", j,
                "jobRunnerPodName", j + "-runner", "endTime", "2026-01-01T10:05:00Z"));
        await(() -> first.cachedJobs().size() == 1 && finished(first.cachedJobs().get(0)), "the end in the cache");
        GenericKubernetesResource done = first.cachedJobs().get(0);
        assertFalse(first.finalStateReported(done), "a standby has published nothing");

        first.startPublishing();
        await(() -> first.metrics().publishedCount() == 1.0, "the end acknowledged");
        assertTrue(first.finalStateReported(done));
        GenericKubernetesResource otherTask = daskJob(j, "another-task", 1);
        otherTask.getAdditionalProperties().put("status", done.getAdditionalProperties().get("status"));
        assertFalse(first.finalStateReported(otherTask), "the same name for another task is not reported");
        first.close();

        ObservationBridge second = bridgeWithMemory(client);
        assertFalse(second.finalStateReported(done), "nothing recalled before leading");
        second.startPublishing();
        assertTrue(second.finalStateReported(done), "the previous leader's acknowledged end, recalled");
        await(() -> second.metrics().suppressedCount() >= 1, "the unchanged end to be suppressed");
        assertEquals(1, reader.drain().size(), "and not published again");
    }

    private static boolean finished(GenericKubernetesResource job) {
        return job.getAdditionalProperties().get("status") instanceof Map<?, ?> m
                && "Successful".equals(m.get("jobStatus"));
    }

    /** A bridge with a short runner hold whose direct runner reads are answered by {@code runnerReader}. */
    private ObservationBridge bridgeReadingRunners(ApiReads.Reader<Pod> runnerReader) {
        return bridgeReadingRunners(runnerReader, Duration.ofMillis(300));
    }

    private ObservationBridge bridgeReadingRunners(ApiReads.Reader<Pod> runnerReader, Duration runnerHold) {
        return bridgeReading(runnerReader, ApiReads.Reader.daskJobs(client), ObservationMemory.NONE, runnerHold);
    }

    private ObservationBridge bridgeReading(ApiReads.Reader<Pod> runnerReader,
                                            ApiReads.Reader<GenericKubernetesResource> jobReader,
                                            ObservationMemory memory, Duration runnerHold) {
        var publisher = new KafkaObservationPublisher(broker.clientProperties(), topic, TestAvro.serializer());
        closeables.add(publisher);
        var options = new ObservationBridge.Options(List.of(NS), ObservationBridge.Options.DEFAULT_RESYNC_PERIOD,
                Duration.ofMillis(100), ObservationBridge.Options.DEFAULT_TOMBSTONE_TTL,
                ObservationBridge.Options.DEFAULT_LIST_PAGE_SIZE, runnerHold, Installation.DEFAULT);
        var bridge = new ObservationBridge(client, runnerReader, jobReader, options, publisher, memory,
                Clock.systemUTC(), new SimpleMeterRegistry());
        closeables.add(bridge);
        bridge.start();
        await(bridge::synced, "informers synced");
        bridge.startPublishing();
        return bridge;
    }

    /** The operator's Failed with the runner pod still Running in the cache: the pod watch is behind. */
    private void failedWithRunnerStillRunningInTheCache(String j) {
        MockKubernetes.create(client, daskJob(j, j, 1));
        MockKubernetes.createPod(client, runner(j, "Running", true, running("job-runner", true)));
        MockKubernetes.patchStatus(client, NS, j, Map.of("jobStatus", "Failed", "clusterName", j,
                "jobRunnerPodName", j + "-runner"));
    }

    private static Pod oomKilledRunner(String j) {
        return runner(j, "Failed", false, terminated("job-runner", "OOMKilled", 137, null));
    }

    @Test
    void aRunnerEndLateInTheCacheIsReadFromTheApiServerAfterTheHold() {
        List<String> reads = new ArrayList<>();
        bridgeReadingRunners((namespace, name) -> {
            synchronized (reads) {
                reads.add(namespace + "/" + name);
            }
            if (reads.size() < 3) {
                throw new KubernetesClientException("injected: 503 Service Unavailable");
            }
            return Optional.of(oomKilledRunner("relay-late-0"));
        });
        failedWithRunnerStillRunningInTheCache("relay-late-0");
        List<Observation> all = reader.awaitUntil(a -> !a.isEmpty()
                && "Failed/Failed".equals(state(a.get(a.size() - 1))), "the runner's end from the direct read");
        for (Observation o : all) {
            assertFalse("Failed/Running".equals(state(o)), "no snapshot with a failed job and a running runner: "
                    + all.stream().map(ObservationBridgeTest::state).toList());
        }
        var container = snapshot(all.get(all.size() - 1)).getComponents().getRunner().getContainers().get(0);
        assertEquals("OOMKilled", container.getTerminatedReason());
        assertEquals(137, container.getExitCode());
        synchronized (reads) {
            assertEquals(List.of(NS + "/relay-late-0-runner", NS + "/relay-late-0-runner",
                    NS + "/relay-late-0-runner"), reads, "two failed reads retried, then the answer");
        }
    }

    @Test
    void aRunnerTheApiServerNoLongerHasIsLeftOutAndTheFailurePublished() {
        bridgeReadingRunners((namespace, name) -> Optional.empty());
        failedWithRunnerStillRunningInTheCache("relay-gone-0");
        List<Observation> all = reader.awaitUntil(a -> !a.isEmpty()
                && "Failed".equals(snapshot(a.get(a.size() - 1)).getJobStatus()), "the failure");
        assertEquals("Failed/-", state(all.get(all.size() - 1)),
                "a runner the API server says is gone is not reported from the stale cache");
    }

    @Test
    void aRunnerEndThatReachesTheCacheWithinTheHoldNeedsNoRead() {
        List<String> reads = new ArrayList<>();
        bridgeReadingRunners((namespace, name) -> {
            synchronized (reads) {
                reads.add(name);
            }
            return Optional.empty();
        }, Duration.ofSeconds(30));
        String j = "relay-intime-0";
        failedWithRunnerStillRunningInTheCache(j);
        MockKubernetes.setPodStatus(client, oomKilledRunner(j));
        List<Observation> all = reader.awaitUntil(a -> !a.isEmpty()
                && "Failed/Failed".equals(state(a.get(a.size() - 1))), "the runner's end from the cache");
        assertEquals("OOMKilled", snapshot(all.get(all.size() - 1)).getComponents().getRunner().getContainers().get(0)
                .getTerminatedReason());
        synchronized (reads) {
            assertEquals(List.of(), reads);
        }
    }

    @Test
    void theRunnerReaderGetsThePodFromTheApiServerAndEmptyForAMissingOne() {
        String j = "relay-read-0";
        MockKubernetes.createPod(client, oomKilledRunner(j));
        ApiReads.Reader<Pod> reader = ApiReads.Reader.pods(client);
        Pod read = reader.read(NS, j + "-runner").orElseThrow();
        assertEquals("OOMKilled", read.getStatus().getContainerStatuses().get(0).getState().getTerminated().getReason());
        assertTrue(reader.read(NS, "relay-nothing-0-runner").isEmpty(), "404 is an answer: the pod does not exist");
    }

    @Test
    void theJobReaderGetsTheDaskJobFromTheApiServerAndEmptyForAMissingOne() {
        MockKubernetes.create(client, daskJob("relay-jobread-0", "jobread", 1));
        ApiReads.Reader<GenericKubernetesResource> reader = ApiReads.Reader.daskJobs(client);
        assertEquals("jobread", TaskIdentity.of(reader.read(NS, "relay-jobread-0").orElseThrow()).taskId());
        assertTrue(reader.read(NS, "relay-nojob-0").isEmpty(), "404 is an answer: the DaskJob does not exist");
    }

    /**
     * Chaos run c1ljwuz: a new leader recalled DaskJobs that its informer had not delivered (created after its list,
     * while the API server restarted under a forced relist) and reported them gone, failing 46 running tasks. Here the
     * DaskJob watch is "behind" the API server: the mock no longer has the job, the job reader still finds it. No gone
     * is published until the API server says 404.
     */
    @Test
    void aRecalledJobMissingFromTheCacheIsReportedGoneOnlyOnceTheApiServerSaysSo() {
        String j = "relay-behind-0";
        ObservationBridge first = bridgeWithMemory(client);
        first.startPublishing();
        MockKubernetes.create(client, daskJob(j, "behind", 1));
        MockKubernetes.patchStatus(client, NS, j, Map.of("jobStatus", "Running", "clusterName", j,
                "jobRunnerPodName", j + "-runner"));
        reader.awaitUntil(a -> !a.isEmpty() && "Running".equals(snapshot(a.get(a.size() - 1)).getJobStatus()),
                "Running published");
        await(() -> first.metrics().publishedCount() >= reader.drain().size(), "every send acknowledged");
        GenericKubernetesResource onTheApiServer = first.cachedJobs().get(0);
        first.close();
        int before = reader.drain().size();
        MockKubernetes.deleteJob(client, NS, j); // the new leader's cache will not have it

        List<String> reads = new ArrayList<>();
        AtomicBoolean exists = new AtomicBoolean(true);
        ObservationBridge second = bridgeReading((namespace, name) -> Optional.empty(), (namespace, name) -> {
            synchronized (reads) {
                reads.add(namespace + "/" + name);
            }
            return exists.get() ? Optional.of(onTheApiServer) : Optional.empty();
        }, topicMemory(), Duration.ofMillis(200));
        await(() -> {
            synchronized (reads) {
                return reads.size() >= 3;
            }
        }, "the job read again while the API server still has it");
        assertEquals(before, reader.drain().size(), "nothing published while the DaskJob exists");

        exists.set(false);
        List<Observation> all = reader.awaitCount(before + 1);
        Observation gone = all.get(before);
        assertEquals("behind", gone.getTaskId());
        assertFalse(snapshot(gone).getExists());
        assertEquals("Running", snapshot(gone).getJobStatus(), "the last known state, marked gone");
        synchronized (reads) {
            assertTrue(reads.stream().allMatch((NS + "/" + j)::equals), reads.toString());
        }
        assertTrue(second.publishing());
    }

    @Test
    void aRecalledJobWhoseNameNowBelongsToAnotherTaskIsReportedGone() {
        String j = "relay-reused-0";
        ObservationBridge first = bridgeWithMemory(client);
        first.startPublishing();
        MockKubernetes.create(client, daskJob(j, "reused", 1));
        reader.awaitCount(1);
        await(() -> first.metrics().publishedCount() >= 1, "the send acknowledged");
        first.close();
        MockKubernetes.deleteJob(client, NS, j);

        GenericKubernetesResource another = daskJob(j, "someone-else", 1);
        bridgeReading((namespace, name) -> Optional.empty(), (namespace, name) -> Optional.of(another), topicMemory(),
                Duration.ofMillis(200));
        List<Observation> all = reader.awaitCount(2);
        assertEquals("reused", all.get(1).getTaskId());
        assertFalse(snapshot(all.get(1)).getExists());
    }
}
