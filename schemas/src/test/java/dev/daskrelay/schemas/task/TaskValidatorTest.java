package dev.daskrelay.schemas.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Rules the task-file corpus cannot show well: Avro-only shapes, sizes, platform variations. */
class TaskValidatorTest {

    private static final PlatformConfig PLATFORM = PlatformConfig.defaults();

    private static TaskCommand launch(Consumer<LaunchDaskJob.Builder> edit) {
        LaunchDaskJob.Builder b = LaunchDaskJob.newBuilder().setImage("ghcr.io/example/app:1")
                .setDask(new DaskSpec(new DaskScheduler(null, null), new DaskWorkerGroup(1, null, null)));
        edit.accept(b);
        ExecutionIdentity e = new ExecutionIdentity("p", "d", "e", "n0", 0);
        return TaskCommand.newBuilder().setCommandId("c-1").setTaskId(TaskId.derive(e)).setExecution(e)
                .setIssuedAt(Instant.EPOCH).setPayload(b.build()).build();
    }

    private static List<String> problems(TaskCommand c) {
        return TaskValidator.validate(c, PLATFORM).lines();
    }

    @Test
    void aMinimalLaunchIsValid() {
        assertEquals(List.of(), problems(launch(b -> { })));
    }

    @Test
    void simulatorKnobsAreNotReserved() {
        assertEquals(List.of(), problems(launch(b -> b.setAnnotations(Map.of(
                "simulator.daskrelay.dev/scenario", "runner-exit:1",
                "simulator.daskrelay.dev/run-for", "2s")))));
        assertEquals(List.of("annotations[\"daskrelay.dev/scenario\"]: key prefix daskrelay.dev/ is reserved for"
                + " daskrelay, the Dask operator and Kubernetes"),
                problems(launch(b -> b.setAnnotations(Map.of("daskrelay.dev/scenario", "x")))));
    }

    @Test
    void reservedPrefixes() {
        for (String key : List.of("daskrelay.dev/a", "daskrelay.example.com/a", "dask.org/a", "x.dask.org/a",
                "kubernetes.io/a", "node-role.kubernetes.io/a", "k8s.io/a", "x.k8s.io/a")) {
            assertTrue(KubernetesNames.reservedPrefix(key).isPresent(), key);
        }
        for (String key : List.of("simulator.daskrelay.dev/scenario", "daskrelay", "daskrelay.dev", "mydask.org/a",
                "notkubernetes.io/a", "example.com/kubernetes.io", "team")) {
            assertTrue(KubernetesNames.reservedPrefix(key).isEmpty(), key);
        }
    }

    @Test
    void annotationsTotalSizeIsBounded() {
        Map<String, String> big = new HashMap<>();
        for (int i = 0; i < 5; i++) {
            big.put("a" + i, "x".repeat(60 * 1024));
        }
        assertEquals(List.of("annotations: keys and values must total no more than 262144 bytes (was 307210)"),
                problems(launch(b -> b.setAnnotations(big))));
    }

    @Test
    void theWholeCommandIsBounded() {
        List<String> args = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            args.add("y".repeat(16 * 1024));
        }
        List<String> p = problems(launch(b -> b.setArgs(args)));
        assertEquals(1, p.size(), p.toString());
        assertTrue(p.get(0).startsWith("(file): the command must be no more than 524288 bytes encoded (was 6"), p.get(0));
    }

    @Test
    void avroShapesAFileCannotHave() {
        List<String> p = problems(launch(b -> b
                .setEnv(List.of(new EnvVar("A", "1"), new EnvVar("A", "2")))
                .setArgs(List.of("ok", "nul\0byte"))
                .setTimeoutSeconds(-1L)));
        assertEquals(List.of("args[1]: must not contain NUL characters", "env[\"A\"]: given more than once",
                "timeout: must be > 0 (was -1s)"), p);
    }

    @Test
    void nullCollectionsOfAHandBuiltRecordCountAsEmpty() {
        TaskCommand c = launch(b -> { });
        LaunchDaskJob l = (LaunchDaskJob) c.getPayload();
        l.setArgs(null);
        l.setCommand(null);
        l.setEnv(null);
        l.setLabels(null);
        l.setAnnotations(null);
        assertEquals(List.of(), problems(c));
    }

    @Test
    void gpuMustBeWholeButMayUseSuffixes() {
        assertEquals(List.of(), problems(launch(b -> b.setResources(
                new Resources(null, new ResourceList(null, null, "2", null))))));
        assertEquals(List.of(), problems(launch(b -> b.setResources(
                new Resources(null, new ResourceList(null, null, "1k", null))))));
        assertEquals(List.of("resources.limits.gpu: must be a whole number (was \"500m\")"), problems(launch(b -> b.setResources(
                new Resources(null, new ResourceList(null, null, "500m", null))))));
    }

    @Test
    void workersAreBoundedByThePlatform() {
        assertEquals(1000, PLATFORM.maxWorkers());
        assertEquals(List.of(), problems(launch(b -> b.setDask(new DaskSpec(new DaskScheduler(null, null),
                new DaskWorkerGroup(1000, null, null))))));
        assertEquals(List.of("dask.workers.numberOfWorkers: must be <= 1000, the platform's maxWorkers (was 1001)"),
                problems(launch(b -> b.setDask(new DaskSpec(new DaskScheduler(null, null),
                        new DaskWorkerGroup(1001, null, null))))));
    }

    @Test
    void anAbortNeedsOnlyItsIdentity() {
        ExecutionIdentity e = new ExecutionIdentity("p", "d", "e", "n0", 0);
        TaskCommand abort = TaskCommand.newBuilder().setCommandId("c").setTaskId("p-d-e-n0-0").setExecution(e)
                .setIssuedAt(Instant.EPOCH).setPayload(new AbortDaskJob("because")).build();
        assertEquals(List.of(), problems(abort));
        abort.setPayload(new AbortDaskJob("r".repeat(5000)));
        abort.setCommandId("has space");
        assertEquals(List.of("commandId: must consist of letters, digits, '.', '_', ':' or '-' (was \"has space\")",
                "reason: must be no more than 4096 bytes (was 5000)"), problems(abort));
    }

    @Test
    void explicitTaskIdIsCheckedAndAnEmptyOneRefused() {
        TaskCommand c = launch(b -> { });
        c.setTaskId("");
        assertEquals(List.of("taskId: must not be empty"), problems(c));
        c.setTaskId("x".repeat(301));
        assertEquals(List.of("taskId: must be no more than 300 characters (was 301)"), problems(c));
        c.setTaskId("my.custom_id-1");
        assertEquals(List.of(), problems(c));
    }

    @Test
    void throwIfInvalidCarriesAllProblems() {
        ValidationResult r = TaskValidator.validate(launch(b -> b.setNamespace("nope").setServiceAccount("Bad_SA")), PLATFORM);
        InvalidTaskException e = assertThrows(InvalidTaskException.class, r::throwIfInvalid);
        assertEquals(r.problems(), e.problems());
        assertEquals(List.of("namespace", "serviceAccount"), e.problems().stream().map(Problem::path).toList());
        ValidationResult.VALID.throwIfInvalid();
    }

    @Test
    void namesFollowKubernetes() {
        assertEquals(List.of(), KubernetesNames.dns1123Label("flytesnacks-development"));
        assertEquals(1, KubernetesNames.dns1123Label("a".repeat(64)).size());
        assertEquals(List.of(), KubernetesNames.dns1123Subdomain("sa.with.dots"));
        assertEquals(List.of(), KubernetesNames.qualifiedName("example.com/My_Key.1"));
        assertEquals(List.of(), KubernetesNames.labelValue(""));
        assertEquals(List.of(), KubernetesNames.envVarName("my.env-name"));
        assertEquals(List.of(), KubernetesNames.envVarName("_X"));
        assertEquals(List.of("must not be '.'"), KubernetesNames.envVarName("."));
        assertEquals(1, KubernetesNames.envVarName("A=B").size());
    }
}
