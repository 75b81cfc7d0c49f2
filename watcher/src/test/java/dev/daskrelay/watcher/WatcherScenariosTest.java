package dev.daskrelay.watcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.daskrelay.avro.v1.CommandOutcome;
import dev.daskrelay.avro.v1.CommandOutcomeKind;
import dev.daskrelay.avro.v1.Observation;
import dev.daskrelay.avro.v1.ObservationSource;
import dev.daskrelay.avro.v1.TaskStatus;
import dev.daskrelay.embedded.KafkaBroker;
import dev.daskrelay.schemas.KubernetesLabels;
import dev.daskrelay.schemas.config.DaskRelayConfig;
import dev.daskrelay.schemas.config.Installation;
import dev.daskrelay.schemas.serde.AvroSerdes;
import dev.daskrelay.simulator.DaskCrds;
import dev.daskrelay.simulator.DaskOperatorSimulator;
import dev.daskrelay.simulator.InMemoryKubernetes;
import dev.daskrelay.simulator.SimulatorTiming;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 5's end goal: the whole {@code daskrelay watcher} (bridge + status topology, {@link WatcherProcess}) on an
 * embedded broker against the in-memory Kubernetes API with the Dask operator simulator. Every scenario runs as its
 * own DaskJob in one pass; each must yield exactly its expected phase sequence on the status topic (consecutive
 * events of one phase are reason updates, {@code phaseVersion} bumps, and collapse to one entry here).
 *
 * <p>Determinism: the DaskJobs are created while the simulated operator is stopped, so every task first reports
 * INITIALIZING (nothing processed yet); then the operator starts. Runners run 2 s or more, long enough for the
 * bridge to see Running.
 */
class WatcherScenariosTest {

    private static final String NS = "default";
    private static final String PREFIX = "scenarios";
    private static final String REGISTRY = "mock://watcher-scenarios";
    private static final Duration WAIT = Duration.ofSeconds(90);

    private static KafkaBroker broker;
    private static InMemoryKubernetes k8s;

    @TempDir
    static Path stateDir;

    @BeforeAll
    static void start() {
        broker = KafkaBroker.forTests();
        broker.createTopics(1, PREFIX + ".commands", PREFIX + ".intents", PREFIX + ".observations", PREFIX + ".status",
                PREFIX + ".dead-letters");
        k8s = InMemoryKubernetes.start();
    }

    @AfterAll
    static void stop() {
        k8s.close();
        broker.close();
    }

    private static DaskRelayConfig config() {
        return DaskRelayConfig.parse("""
                kafka:
                  bootstrapServers: "%s"
                  topicPrefix: %s
                  properties:
                    session.timeout.ms: "6000"
                    heartbeat.interval.ms: "1500"
                registry:
                  schema.registry.url: "%s"
                platform:
                  namespace: default
                watcher:
                  stuckAfter: 30s
                  imagePullGrace: 2s
                  punctuationInterval: 250ms
                  retainFinished: -1
                  identity: watcher-under-test
                  opsHost: 127.0.0.1
                  opsPort: 0
                  stateDir: "%s"
                """.formatted(broker.bootstrapServers(), PREFIX, REGISTRY, stateDir.toString().replace("\\", "/")),
                "test.yaml");
    }

    // ---------------------------------------------------------------------------------------------------------

    @Test
    void everyScenarioYieldsItsExactStatusSequence() throws Exception {
        Map<String, List<String>> expected = new LinkedHashMap<>();
        // No command topology or applier here: each task's launch is published as the command topology would accept
        // it, then its DaskJob is created directly, so QUEUED is the one the state machine emits when it first sees
        // the DaskJob (docs/STATUS-MODEL.md, "Is QUEUED always the first event?").
        expected.put("success", List.of("QUEUED", "INITIALIZING", "RUNNING", "SUCCEEDED"));
        expected.put("exit1", List.of("QUEUED", "INITIALIZING", "RUNNING", "FAILED:RunnerExitCode"));
        expected.put("oom", List.of("QUEUED", "INITIALIZING", "RUNNING", "FAILED:OOMKilled"));
        expected.put("pull", List.of("QUEUED", "INITIALIZING", "FAILED:ImagePullBackOff"));
        expected.put("unsched", List.of("QUEUED", "INITIALIZING", "WAITING_FOR_RESOURCES"));
        expected.put("noworkers", List.of("QUEUED", "INITIALIZING", "RUNNING", "FAILED:RunnerExitCode"));
        expected.put("stuck", List.of("QUEUED", "INITIALIZING", "FAILED:Stuck"));
        expected.put("deleted", List.of("QUEUED", "INITIALIZING", "RUNNING", "FAILED:ResourceDeletedExternally"));
        expected.put("abort", List.of("QUEUED", "INITIALIZING", "RUNNING", "ABORTED"));
        expected.put("restart", List.of("QUEUED", "INITIALIZING", "RUNNING", "SUCCEEDED"));

        try (StatusReader status = new StatusReader()) {
            WatcherProcess watcher = WatcherProcess.start(config(), k8s.newClient(), Clock.systemUTC());
            try {
                await(() -> watcher.leading() && watcher.bridge().ready()
                        && watcher.statusTopologyState() == KafkaStreams.State.RUNNING,
                        "watcher leading, synced and running");
                assertEquals(200, get(watcher, "/readyz"));

                create("success", "success", "2s");
                create("exit1", "runner-exit:1", "2s");
                create("oom", "oom", "2s");
                create("pull", "image-pull-error", null);
                create("unsched", "unschedulable", null);
                create("noworkers", "workers-never-ready", "3s");
                create("stuck", "operator-stuck", null);
                create("deleted", "success", "60s");
                create("abort", "success", "60s");
                create("restart", "success", "8s");
                status.awaitUntil(s -> expected.keySet().stream().allMatch(t -> s.phases(t).size() == 2),
                        "QUEUED and INITIALIZING for every task");

                try (DaskOperatorSimulator sim = DaskOperatorSimulator.builder(k8s.client())
                        .timing(SimulatorTiming.fast()).namespace(NS).start()) {

                    // Someone deletes a running DaskJob; an abort is accepted and the applier deletes the DaskJob.
                    status.awaitUntil(s -> s.phases("deleted").contains("RUNNING")
                            && s.phases("abort").contains("RUNNING")
                            && s.phases("restart").contains("RUNNING"), "RUNNING of deleted, abort, restart");
                    deleteJob("deleted");
                    publishAbortAccepted("abort");
                    deleteJob("abort");

                    // The bridge (the whole watcher) restarts while "restart" is running; the job ends meanwhile.
                    watcher.close();
                    assertTrue(watcher.awaitStop(60, TimeUnit.SECONDS));
                    assertEquals(0, watcher.exitCode());
                    await(() -> "Successful".equals(jobStatus("restart")), "restart to finish while no watcher runs");
                    WatcherProcess second = WatcherProcess.start(config(), k8s.newClient(), Clock.systemUTC());
                    try {
                        status.awaitUntil(s -> expected.entrySet().stream()
                                        .allMatch(e -> s.phases(e.getKey()).size() >= e.getValue().size()),
                                "every task at its expected last phase");
                        // Give late duplicates a chance to show up: every task's state re-published once more by
                        // a full re-observation must change nothing.
                        double published = second.bridge().metrics().publishedCount();
                        second.bridge().reobserveAll();
                        await(() -> second.bridge().metrics().suppressedCount() >= 1, "a suppressed re-observation");
                        assertEquals(published, second.bridge().metrics().publishedCount());
                    } finally {
                        second.close();
                    }
                }
                status.drain();
                Map<String, List<String>> actual = new LinkedHashMap<>();
                for (String t : expected.keySet()) {
                    actual.put(t, status.phases(t));
                }
                for (var e : expected.entrySet()) {
                    List<String> got = actual.get(e.getKey());
                    assertEquals(e.getValue().size(), got.size(), e.getKey() + ": " + got + " (all: " + actual + ")");
                    for (int i = 0; i < got.size(); i++) {
                        assertTrue(matches(e.getValue().get(i), got.get(i)),
                                e.getKey() + ": expected " + e.getValue() + " but got " + got);
                    }
                }
                status.assertWellFormed();
            } finally {
                watcher.close();
            }
        }
    }

    private static boolean matches(String pattern, String actual) {
        if (!pattern.contains(":")) {
            return pattern.equals(actual);
        }
        String phase = pattern.substring(0, pattern.indexOf(':'));
        Set<String> codes = Set.of(pattern.substring(pattern.indexOf(':') + 1).split("\\|"));
        return actual.startsWith(phase + ":") && codes.contains(actual.substring(phase.length() + 1));
    }

    // ---------------------------------------------------------------------------------------------------------

    private static String jobName(String task) {
        return "relay-" + task + "-0";
    }

    private static void create(String task, String scenario, String runFor) throws Exception {
        publishCommandOutcome(task, CommandOutcomeKind.LAUNCH_ACCEPTED, null); // a status answers a launch
        GenericKubernetesResource job = new GenericKubernetesResourceBuilder()
                .withApiVersion(DaskCrds.API_VERSION).withKind("DaskJob")
                .withNewMetadata().withName(jobName(task)).withNamespace(NS)
                .addToLabels(KubernetesLabels.MANAGED_BY, KubernetesLabels.MANAGED_BY_VALUE)
                .addToLabels(KubernetesLabels.INSTALLATION, Installation.derivedFrom(PREFIX).id())
                .addToLabels(KubernetesLabels.TASK, task)
                .addToAnnotations(KubernetesLabels.TASK_ID, task)
                .addToAnnotations(KubernetesLabels.SPEC_HASH, "h-" + task)
                .addToAnnotations(DaskOperatorSimulator.SCENARIO_ANNOTATION, scenario)
                .endMetadata()
                .withAdditionalProperties(new LinkedHashMap<>(Map.of("spec", spec(task))))
                .build();
        if (runFor != null) {
            job.getMetadata().getAnnotations().put(DaskOperatorSimulator.RUN_FOR_ANNOTATION, runFor);
        }
        k8s.client().genericKubernetesResources(DaskCrds.DASK_JOB).inNamespace(NS).resource(job).create();
    }

    private static Map<String, Object> spec(String task) {
        Map<String, Object> runner = Map.of("name", "job-runner", "image", "registry.example/app:1.0",
                "args", List.of("python", "main.py"));
        Map<String, Object> scheduler = Map.of(
                "spec", Map.of("restartPolicy", "Always", "containers", List.of(Map.of("name", "scheduler",
                        "image", "registry.example/app:1.0", "args", List.of("dask", "scheduler")))),
                "service", Map.of("type", "ClusterIP", "selector", Map.of("dask.org/cluster-name", jobName(task),
                        "dask.org/component", "scheduler"),
                        "ports", List.of(Map.of("name", "tcp-comm", "protocol", "TCP", "port", 8786,
                                "targetPort", "tcp-comm"))));
        Map<String, Object> worker = Map.of("replicas", 2, "spec", Map.of("restartPolicy", "Always",
                "containers", List.of(Map.of("name", "dask-worker", "image", "registry.example/app:1.0",
                        "args", List.of("dask", "worker")))));
        return Map.of("job", Map.of("spec", Map.of("restartPolicy", "Never", "containers", List.of(runner))),
                "cluster", Map.of("spec", Map.of("scheduler", scheduler, "worker", worker)));
    }

    private static void deleteJob(String task) {
        k8s.client().genericKubernetesResources(DaskCrds.DASK_JOB).inNamespace(NS).withName(jobName(task)).delete();
    }

    private static String jobStatus(String task) {
        var job = k8s.client().genericKubernetesResources(DaskCrds.DASK_JOB).inNamespace(NS).withName(jobName(task)).get();
        Object status = job == null ? null : job.getAdditionalProperties().get("status");
        return status instanceof Map<?, ?> m ? (String) m.get("jobStatus") : null;
    }

    /** What the command topology publishes when it accepts an abort. */
    private static void publishAbortAccepted(String task) throws Exception {
        publishCommandOutcome(task, CommandOutcomeKind.ABORT_ACCEPTED, "user asked");
    }

    /** An outcome of the command topology for {@code task}, as it publishes them on the observations topic. */
    private static void publishCommandOutcome(String task, CommandOutcomeKind kind, String message) throws Exception {
        Properties p = broker.clientProperties();
        try (var producer = new KafkaProducer<>(p, new StringSerializer(),
                AvroSerdes.specific(Observation.class, Map.of("schema.registry.url", REGISTRY), false).serializer())) {
            producer.send(new ProducerRecord<>(PREFIX + ".observations", task, Observation.newBuilder()
                    .setObservationId(kind + "-" + task).setTaskId(task).setSource(ObservationSource.COMMANDS)
                    .setObservedAt(Instant.now()).setDaskJobName(jobName(task)).setDaskJobNamespace(NS)
                    .setPayload(CommandOutcome.newBuilder().setCommandId("cmd-" + kind + "-" + task)
                            .setKind(kind).setMessage(message).build())
                    .build())).get(60, TimeUnit.SECONDS);
        }
    }

    private static int get(WatcherProcess w, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + w.ops().port() + path)).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    private static void await(BooleanSupplier condition, String what) {
        Instant deadline = Instant.now().plus(WAIT);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                fail("timed out waiting for " + what);
            }
            try {
                Thread.sleep(50); // polling interval of a condition wait
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
        }
    }

    /** Reads the status topic (read_committed) from the start. */
    private static final class StatusReader implements AutoCloseable {
        private final KafkaConsumer<String, TaskStatus> consumer;
        private final List<TaskStatus> all = new ArrayList<>();

        StatusReader() {
            Properties p = broker.clientProperties();
            p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            consumer = new KafkaConsumer<>(p, new StringDeserializer(),
                    AvroSerdes.specific(TaskStatus.class, Map.of("schema.registry.url", REGISTRY), false).deserializer());
            TopicPartition tp = new TopicPartition(PREFIX + ".status", 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
        }

        /** The task's phases with consecutive repeats collapsed; terminal FAILED as FAILED:<error code>. */
        List<String> phases(String task) {
            List<String> out = new ArrayList<>();
            for (TaskStatus s : all) {
                if (!s.getTaskId().equals(task)) {
                    continue;
                }
                String p = s.getPhase().name();
                if (p.equals("FAILED") && s.getError() != null) {
                    p += ":" + s.getError().getCode();
                }
                if (out.isEmpty() || !out.get(out.size() - 1).equals(p)) {
                    out.add(p);
                }
            }
            return out;
        }

        void awaitUntil(Predicate<StatusReader> done, String what) {
            Instant deadline = Instant.now().plus(WAIT);
            while (!done.test(this)) {
                if (Instant.now().isAfter(deadline)) {
                    fail("timed out waiting for " + what + "; status so far: " + summary());
                }
                consumer.poll(Duration.ofMillis(200)).forEach(r -> all.add(r.value()));
            }
        }

        void drain() {
            for (int i = 0; i < 3; i++) {
                consumer.poll(Duration.ofMillis(300)).forEach(r -> all.add(r.value()));
            }
        }

        /** Sequences 1..n without gaps, no (phase, phaseVersion) twice, nothing after a terminal event. */
        void assertWellFormed() {
            Map<String, List<TaskStatus>> byTask = new LinkedHashMap<>();
            all.forEach(s -> byTask.computeIfAbsent(s.getTaskId(), k -> new ArrayList<>()).add(s));
            for (var e : byTask.entrySet()) {
                Set<String> seen = new HashSet<>();
                List<TaskStatus> events = e.getValue();
                for (int i = 0; i < events.size(); i++) {
                    TaskStatus s = events.get(i);
                    assertEquals(i + 1, s.getSequence(), e.getKey() + " sequence");
                    assertTrue(seen.add(s.getPhase() + "/" + s.getPhaseVersion()),
                            e.getKey() + ": duplicate " + s.getPhase() + "/" + s.getPhaseVersion());
                    if (i < events.size() - 1) {
                        assertFalse(s.getTerminal(), e.getKey() + ": event after terminal");
                    }
                }
            }
        }

        String summary() {
            Map<String, List<String>> m = new LinkedHashMap<>();
            all.forEach(s -> m.computeIfAbsent(s.getTaskId(), k -> new ArrayList<>())
                    .add(s.getPhase() + "/" + s.getPhaseVersion() + " " + s.getReason()));
            return m.toString();
        }

        @Override
        public void close() {
            consumer.close();
        }
    }
}
