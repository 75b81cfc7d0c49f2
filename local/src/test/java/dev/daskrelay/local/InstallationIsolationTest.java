package dev.daskrelay.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.daskrelay.avro.v1.TaskCommand;
import dev.daskrelay.avro.v1.TaskPhase;
import dev.daskrelay.avro.v1.TaskStatus;
import dev.daskrelay.embedded.KafkaBroker;
import dev.daskrelay.schemas.KubernetesLabels;
import dev.daskrelay.schemas.config.DaskRelayConfig;
import dev.daskrelay.schemas.config.Installation;
import dev.daskrelay.schemas.serde.AvroSerdes;
import dev.daskrelay.schemas.task.TaskFile;
import dev.daskrelay.simulator.DaskCrds;
import dev.daskrelay.simulator.DaskOperatorSimulator;
import dev.daskrelay.simulator.InMemoryKubernetes;
import dev.daskrelay.simulator.SimulatorTiming;
import dev.daskrelay.submitter.client.DaskRelayClient;
import dev.daskrelay.translator.TranslatorProcess;
import dev.daskrelay.translator.render.DaskJobNames;
import dev.daskrelay.translator.render.DaskJobRenderer;
import dev.daskrelay.watcher.WatcherProcess;
import dev.daskrelay.watcher.bridge.DaskJobResource;
import dev.daskrelay.watcher.janitor.Janitor;
import dev.daskrelay.watcher.janitor.RetentionPolicy;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two installations (topic prefixes {@code alpha} and {@code beta}, so installations {@code alpha} and {@code beta})
 * against one in-memory API server with the Dask operator simulator, one namespace and one embedded broker: each
 * status topic carries exactly the tasks launched on it, each janitor deletes only its own finished DaskJobs, a DaskJob
 * name collision between them is a conflict (FAILED {@code InstallationConflict} on the installation that came second),
 * never an adoption; and a finished DaskJob without installation label (from before installations) is followed and
 * deleted by neither.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InstallationIsolationTest {

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final String NS = "default";

    private KafkaBroker kafka;
    private InMemoryKubernetes k8s;
    private KubernetesClient admin;
    private DaskOperatorSimulator simulator;
    private final List<AutoCloseable> running = new ArrayList<>();
    private String registry;
    /** State directories; per class, so they outlive the processes closed in {@link #stop()}. */
    @TempDir
    Path tmp;

    @BeforeAll
    void start() {
        kafka = KafkaBroker.forTests();
        k8s = InMemoryKubernetes.start();
        admin = k8s.newClient();
        simulator = DaskOperatorSimulator.builder(k8s.newClient()).timing(SimulatorTiming.fast()).start();
        registry = "mock://installations-" + UUID.randomUUID();
    }

    @AfterAll
    void stop() throws Exception {
        for (int i = running.size() - 1; i >= 0; i--) {
            running.get(i).close();
        }
        simulator.close();
        admin.close();
        k8s.close();
        kafka.close();
    }

    /** One installation: its config, translator and watcher (each with a client of its own). */
    private record Side(DaskRelayConfig config, TranslatorProcess translator, WatcherProcess watcher,
                        KafkaProducer<String, TaskCommand> producer) {
        String prefix() {
            return config.kafka().topicPrefix();
        }

        void submit(TaskCommand command) throws Exception {
            producer.send(new ProducerRecord<>(config.kafka().topics().commands(), command.getTaskId(), command)).get();
        }
    }

    private Side side(String prefix, String retainFinished) {
        DaskRelayConfig config = DaskRelayConfig.parse("""
                kafka: {bootstrapServers: "%s", topicPrefix: %s}
                registry: {schema.registry.url: "%s"}
                translator: {stateDir: "%s", commitInterval: 100ms, topicPartitions: 2, ops: {host: 127.0.0.1, port: 0}}
                watcher: {retainFinished: %s, janitorInterval: 1s, opsHost: 127.0.0.1, opsPort: 0,
                          punctuationInterval: 1s, stateDir: "%s", leaseName: %s-watcher}
                """.formatted(kafka.bootstrapServers(), prefix, registry, tmp.resolve(prefix + "-translator"),
                retainFinished, tmp.resolve(prefix + "-watcher"), prefix), prefix + ".yaml");
        KubernetesClient translatorClient = k8s.newClient();
        running.add(translatorClient);
        // the translator first: it creates the topics the watcher's status topology reads
        TranslatorProcess translator = TranslatorProcess.start(config, translatorClient);
        running.add(translator);
        KubernetesClient watcherClient = k8s.newClient();
        running.add(watcherClient);
        WatcherProcess watcher = WatcherProcess.start(config, watcherClient, Clock.systemUTC());
        running.add(watcher);
        KafkaProducer<String, TaskCommand> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
                kafka.bootstrapServers()), new StringSerializer(),
                AvroSerdes.specific(TaskCommand.class, Map.copyOf(config.registry().config()), false).serializer());
        running.add(producer);
        return new Side(config, translator, watcher, producer);
    }

    @Test
    void eachInstallationReportsAndCleansUpOnlyItsOwnDaskJobs() throws Exception {
        // A finished DaskJob from before installations were labelled: managed by daskrelay, no installation label.
        TaskCommand legacyTask = launch("legacy", "1s");
        GenericKubernetesResource legacy = Serialization.unmarshal(new DaskJobRenderer(
                DaskRelayConfig.defaults().platform(), Installation.DEFAULT).render(legacyTask).orElseThrow().toJson(),
                GenericKubernetesResource.class);
        legacy.getMetadata().getLabels().remove(KubernetesLabels.INSTALLATION);
        admin.genericKubernetesResources(DaskCrds.DASK_JOB).inNamespace(NS).resource(legacy).create();
        String legacyJob = legacy.getMetadata().getName();
        await("the unlabelled DaskJob finished", () -> "Successful".equals(jobStatus(legacyJob)));

        // alpha deletes finished DaskJobs at once; beta keeps them an hour (a staging that keeps jobs for debugging)
        Side alpha = side("alpha", "0s");
        Side beta = side("beta", "1h");
        assertEquals("alpha", alpha.config().installation().id());
        assertEquals("beta", beta.config().installation().id());
        await("both bridges synced", () -> alpha.watcher().bridge().synced() && beta.watcher().bridge().synced());
        assertEquals(Set.of(), cachedNames(alpha), "the initial list of alpha's informers: nothing of alpha's yet");
        assertEquals(Set.of(), cachedNames(beta), "nor of beta's: the unlabelled DaskJob is nobody's");

        TaskCommand a1 = launch("a1", "1s");
        TaskCommand b1 = launch("b1", "1s");
        TaskCommand shared = launch("shared", "10m"); // the same task id (and DaskJob name) on both
        alpha.submit(a1);
        alpha.submit(shared);
        beta.submit(b1);
        String sharedJob = jobName(shared);
        await("alpha's DaskJob of the shared task", () -> jobStatus(sharedJob) != null);
        assertEquals("alpha", labels(sharedJob).get(KubernetesLabels.INSTALLATION));
        beta.submit(shared);

        try (StatusTopic alphaStatus = new StatusTopic(alpha); StatusTopic betaStatus = new StatusTopic(beta)) {
            TaskStatus conflict = betaStatus.awaitTerminal(shared.getTaskId());
            assertEquals(TaskPhase.FAILED, conflict.getPhase(), betaStatus.describe(shared.getTaskId()));
            assertEquals("InstallationConflict", conflict.getError().getCode());
            assertTrue(conflict.getMessage().contains("\"alpha\"") && conflict.getMessage().contains("\"beta\""),
                    conflict.getMessage());
            assertEquals(TaskPhase.SUCCEEDED, alphaStatus.awaitTerminal(a1.getTaskId()).getPhase(),
                    alphaStatus.describe(a1.getTaskId()));
            assertEquals(TaskPhase.SUCCEEDED, betaStatus.awaitTerminal(b1.getTaskId()).getPhase(),
                    betaStatus.describe(b1.getTaskId()));
            alphaStatus.await(shared.getTaskId() + " RUNNING on alpha", () -> alphaStatus.events(shared.getTaskId())
                    .stream().anyMatch(s -> s.getPhase() == TaskPhase.RUNNING));

            // the collision: alpha's DaskJob untouched and still alpha's; beta never followed it
            assertEquals("alpha", labels(sharedJob).get(KubernetesLabels.INSTALLATION));
            assertEquals("Running", jobStatus(sharedJob));
            assertTrue(betaStatus.events(shared.getTaskId()).stream().noneMatch(s -> s.getPhase() == TaskPhase.RUNNING
                    || s.getPhase() == TaskPhase.QUEUED || s.getPhase() == TaskPhase.INITIALIZING),
                    betaStatus.describe(shared.getTaskId()));

            // janitors: alpha's deletes its finished a1 at once; beta's b1 (finished, expired by alpha's rule) and the
            // unlabelled job stay whatever alpha's janitor does
            String a1Job = jobName(a1);
            String b1Job = jobName(b1);
            await("alpha's janitor deleted a1's DaskJob", () -> jobStatus(a1Job) == null);
            assertEquals("Successful", jobStatus(b1Job));
            assertEquals(0, alpha.watcher().janitor().sweep(), "nothing else of alpha's is finished");
            assertEquals("Successful", jobStatus(b1Job), "beta's finished DaskJob is not alpha's to delete");
            assertEquals("Successful", jobStatus(legacyJob), "nor is the unlabelled one");
            assertEquals(1.0, alpha.watcher().ops().registry().get("daskrelay.watcher.janitor.deletions").counter()
                    .count());
            // a janitor of beta with alpha's rule, offered every DaskJob of the namespace, deletes beta's only
            Janitor betaNow = new Janitor(admin, DaskJobResource.CONTEXT,
                    () -> admin.genericKubernetesResources(DaskJobResource.CONTEXT).inNamespace(NS).list().getItems(),
                    job -> true, new RetentionPolicy(Duration.ZERO), beta.config().installation(), Duration.ofMinutes(1),
                    Clock.systemUTC(), new SimpleMeterRegistry());
            assertEquals(1, betaNow.sweep());
            assertNull(jobStatus(b1Job));
            assertEquals("Successful", jobStatus(legacyJob));
            assertEquals("Running", jobStatus(sharedJob));

            // the caches never held the other installation's objects
            assertTrue(Set.of(sharedJob, a1Job).containsAll(cachedNames(alpha)), cachedNames(alpha).toString());
            assertTrue(Set.of(b1Job).containsAll(cachedNames(beta)), cachedNames(beta).toString());
            // the operator copied each installation's label to every pod of its job
            for (Pod p : admin.pods().inNamespace(NS).withLabel(KubernetesLabels.DASK_CLUSTER_NAME, sharedJob).list()
                    .getItems()) {
                assertEquals("alpha", p.getMetadata().getLabels().get(KubernetesLabels.INSTALLATION), p.getMetadata()
                        .getName());
            }

            // each status topic has exactly its own tasks
            assertEquals(Set.of(a1.getTaskId(), shared.getTaskId()), alphaStatus.taskIds());
            assertEquals(Set.of(b1.getTaskId(), shared.getTaskId()), betaStatus.taskIds());
        }
    }

    // ------------------------------------------------------------------------------------------------------------

    private static TaskCommand launch(String name, String runFor) {
        String yaml = """
                execution: {project: iso, domain: test, name: %s, nodeId: n0, retryAttempt: 0}
                image: ghcr.io/example/dask-app:1.4
                args: ["python", "-m", "app"]
                annotations:
                  simulator.daskrelay.dev/scenario: success
                  simulator.daskrelay.dev/run-for: %s
                """.formatted(name, runFor);
        return TaskFile.load(yaml, DaskRelayConfig.defaults().platform(), Clock.systemUTC());
    }

    private static String jobName(TaskCommand command) {
        return DaskJobNames.nameOf(command.getTaskId());
    }

    private GenericKubernetesResource job(String name) {
        return admin.genericKubernetesResources(DaskCrds.DASK_JOB).inNamespace(NS).withName(name).get();
    }

    /** The DaskJob's {@code status.jobStatus} ("" before the operator wrote one), or null when there is no DaskJob. */
    private String jobStatus(String name) {
        GenericKubernetesResource job = job(name);
        if (job == null) {
            return null;
        }
        return job.getAdditionalProperties().get("status") instanceof Map<?, ?> status
                && status.get("jobStatus") != null ? status.get("jobStatus").toString() : "";
    }

    private Map<String, String> labels(String name) {
        return job(name).getMetadata().getLabels();
    }

    private static Set<String> cachedNames(Side side) {
        return side.watcher().bridge().cachedJobs().stream().map(j -> j.getMetadata().getName())
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static void await(String what, BooleanSupplier condition) {
        Instant deadline = Instant.now().plus(WAIT);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
        }
    }

    /** Every record of one installation's status topic, read from the beginning (no group, read_committed). */
    private static final class StatusTopic implements AutoCloseable {
        private final KafkaConsumer<String, TaskStatus> consumer;
        private final List<TaskStatus> seen = new ArrayList<>();

        StatusTopic(Side side) {
            consumer = new KafkaConsumer<>(DaskRelayClient.readerProperties(side.config().kafka().clientProperties()),
                    new StringDeserializer(), AvroSerdes.specific(TaskStatus.class,
                    side.config().registry().config(), false).deserializer());
            String topic = side.config().kafka().topics().status();
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
        }

        private void poll() {
            for (ConsumerRecord<String, TaskStatus> r : consumer.poll(Duration.ofMillis(200))) {
                seen.add(r.value());
            }
        }

        List<TaskStatus> events(String taskId) {
            poll();
            return seen.stream().filter(s -> s.getTaskId().equals(taskId)).toList();
        }

        Set<String> taskIds() {
            poll();
            return seen.stream().map(TaskStatus::getTaskId).collect(Collectors.toCollection(TreeSet::new));
        }

        TaskStatus awaitTerminal(String taskId) {
            await(taskId + " terminal", () -> events(taskId).stream().anyMatch(TaskStatus::getTerminal));
            return events(taskId).stream().filter(TaskStatus::getTerminal).findFirst().orElseThrow();
        }

        void await(String what, BooleanSupplier condition) {
            InstallationIsolationTest.await(what, condition);
        }

        String describe(String taskId) {
            return events(taskId).stream().map(s -> s.getPhase() + " " + s.getReason() + " " + s.getMessage())
                    .collect(Collectors.joining("; "));
        }

        @Override
        public void close() {
            consumer.close();
        }
    }
}
