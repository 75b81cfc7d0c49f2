package dev.daskrelay.submitter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.daskrelay.avro.v1.TaskCommand;
import dev.daskrelay.schemas.config.DaskRelayConfig;
import dev.daskrelay.schemas.config.PlatformConfig;
import dev.daskrelay.schemas.task.InvalidTaskException;
import dev.daskrelay.schemas.task.Problem;
import dev.daskrelay.schemas.task.TaskFile;
import dev.daskrelay.submitter.client.SubmitterSettings;
import dev.daskrelay.submitter.query.SearchLimits;
import dev.daskrelay.submitter.replay.TimeArg;
import dev.daskrelay.submitter.sdk.Dask;
import dev.daskrelay.submitter.sdk.DaskTask;
import dev.daskrelay.submitter.sdk.Resources;
import dev.daskrelay.submitter.sdk.Scheduler;
import dev.daskrelay.submitter.sdk.WorkerGroup;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The SDK builder gives the same command as the task file with the same content, and the same validation. */
class DaskTaskTest {

    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-27T22:00:00Z"), ZoneOffset.UTC);
    static final PlatformConfig PLATFORM = PlatformConfig.defaults();

    @Test
    void builderAndTaskFileOfTheContractsExampleGiveTheSameCommand() {
        String yaml = """
                commandId: c-1
                execution: {project: flytesnacks, domain: development, name: a1b2c3, nodeId: n0, retryAttempt: 0}
                namespace: default
                serviceAccount: default
                image: ghcr.io/example/dask-app:1.4
                command: []
                args: ["python", "-m", "app.main"]
                resources:
                  requests: {cpu: "2", memory: 8G}
                  limits: {cpu: "8", memory: 17G, gpu: "1", ephemeralStorage: 10Gi}
                env: {FOO: bar, ALPHA: "1"}
                labels: {team: data}
                annotations: {region: SEA}
                interruptible: true
                timeout: 2h
                dask:
                  scheduler:
                    image: ghcr.io/example/dask-sched:1.4
                    resources: {limits: {cpu: "1", memory: 2Gi}}
                  workers:
                    numberOfWorkers: 10
                    resources: {requests: {cpu: "2"}, limits: {cpu: "4", memory: 10Gi}}
                """;
        TaskCommand fromFile = TaskFile.load(yaml, PLATFORM, CLOCK);
        TaskCommand fromBuilder = DaskTask.builder()
                .commandId("c-1")
                .execution("flytesnacks", "development", "a1b2c3", "n0", 0)
                .namespace("default").serviceAccount("default")
                .image("ghcr.io/example/dask-app:1.4")
                .args("python", "-m", "app.main")
                .requests(Resources.of("2", "8G"))
                .limits(Resources.of("8", "17G").withGpu("1").withEphemeralStorage("10Gi"))
                .env("FOO", "bar").env("ALPHA", "1")
                .label("team", "data").annotation("region", "SEA")
                .interruptible(true)
                .timeout(Duration.ofHours(2))
                .dask(Dask.of(Scheduler.DEFAULT.withImage("ghcr.io/example/dask-sched:1.4").withLimits(Resources.of("1", "2Gi")),
                        WorkerGroup.of(10).withRequests(Resources.NONE.withCpu("2")).withLimits(Resources.of("4", "10Gi"))))
                .build(PLATFORM, CLOCK);
        assertEquals(fromFile, fromBuilder);
        assertEquals("flytesnacks-development-a1b2c3-n0-0", fromBuilder.getTaskId());
    }

    @Test
    void minimalBuilderMatchesMinimalTaskFile() {
        TaskCommand fromFile = TaskFile.load("commandId: c-2\nexecution: {project: p, domain: d, name: e, nodeId: n0}\nimage: img:1\n",
                PLATFORM, CLOCK);
        TaskCommand fromBuilder = DaskTask.builder().commandId("c-2").execution("p", "d", "e", "n0", 0).image("img:1")
                .build(PLATFORM, CLOCK);
        assertEquals(fromFile, fromBuilder);
    }

    @Test
    void invalidBuilderReportsEveryProblemWithTaskFilePaths() {
        InvalidTaskException e = assertThrows(InvalidTaskException.class, () -> DaskTask.builder()
                .execution("p", "d", "e", "n0", 0)
                .limits(Resources.of("-1", "8GB"))
                .namespace("not-allowed")
                .timeout(Duration.ZERO)
                .dask(Dask.workers(0))
                .build(PLATFORM, CLOCK));
        List<String> paths = e.problems().stream().map(Problem::path).distinct().sorted().toList();
        assertEquals(List.of("dask.workers.numberOfWorkers", "image", "namespace", "resources.limits.cpu",
                "resources.limits.memory", "timeout"), paths, e.getMessage());
    }

    @Test
    void timeArgumentsAreIsoOrRelative() {
        Instant now = Instant.parse("2026-11-27T22:00:00Z");
        assertEquals(Instant.parse("2026-11-27T20:00:00Z"), TimeArg.parse("-2h", now));
        assertEquals(Instant.parse("2026-11-27T21:30:00Z"), TimeArg.parse("-30m", now));
        assertEquals(now, TimeArg.parse("now", now));
        assertEquals(Instant.parse("2026-11-27T21:00:00Z"), TimeArg.parse("2026-11-27T22:00:00+01:00", now));
        assertEquals(Instant.parse("2026-11-26T00:00:00Z"), TimeArg.parse("2026-11-26", now));
        assertThrows(IllegalArgumentException.class, () -> TimeArg.parse("yesterday", now));
    }

    @Test
    void theSubmitterSectionSetsTheStatusSearchLimits() {
        var cfg = DaskRelayConfig.parse("""
                submitter:
                  searchInitialWindow: 16
                  searchMaxAge: 48h
                """, "test");
        var limits = cfg.section("submitter", SubmitterSettings.class).searchLimits();
        assertEquals(16, limits.initialWindow());
        assertEquals(Duration.ofHours(48), limits.maxAge());
        assertEquals(SearchLimits.DEFAULT.maxRecords(), limits.maxRecords());
        assertThrows(DaskRelayConfig.ConfigException.class, () -> DaskRelayConfig
                .parse("submitter: {bogus: 1}", "test").section("submitter", SubmitterSettings.class));
    }
}
