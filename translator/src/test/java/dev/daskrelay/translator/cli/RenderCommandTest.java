package dev.daskrelay.translator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.daskrelay.translator.render.DaskJobCrd;
import dev.daskrelay.translator.render.DaskJobRenderer;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code daskrelay render}, run in-process through picocli with captured stdout and stderr. */
class RenderCommandTest {

    private static final String TASK = """
            execution:
              project: flytesnacks
              domain: development
              name: a1b2c3
              nodeId: n0
              retryAttempt: 0
            image: ghcr.io/example/dask-app:1.4
            args: ["python", "-m", "app.main"]
            resources:
              requests: {cpu: "2", memory: 8G}
              limits: {cpu: "8", memory: 17G}
            env: {FOO: bar}
            labels: {team: data}
            timeout: 2h
            dask:
              workers:
                numberOfWorkers: 3
                resources: {limits: {cpu: "4", memory: 10Gi}}
            """;

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private CommandLine cli;

    @BeforeEach
    void setUp() {
        cli = new CommandLine(new RenderCommand());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
    }

    private Path write(String name, String text) throws Exception {
        return Files.writeString(dir.resolve(name), text);
    }

    private int run(String... args) {
        return cli.execute(args);
    }

    /** The printed DaskJob, checked against the real CRD schema. */
    private static JsonNode crdValid(JsonNode job) {
        assertEquals(List.of(), DaskJobCrd.load().problems(job));
        return job;
    }

    private List<String> errLines() {
        return err.toString().lines().toList();
    }

    @Test
    void printsTheDaskJobAsYaml() throws Exception {
        int code = run(write("task.yaml", TASK).toString());
        assertEquals(0, code, err::toString);
        assertEquals("", err.toString());
        JsonNode job = crdValid(new ObjectMapper(new YAMLFactory()).readTree(out.toString()));
        assertEquals("DaskJob", job.path("kind").asText());
        assertEquals("flytesnacks-development-a1b2c3-n0-0", job.at("/metadata/name").asText());
        assertEquals("default", job.at("/metadata/namespace").asText());
        assertEquals(7200, job.at("/spec/job/spec/activeDeadlineSeconds").asInt());
        assertEquals(3, job.at("/spec/cluster/spec/worker/replicas").asInt());
        assertEquals("dask", job.at("/spec/cluster/spec/worker/spec/containers/0/args/0").asText());
        assertEquals("10Gi", job.at("/spec/cluster/spec/worker/spec/containers/0/resources/limits/memory").asText());
        assertEquals(job.at("/metadata/annotations/daskrelay.dev~1spec-hash").asText(), DaskJobRenderer.specHash(job));
        assertTrue(out.toString().startsWith("apiVersion: kubernetes.dask.org/v1\n"), out::toString);
    }

    @Test
    void printsJsonWithDashO() throws Exception {
        Path task = write("task.json", new ObjectMapper().writeValueAsString(
                new ObjectMapper(new YAMLFactory()).readTree(TASK)));
        assertEquals(0, run(task.toString(), "-o", "json"), err::toString);
        JsonNode job = crdValid(new ObjectMapper().readTree(out.toString()));
        assertEquals("kubernetes.dask.org/v1", job.path("apiVersion").asText());
        assertTrue(job.at("/spec/cluster/spec/scheduler/service/ports/0/targetPort").isTextual());
        assertTrue(out.toString().startsWith("{\n  \"apiVersion\": "), out::toString);
    }

    @Test
    void theSameFileAlwaysPrintsTheSameBytes() throws Exception {
        Path task = write("task.yaml", TASK);
        assertEquals(0, run(task.toString()));
        String first = out.toString();
        out.getBuffer().setLength(0);
        assertEquals(0, run(task.toString()));
        assertEquals(first, out.toString());
    }

    @Test
    void appliesThePlatformSectionOfTheConfig() throws Exception {
        Path config = write("daskrelay.yaml", """
                platform:
                  namespace: dask-jobs
                  serviceAccount: dask-runner
                  resources: {limits: {cpu: "4"}}
                  dask: {cli: legacy, schedulerServiceType: NodePort}
                """);
        assertEquals(0, run(write("task.yaml", TASK).toString(), "--config", config.toString()), err::toString);
        JsonNode job = crdValid(new ObjectMapper(new YAMLFactory()).readTree(out.toString()));
        assertEquals("dask-jobs", job.at("/metadata/namespace").asText());
        assertEquals("dask-runner", job.at("/spec/job/spec/serviceAccountName").asText());
        assertEquals("4", job.at("/spec/job/spec/containers/0/resources/limits/cpu").asText(), "clamped");
        assertEquals("dask-scheduler", job.at("/spec/cluster/spec/scheduler/spec/containers/0/args/0").asText());
        assertEquals("NodePort", job.at("/spec/cluster/spec/scheduler/service/type").asText());
    }

    @Test
    void invalidTaskExitsTwoWithOneLinePerProblem() throws Exception {
        Path task = write("bad.yaml", TASK.replace("numberOfWorkers: 3", "numberOfWorkers: 0")
                .replace("cpu: \"8\"", "cpu: lots")
                .replace("labels: {team: data}", "labels: {daskrelay.dev/task: mine}"));
        assertEquals(2, run(task.toString()));
        assertEquals("", out.toString());
        List<String> lines = errLines();
        assertTrue(lines.contains(task + ": dask.workers.numberOfWorkers: must be >= 1 (was 0)"), lines::toString);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith(task + ": resources.limits.cpu: not a Kubernetes quantity")),
                lines::toString);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith(task + ": labels[\"daskrelay.dev/task\"]: ")), lines::toString);
        assertEquals(lines.size(), lines.stream().map(l -> l.substring(0, l.indexOf(": ", task.toString().length() + 2)))
                .distinct().count(), () -> "each path once: " + lines);
    }

    @Test
    void renderOnlyProblemsAreReportedToo() throws Exception {
        // The task names no namespace; the platform default is not in the allow-list: only render sees this.
        Path config = write("daskrelay.yaml", """
                platform:
                  namespace: default
                  allowedNamespaces: [team-a]
                """);
        Path task = write("task.yaml", TASK);
        assertEquals(2, run(task.toString(), "--config", config.toString()));
        assertEquals(List.of(task + ": namespace: not allowed by the platform (allowed: team-a) (was \"default\", the platform default)"),
                errLines());
    }

    @Test
    void imageNotAllowedIsRefused() throws Exception {
        Path config = write("daskrelay.yaml", """
                platform:
                  allowedImages: ["ghcr.io/acme/*"]
                """);
        Path task = write("task.yaml", TASK);
        assertEquals(2, run(task.toString(), "--config", config.toString()));
        assertEquals(List.of(task + ": image: not allowed by the platform (allowed: ghcr.io/acme/*) (was \"ghcr.io/example/dask-app:1.4\")"),
                errLines());
    }

    @Test
    void syntaxErrorsNameTheDocument() throws Exception {
        Path broken = write("broken.yaml", "execution: [unclosed\n");
        assertEquals(2, run(broken.toString()));
        assertEquals(1, errLines().size(), err::toString);
        assertTrue(errLines().get(0).startsWith(broken + ": (file): not valid YAML"), err::toString);
    }

    @Test
    void unreadableFilesExitTwoWithAClearMessage() throws Exception {
        Path missing = dir.resolve("missing.yaml");
        assertEquals(2, run(missing.toString()));
        assertEquals(List.of(missing + ": (file): cannot read: no such file"), errLines());

        err.getBuffer().setLength(0);
        assertEquals(2, run(dir.toString()));
        assertEquals(List.of(dir + ": (file): cannot read: it is a directory"), errLines());

        err.getBuffer().setLength(0);
        Path task = write("task.yaml", TASK);
        assertEquals(2, run(task.toString(), "--config", dir.resolve("nope.yaml").toString()));
        assertEquals(List.of("error: cannot read config file " + dir.resolve("nope.yaml") + ": no such file"), errLines());
    }

    @Test
    void anInvalidConfigExitsTwo() throws Exception {
        Path task = write("task.yaml", TASK);
        Path config = write("daskrelay.yaml", "platform:\n  resources: {limits: {cpu: lots}}\n");
        assertEquals(2, run(task.toString(), "--config", config.toString()));
        assertEquals(List.of("error: " + config + ": platform.resources.limits.cpu: quantities must match the regular "
                + "expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$' (was \"lots\")"), errLines());
        err.getBuffer().setLength(0);
        Path unknownKey = write("unknown.yaml", "platform:\n  nosuchkey: 1\n");
        assertEquals(2, run(task.toString(), "--config", unknownKey.toString()));
        assertTrue(err.toString().startsWith("error: " + unknownKey), err::toString);
    }

    @Test
    void aProblemTheValidatorAndTheRendererBothSeePrintsOnce() throws Exception {
        Path task = write("task.yaml", TASK.replace("timeout: 2h", "timeout: -5m")
                .replace("labels: {team: data}", "annotations: {kubernetes.io/x: \"1\", daskrelay.dev/y: \"2\"}"));
        assertEquals(2, run(task.toString()));
        assertEquals(List.of(
                task + ": annotations[\"daskrelay.dev/y\"]: key prefix daskrelay.dev/ is reserved for daskrelay, the Dask "
                        + "operator and Kubernetes",
                task + ": annotations[\"kubernetes.io/x\"]: key prefix kubernetes.io/ is reserved for daskrelay, the Dask "
                        + "operator and Kubernetes",
                task + ": timeout: must be > 0 (was -5m)"), errLines());
    }

    @Test
    void readsTheTaskFromStandardInputWithDash() throws Exception {
        InputStream stdin = System.in;
        try {
            System.setIn(new ByteArrayInputStream(TASK.getBytes(StandardCharsets.UTF_8)));
            assertEquals(0, run("-"), err::toString);
            assertTrue(out.toString().contains("name: flytesnacks-development-a1b2c3-n0-0"), out::toString);
            out.getBuffer().setLength(0);
            System.setIn(new ByteArrayInputStream("execution: [\n".getBytes(StandardCharsets.UTF_8)));
            assertEquals(2, run("-"));
            assertTrue(errLines().get(0).startsWith("stdin: (file): not valid YAML"), err::toString);
        } finally {
            System.setIn(stdin);
        }
    }

    @Test
    void annotationKeysPrintSortedWithTheSpecHashAmongThem() throws Exception {
        Path task = write("task.yaml", TASK.replace("labels: {team: data}", "annotations: {zeta: \"1\", alpha: \"2\"}"));
        assertEquals(0, run(task.toString()), err::toString);
        JsonNode job = new ObjectMapper(new YAMLFactory()).readTree(out.toString());
        List<String> keys = new ArrayList<>();
        job.at("/metadata/annotations").fieldNames().forEachRemaining(keys::add);
        assertEquals(keys.stream().sorted().toList(), keys);
        assertTrue(keys.contains("daskrelay.dev/spec-hash"), keys::toString);
    }

    @Test
    void anAbortFileIsNotRendered() throws Exception {
        // The task-file format has no abort spelling; a file with an unknown key is a task-file problem.
        assertEquals(2, run(write("x.yaml", TASK + "abort: true\n").toString()));
        assertTrue(err.toString().contains("abort"), err::toString);
    }
}
