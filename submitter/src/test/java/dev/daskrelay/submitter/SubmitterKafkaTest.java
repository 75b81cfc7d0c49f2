package dev.daskrelay.submitter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.daskrelay.avro.v1.AbortDaskJob;
import dev.daskrelay.avro.v1.ComponentsDetail;
import dev.daskrelay.avro.v1.ErrorKind;
import dev.daskrelay.avro.v1.ExecutionIdentity;
import dev.daskrelay.avro.v1.LaunchDaskJob;
import dev.daskrelay.avro.v1.LogLink;
import dev.daskrelay.avro.v1.TaskCommand;
import dev.daskrelay.avro.v1.TaskError;
import dev.daskrelay.avro.v1.TaskPhase;
import dev.daskrelay.avro.v1.TaskStatus;
import dev.daskrelay.embedded.KafkaBroker;
import dev.daskrelay.schemas.KeyPartitioning;
import dev.daskrelay.schemas.Topics;
import dev.daskrelay.schemas.config.KafkaSettings;
import dev.daskrelay.schemas.config.PlatformConfig;
import dev.daskrelay.schemas.config.RegistrySettings;
import dev.daskrelay.schemas.serde.AvroSerde;
import dev.daskrelay.schemas.serde.AvroSerdes;
import dev.daskrelay.schemas.task.TaskFile;
import dev.daskrelay.submitter.cli.CancelCommand;
import dev.daskrelay.submitter.cli.FollowCommand;
import dev.daskrelay.submitter.cli.ListCommand;
import dev.daskrelay.submitter.cli.ReplayCommand;
import dev.daskrelay.submitter.cli.StatusCommand;
import dev.daskrelay.submitter.cli.StatusPrinter;
import dev.daskrelay.submitter.cli.SubmitCommand;
import dev.daskrelay.submitter.client.DaskRelayClient;
import dev.daskrelay.submitter.client.StatusFollow;
import dev.daskrelay.submitter.client.TaskHandle;
import dev.daskrelay.submitter.query.PartitionSearch;
import dev.daskrelay.submitter.query.SearchLimits;
import dev.daskrelay.submitter.query.SearchResult;
import dev.daskrelay.submitter.sdk.Dask;
import dev.daskrelay.submitter.sdk.DaskTask;
import dev.daskrelay.submitter.sdk.Resources;
import dev.daskrelay.submitter.sdk.Scheduler;
import dev.daskrelay.submitter.sdk.WorkerGroup;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.xml.parsers.DocumentBuilderFactory;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import picocli.CommandLine;

/**
 * The SDK and the CLI against a real in-process broker. The status topology is not part of this module: the test
 * writes the status events itself, exactly as the status topology would (keyed by task id, sequence 1, 2, ...).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SubmitterKafkaTest {

    static final String REGISTRY = "mock://submitter-test";
    static final Duration WAIT = Duration.ofSeconds(60);
    static final ObjectMapper JSON = new ObjectMapper();

    KafkaBroker broker;
    @TempDir
    Path dir;
    AvroSerde<TaskStatus> statusSerde;
    AvroSerde<TaskCommand> commandSerde;
    KafkaProducer<String, TaskStatus> statusWriter;

    @BeforeAll
    void start() {
        broker = KafkaBroker.forTests();
        statusSerde = AvroSerdes.specific(TaskStatus.class, Map.of("schema.registry.url", REGISTRY), false);
        commandSerde = AvroSerdes.specific(TaskCommand.class, Map.of("schema.registry.url", REGISTRY), false);
        Properties p = broker.clientProperties();
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        statusWriter = new KafkaProducer<>(p, new StringSerializer(), statusSerde.serializer());
    }

    @AfterAll
    void stop() {
        if (statusWriter != null) {
            statusWriter.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    // ---------------------------------------------------------------- SDK

    @Test
    void sdkSubmitPublishesTheBuiltCommandAndResubmitWithTheSameCommandIdRepeatsTheSameRecord() throws Exception {
        Topics topics = topics("sdk");
        Clock clock = Clock.fixed(Instant.parse("2026-11-27T22:00:00.123Z"), ZoneOffset.UTC);
        DaskTask.Builder task = DaskTask.builder()
                .execution("flytesnacks", "development", "a1b2c3", "n0", 0)
                .commandId("cmd-fixed-1")
                .image("ghcr.io/example/dask-app:1.4")
                .args("python", "-m", "app.main")
                .requests(Resources.of("2", "8G"))
                .limits(Resources.of("8", "17G").withGpu("1"))
                .env("FOO", "bar").env("ALPHA", "1")
                .label("team", "data")
                .annotation("region", "SEA")
                .interruptible(true)
                .timeout(Duration.ofHours(2))
                .dask(Dask.of(Scheduler.DEFAULT.withImage("ghcr.io/example/dask-sched:1.4").withLimits(Resources.of("1", "2Gi")),
                        WorkerGroup.of(10).withLimits(Resources.of("4", "10Gi"))));
        TaskCommand expected = task.issuedBy("tester").build(PlatformConfig.defaults(), clock);
        try (DaskRelayClient client = client("sdk", clock)) {
            TaskHandle first = client.submit(expected);
            TaskHandle second = client.submit(expected);
            assertEquals("flytesnacks-development-a1b2c3-n0-0", first.taskId());
            assertEquals("cmd-fixed-1", first.commandId());
            assertEquals(first.partition(), second.partition());
            assertEquals(first.offset() + 1, second.offset());
        }
        List<ConsumerRecord<String, TaskCommand>> published = readAll(topics.commands(), commandSerde);
        assertEquals(2, published.size());
        for (ConsumerRecord<String, TaskCommand> r : published) {
            assertEquals(expected.getTaskId(), r.key());
            assertEquals(expected, r.value(), "the record read back is the command built");
        }
        LaunchDaskJob launch = (LaunchDaskJob) published.get(0).value().getPayload();
        assertEquals(List.of("FOO", "ALPHA"), launch.getEnv().stream().map(e -> e.getName()).toList(), "env order kept");
        assertEquals(7200L, launch.getTimeoutSeconds());
    }

    @Test
    void sdkFollowStreamsFromTheFirstEventToTheTerminalOneAndAwaitTerminalReturnsIt() throws Exception {
        Topics topics = topics("follow");
        try (DaskRelayClient client = client("follow", Clock.systemUTC())) {
            TaskHandle h = client.submit(DaskTask.builder().execution("p", "d", "run1", "n0", 0).image("img:1"));
            String task = h.taskId();
            writeStatus(topics, status(task, 1, TaskPhase.QUEUED, 0, false, null, null));
            writeStatus(topics, status("someone-else", 1, TaskPhase.QUEUED, 0, false, null, null));
            try (StatusFollow follow = client.follow(task)) {
                assertEquals(1, follow.next(WAIT).orElseThrow().getSequence());
                writeStatus(topics, status(task, 2, TaskPhase.RUNNING, 0, false, null, workers(1, 2)));
                writeStatus(topics, status(task, 3, TaskPhase.SUCCEEDED, 0, true, null, workers(2, 2)));
                List<Long> rest = new ArrayList<>();
                follow.forEachRemaining(s -> rest.add(s.getSequence()));
                assertEquals(List.of(2L, 3L), rest);
                assertTrue(follow.done());
            }
            assertEquals(TaskPhase.SUCCEEDED, client.awaitTerminal(task, WAIT).orElseThrow().getPhase());
            assertEquals(3, client.status(task).orElseThrow().getSequence());
        }
    }

    @Test
    void statusFindsTheLatestEventOnALargeTopicReadingOnlyTheTailOfOnePartition() throws Exception {
        Topics topics = new Topics("big");
        broker.createTopics(4, topics.commands(), topics.status());
        awaitLeaders(topics.commands(), topics.status());
        int tasks = 2000;
        int perTask = 10;
        // task-early: its only events are among the first records; task-late: its last event is near the end
        writeStatus(topics, status("task-early", 1, TaskPhase.QUEUED, 0, false, null, null));
        writeStatus(topics, status("task-early", 2, TaskPhase.RUNNING, 0, false, null, null));
        for (int seq = 1; seq <= perTask; seq++) {
            for (int t = 0; t < tasks; t++) {
                statusWriter.send(new ProducerRecord<>(topics.status(), "bulk-" + t,
                        status("bulk-" + t, seq, seq == 1 ? TaskPhase.QUEUED : TaskPhase.RUNNING, seq, false, null, null)));
            }
            if (seq == perTask - 1) {
                writeStatus(topics, status("task-late", 7, TaskPhase.RUNNING, 3, false, null, workers(3, 4)));
            }
        }
        statusWriter.flush();
        long total = tasks * perTask + 3;
        try (DaskRelayClient client = client("big", Clock.systemUTC())) {
            SearchResult<TaskStatus> late = client.statusSearch("task-late");
            assertEquals(7, late.record().orElseThrow().value().getSequence());
            // task-late is ~2000 records (of ~20000, ~500 per partition) before the end
            assertTrue(late.recordsRead() <= 1500, "records read for task-late: " + late.recordsRead());

            SearchResult<TaskStatus> early = client.statusSearch("task-early");
            assertEquals(2, early.record().orElseThrow().value().getSequence());
            long partitionSize = early.endOffset();
            assertTrue(partitionSize < total, "one partition of four");
            assertTrue(early.recordsRead() <= partitionSize + 64, "never more than the one partition: " + early.recordsRead());
            assertTrue(late.recordsRead() < early.recordsRead() / 2, "cost follows distance from the end");

            // a fresh bulk task: its latest event is within the last few hundred records of its partition
            SearchResult<TaskStatus> bulk = client.statusSearch("bulk-1999");
            assertEquals(perTask, bulk.record().orElseThrow().value().getSequence());
            assertTrue(bulk.recordsRead() <= 256, "records read for bulk-1999: " + bulk.recordsRead());
        }
        try (DaskRelayClient bounded = DaskRelayClient.builder().kafka(kafka("big")).registry(registry())
                .searchLimits(new SearchLimits(64, 300, Duration.ofDays(30), WAIT)).build()) {
            SearchResult<TaskStatus> unknown = bounded.statusSearch("no-such-task");
            assertTrue(unknown.record().isEmpty());
            assertTrue(unknown.exhausted());
            assertTrue(unknown.recordsRead() <= 300 + 512, "bounded by maxRecords: " + unknown.recordsRead());
        }
    }

    @Test
    void progressOnATerminalRewritesOneLineWithPhaseWorkersAndElapsed() throws Exception {
        Topics topics = topics("progress");
        String task = "p-d-progress-n0-0";
        writeStatus(topics, status(task, 1, TaskPhase.QUEUED, 0, false, null, null));
        writeStatus(topics, status(task, 2, TaskPhase.RUNNING, 0, false, null, workers(1, 3)));
        writeStatus(topics, status(task, 3, TaskPhase.RUNNING, 1, false, null, workers(3, 3)));
        writeStatus(topics, status(task, 4, TaskPhase.SUCCEEDED, 0, true, null, workers(3, 3)));
        StringWriter screen = new StringWriter();
        try (DaskRelayClient client = client("progress", Clock.systemUTC()); StatusFollow f = client.follow(task)) {
            Optional<TaskStatus> end = new StatusPrinter(new PrintWriter(screen), StatusPrinter.Format.text, true,
                    Clock.systemUTC()).follow(f, WAIT);
            assertEquals(TaskPhase.SUCCEEDED, end.orElseThrow().getPhase());
        }
        String out = screen.toString();
        assertEquals(1, out.chars().filter(c -> c == '\n').count(), "one line, ended once: " + out);
        assertTrue(out.chars().filter(c -> c == '\r').count() >= 4, "rewritten in place per event: " + out);
        String[] frames = out.strip().split("\r");
        String last = frames[frames.length - 1];
        assertTrue(last.startsWith(task + "  SUCCEEDED") && last.contains("workers 3/3") && last.contains("elapsed "), last);
        assertTrue(out.contains("RUNNING v1  workers 3/3"), out);
    }

    // ---------------------------------------------------------------- CLI

    @Test
    void cliSubmitFollowReachesSucceededAndExitsZero() throws Exception {
        Topics topics = topics("cli");
        Path cfg = config("cli");
        Path file = dir.resolve("ok.yaml");
        Files.writeString(file, """
                commandId: cli-cmd-1
                execution: {project: examples, domain: development, name: hello, nodeId: n0, retryAttempt: 0}
                image: ghcr.io/example/dask-app:1.4
                args: ["python", "-m", "app.main"]
                dask: {workers: {numberOfWorkers: 2}}
                """);
        String task = "examples-development-hello-n0-0";
        CompletableFuture<Result> run = CompletableFuture.supplyAsync(() ->
                cli("submit", "--config", cfg.toString(), "--follow", file.toString()));
        // act as the pipeline once the launch is on the commands topic
        ConsumerRecord<String, TaskCommand> launch = awaitRecord(topics.commands(), commandSerde, task);
        TaskCommand expected = TaskFile.load(file, PlatformConfig.defaults(), Clock.fixed(launch.value().getIssuedAt(), ZoneOffset.UTC));
        expected.setIssuedBy(launch.value().getIssuedBy());
        assertEquals(expected, launch.value(), "the launch published is the task file's command");
        writeStatus(topics, status(task, 1, TaskPhase.QUEUED, 0, false, null, null));
        writeStatus(topics, status(task, 2, TaskPhase.INITIALIZING, 0, false, null, workers(0, 2)));
        writeStatus(topics, status(task, 3, TaskPhase.RUNNING, 0, false, null, workers(2, 2)));
        writeStatus(topics, status(task, 4, TaskPhase.SUCCEEDED, 0, true, null, workers(2, 2)));
        Result r = run.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals(0, r.code, r.toString());
        assertTrue(r.out.contains("submitted " + task + " (command cli-cmd-1, " + file + ")"), r.out);
        List<String> phases = r.out.lines().filter(l -> l.contains("  #")).map(l -> l.split("  ")[2].split(" ")[1]).toList();
        assertEquals(List.of("QUEUED", "INITIALIZING", "RUNNING", "SUCCEEDED"), phases, r.out);
        assertTrue(r.out.contains("workers 2/2"), r.out);

        Result status = cli("status", "--config", cfg.toString(), task, "-o", "json");
        assertEquals(0, status.code, status.toString());
        assertEquals("SUCCEEDED", JSON.readTree(status.out).get("phase").asText());
    }

    @Test
    void cliCancelMidRunEndsTheFollowedSubmitWithAbortedAndExitOne() throws Exception {
        Topics topics = topics("midrun");
        Path cfg = config("midrun");
        Path file = dir.resolve("long.yaml");
        Files.writeString(file, """
                execution: {project: examples, domain: development, name: long, nodeId: n0}
                image: img:1
                """);
        String task = "examples-development-long-n0-0";
        CompletableFuture<Result> run = CompletableFuture.supplyAsync(() ->
                cli("submit", "--config", cfg.toString(), "--follow", file.toString()));
        awaitRecord(topics.commands(), commandSerde, task);
        writeStatus(topics, status(task, 1, TaskPhase.QUEUED, 0, false, null, null));
        writeStatus(topics, status(task, 2, TaskPhase.RUNNING, 0, false, null, workers(1, 1)));
        CompletableFuture<Result> cancel = CompletableFuture.supplyAsync(() ->
                cli("cancel", "--config", cfg.toString(), task, "--reason", "changed my mind"));
        ConsumerRecord<String, TaskCommand> abort = awaitRecord(topics.commands(), commandSerde, task,
                c -> c.getPayload() instanceof AbortDaskJob);
        assertEquals("changed my mind", assertInstanceOf(AbortDaskJob.class, abort.value().getPayload()).getReason());
        assertFalse(run.isDone(), "still following a running task");
        assertFalse(cancel.isDone(), "cancel waits for the outcome");
        // as the pipeline answers an accepted abort
        TaskStatus aborted = status(task, 3, TaskPhase.ABORTED, 0, true, null, null);
        aborted.setReason("changed my mind");
        writeStatus(topics, aborted);
        Result r = run.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals(1, r.code, r.toString());
        Result c = cancel.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals(0, c.code, c.toString());
        assertEquals(task + ": ABORTED (changed my mind)", c.out.strip(), c.toString());
        assertTrue(r.out.lines().anyMatch(l -> l.contains("#3 ABORTED") && l.contains("changed my mind")), r.out);
    }

    @Test
    void oneClientIsSharedByManyThreads() throws Exception {
        Topics topics = topics("threads");
        DaskRelayClient closed;
        try (DaskRelayClient client = client("threads", Clock.systemUTC())) {
            closed = client;
            List<CompletableFuture<TaskHandle>> all = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                int n = i;
                all.add(CompletableFuture.supplyAsync(() ->
                        client.submit(DaskTask.builder().execution("p", "d", "e" + n, "n0", 0).image("img:1"))));
            }
            Set<String> commandIds = new HashSet<>();
            for (CompletableFuture<TaskHandle> f : all) {
                commandIds.add(f.get(60, TimeUnit.SECONDS).commandId());
            }
            assertEquals(40, commandIds.size());
        }
        closed.close(); // idempotent
        assertThrows(IllegalStateException.class, () -> closed.submit(DaskTask.builder().execution("p", "d", "late", "n0", 0).image("img:1")));
        List<ConsumerRecord<String, TaskCommand>> published = readAll(topics.commands(), commandSerde);
        assertEquals(40, published.size());
        assertEquals(40, published.stream().map(r -> r.value().getCommandId()).distinct().count());
    }

    @Test
    void cliFollowOfAFailedTaskPrintsJsonLinesAndExitsOne() throws Exception {
        Topics topics = topics("failed");
        String task = "p-d-failing-n0-0";
        writeStatus(topics, status(task, 1, TaskPhase.QUEUED, 0, false, null, null));
        writeStatus(topics, status(task, 2, TaskPhase.FAILED, 0, true,
                new TaskError("OOMKilled", "runner OOMKilled", ErrorKind.USER, true), null));
        Result r = cli("follow", "--config", config("failed").toString(), task, "-o", "json");
        assertEquals(1, r.code, r.toString());
        List<JsonNode> lines = new ArrayList<>();
        for (String l : r.out.strip().split("\n")) {
            lines.add(JSON.readTree(l));
        }
        assertEquals(2, lines.size(), r.out);
        JsonNode failed = lines.get(1);
        for (String field : List.of("taskId", "sequence", "phase", "phaseVersion", "reason", "message", "error", "eventId", "occurredAt")) {
            assertTrue(failed.has(field), field + " in " + failed);
        }
        assertEquals("FAILED", failed.get("phase").asText());
        assertEquals("OOMKilled", failed.get("error").get("code").asText());
        assertEquals("USER", failed.get("error").get("kind").asText());
        assertTrue(failed.get("error").get("retryable").asBoolean());
        assertTrue(lines.get(0).get("error").isNull());
        assertNotNull(Instant.parse(failed.get("occurredAt").asText()), "ISO-8601");

        Result unknown = cli("status", "--config", config("failed").toString(), "no-such-task");
        assertEquals(1, unknown.code, unknown.toString());
    }

    @Test
    void cliCancelPublishesAnAbortWithTheTasksExecution() throws Exception {
        Topics topics = topics("cancel");
        String task = "proj-dom-exec-n1-2";
        TaskStatus queued = status(task, 1, TaskPhase.QUEUED, 0, false, null, null);
        queued.setExecution(new ExecutionIdentity("proj", "dom", "exec", "n1", 2));
        writeStatus(topics, queued);
        Result r = cli("cancel", "--config", config("cancel").toString(), task, "--reason", "user asked", "--wait", "0");
        assertEquals(0, r.code, r.toString());
        assertTrue(r.out.startsWith(task + ": abort requested (command "), r.out);
        ConsumerRecord<String, TaskCommand> abort = awaitRecord(topics.commands(), commandSerde, task);
        AbortDaskJob payload = assertInstanceOf(AbortDaskJob.class, abort.value().getPayload());
        assertEquals("user asked", payload.getReason());
        assertEquals(queued.getExecution(), abort.value().getExecution());
        assertTrue(r.out.contains(abort.value().getCommandId()), r.out);
    }

    /**
     * Producers partition commands by their own rule (librdkafka: CRC32; others: round-robin, custom), so the
     * submitter finds a launch on any partition: follow's start and cancel's execution identity come from it.
     */
    @Test
    void aLaunchOnAnotherPartitionThanJavasIsFoundWhateverPartitionerWroteIt() throws Exception {
        Topics topics = topics("anypart");
        List<String> found = new ArrayList<>();
        for (int i = 0; found.size() < 2; i++) {
            String task = "p-d-anypart" + i + "-n0-0";
            if (KeyPartitioning.crc32(task, 3) != KeyPartitioning.murmur2(task, 3)) {
                found.add(task);
            }
        }
        String crc = found.get(0);
        String other = found.get(1);
        int otherPartition = 3 - KeyPartitioning.crc32(other, 3) - KeyPartitioning.murmur2(other, 3);
        try (KafkaProducer<String, TaskCommand> producer = new KafkaProducer<>(broker.clientProperties(),
                new StringSerializer(), commandSerde.serializer());
             DaskRelayClient client = client("anypart", Clock.systemUTC())) {
            for (var e : Map.of(crc, KeyPartitioning.crc32(crc, 3), other, otherPartition).entrySet()) {
                String[] parts = e.getKey().split("-");
                TaskCommand launch = DaskTask.builder().execution(parts[0], parts[1], parts[2], parts[3], 0)
                        .image("img:1").build(PlatformConfig.defaults(), Clock.systemUTC());
                producer.send(new ProducerRecord<>(topics.commands(), e.getValue(), e.getKey(), launch)).get();
                TaskCommand latest = client.latestLaunch(e.getKey()).orElseThrow(() ->
                        new AssertionError("launch of " + e.getKey() + " on partition " + e.getValue() + " not found"));
                assertEquals(launch, latest);
                client.cancel(e.getKey(), "stop");
            }
        }
        for (String task : found) {
            ConsumerRecord<String, TaskCommand> abort = awaitRecord(topics.commands(), commandSerde, task,
                    c -> c.getPayload() instanceof AbortDaskJob);
            assertEquals(KeyPartitioning.murmur2(task, 3), abort.partition(), "the Java client's own rule");
            String[] parts = task.split("-");
            assertEquals(new ExecutionIdentity(parts[0], parts[1], parts[2], parts[3], 0), abort.value().getExecution(),
                    "the abort carries the launch's execution, found on the producer's partition");
        }
    }

    @Test
    void candidatePartitionsTryJavaThenLibrdkafkaThenTheRest() {
        String task = "p-d-anypart0-n0-0";
        List<Integer> order = PartitionSearch.candidates(task, 6);
        assertEquals(KeyPartitioning.murmur2(task, 6), order.get(0));
        assertEquals(6, new HashSet<>(order).size());
        assertEquals(6, order.size());
        if (KeyPartitioning.crc32(task, 6) != KeyPartitioning.murmur2(task, 6)) {
            assertEquals(KeyPartitioning.crc32(task, 6), order.get(1));
        }
    }

    @Test
    void cliSubmitOfAnInvalidFileExitsTwoNamingFieldPathsAndPublishesNothing() throws Exception {
        Topics topics = topics("invalid");
        Path good = dir.resolve("good.yaml");
        Files.writeString(good, """
                execution: {project: p, domain: d, name: good, nodeId: n0}
                image: img:1
                """);
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, """
                execution: {project: p, domain: d, name: bad, nodeId: n0}
                image: img:1
                resources: {limits: {memory: 8GB}}
                dask: {workers: {numberOfWorkers: 0}}
                """);
        Result r = cli("submit", "--config", config("invalid").toString(), good.toString(), bad.toString());
        assertEquals(2, r.code, r.toString());
        List<String> lines = r.err.lines().toList();
        assertTrue(lines.stream().anyMatch(l -> l.startsWith(bad + ": dask.workers.numberOfWorkers: ")), r.err);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith(bad + ": resources.limits.memory: ")), r.err);
        assertTrue(lines.stream().noneMatch(l -> l.contains("good.yaml")), r.err);
        assertEquals(0, endOffset(topics.commands()), "nothing published");
    }

    @Test
    void submitNowStampsIssuedAtWhenPublishingNotWhenTheFileWasRead() throws Exception {
        Topics topics = topics("stamp");
        TaskCommand read = TaskFile.load("execution: {project: p, domain: d, name: stamp, nodeId: n0}\nimage: img:1\n",
                PlatformConfig.defaults(), Clock.fixed(Instant.parse("2020-01-01T00:00:00Z"), ZoneOffset.UTC));
        Instant before = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        try (DaskRelayClient client = client("stamp", Clock.systemUTC())) {
            TaskHandle h = client.submitNow(read);
            assertFalse(h.issuedAt().isBefore(before), h.issuedAt() + " is the time of publishing");
        }
        Instant published = awaitRecord(topics.commands(), commandSerde, "p-d-stamp-n0-0").value().getIssuedAt();
        assertFalse(published.isBefore(before), published.toString());
        assertFalse(published.isAfter(Instant.now()), published.toString());
    }

    @Test
    void cliSubmitOfATaskLaunchedBeforeIsADuplicateNamingTheLaunchAndHowToRunAgainExitThree() throws Exception {
        Topics topics = topics("dup");
        Path cfg = config("dup");
        Path file = dir.resolve("dup.yaml");
        Files.writeString(file, """
                execution: {project: p, domain: d, name: dup, nodeId: n0, retryAttempt: 0}
                image: ghcr.io/example/app:1
                """);
        Result first = cli("submit", "--config", cfg.toString(), file.toString());
        assertEquals(0, first.code, first.toString());
        String commandId = awaitRecord(topics.commands(), commandSerde, "p-d-dup-n0-0").value().getCommandId();
        writeStatus(topics, status("p-d-dup-n0-0", 1, TaskPhase.QUEUED, 0, false, null, null));

        Files.writeString(file, Files.readString(file).replace("app:1", "app:2"));
        Result again = cli("submit", "--config", cfg.toString(), file.toString(), "--follow");
        assertEquals(3, again.code, again.toString());
        assertEquals("", again.out, "nothing submitted, nothing followed");
        List<String> lines = again.err.lines().toList();
        assertTrue(lines.get(0).startsWith(file + ": duplicate: task p-d-dup-n0-0 was already launched by command "
                + commandId + " at "), again.err);
        assertTrue(lines.get(0).endsWith(", now QUEUED"), again.err);
        assertTrue(again.err.contains("this file differs from that launch"), again.err);
        assertTrue(again.err.contains("daskrelay follow p-d-dup-n0-0"), again.err);
        assertTrue(again.err.contains("set execution.retryAttempt: 1 in " + file), again.err);
        assertEquals(1, endOffset(topics.commands()), "the duplicate was not published");

        Files.writeString(file, Files.readString(file).replace("retryAttempt: 0", "retryAttempt: 1"));
        Result retry = cli("submit", "--config", cfg.toString(), file.toString(), "-o", "json");
        assertEquals(0, retry.code, retry.toString());
        JsonNode submitted = JSON.readTree(retry.out.strip());
        assertEquals("submitted", submitted.get("type").asText());
        assertEquals("p-d-dup-n0-1", submitted.get("taskId").asText());
        assertEquals(file.toString(), submitted.get("source").asText());
        assertEquals(2, endOffset(topics.commands()));
    }

    @Test
    void cliSubmitOfTwoFilesOfOneTaskIsAProblemBeforeAnythingConnects() throws Exception {
        Path a = Files.writeString(dir.resolve("a.yaml"), "execution: {project: p, domain: d, name: twice, nodeId: n0}\nimage: img:1\n");
        Path b = Files.writeString(dir.resolve("b.yaml"), Files.readString(a));
        Result r = cli("submit", "--config", unreachableConfig().toString(), a.toString(), b.toString());
        assertEquals(2, r.code, r.toString());
        assertEquals(List.of(b + ": taskId: p-d-twice-n0-0 is also the task of " + a + " (a task id launches once)",
                "error: nothing submitted (1 problem)"), r.err.lines().toList());
    }

    @Test
    void cliSubmitFollowsSeveralTasksTogetherAndEndsWithASummary() throws Exception {
        Topics topics = topics("many");
        Path cfg = config("many");
        Path ok = Files.writeString(dir.resolve("many-ok.yaml"), "execution: {project: p, domain: d, name: ok, nodeId: n0}\nimage: img:1\n");
        Path bad = Files.writeString(dir.resolve("many-bad.yaml"), "execution: {project: p, domain: d, name: bad, nodeId: n0}\nimage: img:1\n");
        Path slow = Files.writeString(dir.resolve("many-slow.yaml"), "execution: {project: p, domain: d, name: slow, nodeId: n0}\nimage: img:1\n");
        CompletableFuture<Result> run = CompletableFuture.supplyAsync(() -> cli("submit", "--config", cfg.toString(),
                "--follow", "--timeout", "20s", ok.toString(), bad.toString(), slow.toString()));
        for (String t : List.of("p-d-ok-n0-0", "p-d-bad-n0-0", "p-d-slow-n0-0")) {
            awaitRecord(topics.commands(), commandSerde, t);
        }
        // the first task never ends: the others are followed all the same (together, not one after the other),
        // and --timeout bounds the whole follow
        writeStatus(topics, status("p-d-bad-n0-0", 1, TaskPhase.QUEUED, 0, false, null, null));
        TaskStatus failed = status("p-d-bad-n0-0", 2, TaskPhase.FAILED, 0, true,
                new TaskError("RunnerExitCode", "runner exited with code 1", ErrorKind.USER, true), null);
        failed.setReason("RunnerExitCode"); // as the status topology writes a failure
        writeStatus(topics, failed);
        writeStatus(topics, status("p-d-ok-n0-0", 1, TaskPhase.QUEUED, 0, false, null, null));
        writeStatus(topics, status("p-d-ok-n0-0", 2, TaskPhase.SUCCEEDED, 0, true, null, null));
        writeStatus(topics, status("p-d-slow-n0-0", 1, TaskPhase.RUNNING, 0, false, null, null));
        Result r = run.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals(1, r.code, r.toString());
        List<String> lines = r.out.lines().toList();
        int summary = lines.indexOf("summary: 1 of 3 tasks SUCCEEDED, 1 not finished within 20s");
        assertTrue(summary > 0, r.out);
        assertTrue(lines.get(summary + 1).matches("  SUCCEEDED +p-d-ok-n0-0 +" + Pattern.quote(ok.toString()) + ".*"), r.out);
        assertTrue(lines.get(summary + 2).matches("  FAILED +p-d-bad-n0-0 +" + Pattern.quote(bad.toString())
                + "  RunnerExitCode \\(USER error, retryable\\): runner exited with code 1"), r.out);
        assertTrue(lines.get(summary + 3).matches("  RUNNING +p-d-slow-n0-0 +" + Pattern.quote(slow.toString()) + "  not finished"), r.out);
    }

    @Test
    void cliCancelSaysWhatHappenedToEachTaskAndPublishesNothingForUnknownOrFinishedOnes() throws Exception {
        Topics topics = topics("outcomes");
        Path cfg = config("outcomes");
        writeStatus(topics, status("done-task", 1, TaskPhase.SUCCEEDED, 0, true, null, null));
        writeStatus(topics, status("gone-task", 1, TaskPhase.ABORTED, 0, true, null, null));
        Result r = cli("cancel", "--config", cfg.toString(), "no-such-task", "done-task", "gone-task");
        assertEquals(1, r.code, r.toString());
        List<String> lines = r.out.lines().toList();
        assertTrue(lines.get(0).startsWith("no-such-task: unknown task: no launch or status of it was found; nothing cancelled"), r.out);
        assertTrue(lines.get(1).matches("done-task: already finished: SUCCEEDED at .*; nothing cancelled"), r.out);
        assertTrue(lines.get(2).matches("gone-task: already ABORTED at .*; nothing cancelled"), r.out);
        assertEquals(0, endOffset(topics.commands()), "no abort published");

        Result bad = cli("cancel", "--config", cfg.toString(), "not a task id");
        assertEquals(2, bad.code, bad.toString());
        assertTrue(bad.err.startsWith("error: TASK_ID: not a task id"), bad.err);
        Result badWait = cli("cancel", "--config", cfg.toString(), "x", "--wait", "soon");
        assertEquals(2, badWait.code, badWait.toString());
        assertTrue(badWait.err.startsWith("error: --wait: must be a duration"), badWait.err);

        Result forced = cli("cancel", "--config", cfg.toString(), "no-such-task", "--force", "--wait", "0");
        assertEquals(0, forced.code, forced.toString());
        assertEquals(1, endOffset(topics.commands()));
    }

    @Test
    void cliStatusOfSeveralTasksShowsWhereEachRunsInTextAndJson() throws Exception {
        Topics topics = topics("where");
        Path cfg = config("where");
        TaskStatus running = status("w-task", 1, TaskPhase.RUNNING, 0, false, null, workers(2, 2));
        running.setDaskJobName("w-task");
        running.setDaskJobNamespace("dask-jobs");
        running.setClusterName("w-task");
        running.setRunnerPod("w-task-runner");
        running.setLogLinks(List.of(new LogLink("Kubernetes Logs", "https://k8s.example/logs/w-task-runner")));
        writeStatus(topics, running);
        writeStatus(topics, status("other-task", 1, TaskPhase.QUEUED, 0, false, null, null));

        Result text = cli("status", "--config", cfg.toString(), "w-task", "other-task");
        assertEquals(0, text.code, text.toString());
        assertTrue(text.out.contains("    DaskJob    dask-jobs/w-task   runner pod w-task-runner\n"), text.out);
        assertTrue(text.out.contains("    logs       kubectl logs -n dask-jobs w-task-runner\n"), text.out);
        assertTrue(text.out.contains("    dashboard  kubectl port-forward -n dask-jobs svc/w-task-scheduler 8787   then http://localhost:8787\n"), text.out);
        assertTrue(text.out.contains("    link       Kubernetes Logs: https://k8s.example/logs/w-task-runner\n"), text.out);
        assertTrue(text.out.contains("other-task  #1 QUEUED"), text.out);

        Result json = cli("status", "--config", cfg.toString(), "w-task", "-o", "json");
        JsonNode o = JSON.readTree(json.out);
        assertEquals("dask-jobs", o.get("daskJobNamespace").asText());
        assertEquals("w-task-runner", o.get("runnerPod").asText());
        assertEquals("https://k8s.example/logs/w-task-runner", o.get("logLinks").get(0).get("uri").asText());

        Result some = cli("status", "--config", cfg.toString(), "w-task", "missing-task");
        assertEquals(1, some.code, some.toString());
        assertTrue(some.out.contains("w-task  #1 RUNNING"), some.out);
        assertTrue(some.err.startsWith("error: no status for task missing-task"), some.err);
    }

    @Test
    void cliFollowOfAnUnknownTaskAnswersLikeStatus() throws Exception {
        topics("unknown");
        Result r = cli("follow", "--config", config("unknown").toString(), "never-launched");
        assertEquals(1, r.code, r.toString());
        assertEquals("error: no status for task never-launched: no launch or status of it was found ('daskrelay list' "
                + "shows recent tasks)\n", r.err);
    }

    @Test
    void cliListShowsRecentTasksNewestFirstWithFilters() throws Exception {
        Topics topics = topics("list");
        Path cfg = config("list");
        Path file = Files.writeString(dir.resolve("listed.yaml"), "execution: {project: lp, domain: d, name: listed, nodeId: n0}\nimage: img:1\n");
        assertEquals(0, cli("submit", "--config", cfg.toString(), file.toString()).code);
        writeStatus(topics, status("old-done", 1, TaskPhase.SUCCEEDED, 0, true, null, null));
        writeStatus(topics, status("running-one", 1, TaskPhase.RUNNING, 2, false, null, workers(1, 2)));

        Result all = cli("list", "--config", cfg.toString());
        assertEquals(0, all.code, all.toString());
        List<String> lines = all.out.lines().toList();
        assertTrue(lines.get(0).matches("TASK +PHASE +AGE +UPDATED +DETAIL"), all.out);
        assertEquals(4, lines.size(), all.out);
        assertTrue(lines.get(1).startsWith("running-one "), all.out);
        assertTrue(lines.stream().anyMatch(l -> l.matches("lp-d-listed-n0-0 +SUBMITTED +\\d+s +\\d+s")), all.out);

        Result active = cli("list", "--config", cfg.toString(), "--active", "-o", "json");
        List<String> activeIds = active.out.lines().map(l -> {
            try {
                return JSON.readTree(l).get("taskId").asText();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }).toList();
        assertEquals(List.of("running-one", "lp-d-listed-n0-0"), activeIds, active.out);

        Result failed = cli("list", "--config", cfg.toString(), "--phase", "FAILED");
        assertEquals("no tasks in the last 24h that match\n", failed.out, failed.toString());
        Result badPhase = cli("list", "--config", cfg.toString(), "--phase", "DONE");
        assertEquals(2, badPhase.code);
        assertTrue(badPhase.err.startsWith("error: --phase: unknown phase \"DONE\""), badPhase.err);
    }

    @Test
    void cliCommandsCheckTheirArgumentsBeforeConnecting() throws Exception {
        Path cfg = unreachableConfig();
        Result replay = cli("replay", "--config", cfg.toString(), "--timeout", "0s");
        assertEquals(2, replay.code, replay.toString());
        assertEquals("error: --timeout: must be more than 0 (was \"0s\")\n", replay.err);
        Result grace = cli("replay", "--config", cfg.toString(), "--in-flight-grace", "a while");
        assertEquals(2, grace.code, grace.toString());
        assertTrue(grace.err.startsWith("error: --in-flight-grace: must be a duration like"), grace.err);
        Result follow = cli("follow", "--config", cfg.toString(), "t", "--timeout", "-1m");
        assertEquals(2, follow.code, follow.toString());
        assertTrue(follow.err.startsWith("error: --timeout: must be more than 0"), follow.err);
        Result timeoutWithoutFollow = cli("submit", "--config", cfg.toString(), "x.yaml", "--timeout", "1m");
        assertEquals(2, timeoutWithoutFollow.code, timeoutWithoutFollow.toString());
        Path missing = dir.resolve("missing.yaml");
        Result unreadable = cli("submit", "--config", cfg.toString(), missing.toString());
        assertEquals(2, unreadable.code, unreadable.toString());
        assertEquals(List.of(missing + ": (file): cannot read: no such file", "error: nothing submitted (1 problem)"),
                unreadable.err.lines().toList(), "worded as render and local word it, no Java exception names");
    }

    @Test
    void cliAgainstABrokerWithoutDaskrelaysTopicsSaysWhichTopicsAndThePrefix() throws Exception {
        Result r = cli("status", "--config", config("nothing-here").toString(), "some-task");
        assertEquals(1, r.code, r.toString());
        assertEquals("error: Kafka at " + broker.bootstrapServers() + " has no topic nothing-here.commands, "
                + "nothing-here.status: is daskrelay installed there with topic prefix 'nothing-here'? Set "
                + "DASKRELAY_TOPIC_PREFIX (or kafka.topicPrefix in --config)\n", r.err);
    }

    /** A config whose Kafka nobody listens on: commands that get as far as connecting fail with exit 1. */
    private Path unreachableConfig() throws Exception {
        Path f = dir.resolve("unreachable.yaml");
        try (ServerSocket s = new ServerSocket(0)) {
            Files.writeString(f, "kafka:\n  bootstrapServers: 127.0.0.1:" + s.getLocalPort() + "\n");
        }
        return f;
    }

    // ---------------------------------------------------------------- replay

    @Test
    void replayReportsExactlyThePlantedAnomaliesAndNeverWritesOrCommits() throws Exception {
        Topics topics = topics("audit");
        Instant t0 = Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS);
        try (KafkaProducer<String, TaskCommand> commands = new KafkaProducer<>(broker.clientProperties(),
                new StringSerializer(), commandSerde.serializer())) {
            // out of range (two hours earlier): has a gap that must not be reported
            history(commands, topics, "old-gap", t0.minus(Duration.ofHours(2)), false, "1:QUEUED 3:RUNNING");
            history(commands, topics, "ok-succeeded", t0, false, "1:QUEUED 2:INITIALIZING 3:RUNNING 4:SUCCEEDED");
            history(commands, topics, "ok-aborted", t0.plusSeconds(10), true, "1:QUEUED 2:ABORTED");
            history(commands, topics, "gap", t0.plusSeconds(20), false, "1:QUEUED 2:INITIALIZING 4:RUNNING 5:SUCCEEDED");
            history(commands, topics, "after-terminal", t0.plusSeconds(30), false, "1:QUEUED 2:FAILED 3:RUNNING");
            history(commands, topics, "open", t0.plusSeconds(40), false, "1:QUEUED 2:RUNNING");
            history(commands, topics, "duplicate", t0.plusSeconds(50), false, "1:QUEUED 2:RUNNING 2:RUNNING 3:SUCCEEDED");
            history(commands, topics, "regression", t0.plusSeconds(60), false, "1:QUEUED 2:RUNNING 3:INITIALIZING 4:SUCCEEDED");
            commands.flush();
        }
        statusWriter.flush();
        Map<String, Long> offsetsBefore = allEndOffsets();
        Path cfg = config("audit");
        String from = t0.minus(Duration.ofMinutes(1)).toString();

        Result json = cli("replay", "--config", cfg.toString(), "--from", from, "--to", "+1m", "-o", "json",
                "--in-flight-grace", "0s");
        assertEquals(1, json.code, json.toString());
        Set<String> anomalies = new HashSet<>();
        Set<String> tasksSeen = new HashSet<>();
        List<String> jsonLines = json.out.strip().lines().toList();
        JsonNode summary = JSON.readTree(jsonLines.get(jsonLines.size() - 1));
        assertEquals("summary", summary.get("type").asText(), json.out);
        assertEquals(5, summary.get("anomalies").asInt());
        assertEquals(7, summary.get("tasks").asInt());
        assertEquals(1, summary.get("anomaliesByKind").get("SEQUENCE_GAP").asInt());
        assertTrue(json.err.contains("5 anomalies found"), json.err);
        for (String line : jsonLines.subList(0, jsonLines.size() - 1)) {
            JsonNode n = JSON.readTree(line);
            tasksSeen.add(n.get("taskId").asText());
            if (n.get("type").asText().equals("anomaly")) {
                anomalies.add(n.get("kind").asText() + " " + n.get("taskId").asText());
            }
        }
        assertEquals(Set.of("SEQUENCE_GAP gap", "EVENT_AFTER_TERMINAL after-terminal", "LAUNCH_WITHOUT_TERMINAL open",
                "DUPLICATE_EVENT_ID duplicate", "PHASE_REGRESSION regression"), anomalies, json.out);
        assertFalse(tasksSeen.contains("old-gap"), "out of the time range");
        assertEquals(7, tasksSeen.size(), tasksSeen.toString());

        Result oneTask = cli("replay", "--config", cfg.toString(), "--from", from, "--task", "ok-succeeded");
        assertEquals(0, oneTask.code, oneTask.toString());
        assertTrue(oneTask.out.contains("TASK ok-succeeded") && oneTask.out.contains("no anomalies"), oneTask.out);
        assertFalse(oneTask.out.contains("TASK gap"), oneTask.out);

        Result running = cli("replay", "--config", cfg.toString(), "--from", from, "--task", "open");
        assertEquals(0, running.code, "a task still running is not an anomaly by default (24h in-flight grace): " + running);

        Result byExecution = cli("replay", "--config", cfg.toString(), "--from", from, "--execution", "proj/dom/gap", "-o", "table");
        assertEquals(1, byExecution.code, byExecution.toString());
        assertTrue(byExecution.out.contains("SEQUENCE_GAP") && byExecution.out.contains("TASK gap"), byExecution.out);
        assertFalse(byExecution.out.contains("TASK open"), byExecution.out);

        Path html = dir.resolve("report.html");
        Result report = cli("replay", "--config", cfg.toString(), "--from", from, "-o", "html", "--out", html.toString());
        assertEquals(1, report.code, report.toString());
        String page = Files.readString(html);
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(html.toFile());
        NodeList groups = doc.getElementsByTagName("g");
        List<String> bars = new ArrayList<>();
        for (int i = 0; i < groups.getLength(); i++) {
            Element g = (Element) groups.item(i);
            if (g.getAttribute("class").equals("task-bar")) {
                bars.add(g.getAttribute("data-task"));
                assertTrue(g.getElementsByTagName("rect").getLength() >= 1, "segments of " + g.getAttribute("data-task"));
            }
        }
        assertEquals(7, bars.size(), bars.toString());
        assertEquals(7, new HashSet<>(bars).size());
        assertFalse(page.contains("<script") || page.contains("<link") || page.contains("src=") || page.contains("url("),
                "self-contained");

        // read-only: no consumer group, no record written anywhere, no topic created
        try (Admin admin = Admin.create(broker.clientProperties())) {
            List<String> groupsOnBroker = admin.listConsumerGroups().all().get(60, TimeUnit.SECONDS).stream()
                    .map(ConsumerGroupListing::groupId).toList();
            assertEquals(List.of(), groupsOnBroker);
        }
        assertEquals(offsetsBefore, allEndOffsets());
    }

    // ---------------------------------------------------------------- helpers

    /** A launch (and an abort) then status events given as {@code "1:QUEUED 2:RUNNING ..."}, one second apart. */
    private void history(KafkaProducer<String, TaskCommand> commands, Topics topics, String task, Instant start,
                         boolean abort, String events) throws Exception {
        List<Future<?>> sent = new ArrayList<>();
        ExecutionIdentity exec = new ExecutionIdentity("proj", "dom", task, "n0", 0);
        TaskCommand launch = DaskTask.builder().execution("proj", "dom", task, "n0", 0).taskId(task).image("img:1")
                .commandId("launch-" + task).build(PlatformConfig.defaults(), Clock.fixed(start, ZoneOffset.UTC));
        sent.add(commands.send(new ProducerRecord<>(topics.commands(), null, start.toEpochMilli(), task, launch)));
        if (abort) {
            TaskCommand a = TaskCommand.newBuilder().setCommandId("abort-" + task).setTaskId(task).setExecution(exec)
                    .setIssuedAt(start.plusSeconds(1)).setPayload(new AbortDaskJob("stop")).build();
            sent.add(commands.send(new ProducerRecord<>(topics.commands(), null, start.plusSeconds(1).toEpochMilli(), task, a)));
        }
        String[] tokens = events.split(" ");
        for (int i = 0; i < tokens.length; i++) {
            long seq = Long.parseLong(tokens[i].split(":")[0]);
            TaskPhase phase = TaskPhase.valueOf(tokens[i].split(":")[1]);
            boolean terminal = phase == TaskPhase.SUCCEEDED || phase == TaskPhase.FAILED || phase == TaskPhase.ABORTED;
            Instant at = start.plusSeconds(2 + i);
            TaskStatus s = status(task, seq, phase, 0, terminal, null, null);
            s.setExecution(exec);
            s.setOccurredAt(at);
            s.setObservedAt(at);
            sent.add(statusWriter.send(new ProducerRecord<>(topics.status(), null, at.toEpochMilli(), task, s)));
        }
        for (var f : sent) {
            f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    record Result(int code, String out, String err) {
        @Override
        public String toString() {
            return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    @CommandLine.Command(name = "daskrelay", subcommands = {SubmitCommand.class, CancelCommand.class, StatusCommand.class,
            FollowCommand.class, ReplayCommand.class, ListCommand.class})
    static final class Root {
    }

    static Result cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new Root());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        cl.setExitCodeExceptionMapper(t -> 2);
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    private Topics topics(String prefix) {
        Topics t = new Topics(prefix);
        broker.createTopics(3, t.commands(), t.status());
        awaitLeaders(t.commands(), t.status());
        return t;
    }

    /**
     * Waits until the broker leads every partition of the topics (a ListOffsets answer per partition): producing to
     * a partition the broker has not taken up yet gets NOT_LEADER, and an idempotent producer can then be stuck
     * with OUT_OF_ORDER_SEQUENCE_NUMBER until its delivery timeout expires the batch.
     */
    private void awaitLeaders(String... topics) {
        Properties p = DaskRelayClient.readerProperties(broker.clientProperties());
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            for (String topic : topics) {
                List<TopicPartition> tps = c.partitionsFor(topic, WAIT).stream()
                        .map(i -> new TopicPartition(topic, i.partition())).toList();
                assertEquals(tps.size(), c.endOffsets(tps, WAIT).size(), topic);
            }
        }
    }

    private KafkaSettings kafka(String prefix) {
        return new KafkaSettings(broker.bootstrapServers(), prefix, Map.of());
    }

    private static RegistrySettings registry() {
        return new RegistrySettings(Map.of("schema.registry.url", REGISTRY));
    }

    private DaskRelayClient client(String prefix, Clock clock) {
        return DaskRelayClient.builder().kafka(kafka(prefix)).registry(registry()).clock(clock).build();
    }

    private Path config(String prefix) throws Exception {
        Path f = dir.resolve(prefix + "-daskrelay.yaml");
        Files.writeString(f, "kafka:\n  bootstrapServers: " + broker.bootstrapServers() + "\n  topicPrefix: " + prefix
                + "\nregistry:\n  schema.registry.url: " + REGISTRY + "\n");
        return f;
    }

    private static TaskStatus status(String task, long seq, TaskPhase phase, int version, boolean terminal, TaskError error,
                                     ComponentsDetail components) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        return TaskStatus.newBuilder().setEventId(task + ":" + seq).setTaskId(task).setSequence(seq).setPhase(phase)
                .setPhaseVersion(version).setReason(phase.name().toLowerCase()).setError(error).setComponents(components)
                .setOccurredAt(now).setObservedAt(now).setTerminal(terminal).build();
    }

    private static ComponentsDetail workers(int ready, int desired) {
        return ComponentsDetail.newBuilder().setWorkersReady(ready).setWorkersDesired(desired).build();
    }

    private void writeStatus(Topics topics, TaskStatus s) throws Exception {
        statusWriter.send(new ProducerRecord<>(topics.status(), s.getTaskId(), s)).get(60, TimeUnit.SECONDS);
    }

    private <V> List<ConsumerRecord<String, V>> readAll(String topic, AvroSerde<V> serde) {
        Properties p = DaskRelayClient.readerProperties(broker.clientProperties());
        try (KafkaConsumer<String, V> c = new KafkaConsumer<>(p, new StringDeserializer(), serde.deserializer())) {
            List<TopicPartition> tps = c.partitionsFor(topic).stream().map(i -> new TopicPartition(topic, i.partition())).toList();
            c.assign(tps);
            c.seekToBeginning(tps);
            Map<TopicPartition, Long> end = c.endOffsets(tps);
            List<ConsumerRecord<String, V>> out = new ArrayList<>();
            Instant deadline = Instant.now().plus(WAIT);
            while (tps.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                assertTrue(Instant.now().isBefore(deadline), "reading " + topic);
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            return out;
        }
    }

    private <V> ConsumerRecord<String, V> awaitRecord(String topic, AvroSerde<V> serde, String key) {
        return awaitRecord(topic, serde, key, v -> true);
    }

    private <V> ConsumerRecord<String, V> awaitRecord(String topic, AvroSerde<V> serde, String key,
                                                      Predicate<V> wanted) {
        Instant deadline = Instant.now().plus(WAIT);
        while (Instant.now().isBefore(deadline)) {
            Optional<ConsumerRecord<String, V>> r = readAll(topic, serde).stream()
                    .filter(x -> key.equals(x.key()) && wanted.test(x.value())).reduce((a, b) -> b);
            if (r.isPresent()) {
                return r.get();
            }
            Thread.onSpinWait();
        }
        throw new AssertionError("no record for " + key + " on " + topic);
    }

    private long endOffset(String topic) {
        Properties p = DaskRelayClient.readerProperties(broker.clientProperties());
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> tps = c.partitionsFor(topic).stream().map(i -> new TopicPartition(topic, i.partition())).toList();
            return c.endOffsets(tps).values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private Map<String, Long> allEndOffsets() throws Exception {
        try (Admin admin = Admin.create(broker.clientProperties())) {
            Set<String> names = admin.listTopics().names().get(60, TimeUnit.SECONDS);
            Map<String, Long> out = new HashMap<>();
            for (String n : names) {
                out.put(n, endOffset(n));
            }
            return out.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        }
    }
}
