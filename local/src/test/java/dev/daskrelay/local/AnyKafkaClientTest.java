package dev.daskrelay.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.daskrelay.avro.v1.CommandOutcome;
import dev.daskrelay.avro.v1.CommandOutcomeKind;
import dev.daskrelay.avro.v1.Observation;
import dev.daskrelay.avro.v1.TaskCommand;
import dev.daskrelay.avro.v1.TaskPhase;
import dev.daskrelay.avro.v1.TaskStatus;
import dev.daskrelay.local.python.PythonVenv;
import dev.daskrelay.schemas.KeyPartitioning;
import dev.daskrelay.schemas.KubernetesLabels;
import dev.daskrelay.schemas.Topics;
import dev.daskrelay.schemas.config.KubernetesSettings;
import dev.daskrelay.schemas.registry.ApicurioRegistryProcess;
import dev.daskrelay.schemas.registry.RegistryForm;
import dev.daskrelay.schemas.serde.AvroSerde;
import dev.daskrelay.schemas.serde.AvroSerdes;
import dev.daskrelay.submitter.client.DaskRelayClient;
import dev.daskrelay.submitter.client.StatusFollow;
import dev.daskrelay.submitter.query.LenientDeserializer;
import dev.daskrelay.submitter.replay.Anomaly;
import dev.daskrelay.submitter.replay.AnomalyCheck;
import dev.daskrelay.submitter.replay.ObservedOutcome;
import dev.daskrelay.submitter.replay.ReplayFilter;
import dev.daskrelay.submitter.replay.ReplayReader;
import dev.daskrelay.submitter.replay.ReplayRecord;
import dev.daskrelay.submitter.replay.TaskTimeline;
import dev.daskrelay.submitter.replay.TopicValueDeserializer;
import dev.daskrelay.submitter.sdk.Dask;
import dev.daskrelay.submitter.sdk.DaskTask;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Any Kafka client can drive daskrelay (issue 14's "done when"): the local stack (3 partitions per topic) with a real
 * Confluent-compatible registry (Apicurio), driven by the Python example of {@code examples/python} (confluent-kafka,
 * librdkafka's default partitioner: CRC32) and by the Java client (murmur2) for the same task, in both orders. The
 * task ends ABORTED exactly once, no DaskJob remains, and the topics show no disagreement between status and
 * cluster. The Python example's demo runs as its README says, and Java and Python producers register one schema
 * version. Needs python3 with venv and PyPI (the venv is cached under ~/.cache/daskrelay); fails, never skips,
 * without them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AnyKafkaClientTest {

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();

    private ApicurioRegistryProcess registry;
    private LocalStack stack;
    private DaskRelayClient client;
    private KubernetesClient kube;
    private PythonVenv venv;
    private Path example;

    @BeforeAll
    void start() throws Exception {
        example = repositoryRoot().resolve("examples/python");
        venv = PythonVenv.forRequirements(example.resolve("requirements.txt"));
        registry = ApicurioRegistryProcess.start();
        ObjectNode user = JSON.createObjectNode();
        user.putObject("registry").put("schema.registry.url", registry.ccompatUrl());
        stack = LocalStack.start(new LocalStack.Options(0, false, true, null, null, false, user), WAIT);
        assertEquals(registry.ccompatUrl(), stack.registryUrl(), "the local stack uses the configured registry");
        client = DaskRelayClient.create(stack.config());
        kube = new KubernetesSettings(null, null, stack.kubernetesUrl(), Duration.ofSeconds(10)).client();
    }

    @AfterAll
    void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {kube, client, stack}) {
            if (c != null) {
                c.close();
            }
        }
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void aPythonLaunchAbortedFromJavaEndsAbortedOnceWithNoDaskJobLeft() throws Exception {
        String name = crossPartitionName("py-launch");
        String taskId = taskId(name);

        JsonNode launched = python("launch", "--task-id", taskId, "--name", name, "--run-for", "10m");
        int partition = launched.get("partition").asInt();
        assertEquals(KeyPartitioning.crc32(taskId, LocalStack.PARTITIONS), partition, "librdkafka's default: CRC32");
        assertNotEquals(KeyPartitioning.murmur2(taskId, LocalStack.PARTITIONS), partition,
                "the launch must sit on another partition than the Java client's abort");

        List<TaskStatus> events = new ArrayList<>();
        try (StatusFollow f = client.follow(taskId)) {
            events.addAll(read(f, s -> s.getPhase() == TaskPhase.RUNNING));
            var handle = client.cancel(taskId, "stopped from Java");
            assertEquals(KeyPartitioning.murmur2(taskId, LocalStack.PARTITIONS), handle.partition());
            events.addAll(read(f, s -> false));
        }
        assertEndedAbortedOnce(taskId, events);
        assertEquals(List.of(CommandOutcomeKind.LAUNCH_ACCEPTED, CommandOutcomeKind.ABORT_ACCEPTED), outcomes(taskId));
        assertNoDaskJob(taskId);
        assertAgreement(taskId);
    }

    @Test
    void aPythonAbortBeforeAJavaLaunchEndsAbortedOnceAndNothingIsCreated() throws Exception {
        String name = crossPartitionName("py-abort");
        String taskId = taskId(name);

        JsonNode aborted = python("abort", "--task-id", taskId, "--name", name, "--reason", "stopped from Python");
        assertEquals(KeyPartitioning.crc32(taskId, LocalStack.PARTITIONS), aborted.get("partition").asInt());
        List<TaskStatus> events = new ArrayList<>();
        try (StatusFollow f = client.follow(taskId)) {
            events.addAll(read(f, s -> false));
        }
        var handle = client.submit(DaskTask.builder().execution("examples", "development", name, "n0", 0)
                .image("ghcr.io/example/dask-app:1.4").args("python", "-m", "app.main")
                .annotation("simulator.daskrelay.dev/run-for", "10m").dask(Dask.workers(2)));
        assertEquals(taskId, handle.taskId());
        assertEquals(KeyPartitioning.murmur2(taskId, LocalStack.PARTITIONS), handle.partition());

        awaitOutcomes(taskId, 2);
        assertEquals(List.of(CommandOutcomeKind.ABORT_UNKNOWN_TASK, CommandOutcomeKind.LAUNCH_AFTER_ABORT),
                outcomes(taskId), "the abort wins: the later launch is refused in the same fate store");
        assertEndedAbortedOnce(taskId, events);
        assertEquals(events.get(events.size() - 1), client.status(taskId).orElseThrow(), "nothing after terminal");
        assertNoDaskJob(taskId);
        assertAgreement(taskId);
    }

    @Test
    void thePythonExampleRunsAsItsReadmeSaysAndReadsCloudEvents() throws Exception {
        // the Java serializer registers its schema first (whatever order the tests run in)
        try (AvroSerde<TaskCommand> commands = AvroSerdes.specific(TaskCommand.class,
                stack.config().registry().config(), false)) {
            commands.serializer().serialize(topics().commands(), DaskTask.builder()
                    .execution("examples", "development", "java-first", "n0", 0).image("ghcr.io/example/dask-app:1.4")
                    .dask(Dask.workers(1)).build());
        }
        ProcessResult demo = pythonRaw("demo");
        assertEquals(0, demo.code(), demo.output());
        assertTrue(demo.output().contains("(expected SUCCEEDED)") && demo.output().contains("(expected ABORTED)"),
                demo.output());
        assertTrue(demo.output().contains("content-type=application/avro"), demo.output());
        assertTrue(demo.output().contains("ce_dataschema=" + registry.ccompatUrl() + "/schemas/ids/"), demo.output());

        // Java (the stack's submits and cancels) and Python registered ONE version of the commands schema
        HttpResponse<String> versions = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                registry.ccompatUrl() + "/subjects/" + stack.config().kafka().topics().commands() + "-value/versions"))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, versions.statusCode(), versions.body());
        assertEquals("[1]", versions.body().replace(" ", ""), "one version for Java and Python producers");
        HttpResponse<String> latest = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                registry.ccompatUrl() + "/subjects/" + stack.config().kafka().topics().commands()
                        + "-value/versions/latest/schema")).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(JSON.readTree(RegistryForm.text(TaskCommand.getClassSchema())), JSON.readTree(latest.body()));
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private void assertEndedAbortedOnce(String taskId, List<TaskStatus> events) {
        assertEquals(1, events.stream().filter(s -> s.getPhase() == TaskPhase.ABORTED).count(), events.toString());
        TaskStatus last = events.get(events.size() - 1);
        assertEquals(TaskPhase.ABORTED, last.getPhase(), events.toString());
        assertTrue(last.getTerminal());
        for (int i = 0; i < events.size(); i++) {
            assertEquals(i + 1, events.get(i).getSequence(), events.toString());
        }
        assertEquals(last, client.status(taskId).orElseThrow(), "the latest status is the one ABORTED");
    }

    private void assertNoDaskJob(String taskId) {
        Instant deadline = Instant.now().plus(WAIT);
        List<GenericKubernetesResource> jobs = daskJobs(taskId);
        while (!jobs.isEmpty() && Instant.now().isBefore(deadline)) {
            pause();
            jobs = daskJobs(taskId);
        }
        assertEquals(List.of(), jobs.stream().map(j -> j.getMetadata().getName()).toList(), "no DaskJob remains");
    }

    private List<GenericKubernetesResource> daskJobs(String taskId) {
        return kube.genericKubernetesResources("kubernetes.dask.org/v1", "DaskJob").inAnyNamespace().list()
                .getItems().stream().filter(j -> taskId.equals(j.getMetadata().getAnnotations()
                        .get(KubernetesLabels.TASK_ID))).toList();
    }

    /** Replay of the task (commands, status and outcomes): no anomaly, in particular no status/cluster one. */
    private void assertAgreement(String taskId) {
        try (AvroSerde<TaskCommand> commands = AvroSerdes.specific(TaskCommand.class, stack.config().registry().config(), false);
             AvroSerde<TaskStatus> statuses = AvroSerdes.specific(TaskStatus.class, stack.config().registry().config(), false);
             AvroSerde<Observation> observations = AvroSerdes.specific(Observation.class, stack.config().registry().config(), false);
             KafkaConsumer<String, Object> consumer = new KafkaConsumer<>(
                     DaskRelayClient.readerProperties(stack.config().kafka().clientProperties()), new StringDeserializer(),
                     new TopicValueDeserializer(Map.of(
                             topics().commands(), new LenientDeserializer<>(commands.deserializer()),
                             topics().status(), new LenientDeserializer<>(statuses.deserializer()),
                             topics().observations(), new LenientDeserializer<>(observations.deserializer()))))) {
            ReplayReader reader = new ReplayReader(consumer, topics(), Duration.ofSeconds(60));
            List<ReplayRecord> records = reader.read(null, null);
            List<ObservedOutcome> outcomes = reader.readOutcomes(null, null);
            List<TaskTimeline> timelines = new ReplayFilter(List.of(taskId), null, null).apply(TaskTimeline.group(records));
            assertEquals(1, timelines.size());
            List<Anomaly> anomalies = AnomalyCheck.check(timelines, outcomes, null);
            assertEquals(List.of(), anomalies);
        }
    }

    private List<CommandOutcomeKind> outcomes(String taskId) {
        List<CommandOutcomeKind> kinds = new ArrayList<>();
        try (AvroSerde<Observation> observations = AvroSerdes.specific(Observation.class,
                stack.config().registry().config(), false);
             KafkaConsumer<String, Object> consumer = new KafkaConsumer<>(
                     DaskRelayClient.readerProperties(stack.config().kafka().clientProperties()), new StringDeserializer(),
                     new TopicValueDeserializer(Map.of(topics().observations(),
                             new LenientDeserializer<>(observations.deserializer()))))) {
            for (ObservedOutcome o : new ReplayReader(consumer, topics(), Duration.ofSeconds(60)).readOutcomes(null, null)) {
                if (o.taskId().equals(taskId) && o.observation().getPayload() instanceof CommandOutcome c) {
                    kinds.add(c.getKind());
                }
            }
        }
        return kinds;
    }

    private void awaitOutcomes(String taskId, int n) {
        Instant deadline = Instant.now().plus(WAIT);
        while (outcomes(taskId).size() < n) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("fewer than " + n + " command outcomes of " + taskId + " within " + WAIT);
            }
            pause();
        }
    }

    private Topics topics() {
        return stack.config().kafka().topics();
    }

    /** An execution name whose task id the two clients put on different partitions. */
    private static String crossPartitionName(String base) {
        for (int i = 0; ; i++) {
            String name = base + "-" + System.currentTimeMillis() % 100000 + "-" + i;
            String id = taskId(name);
            if (KeyPartitioning.crc32(id, LocalStack.PARTITIONS) != KeyPartitioning.murmur2(id, LocalStack.PARTITIONS)) {
                return name;
            }
        }
    }

    private static String taskId(String name) {
        return "examples-development-" + name + "-n0-0";
    }

    private JsonNode python(String... args) throws Exception {
        ProcessResult r = pythonRaw(args);
        assertEquals(0, r.code(), r.output());
        String[] lines = r.output().strip().split("\n");
        return JSON.readTree(lines[lines.length - 1]);
    }

    private record ProcessResult(int code, String output) {
    }

    private ProcessResult pythonRaw(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(venv.python().toString(), "daskrelay_client.py"));
        command.addAll(List.of(args));
        command.addAll(List.of("--bootstrap", stack.bootstrapServers(), "--registry", registry.ccompatUrl(),
                "--prefix", stack.config().kafka().topicPrefix()));
        Process p = new ProcessBuilder(command).directory(example.toFile()).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("python " + String.join(" ", args) + " did not end within " + WAIT);
        }
        return new ProcessResult(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    private static List<TaskStatus> read(StatusFollow f, Predicate<TaskStatus> stop) {
        List<TaskStatus> events = new ArrayList<>();
        Instant deadline = Instant.now().plus(WAIT);
        while (Instant.now().isBefore(deadline)) {
            Optional<TaskStatus> s = f.next(Duration.between(Instant.now(), deadline));
            if (s.isEmpty()) {
                break;
            }
            events.add(s.get());
            if (s.get().getTerminal() || stop.test(s.get())) {
                return events;
            }
        }
        throw new AssertionError("no terminal or awaited status within " + WAIT + ": " + events);
    }

    private static void pause() {
        try {
            Thread.sleep(200); // the polling interval of a bounded wait on a condition
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("examples/python"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("examples/python not found above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }
}
