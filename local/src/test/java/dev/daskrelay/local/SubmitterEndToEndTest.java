package dev.daskrelay.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.daskrelay.avro.v1.TaskPhase;
import dev.daskrelay.avro.v1.TaskStatus;
import dev.daskrelay.submitter.client.DaskRelayClient;
import dev.daskrelay.submitter.client.StatusFollow;
import dev.daskrelay.submitter.client.TaskHandle;
import dev.daskrelay.submitter.sdk.Dask;
import dev.daskrelay.submitter.sdk.DaskTask;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The submitter against the whole pipeline (LocalStack: broker, translator, applier, in-memory Kubernetes with the
 * Dask operator simulator, watcher bridge, status topology): submit, follow to SUCCEEDED; cancel mid-run to
 * ABORTED; then a replay of both tasks finds no anomaly.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SubmitterEndToEndTest {

    static final Duration WAIT = Duration.ofSeconds(120);

    LocalStack stack;
    DaskRelayClient client;
    @TempDir
    Path dir;

    @BeforeAll
    void start() {
        stack = LocalStack.start(new LocalStack.Options(0, false, true, null, null, false, null), WAIT);
        client = DaskRelayClient.create(stack.config());
    }

    @AfterAll
    void stop() {
        if (client != null) {
            client.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void submitFollowsToSucceededAndCancelMidRunEndsAborted() throws Exception {
        TaskHandle ok = client.submit(task("e2e-ok", "1s"));
        List<TaskStatus> okEvents = followUntil(client.follow(ok), s -> false);
        TaskStatus okEnd = okEvents.get(okEvents.size() - 1);
        assertEquals(TaskPhase.SUCCEEDED, okEnd.getPhase(), okEvents.toString());
        assertConsecutive(okEvents);

        TaskHandle slow = client.submit(task("e2e-cancel", "10m"));
        List<TaskStatus> slowEvents;
        try (StatusFollow f = client.follow(slow)) {
            slowEvents = new ArrayList<>(read(f, s -> s.getPhase() == TaskPhase.RUNNING));
            assertEquals(TaskPhase.RUNNING, slowEvents.get(slowEvents.size() - 1).getPhase(), slowEvents.toString());
            client.cancel(slow.taskId(), "e2e cancel");
            slowEvents.addAll(read(f, s -> false));
        }
        TaskStatus slowEnd = slowEvents.get(slowEvents.size() - 1);
        assertEquals(TaskPhase.ABORTED, slowEnd.getPhase(), slowEvents.toString());
        assertConsecutive(slowEvents);
        assertEquals(slowEnd, client.status(slow.taskId()).orElseThrow());

        Path cfg = dir.resolve("daskrelay.yaml");
        Files.writeString(cfg, "kafka:\n  bootstrapServers: " + stack.bootstrapServers() + "\n  topicPrefix: "
                + stack.config().kafka().topicPrefix() + "\nregistry:\n  schema.registry.url: "
                + stack.config().registry().url() + "\n");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = DaskRelayCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute("replay", "--config", cfg.toString(), "--task", ok.taskId(), "--task", slow.taskId());
        assertEquals(0, code, out + "\n" + err);
        assertTrue(out.toString().contains("no anomalies"), out.toString());
    }

    private static DaskTask.Builder task(String name, String runFor) {
        return DaskTask.builder().execution("e2e", "development", name, "n0", 0)
                .image("ghcr.io/example/dask-app:1.4")
                .args("python", "-m", "app.main")
                .annotation("simulator.daskrelay.dev/scenario", "success")
                .annotation("simulator.daskrelay.dev/run-for", runFor)
                .dask(Dask.workers(2));
    }

    private static List<TaskStatus> followUntil(StatusFollow f, Predicate<TaskStatus> stop) {
        try (f) {
            return read(f, stop);
        }
    }

    /** Events until {@code stop} matches or the terminal one, within WAIT. */
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

    private static void assertConsecutive(List<TaskStatus> events) {
        for (int i = 0; i < events.size(); i++) {
            assertEquals(i + 1, events.get(i).getSequence(), events.toString());
        }
    }
}
