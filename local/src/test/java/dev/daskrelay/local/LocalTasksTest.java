package dev.daskrelay.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.daskrelay.avro.v1.TaskPhase;
import dev.daskrelay.schemas.config.PlatformConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Task loading of {@code daskrelay local} without picocli, a stack or files. */
class LocalTasksTest {

    private static final Clock CLOCK = Clock.systemUTC();
    private static final PlatformConfig PLATFORM = PlatformConfig.defaults();

    private static LocalTasks.TaskSource source(String name, String text) {
        return new LocalTasks.TaskSource(name, text);
    }

    @Test
    void theBundledExamplesLoadWithTheirExpectedEnds() {
        LocalTasks.Loaded loaded = LocalTasks.load(PLATFORM, List.of(), CLOCK);
        assertEquals(List.of(), loaded.problems());
        assertEquals(List.of("bundled example success", "bundled example failure", "bundled example interruptible"),
                loaded.tasks().stream().map(LocalTasks.LocalTask::source).toList());
        assertEquals(List.of(TaskPhase.SUCCEEDED, TaskPhase.FAILED, TaskPhase.SUCCEEDED),
                loaded.tasks().stream().map(LocalTasks.LocalTask::expected).toList());
    }

    @Test
    void everyProblemOfEveryFileIsCollectedAndNothingOfABadFileIsKept() {
        String success = LocalTasks.bundled("success");
        String tooMany = success.replace("numberOfWorkers: 2", "numberOfWorkers: 100000")
                .replace("name: hello-dask", "name: too-many");
        String badExpect = success.replace("simulator.daskrelay.dev/scenario: success",
                "simulator.daskrelay.dev/expect: RUNNING").replace("name: hello-dask", "name: bad-expect");
        LocalTasks.Loaded loaded = LocalTasks.parse(PLATFORM, List.of(source("a.yaml", success),
                source("b.yaml", tooMany), source("c.yaml", badExpect), source("d.yaml", success)), CLOCK);
        assertEquals(List.of("a.yaml"), loaded.tasks().stream().map(LocalTasks.LocalTask::source).toList());
        List<String> problems = loaded.problems();
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("b.yaml: dask.workers.numberOfWorkers")), problems::toString);
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("c.yaml: annotations.simulator.daskrelay.dev/expect")),
                problems::toString);
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("d.yaml: taskId: ") && p.endsWith("twice in this run")),
                problems::toString);
    }

    @Test
    void aMissingFileIsAProblemNotAnException() {
        Path missing = Path.of("no", "such", "task.yaml");
        LocalTasks.Loaded loaded = LocalTasks.load(PLATFORM, List.of(missing), CLOCK);
        assertEquals(List.of(missing + ": (file): cannot read: no such file"), loaded.problems(),
                "worded as render and submit word it");
        assertEquals(List.of(), loaded.tasks());
    }

    @Test
    void optionProblemsAreCollectedTogether() {
        LocalOptions.Checked checked = new LocalOptions(Path.of("no-such.yaml"), "soon", 70000, Path.of("no-kube"),
                null, false).check();
        assertEquals(List.of("--config: no such file: no-such.yaml",
                "--timeout: must be a duration like 90s, 15m, 2h or 1h30m (was \"soon\")",
                "--kafka-port: must be 0..65535",
                "--kubeconfig: no such file: no-kube"), checked.problems());
        LocalOptions.Checked simulatorAlone = new LocalOptions(null, "5m", 0, null, null, true).check();
        assertEquals(1, simulatorAlone.problems().size());
        assertTrue(simulatorAlone.problems().get(0).startsWith("--simulator: "));
        LocalOptions.Checked fine = new LocalOptions(null, "90s", 0, null, null, false).check();
        assertTrue(fine.ok());
        assertEquals(Duration.ofSeconds(90), fine.runTimeout());
    }
}
