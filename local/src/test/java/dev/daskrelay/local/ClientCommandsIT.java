package dev.daskrelay.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.daskrelay.avro.v1.TaskPhase;
import dev.daskrelay.avro.v1.TaskStatus;
import dev.daskrelay.embedded.EmbeddedKafka;
import dev.daskrelay.embedded.KafkaBroker;
import dev.daskrelay.schemas.Topics;
import dev.daskrelay.schemas.config.RegistrySettings;
import dev.daskrelay.schemas.serde.AvroSerde;
import dev.daskrelay.schemas.serde.AvroSerdes;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client commands as users run them: the shaded jar in a child JVM, so that what is the process's own
 * behaviour (exit codes, how long it takes to give up, what reaches stderr) is what is tested. One embedded broker
 * for the class (no pipeline: the tests write the status events themselves, as the status topology would, with the
 * registry the CLI uses by default, {@code bundled://}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClientCommandsIT {

    /**
     * How long a command without Kafka may take. Its connection check gives up after 5 s; JVM start and the
     * check's own work come on top on a loaded 2-core machine. Before the check it took 31 s (61 s for replay),
     * the clients' own timeouts: this bound tells the two apart, it is not a performance target.
     */
    private static final Duration NO_KAFKA_BOUND = Duration.ofSeconds(25);
    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(120);

    @TempDir
    Path dir;

    KafkaBroker broker;
    AvroSerde<TaskStatus> statusSerde;
    KafkaProducer<String, TaskStatus> statusWriter;

    @BeforeAll
    void start() {
        broker = KafkaBroker.forTests();
        broker.createTopics(3, new Topics(Topics.DEFAULT_PREFIX).all().toArray(String[]::new));
        statusSerde = AvroSerdes.specific(TaskStatus.class, Map.of(RegistrySettings.URL_KEY, RegistrySettings.DEFAULT_URL), false);
        statusWriter = new KafkaProducer<>(broker.clientProperties(), new StringSerializer(), statusSerde.serializer());
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

    @Test
    void withoutKafkaEveryClientCommandFailsWithinSecondsInOneLineThatSaysWhatToDo() throws Exception {
        String nobody = "127.0.0.1:" + freePort();
        Path task = Files.writeString(dir.resolve("task.yaml"), LocalTasks.bundled("success"));
        List<List<String>> commands = List.of(List.of("submit", task.toString()), List.of("status", "some-task"),
                List.of("cancel", "some-task"), List.of("follow", "some-task"), List.of("list"), List.of("replay"));
        for (List<String> command : commands) {
            Instant t0 = Instant.now();
            Run r = run(nobody, command.toArray(String[]::new));
            Duration took = Duration.between(t0, Instant.now());
            assertEquals(1, r.exitCode(), r::describe);
            List<String> lines = r.err().lines().toList();
            assertEquals(1, lines.size(), () -> "one line on stderr, no Kafka client warnings\n" + r.describe());
            assertTrue(lines.get(0).startsWith("error: cannot reach Kafka at " + nobody + ": no broker answered within 5s. "
                    + "Start a local stack with 'daskrelay local --keep-running', or point the CLI at your Kafka with "
                    + "DASKRELAY_BOOTSTRAP_SERVERS"), r::describe);
            assertTrue(took.compareTo(NO_KAFKA_BOUND) < 0, command + " took " + took);
        }
    }

    @Test
    void argumentsAreCheckedBeforeAnythingConnects() throws Exception {
        String nobody = "127.0.0.1:" + freePort();
        Run replay = run(nobody, "replay", "--timeout", "0s");
        assertEquals(2, replay.exitCode(), replay::describe);
        assertEquals("error: --timeout: must be more than 0 (was \"0s\")\n", replay.err());
        Run grace = run(nobody, "replay", "--in-flight-grace", "later");
        assertEquals(2, grace.exitCode(), grace::describe);
        assertTrue(grace.err().startsWith("error: --in-flight-grace: must be a duration like 90s"), grace::describe);
        Path bad = Files.writeString(dir.resolve("bad.yaml"), "execution: {project: p, domain: d, name: n, nodeId: n0}\n"
                + "image: ghcr.io/example/../evil:1\n");
        Run submit = run(nobody, "submit", bad.toString());
        assertEquals(2, submit.exitCode(), submit::describe);
        assertTrue(submit.err().startsWith(bad + ": image: not a valid image reference"), submit::describe);
        Run status = run(nobody, "status", "not/a/task");
        assertEquals(2, status.exitCode(), status::describe);
    }

    @Test
    void everySubcommandPrintsTheVersionAndItsHelpHasExamples() throws Exception {
        for (String sub : List.of("submit", "status", "cancel", "follow", "list", "replay", "render", "local",
                "translator", "watcher")) {
            Run v = run(null, sub, "-V");
            assertEquals(0, v.exitCode(), v::describe);
            assertTrue(v.out().matches("daskrelay \\S+ \\(Java .*\\)\\n"), () -> sub + " -V: " + v.describe());
            Run help = run(null, sub, "--help");
            assertEquals(0, help.exitCode(), help::describe);
            assertTrue(help.out().contains("\nExamples:\n  daskrelay " + sub), () -> sub + " --help: " + help.out());
        }
        Run submitHelp = run(null, "submit", "--help");
        assertTrue(submitHelp.out().matches("(?s).*TASK_FILE\\.\\.\\.\\s+Task files \\(YAML or JSON.*"), submitHelp.out());
    }

    @Test
    void aSubmitPrintsOnlyItsAnswerAndAResubmitIsADuplicate() throws Exception {
        Path task = Files.writeString(dir.resolve("once.yaml"), """
                execution: {project: it, domain: d, name: once, nodeId: n0, retryAttempt: 0}
                image: ghcr.io/example/dask-app:1.4
                """);
        Run first = run(broker.bootstrapServers(), "submit", task.toString());
        assertEquals(0, first.exitCode(), first::describe);
        assertTrue(first.out().startsWith("submitted it-d-once-n0-0 (command "), first::describe);
        assertEquals("", first.err(), "no INFO log lines on stderr");

        Run again = run(broker.bootstrapServers(), "submit", task.toString());
        assertEquals(3, again.exitCode(), again::describe);
        assertTrue(again.err().startsWith(task + ": duplicate: task it-d-once-n0-0 was already launched by command "),
                again::describe);
        assertTrue(again.err().contains("set execution.retryAttempt: 1"), again::describe);

        Run follow = run(broker.bootstrapServers(), "follow", "no-such-task-anywhere");
        assertEquals(1, follow.exitCode(), follow::describe);
        assertTrue(follow.err().startsWith("error: no status for task no-such-task-anywhere"), follow::describe);
    }

    @Test
    void followNoticesThatKafkaWentAwayAndExitsOne() throws Exception {
        EmbeddedKafka own = EmbeddedKafka.start(new EmbeddedKafka.Options(0, dir.resolve("own-broker"), true));
        Process p;
        Path out = dir.resolve("follow.out");
        Path err = dir.resolve("follow.err");
        try {
            own.createTopics(3, new Topics(Topics.DEFAULT_PREFIX).all().toArray(String[]::new));
            Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            Properties props = own.clientProperties();
            try (KafkaProducer<String, TaskStatus> writer = new KafkaProducer<>(props, new StringSerializer(),
                    statusSerde.serializer())) {
                writer.send(new ProducerRecord<>(new Topics(Topics.DEFAULT_PREFIX).status(), "going-away",
                        TaskStatus.newBuilder().setEventId("going-away:1").setTaskId("going-away").setSequence(1)
                                .setPhase(TaskPhase.RUNNING).setReason("workers ready 1/1").setOccurredAt(now)
                                .setObservedAt(now).build())).get(60, TimeUnit.SECONDS);
            }
            p = start(own.bootstrapServers(), out, err, "follow", "going-away");
            awaitFile(out, s -> s.contains("going-away  #1 RUNNING"), p);
        } finally {
            own.close();
        }
        if (!p.waitFor(RUN_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("follow kept running after Kafka went away\n" + Files.readString(err));
        }
        Run r = new Run(p.exitValue(), Files.readString(out), Files.readString(err));
        assertEquals(1, r.exitCode(), r::describe);
        assertTrue(r.err().startsWith("error: lost contact with Kafka"), r::describe);
        assertEquals(1, r.err().lines().count(), () -> "no client warnings\n" + r.describe());
    }

    // ---------------------------------------------------------------------------------------------------------

    record Run(int exitCode, String out, String err) {
        String describe() {
            return "exit code " + exitCode + "\n--- stdout ---\n" + out + "\n--- stderr ---\n" + err;
        }
    }

    private Run run(String bootstrap, String... args) throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "stdout", ".txt");
        Path err = Files.createTempFile(dir, "stderr", ".txt");
        Process p = start(bootstrap, out, err, args);
        if (!p.waitFor(RUN_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            fail("daskrelay " + String.join(" ", args) + " did not finish\n" + Files.readString(err));
        }
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    private static Process start(String bootstrap, Path out, Path err, String... args) throws IOException {
        String jar = System.getProperty("daskrelay.jar", "target/daskrelay.jar");
        assertTrue(Files.isRegularFile(Path.of(jar)), "the shaded jar must exist (mvn package): " + jar);
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms64m", "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar", jar));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().remove("DASKRELAY_TOPIC_PREFIX");
        pb.environment().remove("DASKRELAY_SCHEMA_REGISTRY_URL");
        if (bootstrap == null) {
            pb.environment().remove("DASKRELAY_BOOTSTRAP_SERVERS");
        } else {
            pb.environment().put("DASKRELAY_BOOTSTRAP_SERVERS", bootstrap);
        }
        return pb.start();
    }

    /** Waits (bounded) until the file's content matches, failing early if the process ended. */
    private static void awaitFile(Path file, Predicate<String> done, Process p) throws Exception {
        Instant deadline = Instant.now().plus(RUN_TIMEOUT);
        while (!done.test(Files.readString(file))) {
            if (!p.isAlive()) {
                fail("ended early with " + p.exitValue() + ": " + Files.readString(file));
            }
            if (Instant.now().isAfter(deadline)) {
                fail("not seen within " + RUN_TIMEOUT + ": " + Files.readString(file));
            }
            try {
                p.onExit().get(100, TimeUnit.MILLISECONDS);
            } catch (TimeoutException stillRunning) {
                // look at the file again
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
