package dev.daskrelay.schemas.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.daskrelay.avro.v1.AbortDaskJob;
import dev.daskrelay.avro.v1.DaskScheduler;
import dev.daskrelay.avro.v1.DaskSpec;
import dev.daskrelay.avro.v1.DaskWorkerGroup;
import dev.daskrelay.avro.v1.EnvVar;
import dev.daskrelay.avro.v1.ExecutionIdentity;
import dev.daskrelay.avro.v1.LaunchDaskJob;
import dev.daskrelay.avro.v1.ResourceList;
import dev.daskrelay.avro.v1.Resources;
import dev.daskrelay.avro.v1.TaskCommand;
import dev.daskrelay.schemas.config.PlatformConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TaskFileTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-27T12:00:00Z"), ZoneOffset.UTC);

    private static String resource(String path) throws Exception {
        return Files.readString(TaskFileCorpusTest.corpus(path));
    }

    @Test
    void contractsExampleBecomesTheLaunchRecord() throws Exception {
        TaskFile.Parsed parsed = TaskFile.parse(resource("valid/contracts-example.yaml"), CLOCK, () -> "cmd-42");
        assertEquals(List.of(), parsed.problems());
        TaskCommand c = parsed.command();
        assertEquals("cmd-42", c.getCommandId());
        assertEquals("flytesnacks-development-a1b2c3-n0-0", c.getTaskId());
        assertEquals(new ExecutionIdentity("flytesnacks", "development", "a1b2c3", "n0", 0), c.getExecution());
        assertEquals(CLOCK.instant(), c.getIssuedAt());
        assertNull(c.getIssuedBy());
        LaunchDaskJob l = (LaunchDaskJob) c.getPayload();
        assertEquals("flytesnacks-development", l.getNamespace());
        assertEquals("default", l.getServiceAccount());
        assertEquals("ghcr.io/example/dask-app:1.4", l.getImage());
        assertEquals(List.of(), l.getCommand());
        assertEquals(List.of("python", "-m", "app.main"), l.getArgs());
        assertEquals(new Resources(new ResourceList("2", "8G", null, null), new ResourceList("8", "17G", null, null)),
                l.getResources());
        assertEquals(List.of(new EnvVar("FOO", "bar")), l.getEnv());
        assertEquals(Map.of("team", "data"), l.getLabels());
        assertEquals(Map.of("region", "SEA"), l.getAnnotations());
        assertFalse(l.getInterruptible());
        assertEquals(7200L, l.getTimeoutSeconds());
        assertEquals(new DaskSpec(
                new DaskScheduler("ghcr.io/example/dask-sched:1.4", new Resources(null, new ResourceList("1", "2Gi", null, null))),
                new DaskWorkerGroup(10, "ghcr.io/example/dask-app:1.4", new Resources(null, new ResourceList("4", "10Gi", null, null)))),
                l.getDask());
    }

    @Test
    void yamlAndJsonSpellingsGiveTheSameCommand() throws Exception {
        TaskCommand yaml = TaskFile.parse(resource("valid/contracts-example.yaml"), CLOCK, () -> "c").command();
        TaskCommand json = TaskFile.parse(resource("valid/contracts-example.json"), CLOCK, () -> "c").command();
        assertEquals(yaml, json);
    }

    @Test
    void taskIdIsDerivedFromTheExecutionWhenAbsent() {
        TaskCommand c = TaskFile.parse("""
                execution: {project: flytesnacks, domain: development, name: a1b2c3, nodeId: n0, retryAttempt: 2}
                dask: {workers: {numberOfWorkers: 1}}
                """, CLOCK).command();
        assertEquals("flytesnacks-development-a1b2c3-n0-2", c.getTaskId());
        assertEquals(c.getTaskId(), TaskId.derive(c.getExecution()));
    }

    @Test
    void commandIdIsKeptWhenGivenAndFreshOtherwise() {
        String text = "execution: {project: p, domain: d, name: e, nodeId: n0}\n";
        assertEquals("given-1", TaskFile.parse("commandId: given-1\n" + text, CLOCK).command().getCommandId());
        String a = TaskFile.parse(text, CLOCK).command().getCommandId();
        String b = TaskFile.parse(text, CLOCK).command().getCommandId();
        assertNotEquals(a, b);
    }

    @Test
    void absentDaskMeansOneWorkerAndEmptyScheduler() {
        LaunchDaskJob l = (LaunchDaskJob) TaskFile.parse("execution: {project: p, domain: d, name: e, nodeId: n0}\n",
                CLOCK).command().getPayload();
        assertEquals(new DaskSpec(new DaskScheduler(null, null), new DaskWorkerGroup(1, null, null)), l.getDask());
        assertNull(l.getTimeoutSeconds());
        assertNull(l.getResources());
    }

    @Test
    void envKeepsFileOrder() {
        String text = """
                execution: {project: p, domain: d, name: e, nodeId: n0}
                env: {ZED: "1", ALPHA: "2", MIDDLE: "3"}
                """;
        TaskCommand c = TaskFile.parse(text, CLOCK, () -> "c").command();
        List<String> names = ((LaunchDaskJob) c.getPayload()).getEnv().stream().map(EnvVar::getName).toList();
        assertEquals(List.of("ZED", "ALPHA", "MIDDLE"), names);
        String written = TaskFile.write(c, TaskFile.Format.YAML);
        assertTrue(written.indexOf("ZED") < written.indexOf("ALPHA") && written.indexOf("ALPHA") < written.indexOf("MIDDLE"),
                written);
    }

    @Test
    void snakeCaseSpellingsMeanTheSameAsCamelCase() {
        String camel = """
                taskId: t1
                execution: {project: p, domain: d, name: e, nodeId: n0, retryAttempt: 1}
                serviceAccount: sa
                resources: {limits: {ephemeralStorage: 1Gi}}
                dask: {workers: {numberOfWorkers: 3}}
                """;
        String snake = """
                task_id: t1
                execution: {project: p, domain: d, name: e, node_id: n0, retry_attempt: 1}
                service_account: sa
                resources: {limits: {ephemeral_storage: 1Gi}}
                dask: {workers: {number_of_workers: 3}}
                """;
        TaskFile.Parsed a = TaskFile.parse(camel, CLOCK, () -> "c");
        TaskFile.Parsed b = TaskFile.parse(snake, CLOCK, () -> "c");
        assertEquals(List.of(), b.problems());
        assertEquals(a.command(), b.command());
    }

    @Test
    void quantitiesAndNumbersKeepTheirWrittenText() {
        TaskCommand c = TaskFile.parse("""
                execution: {project: p, domain: d, name: e, nodeId: n0}
                resources: {limits: {cpu: 2.50, memory: 1e9, gpu: 0x10}}
                labels: {tier: 007}
                """, CLOCK).command();
        LaunchDaskJob l = (LaunchDaskJob) c.getPayload();
        assertEquals(new ResourceList("2.50", "1e9", "0x10", null), l.getResources().getLimits());
        assertEquals(Map.of("tier", "007"), l.getLabels());
    }

    @Test
    void loadThrowsWithEveryProblem() {
        InvalidTaskException e = assertThrows(InvalidTaskException.class, () -> TaskFile.load("""
                execution: {project: p, domain: d, name: e, nodeId: n0}
                image: ghcr.io/example/app:1
                resources: {limits: {memory: 8GB}}
                dask: {workers: {numberOfWorkers: 0, numberOfWorker: 2}}
                """, PlatformConfig.defaults(), CLOCK));
        assertEquals(List.of(
                "dask.workers.numberOfWorker: unknown key (did you mean numberOfWorkers?)",
                "resources.limits.memory: not a Kubernetes quantity, e.g. 500m, 2, 1.5, 8Gi or 8G (was \"8GB\")",
                "dask.workers.numberOfWorkers: must be >= 1 (was 0)"), e.getMessage().lines().toList());
        assertEquals(3, e.problems().size());
        assertEquals("dask.workers.numberOfWorkers", e.problems().get(2).path());
    }

    @Test
    void theImageMayComeFromThePlatform() {
        String text = "execution: {project: p, domain: d, name: e, nodeId: n0}\n";
        assertThrows(InvalidTaskException.class, () -> TaskFile.load(text, PlatformConfig.defaults(), CLOCK));
        PlatformConfig withImage = new PlatformConfig(null, null, null, null, "ghcr.io/example/default:1", null, null,
                null, null, null, null, null, null, null, null, null, null);
        LaunchDaskJob l = (LaunchDaskJob) TaskFile.load(text, withImage, CLOCK).getPayload();
        assertNull(l.getImage(), "the renderer fills in the platform image; the command keeps the task's own");
    }

    @Test
    void byteOrderMarkAndWindowsLineEndingsAreFine() {
        String yaml = "\uFEFFexecution:\r\n  project: p\r\n  domain: d\r\n  name: e\r\n  nodeId: n0\r\n";
        String json = "\uFEFF{\"execution\": {\"project\": \"p\", \"domain\": \"d\",\r\n \"name\": \"e\", \"nodeId\": \"n0\"}}\r\n";
        TaskFile.Parsed a = TaskFile.parse(yaml, CLOCK, () -> "c");
        TaskFile.Parsed b = TaskFile.parse(json, CLOCK, () -> "c");
        assertEquals(List.of(), a.problems());
        assertEquals(List.of(), b.problems());
        assertEquals(a.command(), b.command());
        assertEquals("p-d-e-n0-0", a.command().getTaskId());
    }

    @Test
    void formatFollowsTheFileName() {
        assertEquals(TaskFile.Format.JSON, TaskFile.Format.of(Path.of("x/task.JSON")));
        assertEquals(TaskFile.Format.YAML, TaskFile.Format.of(Path.of("task.yml")));
    }

    @Test
    void anAbortIsNoTaskFile() {
        TaskCommand abort = TaskCommand.newBuilder().setCommandId("c").setTaskId("t")
                .setExecution(new ExecutionIdentity("p", "d", "e", "n0", 0)).setIssuedAt(CLOCK.instant())
                .setPayload(new AbortDaskJob("user asked")).build();
        assertThrows(IllegalArgumentException.class, () -> TaskFile.write(abort, TaskFile.Format.YAML));
    }

    // ---- round trip: parse(write(x)) == x ----

    private static final List<String> AWKWARD = List.of("true", "false", "null", "~", "", " ", "yes", "no", "on", "off",
            "1e3", "0x10", "007", "-1", "1.50", ".5", "- dash", "a: b", "#hash", "key: [x]", "{x}", "multi\nline\n",
            " leading", "trailing ", "'single'", "\"double\"", "tab\there", "ünïcödé ✓", "back\\slash", "*star", "&anchor",
            "!tag", "%percent", "@at", "`tick`", "|", ">", "?", "x,y", "2h", "2026-11-27", "12:30:00");

    private static String pick(Random r) {
        return AWKWARD.get(r.nextInt(AWKWARD.size()));
    }

    private static String maybe(Random r) {
        return r.nextInt(3) == 0 ? null : pick(r);
    }

    private static ResourceList resourceList(Random r) {
        return r.nextInt(3) == 0 ? null : new ResourceList(maybe(r), maybe(r), maybe(r), maybe(r));
    }

    private static Resources resources(Random r) {
        return r.nextInt(3) == 0 ? null : new Resources(resourceList(r), resourceList(r));
    }

    private static TaskCommand randomLaunch(Random r) {
        List<String> args = new ArrayList<>();
        for (int i = r.nextInt(5); i > 0; i--) {
            args.add(pick(r));
        }
        List<EnvVar> env = new ArrayList<>();
        for (int i = r.nextInt(5); i > 0; i--) {
            env.add(new EnvVar(pick(r), pick(r))); // names may repeat: written as a list then
        }
        Map<String, String> labels = new LinkedHashMap<>();
        for (int i = r.nextInt(4); i > 0; i--) {
            labels.put(pick(r), pick(r));
        }
        LaunchDaskJob launch = LaunchDaskJob.newBuilder()
                .setNamespace(maybe(r)).setServiceAccount(maybe(r)).setImage(maybe(r))
                .setCommand(r.nextBoolean() ? List.of() : List.of(pick(r)))
                .setArgs(args).setResources(resources(r)).setEnv(env).setLabels(labels)
                .setAnnotations(r.nextBoolean() ? Map.of() : Map.of(pick(r), pick(r)))
                .setInterruptible(r.nextBoolean())
                .setTimeoutSeconds(r.nextBoolean() ? null : (long) r.nextInt(200_000) - 100)
                .setDask(new DaskSpec(new DaskScheduler(maybe(r), resources(r)),
                        new DaskWorkerGroup(r.nextInt(2000) - 5, maybe(r), resources(r))))
                .build();
        return TaskCommand.newBuilder()
                .setCommandId("cmd-" + r.nextInt(1000))
                .setTaskId(r.nextBoolean() ? pick(r) : "task-" + r.nextInt(1000))
                .setExecution(new ExecutionIdentity(pick(r), pick(r), pick(r), pick(r), r.nextInt(5) - 1))
                .setIssuedAt(CLOCK.instant())
                .setPayload(launch)
                .build();
    }

    @Test
    void mangledFilesGiveProblemsNeverExceptions() throws Exception {
        Random r = new Random(7L);
        String[] seeds = {resource("valid/contracts-example.yaml"), resource("valid/contracts-example.json"),
                resource("valid/env-list-and-scalars.yaml")};
        String noise = ":{}[]-#&*!|>'\"\t\n ,?%@`\\0123456789e.";
        PlatformConfig platform = TaskFileCorpusTest.platform();
        for (int i = 0; i < 2000; i++) {
            StringBuilder text = new StringBuilder(seeds[r.nextInt(seeds.length)]);
            for (int edits = 1 + r.nextInt(4); edits > 0; edits--) {
                int at = r.nextInt(text.length());
                switch (r.nextInt(3)) {
                    case 0 -> text.deleteCharAt(at);
                    case 1 -> text.insert(at, noise.charAt(r.nextInt(noise.length())));
                    default -> text.setLength(at);
                }
                if (text.length() == 0) {
                    break;
                }
            }
            TaskFile.Parsed parsed = TaskFile.parse(text.toString(), CLOCK, () -> "c");
            if (parsed.command() == null) {
                assertFalse(parsed.problems().isEmpty(), text.toString());
            } else {
                TaskValidator.validate(parsed.command(), platform);
            }
        }
    }

    @Test
    void writingThenParsingGivesTheSameCommand() {
        Random r = new Random(20261127L);
        for (int i = 0; i < 300; i++) {
            TaskCommand original = randomLaunch(r);
            for (TaskFile.Format format : TaskFile.Format.values()) {
                String text = TaskFile.write(original, format);
                TaskFile.Parsed parsed = TaskFile.parse(text, CLOCK, () -> "unused");
                assertEquals(List.of(), parsed.problems(), text);
                assertEquals(original, parsed.command(), format + " case " + i + ":\n" + text);
            }
            TaskValidator.validate(original, PlatformConfig.defaults()); // never throws, whatever the content
        }
    }
}
