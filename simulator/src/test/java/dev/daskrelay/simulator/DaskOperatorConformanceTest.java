package dev.daskrelay.simulator;

import static dev.daskrelay.simulator.DaskJobFixture.at;
import static dev.daskrelay.simulator.DaskJobFixture.await;
import static dev.daskrelay.simulator.DaskJobFixture.awaitJobStatus;
import static dev.daskrelay.simulator.DaskJobFixture.create;
import static dev.daskrelay.simulator.DaskJobFixture.job;
import static dev.daskrelay.simulator.DaskJobFixture.jobStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestInstance;

/**
 * Conformance of the simulator with the operator's rules as docs/DASK-OPERATOR.md states them (2025.4.3). Each
 * test names the rule it checks; docs/SIMULATOR.md maps rules to tests. Section numbers below are that document's.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DaskOperatorConformanceTest {

    /** The simulator's clock: every timestamp it writes must come from here, formatted %Y-%m-%dT%H:%M:%SZ. */
    private static final Instant NOW = Instant.parse("2025-04-23T10:15:02.789Z");
    private static final String NOW_TEXT = "2025-04-23T10:15:02Z";
    private static final String LONG = "60s";
    private static final AtomicInteger SEQ = new AtomicInteger();

    private InMemoryKubernetes k8s;
    private KubernetesClient client;
    private DaskOperatorSimulator simulator;

    @BeforeAll
    void start() {
        k8s = InMemoryKubernetes.start();
        client = k8s.client();
        simulator = DaskOperatorSimulator.builder(client)
                .timing(SimulatorTiming.fast())
                .clock(Clock.fixed(NOW, ZoneOffset.UTC))
                .start();
    }

    @AfterAll
    void stop() {
        simulator.close();
        k8s.close();
    }

    private static String ns(TestInfo info) {
        return "t" + SEQ.incrementAndGet() + "-" + info.getTestMethod().orElseThrow().getName().toLowerCase().replaceAll("[^a-z0-9]", "").substring(0, 12);
    }

    /** Records every distinct jobStatus a watch sees, in order. */
    private final class StatusRecorder implements Watcher<GenericKubernetesResource>, AutoCloseable {
        final List<String> statuses = Collections.synchronizedList(new ArrayList<>());
        final List<Long> resourceVersions = Collections.synchronizedList(new ArrayList<>());
        final Watch watch;

        StatusRecorder(String ns, String name) {
            watch = client.genericKubernetesResources(DaskCrds.DASK_JOB).inNamespace(ns).withName(name).watch(this);
        }

        @Override
        public void eventReceived(Action action, GenericKubernetesResource job) {
            String status = DaskOperator.jobStatus(job);
            synchronized (statuses) {
                if (status != null && (statuses.isEmpty() || !statuses.get(statuses.size() - 1).equals(status))) {
                    statuses.add(status);
                    resourceVersions.add(Long.parseLong(job.getMetadata().getResourceVersion()));
                }
            }
        }

        @Override
        public void onClose(WatcherException cause) {
        }

        List<String> snapshot() {
            synchronized (statuses) {
                return List.copyOf(statuses);
            }
        }

        @Override
        public void close() {
            watch.close();
        }
    }

    // ---- §4.2 status transitions ---------------------------------------------------------------------------

    @Test
    void successfulJobGoesThroughTheFourStatusesInOrder(TestInfo info) {
        String ns = ns(info);
        try (StatusRecorder recorder = new StatusRecorder(ns, "ok")) {
            create(client, job("ok", ns, 2, Map.of()));
            await("terminal status", recorder::snapshot, s -> s.contains("Successful") || s.contains("Failed"));
            assertEquals(List.of("JobCreated", "ClusterCreated", "Running", "Successful"), recorder.snapshot());
        }
        GenericKubernetesResource done = client.genericKubernetesResources(DaskCrds.DASK_JOB).inNamespace(ns).withName("ok").get();
        Map<String, Object> status = at(done.getAdditionalProperties(), "status");
        assertEquals(Set.of("clusterName", "jobRunnerPodName", "jobStatus", "startTime", "endTime"), status.keySet());
        assertEquals("ok", status.get("clusterName"));
        assertEquals("ok-runner", status.get("jobRunnerPodName"));
        assertEquals(NOW_TEXT, status.get("startTime"));
        assertEquals(NOW_TEXT, status.get("endTime"));
    }

    @Test
    void terminalStatusIsWrittenOnlyAfterTheDaskClusterWasDeleted(TestInfo info) {
        String ns = ns(info);
        List<Long> clusterDeletions = Collections.synchronizedList(new ArrayList<>());
        Watch clusterWatch = client.genericKubernetesResources(DaskCrds.DASK_CLUSTER).inNamespace(ns).watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, GenericKubernetesResource cluster) {
                if (action == Action.DELETED || cluster.isMarkedForDeletion()) {
                    clusterDeletions.add(Long.parseLong(cluster.getMetadata().getResourceVersion()));
                }
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        });
        try (StatusRecorder recorder = new StatusRecorder(ns, "order")) {
            create(client, job("order", ns, 1, Map.of()));
            await("Successful", recorder::snapshot, s -> s.contains("Successful"));
            await("cluster deletion seen", () -> List.copyOf(clusterDeletions), l -> !l.isEmpty());
            long terminalVersion = recorder.resourceVersions.get(recorder.snapshot().indexOf("Successful"));
            // the mock's resourceVersion is one global counter, like etcd's revision: it orders writes across kinds
            assertTrue(clusterDeletions.get(0) < terminalVersion,
                    "DaskCluster deletion (rv " + clusterDeletions.get(0) + ") must precede the terminal status (rv " + terminalVersion + ")");
        } finally {
            clusterWatch.close();
        }
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    private GenericKubernetesResource cluster(String ns, String name) {
        return client.genericKubernetesResources(DaskCrds.DASK_CLUSTER).inNamespace(ns).withName(name).get();
    }

    private GenericKubernetesResource workerGroup(String ns, String name) {
        return client.genericKubernetesResources(DaskCrds.DASK_WORKER_GROUP).inNamespace(ns).withName(name).get();
    }

    private Pod pod(String ns, String name) {
        return client.pods().inNamespace(ns).withName(name).get();
    }

    private List<Pod> pods(String ns, String component) {
        return client.pods().inNamespace(ns).withLabel(DaskComponents.LABEL_COMPONENT, component).list().getItems();
    }

    private List<Deployment> workerDeployments(String ns) {
        return client.apps().deployments().inNamespace(ns)
                .withLabel(DaskComponents.LABEL_COMPONENT, DaskComponents.COMPONENT_WORKER).list().getItems();
    }

    private List<Event> events(String ns, String involvedName) {
        return client.v1().events().inNamespace(ns).list().getItems().stream()
                .filter(e -> involvedName.equals(e.getInvolvedObject().getName())).toList();
    }

    private static String podPhase(Pod pod) {
        return pod == null || pod.getStatus() == null ? null : pod.getStatus().getPhase();
    }

    private static String env(Container c, String name) {
        List<EnvVar> matches = c.getEnv().stream().filter(e -> name.equals(e.getName())).toList();
        assertTrue(matches.size() <= 1, "env " + name + " appears " + matches.size() + " times in " + c.getName());
        return matches.isEmpty() ? null : matches.get(0).getValue();
    }

    private static void assertOwnedBy(HasMetadata child, HasMetadata owner) {
        List<OwnerReference> refs = child.getMetadata().getOwnerReferences();
        assertNotNull(refs, describe(child) + " has no owner references");
        assertEquals(1, refs.size(), describe(child) + " owners " + refs);
        OwnerReference ref = refs.get(0);
        assertEquals(owner.getKind(), ref.getKind());
        assertEquals(owner.getApiVersion(), ref.getApiVersion());
        assertEquals(owner.getMetadata().getName(), ref.getName());
        assertEquals(owner.getMetadata().getUid(), ref.getUid());
        assertEquals(Boolean.TRUE, ref.getController(), "controller");
        assertEquals(Boolean.TRUE, ref.getBlockOwnerDeletion(), "blockOwnerDeletion");
    }

    private static String describe(HasMetadata o) {
        return o.getKind() + " " + o.getMetadata().getName();
    }

    /** A job whose runner runs long enough to inspect the running world; the test deletes it at the end. */
    private GenericKubernetesResource runningJob(String ns, String name, int workers, Map<String, String> extraAnnotations) {
        Map<String, String> annotations = new LinkedHashMap<>(extraAnnotations);
        annotations.put(DaskOperatorSimulator.RUN_FOR_ANNOTATION, LONG);
        GenericKubernetesResource job = create(client, job(name, ns, workers, annotations));
        awaitJobStatus(client, ns, name, "Running");
        await(workers + " running workers", () -> pods(ns, "worker"),
                l -> l.size() == workers && l.stream().allMatch(p -> "Running".equals(podPhase(p))));
        await("running scheduler", () -> pods(ns, "scheduler"), l -> l.size() == 1 && "Running".equals(podPhase(l.get(0))));
        return client.genericKubernetesResources(DaskCrds.DASK_JOB).inNamespace(ns).withName(job.getMetadata().getName()).get();
    }

    private void deleteJob(String ns, String name) {
        client.genericKubernetesResources(DaskCrds.DASK_JOB).inNamespace(ns).withName(name).delete();
    }

    // ---- §3.1 names ------------------------------------------------------------------------------------------

    @Test
    void objectsAreNamedAsTheOperatorNamesThem(TestInfo info) {
        String ns = ns(info);
        runningJob(ns, "names", 3, Map.of());
        assertNotNull(cluster(ns, "names"), "DaskCluster J");
        assertNotNull(pod(ns, "names-runner"), "runner pod J-runner");
        assertNotNull(client.apps().deployments().inNamespace(ns).withName("names-scheduler").get(), "scheduler Deployment");
        assertNotNull(client.services().inNamespace(ns).withName("names-scheduler").get(), "scheduler Service");
        assertNotNull(workerGroup(ns, "names-default"), "DaskWorkerGroup J-default");
        String safe = "[bcdfghjklmnpqrstvwxz2456789]";
        Pod scheduler = pods(ns, "scheduler").get(0);
        assertTrue(scheduler.getMetadata().getName().matches("names-scheduler-" + safe + "{1,10}-" + safe + "{5}"),
                scheduler.getMetadata().getName());
        List<Deployment> workers = workerDeployments(ns);
        assertEquals(3, workers.size(), "one worker Deployment per replica");
        Set<String> names = new HashSet<>();
        for (Deployment d : workers) {
            assertTrue(d.getMetadata().getName().matches("names-default-worker-[0-9a-f]{10}"), d.getMetadata().getName());
            assertEquals(1, d.getSpec().getReplicas(), "each worker Deployment has replicas 1");
            names.add(d.getMetadata().getName());
        }
        assertEquals(3, names.size());
        await("worker Deployments report a ready replica", () -> workerDeployments(ns), l -> l.stream().allMatch(d ->
                d.getStatus() != null && Integer.valueOf(1).equals(d.getStatus().getReadyReplicas())));
        for (Pod p : pods(ns, "worker")) {
            String owner = p.getMetadata().getName().replaceAll("-" + safe + "{1,10}-" + safe + "{5}$", "");
            assertTrue(names.contains(owner), p.getMetadata().getName());
        }
        GenericKubernetesResource job = client.genericKubernetesResources(DaskCrds.DASK_JOB).inNamespace(ns).withName("names").get();
        assertEquals("names", at(job.getAdditionalProperties(), "status").get("clusterName"));
        assertEquals("names-runner", at(job.getAdditionalProperties(), "status").get("jobRunnerPodName"));
        deleteJob(ns, "names");
    }

    // ---- §3.2 labels, annotations --------------------------------------------------------------------------

    @Test
    void labelsAndAnnotationsPropagateWithFixedLabelsWinning(TestInfo info) {
        String ns = ns(info);
        GenericKubernetesResource j = job("labels", ns, 1, Map.of(
                "team/region", "SEA",
                "kopf.zalando.org/last-handled-configuration", "{}",
                "kubectl.kubernetes.io/last-applied-configuration", "{}",
                DaskOperatorSimulator.RUN_FOR_ANNOTATION, LONG));
        j.getMetadata().getLabels().put("team", "data");
        j.getMetadata().getLabels().put(DaskComponents.LABEL_COMPONENT, "bogus");
        Map<String, Object> spec = at(j.getAdditionalProperties(), "spec");
        at(spec, "job").put("metadata", Map.of("labels", Map.of("runner-only", "yes"), "annotations", Map.of("runner-note", "r")));
        at(spec, "cluster", "spec", "scheduler").put("metadata", Map.of("labels", Map.of("sched-only", "yes")));
        at(spec, "cluster", "spec", "worker").put("metadata", Map.of("labels", Map.of("worker-only", "yes"), "annotations", Map.of("worker-note", "w")));
        at(spec, "cluster").put("metadata", Map.of("labels", Map.of("pruned-by-a-real-api-server", "yes")));
        create(client, j);
        awaitJobStatus(client, ns, "labels", "Running");
        await("worker pod", () -> pods(ns, "worker"), l -> l.size() == 1);

        GenericKubernetesResource cluster = cluster(ns, "labels");
        Map<String, String> cl = cluster.getMetadata().getLabels();
        assertEquals("data", cl.get("team"));
        assertEquals("task-labels", cl.get("daskrelay.io/task-id"));
        assertEquals("labels", cl.get(DaskComponents.LABEL_CLUSTER_NAME));
        assertFalse(cl.containsKey("pruned-by-a-real-api-server"), "spec.cluster.metadata is not in the CRD schema");
        assertEquals("SEA", cluster.getMetadata().getAnnotations().get("team/region"));
        assertFalse(cluster.getMetadata().getAnnotations().keySet().stream()
                .anyMatch(k -> k.startsWith("kopf.zalando.org") || k.startsWith("kubectl.kubernetes.io")));

        Pod runner = pod(ns, "labels-runner");
        Map<String, String> rl = runner.getMetadata().getLabels();
        assertEquals("job-runner", rl.get(DaskComponents.LABEL_COMPONENT), "fixed labels win");
        assertEquals("labels", rl.get(DaskComponents.LABEL_CLUSTER_NAME));
        assertEquals("false", rl.get("sidecar.istio.io/inject"));
        assertEquals("data", rl.get("team"));
        assertEquals("yes", rl.get("runner-only"));
        assertEquals("SEA", runner.getMetadata().getAnnotations().get("team/region"));
        assertEquals("r", runner.getMetadata().getAnnotations().get("runner-note"));
        assertFalse(runner.getMetadata().getAnnotations().containsKey("kubectl.kubernetes.io/last-applied-configuration"));

        Deployment scheduler = client.apps().deployments().inNamespace(ns).withName("labels-scheduler").get();
        Map<String, String> sl = scheduler.getMetadata().getLabels();
        assertEquals("scheduler", sl.get(DaskComponents.LABEL_COMPONENT));
        assertEquals("false", sl.get("sidecar.istio.io/inject"));
        assertEquals("yes", sl.get("sched-only"));
        assertEquals("data", sl.get("team"));
        assertEquals(sl, scheduler.getSpec().getSelector().getMatchLabels(), "selector = the full label set");
        assertEquals(sl, scheduler.getSpec().getTemplate().getMetadata().getLabels());
        Service service = client.services().inNamespace(ns).withName("labels-scheduler").get();
        assertEquals("scheduler", service.getMetadata().getLabels().get(DaskComponents.LABEL_COMPONENT));
        assertFalse(service.getMetadata().getLabels().containsKey("sidecar.istio.io/inject"), "no istio label on the Service");

        GenericKubernetesResource group = workerGroup(ns, "labels-default");
        assertEquals("workergroup", group.getMetadata().getLabels().get(DaskComponents.LABEL_COMPONENT));
        assertEquals("yes", group.getMetadata().getLabels().get("worker-only"));

        Pod worker = pods(ns, "worker").get(0);
        Map<String, String> wl = worker.getMetadata().getLabels();
        assertEquals("worker", wl.get(DaskComponents.LABEL_COMPONENT));
        assertEquals("labels", wl.get(DaskComponents.LABEL_CLUSTER_NAME));
        assertEquals("labels-default", wl.get(DaskComponents.LABEL_WORKERGROUP_NAME));
        assertEquals("false", wl.get("sidecar.istio.io/inject"));
        assertEquals("data", wl.get("team"));
        assertEquals("yes", wl.get("worker-only"));
        assertNotNull(wl.get(DeploymentController.POD_TEMPLATE_HASH), "Deployment pods carry pod-template-hash");
        assertEquals("w", worker.getMetadata().getAnnotations().get("worker-note"));
        assertEquals("SEA", worker.getMetadata().getAnnotations().get("team/region"));
        deleteJob(ns, "labels");
    }

    // ---- §3.3 owner references -----------------------------------------------------------------------------

    @Test
    void ownerReferencesFormTheOperatorsTree(TestInfo info) {
        String ns = ns(info);
        GenericKubernetesResource job = runningJob(ns, "owners", 2, Map.of());
        GenericKubernetesResource cluster = cluster(ns, "owners");
        assertOwnedBy(cluster, job);
        assertOwnedBy(pod(ns, "owners-runner"), job);
        assertOwnedBy(client.apps().deployments().inNamespace(ns).withName("owners-scheduler").get(), cluster);
        assertOwnedBy(client.services().inNamespace(ns).withName("owners-scheduler").get(), cluster);
        GenericKubernetesResource group = await("adopted worker group", () -> workerGroup(ns, "owners-default"),
                g -> g.getMetadata().getOwnerReferences() != null && !g.getMetadata().getOwnerReferences().isEmpty());
        assertOwnedBy(group, cluster);
        for (Deployment d : workerDeployments(ns)) {
            assertOwnedBy(d, group);
        }
        deleteJob(ns, "owners");
    }

    // ---- §3.4 env ------------------------------------------------------------------------------------------

    @Test
    void schedulerAddressAndWorkerNameAreInjectedOnlyWhereMissing(TestInfo info) {
        String ns = ns(info);
        GenericKubernetesResource j = job("env", ns, 2, Map.of(DaskOperatorSimulator.RUN_FOR_ANNOTATION, LONG));
        Map<String, Object> jobSpec = at(j.getAdditionalProperties(), "spec", "job", "spec");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> containers = (List<Map<String, Object>>) jobSpec.get("containers");
        containers.add(new LinkedHashMap<>(Map.of("name", "sidecar", "image", "busybox",
                "env", List.of(Map.of("name", "DASK_SCHEDULER_ADDRESS", "value", "tcp://mine:1")))));
        jobSpec.put("initContainers", List.of(Map.of("name", "init", "image", "busybox")));
        create(client, j);
        awaitJobStatus(client, ns, "env", "Running");
        Pod runner = pod(ns, "env-runner");
        assertEquals("tcp://env-scheduler." + ns + ".svc.cluster.local:8786", env(runner.getSpec().getContainers().get(0), "DASK_SCHEDULER_ADDRESS"));
        assertEquals("tcp://mine:1", env(runner.getSpec().getContainers().get(1), "DASK_SCHEDULER_ADDRESS"), "kept when present");
        Container init = runner.getSpec().getInitContainers().get(0);
        assertTrue(init.getEnv() == null || init.getEnv().isEmpty(), "initContainers untouched");

        await("worker deployments", () -> workerDeployments(ns), l -> l.size() == 2);
        for (Deployment d : workerDeployments(ns)) {
            Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
            assertEquals(d.getMetadata().getName(), env(c, "DASK_WORKER_NAME"));
            assertEquals("tcp://env-scheduler." + ns + ".svc.cluster.local:8786", env(c, "DASK_SCHEDULER_ADDRESS"));
        }
        Deployment scheduler = client.apps().deployments().inNamespace(ns).withName("env-scheduler").get();
        Container sc = scheduler.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertTrue(sc.getEnv() == null || sc.getEnv().isEmpty(), "nothing injected into the scheduler");
        deleteJob(ns, "env");
    }

    // ---- §2.2 / §4.1 service, DaskCluster spec and phases ----------------------------------------------------

    @Test
    void serviceSpecIsUsedAsGivenAndClusterSpecDropsIdleTimeout(TestInfo info) {
        String ns = ns(info);
        GenericKubernetesResource j = job("svc", ns, 1, Map.of(DaskOperatorSimulator.RUN_FOR_ANNOTATION, LONG));
        at(j.getAdditionalProperties(), "spec", "cluster", "spec", "scheduler", "service").remove("selector");
        create(client, j);
        awaitJobStatus(client, ns, "svc", "Running");
        Service service = await("service", () -> client.services().inNamespace(ns).withName("svc-scheduler").get(), s -> true);
        assertTrue(service.getSpec().getSelector() == null || service.getSpec().getSelector().isEmpty(),
                "the operator never adds a selector: " + service.getSpec().getSelector());
        assertEquals("NodePort", service.getSpec().getType());
        assertEquals(List.of(8786, 8787), service.getSpec().getPorts().stream().map(p -> p.getPort()).toList());
        assertEquals("tcp-comm", service.getSpec().getPorts().get(0).getTargetPort().getStrVal());
        GenericKubernetesResource cluster = await("cluster Running", () -> cluster(ns, "svc"),
                c -> "Running".equals(at(c.getAdditionalProperties(), "status").get("phase")));
        assertEquals(Set.of("worker", "scheduler"), at(cluster.getAdditionalProperties(), "spec").keySet(), "idleTimeout dropped");
        assertTrue(cluster.getMetadata().getFinalizers().contains(DaskComponents.KOPF_FINALIZER));
        deleteJob(ns, "svc");
    }

    // ---- §3.1 name validation --------------------------------------------------------------------------------

    @Test
    void tooLongNameGivesDaskClusterErrorButTheJobStillReachesClusterCreated(TestInfo info) {
        String ns = ns(info);
        String name = "a".repeat(54);
        create(client, job(name, ns, 1, Map.of(DaskOperatorSimulator.RUN_FOR_ANNOTATION, LONG)));
        await("DaskCluster phase Error", () -> cluster(ns, name),
                c -> "Error".equals(at(c.getAdditionalProperties(), "status") == null ? null : at(c.getAdditionalProperties(), "status").get("phase")));
        await("runner pod", () -> pod(ns, name + "-runner"), p -> true);
        await("job Running", () -> String.valueOf(jobStatus(client, ns, name)), "Running"::equals);
        assertNull(client.apps().deployments().inNamespace(ns).withName(name + "-scheduler").get(), "no scheduler");
        assertNull(workerGroup(ns, name + "-default"), "no workers");
        assertTrue(DaskComponents.isValidClusterName("a".repeat(53)));
        assertFalse(DaskComponents.isValidClusterName("a.b"));
        assertFalse(DaskComponents.isValidClusterName("Upper"));
        deleteJob(ns, name);
    }

    // ---- §4.3 cleanup ----------------------------------------------------------------------------------------

    @Test
    void jobEndDeletesTheClusterTreeButKeepsRunnerAndJob(TestInfo info) {
        String ns = ns(info);
        create(client, job("end", ns, 2, Map.of()));
        awaitJobStatus(client, ns, "end", "Successful");
        await("cluster tree gone", () -> List.of(
                        cluster(ns, "end") == null,
                        client.apps().deployments().inNamespace(ns).list().getItems().isEmpty(),
                        client.apps().replicaSets().inNamespace(ns).list().getItems().isEmpty(),
                        client.services().inNamespace(ns).list().getItems().isEmpty(),
                        workerGroup(ns, "end-default") == null,
                        pods(ns, "worker").isEmpty() && pods(ns, "scheduler").isEmpty()),
                l -> !l.contains(false));
        Pod runner = pod(ns, "end-runner");
        assertEquals("Succeeded", podPhase(runner), "the finished runner pod stays");
        assertNotNull(client.genericKubernetesResources(DaskCrds.DASK_JOB).inNamespace(ns).withName("end").get(), "the DaskJob stays");
    }

    @Test
    void deletingTheDaskJobRemovesEverythingItOwns(TestInfo info) {
        String ns = ns(info);
        runningJob(ns, "cascade", 2, Map.of());
        deleteJob(ns, "cascade");
        await("everything gone", () -> List.of(
                        cluster(ns, "cascade") == null,
                        client.pods().inNamespace(ns).list().getItems().isEmpty(),
                        client.apps().deployments().inNamespace(ns).list().getItems().isEmpty(),
                        client.apps().replicaSets().inNamespace(ns).list().getItems().isEmpty(),
                        client.services().inNamespace(ns).list().getItems().isEmpty(),
                        workerGroup(ns, "cascade-default") == null),
                l -> !l.contains(false));
    }

    // ---- §5 failure behaviour and scenarios ------------------------------------------------------------------

    @Test
    void runnerExitCodeFailsTheJobWithRestartPolicyNever(TestInfo info) {
        String ns = ns(info);
        try (StatusRecorder recorder = new StatusRecorder(ns, "exit3")) {
            create(client, job("exit3", ns, 1, Map.of(DaskOperatorSimulator.SCENARIO_ANNOTATION, "runner-exit:3")));
            await("terminal", recorder::snapshot, s -> s.contains("Failed") || s.contains("Successful"));
            assertEquals(List.of("JobCreated", "ClusterCreated", "Running", "Failed"), recorder.snapshot());
        }
        Pod runner = pod(ns, "exit3-runner");
        assertEquals("Failed", podPhase(runner));
        var terminated = runner.getStatus().getContainerStatuses().get(0).getState().getTerminated();
        assertEquals(3, terminated.getExitCode());
        assertEquals("Error", terminated.getReason());
        await("cluster deleted", () -> cluster(ns, "exit3") == null, b -> b);
        assertTrue(events(ns, "exit3-runner").stream().anyMatch(e -> "Job failed, deleting Dask cluster.".equals(e.getMessage())));
    }

    @Test
    void oomKilledRunnerFailsTheJob(TestInfo info) {
        String ns = ns(info);
        create(client, job("oom", ns, 1, Map.of(DaskOperatorSimulator.SCENARIO_ANNOTATION, "oom")));
        awaitJobStatus(client, ns, "oom", "Failed");
        var terminated = pod(ns, "oom-runner").getStatus().getContainerStatuses().get(0).getState().getTerminated();
        assertEquals(137, terminated.getExitCode());
        assertEquals("OOMKilled", terminated.getReason());
    }

    @Test
    void successfulRunnerHasRealisticStatuses(TestInfo info) {
        String ns = ns(info);
        create(client, job("real", ns, 1, Map.of(DaskOperatorSimulator.RUN_FOR_ANNOTATION, "2s")));
        Pod running = await("runner running", () -> pod(ns, "real-runner"), p -> "Running".equals(podPhase(p)));
        var cs = running.getStatus().getContainerStatuses().get(0);
        assertEquals("job-runner", cs.getName());
        assertNotNull(cs.getState().getRunning().getStartedAt());
        assertEquals(Boolean.TRUE, cs.getReady());
        assertEquals(0, cs.getRestartCount());
        assertTrue(cs.getContainerID().startsWith("containerd://"));
        assertTrue(running.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus())));
        assertTrue(running.getStatus().getConditions().stream()
                .anyMatch(c -> "PodScheduled".equals(c.getType()) && "True".equals(c.getStatus())));
        Pod done = await("runner succeeded", () -> pod(ns, "real-runner"), p -> "Succeeded".equals(podPhase(p)));
        var terminated = done.getStatus().getContainerStatuses().get(0).getState().getTerminated();
        assertEquals(0, terminated.getExitCode());
        assertEquals("Completed", terminated.getReason());
        assertEquals(NOW_TEXT, terminated.getFinishedAt());
        assertEquals(Boolean.FALSE, done.getStatus().getContainerStatuses().get(0).getReady());
        awaitJobStatus(client, ns, "real", "Successful");
    }

    @Test
    void failingRunnerWithOnFailureRestartsAndTheJobStaysRunning(TestInfo info) {
        String ns = ns(info);
        GenericKubernetesResource j = job("trap", ns, 1, Map.of(DaskOperatorSimulator.SCENARIO_ANNOTATION, "runner-exit:1",
                DaskOperatorSimulator.RUN_FOR_ANNOTATION, "100ms"));
        at(j.getAdditionalProperties(), "spec", "job", "spec").remove("restartPolicy"); // CRD default OnFailure
        create(client, j);
        Pod restarted = await("two restarts", () -> pod(ns, "trap-runner"),
                p -> p.getStatus() != null && p.getStatus().getContainerStatuses() != null
                        && p.getStatus().getContainerStatuses().get(0).getRestartCount() >= 2);
        assertEquals("Running", podPhase(restarted), "pod phase stays Running under OnFailure");
        var cs = restarted.getStatus().getContainerStatuses().get(0);
        assertEquals(1, cs.getLastState().getTerminated().getExitCode());
        assertEquals("Running", jobStatus(client, ns, "trap"), "the restart trap: Running forever");
        assertNotNull(cluster(ns, "trap"), "the cluster stays up");
        deleteJob(ns, "trap");
    }

    @Test
    void imagePullErrorKeepsRunnerPendingAndJobClusterCreated(TestInfo info) {
        String ns = ns(info);
        create(client, job("pull", ns, 1, Map.of(DaskOperatorSimulator.SCENARIO_ANNOTATION, "image-pull-error")));
        Pod pending = await("ImagePullBackOff", () -> pod(ns, "pull-runner"), p -> p.getStatus() != null
                && p.getStatus().getContainerStatuses() != null
                && p.getStatus().getContainerStatuses().get(0).getState().getWaiting() != null
                && "ImagePullBackOff".equals(p.getStatus().getContainerStatuses().get(0).getState().getWaiting().getReason()));
        assertEquals("Pending", podPhase(pending));
        assertTrue(events(ns, "pull-runner").stream().anyMatch(e -> "Failed".equals(e.getReason())
                && e.getMessage().startsWith("Failed to pull image \"registry.example/app:1.0\"")), "ErrImagePull event");
        assertEquals("ClusterCreated", jobStatus(client, ns, "pull"));
        deleteJob(ns, "pull");
    }

    @Test
    void invalidImageNameKeepsRunnerPending(TestInfo info) {
        String ns = ns(info);
        create(client, job("badimg", ns, 1, Map.of(DaskOperatorSimulator.SCENARIO_ANNOTATION, "invalid-image")));
        Pod pending = await("InvalidImageName", () -> pod(ns, "badimg-runner"), p -> p.getStatus() != null
                && p.getStatus().getContainerStatuses() != null
                && p.getStatus().getContainerStatuses().get(0).getState().getWaiting() != null
                && "InvalidImageName".equals(p.getStatus().getContainerStatuses().get(0).getState().getWaiting().getReason()));
        assertEquals("Pending", podPhase(pending));
        assertEquals("ClusterCreated", jobStatus(client, ns, "badimg"));
        deleteJob(ns, "badimg");
    }

    @Test
    void unschedulableRunnerHasPodScheduledFalseAndAWarningEvent(TestInfo info) {
        String ns = ns(info);
        create(client, job("nosched", ns, 1, Map.of(DaskOperatorSimulator.SCENARIO_ANNOTATION, "unschedulable")));
        Pod pending = await("Unschedulable", () -> pod(ns, "nosched-runner"), p -> p.getStatus() != null
                && p.getStatus().getConditions() != null && !p.getStatus().getConditions().isEmpty());
        assertEquals("Pending", podPhase(pending));
        var scheduled = pending.getStatus().getConditions().stream().filter(c -> "PodScheduled".equals(c.getType())).findFirst().orElseThrow();
        assertEquals("False", scheduled.getStatus());
        assertEquals("Unschedulable", scheduled.getReason());
        assertTrue(scheduled.getMessage().startsWith("0/3 nodes are available: 3 Insufficient cpu."), scheduled.getMessage());
        Event event = await("FailedScheduling event", () -> events(ns, "nosched-runner"),
                l -> l.stream().anyMatch(e -> "FailedScheduling".equals(e.getReason()))).stream()
                .filter(e -> "FailedScheduling".equals(e.getReason())).findFirst().orElseThrow();
        assertEquals("Warning", event.getType());
        assertEquals("ClusterCreated", jobStatus(client, ns, "nosched"));
        deleteJob(ns, "nosched");
    }

    @Test
    void workersNeverReadyLeavesWorkersPendingWhileTheRunnerRuns(TestInfo info) {
        String ns = ns(info);
        create(client, job("noworkers", ns, 2, Map.of(DaskOperatorSimulator.SCENARIO_ANNOTATION, "workers-never-ready")));
        awaitJobStatus(client, ns, "noworkers", "Running");
        List<Pod> workers = await("2 unschedulable workers", () -> pods(ns, "worker"), l -> l.size() == 2
                && l.stream().allMatch(p -> p.getStatus() != null && p.getStatus().getConditions() != null
                && p.getStatus().getConditions().stream().anyMatch(c -> "PodScheduled".equals(c.getType()) && "False".equals(c.getStatus()))));
        workers.forEach(p -> assertEquals("Pending", podPhase(p)));
        await("worker Deployments report no ready replica", () -> workerDeployments(ns), l -> l.size() == 2 && l.stream()
                .allMatch(d -> d.getStatus() != null && Integer.valueOf(1).equals(d.getStatus().getUnavailableReplicas())
                        && Integer.valueOf(0).equals(d.getStatus().getReadyReplicas())));
        await("scheduler running", () -> pods(ns, "scheduler"), l -> l.size() == 1 && "Running".equals(podPhase(l.get(0))));
        assertEquals("Running", podPhase(pod(ns, "noworkers-runner")));
        deleteJob(ns, "noworkers");
    }

    @Test
    void operatorStuckNeverLeavesJobCreated(TestInfo info) {
        String ns = ns(info);
        create(client, job("stuck", ns, 1, Map.of(DaskOperatorSimulator.SCENARIO_ANNOTATION, "operator-stuck")));
        awaitJobStatus(client, ns, "stuck", "JobCreated");
        // the operator handles events in order: once a later job is past JobCreated, the stuck one had its chance
        create(client, job("later", ns, 1, Map.of(DaskOperatorSimulator.RUN_FOR_ANNOTATION, LONG)));
        awaitJobStatus(client, ns, "later", "Running");
        assertEquals("JobCreated", jobStatus(client, ns, "stuck"));
        assertNull(cluster(ns, "stuck"));
        assertNull(pod(ns, "stuck-runner"));
        deleteJob(ns, "later");
    }

    @Test
    void missingJobPodSpecStaysJobCreatedAndIsRetried(TestInfo info) {
        String ns = ns(info);
        GenericKubernetesResource j = job("nospec", ns, 1, Map.of());
        at(j.getAdditionalProperties(), "spec", "job").remove("spec");
        create(client, j);
        await("two failed attempts", () -> events(ns, "nospec").stream()
                .filter(e -> "Handler 'daskjob_create_components' failed with an exception. Will retry.".equals(e.getMessage())).count(),
                n -> n >= 2);
        assertEquals("JobCreated", jobStatus(client, ns, "nospec"));
        assertNotNull(cluster(ns, "nospec"), "the DaskCluster is created before the KeyError");
        assertNull(pod(ns, "nospec-runner"));
        deleteJob(ns, "nospec");
    }

    @Test
    void existingDaskClusterIsReusedAndDeletedAtJobEnd(TestInfo info) {
        String ns = ns(info);
        GenericKubernetesResource j = job("reuse", ns, 1, Map.of());
        GenericKubernetesResource preexisting = DaskComponents.daskCluster(j);
        preexisting.getMetadata().setOwnerReferences(null);
        preexisting.getMetadata().setLabels(Map.of("made-by", "user"));
        client.genericKubernetesResources(DaskCrds.DASK_CLUSTER).inNamespace(ns).resource(preexisting).create();
        create(client, j);
        awaitJobStatus(client, ns, "reuse", "Successful");
        await("reused cluster deleted", () -> cluster(ns, "reuse") == null, b -> b);
    }

    @Test
    void clusterDeletedBeforeTheRunnerFinishesLeavesTheJobRunning(TestInfo info) {
        String ns = ns(info);
        create(client, job("gone", ns, 1, Map.of(DaskOperatorSimulator.RUN_FOR_ANNOTATION, "1s")));
        awaitJobStatus(client, ns, "gone", "Running");
        client.genericKubernetesResources(DaskCrds.DASK_CLUSTER).inNamespace(ns).withName("gone").delete();
        await("runner succeeded", () -> pod(ns, "gone-runner"), p -> "Succeeded".equals(podPhase(p)));
        await("handler failure event", () -> events(ns, "gone-runner"), l -> l.stream().anyMatch(e ->
                "Handler 'handle_runner_status_change_succeeded' failed with an exception. Will retry.".equals(e.getMessage())));
        assertEquals("Running", jobStatus(client, ns, "gone"), "issue #975 mechanism: stuck Running");
        deleteJob(ns, "gone");
    }

    @Test
    void operatorEventsAreRecordedWithReasonLogging(TestInfo info) {
        String ns = ns(info);
        create(client, job("events", ns, 1, Map.of()));
        awaitJobStatus(client, ns, "events", "Successful");
        List<Event> onJob = await("job events", () -> events(ns, "events"), l -> l.size() >= 2);
        assertTrue(onJob.stream().anyMatch(e -> "Logging".equals(e.getReason()) && "Normal".equals(e.getType())
                && ("A DaskJob has been created called events in " + ns + ".").equals(e.getMessage())), onJob.toString());
        assertTrue(events(ns, "events-runner").stream().anyMatch(e -> "Job now in running".equals(e.getMessage())));
        await("succeeded event", () -> events(ns, "events-runner"),
                l -> l.stream().anyMatch(e -> "Job succeeded, deleting Dask cluster.".equals(e.getMessage())));
    }

    @Test
    void schedulerRestartPolicyNeverIsRejectedLikeTheApiServerDoes(TestInfo info) {
        String ns = ns(info);
        GenericKubernetesResource j = job("never", ns, 1, Map.of(DaskOperatorSimulator.RUN_FOR_ANNOTATION, LONG));
        at(j.getAdditionalProperties(), "spec", "cluster", "spec", "scheduler", "spec").put("restartPolicy", "Never");
        create(client, j);
        await("create_components failure", () -> events(ns, "never"), l -> l.stream().anyMatch(e ->
                "Handler 'daskcluster_create_components' failed with an exception. Will retry.".equals(e.getMessage())));
        assertEquals("Created", at(cluster(ns, "never").getAdditionalProperties(), "status").get("phase"));
        assertNull(client.services().inNamespace(ns).withName("never-scheduler").get(), "Service never made");
        deleteJob(ns, "never");
    }

    @Test
    void existingRunnerPodIsNotReplaced(TestInfo info) {
        String ns = ns(info);
        Pod leftover = client.pods().inNamespace(ns).resource(new PodBuilder()
                .withNewMetadata().withName("again-runner").endMetadata()
                .withNewSpec().addNewContainer().withName("old").withImage("busybox").endContainer().endSpec()
                .build()).create();
        create(client, job("again", ns, 1, Map.of()));
        awaitJobStatus(client, ns, "again", "ClusterCreated");
        Pod runner = pod(ns, "again-runner");
        assertEquals(leftover.getMetadata().getUid(), runner.getMetadata().getUid(), "issue #829: creation skipped, the old pod stays");
        assertTrue(runner.getMetadata().getOwnerReferences() == null || runner.getMetadata().getOwnerReferences().isEmpty());
        deleteJob(ns, "again");
        client.pods().inNamespace(ns).withName("again-runner").delete();
    }

    @Test
    void kopfLastHandledAnnotationsAreWrittenAndNeverCopied(TestInfo info) {
        String ns = ns(info);
        create(client, job("kopf", ns, 1, Map.of()));
        awaitJobStatus(client, ns, "kopf", "Successful");
        GenericKubernetesResource job = client.genericKubernetesResources(DaskCrds.DASK_JOB).inNamespace(ns).withName("kopf").get();
        String onJob = job.getMetadata().getAnnotations().get(DaskOperator.LAST_HANDLED);
        assertNotNull(onJob, "kopf's annotation on the DaskJob");
        assertTrue(onJob.contains("\"jobStatus\":\"ClusterCreated\""), onJob);
        Pod runner = await("runner annotation", () -> pod(ns, "kopf-runner"),
                p -> p.getMetadata().getAnnotations().getOrDefault(DaskOperator.LAST_HANDLED, "").contains("Succeeded"));
        assertTrue(runner.getMetadata().getAnnotations().get(DaskOperator.LAST_HANDLED).contains("\"phase\":\"Succeeded\""));
        assertEquals("Successful", jobStatus(client, ns, "kopf"), "annotation writes do not touch the status");
    }
}
