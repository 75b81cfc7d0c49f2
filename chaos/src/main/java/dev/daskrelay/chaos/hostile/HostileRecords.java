package dev.daskrelay.chaos.hostile;

import dev.daskrelay.avro.v1.EnvVar;
import dev.daskrelay.avro.v1.LaunchDaskJob;
import dev.daskrelay.avro.v1.ResourceList;
import dev.daskrelay.avro.v1.Resources;
import dev.daskrelay.avro.v1.TaskCommand;
import dev.daskrelay.avro.v1.TaskPhase;
import dev.daskrelay.avro.v1.TaskStatus;
import dev.daskrelay.chaos.load.Commands;
import dev.daskrelay.schemas.serde.AvroSerde;
import dev.daskrelay.schemas.serde.AvroSerdes;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;
import net.jqwik.engine.SourceOfRandomness;

/**
 * The hostile records of the bad-input suite: a fixed corpus (one of each kind) and a jqwik generator of random
 * ones, in two families.
 * <ul>
 *   <li><b>Undecodable</b> (must be dead-lettered with their original bytes): random bytes, an empty value, a
 *       tombstone, a wrong magic byte, an unknown schema id, a truncated Avro body, a body with trailing bytes, an Avro
 *       length prefix claiming gigabytes, a record of another schema, a record without a key, a key that is not the
 *       command's task id.</li>
 *   <li><b>Valid Avro, invalid content</b> (must be rejected: the task FAILED, every problem named by its field path):
 *       forbidden namespaces, service accounts and images, bad names, bad quantities, worker counts, labels,
 *       annotations in reserved prefixes, environment variables, timeouts, oversize fields and commands, bad
 *       command and task ids — one to three at once.</li>
 * </ul>
 * Plus a command larger than the broker accepts, which must be refused at the producer. Task ids are
 * {@code chaos-<run>-h<random>-n0-0}, unique per record.
 */
public final class HostileRecords {

    private static final Map<String, String> REGISTRY = Map.of("schema.registry.url", "bundled://");
    private static final Instant AT = Instant.parse("2026-12-01T00:00:00Z");

    private final String run;
    private final AvroSerde<TaskCommand> commands = AvroSerdes.specific(TaskCommand.class, REGISTRY, false);
    private final AvroSerde<TaskStatus> statuses = AvroSerdes.specific(TaskStatus.class, REGISTRY, false);
    private final String topic;

    /**
     * @param run   the run's id (the {@code domain} of every execution identity)
     * @param topic the commands topic (the serializer's subject)
     */
    public HostileRecords(String run, String topic) {
        this.run = run;
        this.topic = topic;
    }

    /** One mutation of a valid launch into an invalid one, and the field path its problem names. */
    private record Mutation(String name, String path, Consumer<TaskCommand> apply) {
    }

    private static LaunchDaskJob launch(TaskCommand c) {
        return (LaunchDaskJob) c.getPayload();
    }

    private static final List<Mutation> MUTATIONS = List.of(
            new Mutation("namespace-forbidden", "namespace", c -> launch(c).setNamespace("kube-system")),
            new Mutation("namespace-not-dns", "namespace", c -> launch(c).setNamespace("Not_A/Namespace")),
            new Mutation("service-account-forbidden", "serviceAccount", c -> launch(c).setServiceAccount("cluster-admin")),
            new Mutation("image-forbidden", "image", c -> launch(c).setImage("evil.example/miner:latest")),
            new Mutation("image-blank", "image", c -> launch(c).setImage("   ")),
            new Mutation("image-spaces", "image", c -> launch(c).setImage("ghcr.io/example/dask app:1")),
            new Mutation("image-oversize", "image", c -> launch(c).setImage("ghcr.io/example/" + "a".repeat(600))),
            new Mutation("workers-zero", "dask.workers.numberOfWorkers",
                    c -> launch(c).getDask().getWorkers().setNumberOfWorkers(0)),
            new Mutation("workers-negative", "dask.workers.numberOfWorkers",
                    c -> launch(c).getDask().getWorkers().setNumberOfWorkers(-3)),
            new Mutation("workers-above-max", "dask.workers.numberOfWorkers",
                    c -> launch(c).getDask().getWorkers().setNumberOfWorkers(100_000)),
            new Mutation("cpu-not-a-quantity", "resources.requests.cpu",
                    c -> launch(c).getResources().getRequests().setCpu("lots")),
            new Mutation("memory-8GB", "resources.limits.memory",
                    c -> launch(c).getResources().getLimits().setMemory("8GB")),
            new Mutation("cpu-negative", "resources.limits.cpu",
                    c -> launch(c).getResources().getLimits().setCpu("-2")),
            new Mutation("gpu-fractional", "resources.limits.gpu",
                    c -> launch(c).getResources().getLimits().setGpu("0.5")),
            new Mutation("quantity-huge", "resources.requests.memory",
                    c -> launch(c).getResources().getRequests().setMemory("9".repeat(40) + "Ei")),
            new Mutation("worker-resources-bad", "dask.workers.resources",
                    c -> launch(c).getDask().getWorkers().setResources(Resources.newBuilder()
                            .setRequests(ResourceList.newBuilder().setCpu("1.5.5").build()).setLimits(null).build())),
            new Mutation("label-key-invalid", "labels[", c -> launch(c).getLabels().put("bad key!", "x")),
            new Mutation("label-value-too-long", "labels[", c -> launch(c).getLabels().put("team", "v".repeat(64))),
            new Mutation("label-reserved", "labels[", c -> launch(c).getLabels().put("daskrelay.dev/task", "hijack")),
            new Mutation("annotation-reserved", "annotations[",
                    c -> launch(c).getAnnotations().put("kubernetes.io/evil", "1")),
            new Mutation("env-name-invalid", "env[", c -> launch(c).getEnv().add(new EnvVar("1BAD=NAME", "x"))),
            new Mutation("env-duplicate", "env[", c -> {
                launch(c).getEnv().add(new EnvVar("DUP", "1"));
                launch(c).getEnv().add(new EnvVar("DUP", "2"));
            }),
            new Mutation("env-value-oversize", "env[", c -> launch(c).getEnv().add(new EnvVar("BIG", "x".repeat(40_000)))),
            new Mutation("args-too-many", "args", c -> launch(c).getArgs().addAll(repeat("a", 300))),
            new Mutation("arg-with-nul", "args[", c -> launch(c).getArgs().add("nul\0byte")),
            new Mutation("arg-oversize", "args[", c -> launch(c).getArgs().add("y".repeat(20_000))),
            new Mutation("timeout-negative", "timeout", c -> launch(c).setTimeoutSeconds(-5L)),
            new Mutation("timeout-zero", "timeout", c -> launch(c).setTimeoutSeconds(0L)),
            new Mutation("execution-name-invalid", "execution.name", c -> c.getExecution().setName("x/../y")),
            new Mutation("retry-negative", "execution.retryAttempt", c -> c.getExecution().setRetryAttempt(-1)),
            new Mutation("command-id-empty", "commandId", c -> c.setCommandId("")),
            new Mutation("command-id-bad-chars", "commandId", c -> c.setCommandId("id with spaces/and slashes")),
            new Mutation("command-oversize", "(file)", c -> {
                for (int i = 0; i < 40; i++) {
                    launch(c).getEnv().add(new EnvVar("PAD" + i, "p".repeat(15_000)));
                }
            }));

    private static List<String> repeat(String s, int n) {
        List<String> l = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            l.add(s + i);
        }
        return l;
    }

    /** Every kind once: each undecodable kind and each single mutation. */
    public List<HostileRecord> corpus() {
        Random r = new Random(42);
        List<HostileRecord> all = new ArrayList<>();
        all.add(garbage(unique(r), bytes(r, 1 + r.nextInt(500))));
        all.add(emptyValue(unique(r)));
        all.add(tombstone(unique(r)));
        all.add(wrongMagic(unique(r), 1 + r.nextInt(255)));
        all.add(unknownSchemaId(unique(r), 900_000 + r.nextInt(1000)));
        all.add(truncated(unique(r), 0.5));
        all.add(trailingBytes(unique(r), bytes(r, 3)));
        all.add(hugeLength(unique(r)));
        all.add(otherSchema(unique(r)));
        all.add(keyless(unique(r)));
        all.add(keyMismatch(unique(r)));
        all.add(binaryKey(unique(r), bytes(r, 16)));
        all.add(refused(unique(r)));
        for (Mutation m : MUTATIONS) {
            all.add(invalid(unique(r), List.of(m)));
        }
        return all;
    }

    /** Random hostile records: about a third undecodable, the rest valid Avro with one to three problems. */
    public Arbitrary<HostileRecord> arbitrary() {
        // without edge cases: "aaaaaaaaaaaa" and "zzzzzzzzzzzz" came up again and again, and a second record of the
        // same task is (rightly) a duplicate launch, not a launch rejected for its own problems
        Arbitrary<String> id = Arbitraries.strings().withCharRange('a', 'z').ofLength(12).withoutEdgeCases();
        Arbitrary<byte[]> garbageBytes = Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(2048);
        Arbitrary<HostileRecord> undecodable = Arbitraries.oneOf(
                Combinators.combine(id, garbageBytes).as(this::garbage),
                id.map(this::emptyValue),
                id.map(this::tombstone),
                Combinators.combine(id, Arbitraries.integers().between(1, 255)).as(this::wrongMagic),
                Combinators.combine(id, Arbitraries.integers().between(100_000, Integer.MAX_VALUE)).as(this::unknownSchemaId),
                Combinators.combine(id, Arbitraries.doubles().between(0.0, 0.99)).as(this::truncated),
                Combinators.combine(id, Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(64))
                        .as(this::trailingBytes),
                id.map(this::hugeLength),
                id.map(this::otherSchema),
                id.map(this::keyless),
                id.map(this::keyMismatch));
        Arbitrary<HostileRecord> invalid = Combinators.combine(id,
                Arbitraries.of(MUTATIONS.stream().filter(m -> !m.name().equals("command-oversize")).toList())
                        .list().ofMinSize(1).ofMaxSize(3).uniqueElements(Mutation::name))
                .as(this::invalid);
        return Arbitraries.frequencyOf(
                Tuple.of(1, undecodable),
                Tuple.of(2, invalid));
    }

    /**
     * {@code n} records sampled from {@link #arbitrary()} with a seed (the harness's; the same seed gives the same
     * records). Outside a property, jqwik samples with the random generator of the calling thread, which
     * {@code SourceOfRandomness.create} seeds.
     */
    public List<HostileRecord> sample(int n, long seed) {
        SourceOfRandomness.create(Long.toString(seed));
        return arbitrary().sampleStream().limit(n).toList();
    }

    // ---------------------------------------------------------------------------------------------------- records

    private String unique(Random r) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 12; i++) {
            sb.append((char) ('a' + r.nextInt(26)));
        }
        return sb.toString();
    }

    private static byte[] bytes(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    private String name(String id) {
        return "h" + id;
    }

    private byte[] keyOf(String id) {
        return Commands.taskId(run, name(id)).getBytes(StandardCharsets.UTF_8);
    }

    private TaskCommand valid(String id) {
        return Commands.launch(run, name(id), "hostile-" + id, "success", "1s", AT);
    }

    private byte[] frame(TaskCommand c) {
        return commands.serializer().serialize(topic, c);
    }

    private HostileRecord dead(String kind, byte[] key, byte[] value) {
        return new HostileRecord(kind, key, value, HostileRecord.Expect.DEAD_LETTER, null, List.of());
    }

    HostileRecord garbage(String id, byte[] value) {
        return dead("garbage", keyOf(id), value);
    }

    HostileRecord emptyValue(String id) {
        return dead("empty-value", keyOf(id), new byte[0]);
    }

    HostileRecord tombstone(String id) {
        return dead("tombstone", keyOf(id), null);
    }

    HostileRecord wrongMagic(String id, int magic) {
        byte[] v = frame(valid(id));
        v[0] = (byte) magic;
        return dead("wrong-magic", keyOf(id), v);
    }

    HostileRecord unknownSchemaId(String id, int schemaId) {
        byte[] v = frame(valid(id));
        ByteBuffer.wrap(v, 1, 4).putInt(schemaId);
        return dead("unknown-schema-id", keyOf(id), v);
    }

    HostileRecord truncated(String id, double keep) {
        byte[] v = frame(valid(id));
        int n = Math.max(1, Math.min(v.length - 1, (int) (v.length * keep)));
        return dead("truncated", keyOf(id), Arrays.copyOf(v, n));
    }

    HostileRecord trailingBytes(String id, byte[] extra) {
        byte[] v = frame(valid(id));
        byte[] out = Arrays.copyOf(v, v.length + extra.length);
        System.arraycopy(extra, 0, out, v.length, extra.length);
        return dead("trailing-bytes", keyOf(id), out);
    }

    /** The first field (commandId, a string) claims a length of about a gigabyte. */
    HostileRecord hugeLength(String id) {
        byte[] v = frame(valid(id));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(v, 0, 5);
        long n = 1L << 30;
        long zigzag = (n << 1) ^ (n >> 63);
        while ((zigzag & ~0x7FL) != 0) {
            out.write((int) ((zigzag & 0x7F) | 0x80));
            zigzag >>>= 7;
        }
        out.write((int) zigzag);
        out.writeBytes("abc".getBytes(StandardCharsets.UTF_8));
        return dead("huge-length", keyOf(id), out.toByteArray());
    }

    /** A valid record of another contract (a status event) on the commands topic. */
    HostileRecord otherSchema(String id) {
        String taskId = Commands.taskId(run, name(id));
        TaskStatus s = TaskStatus.newBuilder().setEventId(taskId + ":1").setTaskId(taskId).setExecution(null)
                .setSequence(1).setPhase(TaskPhase.RUNNING).setPhaseVersion(0).setReason("forged").setMessage(null)
                .setError(null).setDaskJobName(null).setDaskJobNamespace(null).setClusterName(null).setRunnerPod(null)
                .setComponents(null).setLogLinks(List.of()).setOccurredAt(AT).setObservedAt(AT).setTerminal(false)
                .build();
        return dead("other-schema", keyOf(id), statuses.serializer().serialize(topic, s));
    }

    HostileRecord keyless(String id) {
        return dead("keyless", null, frame(valid(id)));
    }

    HostileRecord keyMismatch(String id) {
        return dead("key-mismatch", ("not-" + Commands.taskId(run, name(id))).getBytes(StandardCharsets.UTF_8),
                frame(valid(id)));
    }

    /** A key that is not UTF-8 text (random bytes) with a valid command. */
    HostileRecord binaryKey(String id, byte[] key) {
        byte[] k = Arrays.copyOf(key, key.length + 1);
        k[key.length] = (byte) 0xFF;
        return dead("binary-key", k, frame(valid(id)));
    }

    /** A valid command larger than the broker accepts (1 MiB by default). */
    HostileRecord refused(String id) {
        TaskCommand c = valid(id);
        for (int i = 0; i < 80; i++) {
            launch(c).getEnv().add(new EnvVar("PAD" + i, "p".repeat(16_000)));
        }
        return new HostileRecord("oversize-for-the-broker", keyOf(id), frame(c), HostileRecord.Expect.REFUSED, null,
                List.of());
    }

    HostileRecord invalid(String id, List<Mutation> mutations) {
        return mutate(valid(id), mutations);
    }

    private HostileRecord mutate(TaskCommand c, List<Mutation> mutations) {
        List<String> paths = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (Mutation m : mutations) {
            m.apply().accept(c);
            paths.add(m.path());
            names.add(m.name());
        }
        // an identity that no longer derives the task id is still the task id's: the key stays the task id
        return new HostileRecord("invalid:" + String.join("+", names), c.getTaskId().getBytes(StandardCharsets.UTF_8),
                frame(c), HostileRecord.Expect.REJECTED, c.getTaskId(), paths);
    }

    /**
     * An invalid launch of the planned task {@code name} (one to three problems drawn with {@code random}), for the
     * INVALID tasks of the launch plan.
     */
    public HostileRecord invalidLaunch(String name, Random random) {
        List<Mutation> pool = new ArrayList<>(MUTATIONS.stream().filter(m -> !m.name().equals("command-oversize"))
                .toList());
        Collections.shuffle(pool, random);
        List<Mutation> chosen = pool.subList(0, 1 + random.nextInt(3));
        TaskCommand c = Commands.launch(run, name, "launch-" + name, "success", "1s", AT);
        return mutate(c, chosen);
    }

    /** The mutation names, for reports. */
    public static List<String> mutationNames() {
        return MUTATIONS.stream().map(Mutation::name).toList();
    }

    /** Kinds by family, for reports. */
    public static Map<String, String> families() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("undecodable", "garbage, empty-value, tombstone, wrong-magic, unknown-schema-id, truncated, trailing-bytes, "
                + "huge-length, other-schema, keyless, key-mismatch, binary-key");
        m.put("invalid", String.join(", ", mutationNames()));
        m.put("refused", "oversize-for-the-broker");
        return m;
    }
}
