package dev.daskrelay.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.daskrelay.avro.v1.TaskPhase;
import dev.daskrelay.avro.v1.TaskStatus;
import dev.daskrelay.schemas.task.TaskFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Conformance: every scenario on the real cluster (real control plane, kwok, the real Dask operator) and on the
 * in-memory API with the operator simulator, through the same pipeline (translator and watcher processes). Each run
 * must show what the scenario promises; then the two timelines of each scenario (phase sequence, terminal phase,
 * error code/kind/retryable) must be equal. The table of both is written to {@code target/e2e/conformance.md} and
 * must equal the one in docs/SIMULATOR.md, so the documented table is always the one a run produced.
 */
@Order(1)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConformanceE2E {

    static final Duration SCENARIOS = Duration.ofMinutes(4);
    static final String BEGIN = "<!-- conformance-table:begin -->";
    static final String END = "<!-- conformance-table:end -->";

    private final Map<String, Map<String, Timeline>> timelines = new LinkedHashMap<>();
    private SimulatedCluster simulated;

    @Test
    @Order(1)
    void realCluster() {
        runEverything(RealCluster.shared());
    }

    @Test
    @Order(2)
    void simulator() {
        simulated = new SimulatedCluster(E2eFiles.workDir().resolve("simulator"));
        runEverything(simulated);
    }

    @Test
    @Order(3)
    void simulatorAndRealClusterPublishTheSameTimelines() throws IOException {
        Map<String, Timeline> real = timelines.get("real");
        Map<String, Timeline> sim = timelines.get("simulator");
        if (real == null || sim == null) {
            fail("both back ends must have run: " + timelines.keySet());
        }
        String table = table(real, sim);
        Path out = E2eFiles.workDir().resolve("conformance.md");
        Files.writeString(out, table);
        List<String> differences = new ArrayList<>();
        real.forEach((k, t) -> {
            if (!t.equals(sim.get(k))) {
                differences.add(k + ": real " + t + " / simulator " + sim.get(k));
            }
        });
        assertEquals(List.of(), differences, "the simulator must publish what the real cluster publishes (table in " + out + ")");
        String doc = Files.readString(E2eFiles.repo().resolve("docs/SIMULATOR.md"));
        int b = doc.indexOf(BEGIN);
        int e = doc.indexOf(END);
        if (b < 0 || e < b) {
            fail("docs/SIMULATOR.md has no " + BEGIN + " ... " + END + " section for the table of " + out);
        }
        assertEquals(table.strip(), doc.substring(b + BEGIN.length(), e).strip(),
                "docs/SIMULATOR.md's conformance table is not the one this run produced: copy " + out + " into it");
    }

    @AfterAll
    void stop() {
        if (simulated != null) {
            simulated.close();
        }
    }

    private void runEverything(KubeBackend kube) {
        Map<String, Timeline> mine = new LinkedHashMap<>();
        timelines.put(kube.name(), mine);
        List<String> problems = new ArrayList<>();
        try (Pipeline p = Pipeline.start(kube, Pipeline.Options.of("conformance-" + kube.name())
                .watcher("stuckAfter", "20s"))) {
            // 1. every scenario at once, with the operator up
            Map<String, ScenarioRun.Result> results = ScenarioRun.run(p, Scenario.withOperator(), "r1", SCENARIOS);
            for (ScenarioRun.Result r : results.values()) {
                problems.addAll(ScenarioRun.check(p, r));
                mine.put(r.scenario().key(), r.timeline());
            }
            // 2. the operator is down while a task is launched, then comes back: the task goes on and succeeds
            kube.stopOperator();
            String late;
            try {
                late = submit(p, "success", "r2-late");
                p.statuses().awaitPhase(late, TaskPhase.INITIALIZING, Duration.ofMinutes(1));
            } finally {
                kube.startOperator();
            }
            List<TaskStatus> lateEvents = p.statuses().awaitTerminal(late, Duration.ofMinutes(2));
            assertEquals(TaskPhase.SUCCEEDED, last(lateEvents).getPhase(), Timeline.describe(lateEvents));
            mine.put("success/operator-down-then-up", Timeline.of(lateEvents));
            // 3. the operator stays down: the task never leaves INITIALIZING and is failed as Stuck (and deleted)
            kube.stopOperator();
            try {
                String stuck = submit(p, "success", "r3-stuck");
                List<TaskStatus> stuckEvents = p.statuses().awaitTerminal(stuck, Duration.ofMinutes(2));
                assertEquals("Stuck/SYSTEM/retryable", Timeline.error(last(stuckEvents).getError()),
                        Timeline.describe(stuckEvents));
                mine.put("operator-stuck", Timeline.of(stuckEvents));
            } finally {
                kube.startOperator();
            }
        }
        assertEquals(List.of(), problems, "what every scenario promises, on " + kube.name());
    }

    private static String submit(Pipeline p, String scenario, String run) {
        String text = E2eFiles.resource("scenarios/" + scenario + ".yaml").replace("${RUN}", run);
        return p.client().submit(TaskFile.load(text, p.config().platform(), Clock.systemUTC())).taskId();
    }

    private static TaskStatus last(List<TaskStatus> events) {
        return events.get(events.size() - 1);
    }

    /** The markdown table of both back ends' timelines, one row per scenario. */
    static String table(Map<String, Timeline> real, Map<String, Timeline> sim) {
        StringBuilder sb = new StringBuilder();
        sb.append("| scenario | phases (real cluster) | error (real cluster) | same on the simulator |\n");
        sb.append("|---|---|---|---|\n");
        real.forEach((k, t) -> sb.append("| ").append(k).append(" | ").append(t.phaseText()).append(" | ")
                .append(t.error() == null ? "—" : "`" + t.error() + "`").append(" | ")
                .append(t.equals(sim.get(k)) ? "yes" : "**no**: " + sim.get(k)).append(" |\n"));
        return sb.toString();
    }
}
