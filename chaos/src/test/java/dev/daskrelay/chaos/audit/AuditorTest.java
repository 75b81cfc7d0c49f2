package dev.daskrelay.chaos.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.daskrelay.avro.v1.CommandOutcome;
import dev.daskrelay.avro.v1.CommandOutcomeKind;
import dev.daskrelay.avro.v1.ComponentsDetail;
import dev.daskrelay.avro.v1.DaskJobSnapshot;
import dev.daskrelay.avro.v1.ErrorKind;
import dev.daskrelay.avro.v1.Observation;
import dev.daskrelay.avro.v1.ObservationSource;
import dev.daskrelay.avro.v1.PodDetail;
import dev.daskrelay.avro.v1.TaskCommand;
import dev.daskrelay.avro.v1.TaskError;
import dev.daskrelay.avro.v1.TaskPhase;
import dev.daskrelay.avro.v1.TaskStatus;
import dev.daskrelay.chaos.load.Commands;
import dev.daskrelay.embedded.EmbeddedKafka;
import dev.daskrelay.schemas.DeadLetterHeaders;
import dev.daskrelay.schemas.KubernetesLabels;
import dev.daskrelay.schemas.Topics;
import dev.daskrelay.schemas.serde.AvroSerdes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The auditor on hand-made topics (one broker for the class): a run that kept every promise is clean, and each
 * broken promise is found by its check. The auditor must be able to fail.
 */
class AuditorTest {

    private static final Map<String, String> REGISTRY = Map.of("schema.registry.url", "bundled://");
    private static final Instant T = Instant.parse("2026-12-07T10:00:00Z");
    private static EmbeddedKafka broker;
    private final ObjectMapper json = new ObjectMapper();

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        broker = EmbeddedKafka.start(EmbeddedKafka.Options.forTests());
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    /** Writes one run's topics and files; {@code broken} breaks a promise of each kind. */
    private Auditor.Inputs run(String prefix, boolean broken) throws Exception {
        Topics topics = new Topics(prefix);
        Properties p = new Properties();
        p.put("bootstrap.servers", broker.bootstrapServers());
        try (Admin admin = Admin.create(p)) {
            admin.createTopics(topics.all().stream().map(t -> new NewTopic(t, 1, (short) 1)).toList()).all().get();
        }
        var commands = AvroSerdes.specific(TaskCommand.class, REGISTRY, false).serializer();
        var observations = AvroSerdes.specific(Observation.class, REGISTRY, false).serializer();
        var statuses = AvroSerdes.specific(TaskStatus.class, REGISTRY, false).serializer();
        String a = Commands.taskId(prefix, "a");
        String b = Commands.taskId(prefix, "b");
        String c = Commands.taskId(prefix, "c");
        List<Map<String, Object>> sent = new ArrayList<>();
        List<Map<String, Object>> plan = List.of(
                planned(a, "GOOD", "SUCCEEDED", 1), planned(b, "GOOD", "FAILED RunnerExitCode", 1),
                planned(c, "INVALID", "FAILED BadTaskSpecification", 0));
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            // commands: two good launches, an invalid one, and garbage
            TaskCommand la = Commands.launch(prefix, "a", "launch-a", "success", "1s", T);
            TaskCommand lb = Commands.launch(prefix, "b", "launch-b", "runner-exit:3", "1s", T);
            TaskCommand lc = Commands.launch(prefix, "c", "launch-c", "success", "1s", T);
            sent.add(sent(producer, topics.commands(), a, commands.serialize(topics.commands(), la), "LAUNCH", a,
                    "launch-a", null, null));
            sent.add(sent(producer, topics.commands(), b, commands.serialize(topics.commands(), lb), "LAUNCH", b,
                    "launch-b", null, null));
            sent.add(sent(producer, topics.commands(), c, commands.serialize(topics.commands(), lc), "INVALID", c,
                    "launch-c", "REJECTED", "namespace"));
            Map<String, Object> garbage = sent(producer, topics.commands(), "junk", new byte[] {9, 9, 9}, "hostile:garbage",
                    null, null, "DEAD_LETTER", "");
            sent.add(garbage);
            if (broken) {
                TaskCommand unanswered = Commands.abort(prefix, "a", "abort-a", "x", T);
                sent.add(sent(producer, topics.commands(), a, commands.serialize(topics.commands(), unanswered), "ABORT",
                        a, "abort-a", null, null));
            }
            // outcomes
            send(producer, topics.observations(), a, observations.serialize(topics.observations(),
                    outcome(a, "launch-a", CommandOutcomeKind.LAUNCH_ACCEPTED)));
            send(producer, topics.observations(), b, observations.serialize(topics.observations(),
                    outcome(b, "launch-b", CommandOutcomeKind.LAUNCH_ACCEPTED)));
            send(producer, topics.observations(), c, observations.serialize(topics.observations(),
                    outcome(c, "launch-c", CommandOutcomeKind.LAUNCH_REJECTED)));
            // the garbage, dead-lettered with its place on the commands topic
            RecordHeaders h = new RecordHeaders();
            DeadLetterHeaders.add(h, new IllegalArgumentException("not a frame"), DeadLetterHeaders.Stage.DESERIALIZE,
                    "translator", topics.commands(), ((Number) garbage.get("partition")).intValue(),
                    ((Number) garbage.get("offset")).longValue(), T);
            producer.send(new ProducerRecord<>(topics.deadLetters(), null, "junk".getBytes(StandardCharsets.UTF_8),
                    new byte[] {9, 9, 9}, h)).get();
            if (broken) { // an observation dead-lettered: nothing explains it
                RecordHeaders oh = new RecordHeaders();
                DeadLetterHeaders.add(oh, new IllegalStateException("cannot apply"), DeadLetterHeaders.Stage.PROCESS,
                        "status", topics.observations(), 0, 1, T);
                producer.send(new ProducerRecord<>(topics.deadLetters(), null, a.getBytes(StandardCharsets.UTF_8),
                        new byte[] {1}, oh)).get();
            }
            // statuses
            List<TaskStatus> sa = broken
                    ? List.of(status(a, 1, TaskPhase.QUEUED, null), status(a, 3, TaskPhase.SUCCEEDED, null))
                    : List.of(status(a, 1, TaskPhase.QUEUED, null), status(a, 2, TaskPhase.RUNNING, null),
                            status(a, 3, TaskPhase.SUCCEEDED, null));
            List<TaskStatus> sb = broken
                    ? List.of(status(b, 1, TaskPhase.QUEUED, null), status(b, 2, TaskPhase.FAILED, "RunnerExitCode"),
                            status(b, 3, TaskPhase.SUCCEEDED, null))
                    : List.of(status(b, 1, TaskPhase.QUEUED, null), status(b, 2, TaskPhase.FAILED, "RunnerExitCode"));
            List<TaskStatus> sc = broken ? List.of()
                    : List.of(status(c, 1, TaskPhase.FAILED, "BadTaskSpecification"));
            for (TaskStatus s : concat(sa, sb, sc)) {
                send(producer, topics.status(), s.getTaskId(), statuses.serialize(topics.status(), s));
            }
        }
        Path planFile = dir.resolve(prefix + "-plan.jsonl");
        Path sentFile = dir.resolve(prefix + "-sent.jsonl");
        Files.write(planFile, plan.stream().map(this::line).toList());
        Files.write(sentFile, sent.stream().map(this::line).toList());
        Path audit = dir.resolve(prefix + "-audit.log");
        List<String> calls = new ArrayList<>(List.of(create(a, 201), create(b, 201)));
        if (broken) {
            calls.add(create(a, 201)); // a second DaskJob of task a
        }
        Files.write(audit, calls);
        return new Auditor.Inputs(broker.bootstrapServers(), prefix, planFile, sentFile, audit, null, "chaos", null);
    }

    @Test
    void aRunThatKeptEveryPromiseIsClean() throws Exception {
        AuditReport r = new Auditor().audit(run("clean", false));
        assertEquals(List.of(), r.violations(), r.markdown(50));
        assertTrue(r.clean());
        assertEquals("2 / 2", r.figures().get("DaskJobs created (API server 201s) / expected"));
    }

    @Test
    void eachBrokenPromiseIsFoundByItsCheck() throws Exception {
        AuditReport r = new Auditor().audit(run("broken", true));
        String all = r.markdown(100);
        assertEquals(1, r.violationsOf(Auditor.ANSWERED), all);        // the abort without an outcome
        assertEquals(1, r.violationsOf(Auditor.DEAD_LETTERS), all);    // the observation dead-lettered
        assertEquals(1, r.violationsOf(Auditor.DUPLICATES), all);      // two DaskJobs of task a
        assertEquals(1, r.violationsOf(Auditor.SEQUENCES), all);       // a: 1, 3
        assertEquals(2, r.violationsOf(Auditor.TERMINAL), all);        // b: two terminals; c: none
        assertEquals(1, r.violationsOf(Auditor.AFTER_TERMINAL), all);  // b: SUCCEEDED after FAILED
        assertEquals(1, r.violationsOf(Auditor.STUCK), all);           // c never finished
        assertEquals(1, r.violationsOf(Auditor.HOSTILE), all);         // c was to be FAILED with reasons
        assertEquals(1, r.violationsOf(Auditor.OUTCOMES), all);        // b ended SUCCEEDED, not FAILED RunnerExitCode
        assertTrue(!r.clean());
    }

    // ------------------------------------------------------------------------------------------------------------

    private static Map<String, Object> planned(String taskId, String kind, String end, int jobs) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("taskId", taskId);
        m.put("kind", kind);
        m.put("expectedEnd", end);
        m.put("expectedDaskJobs", jobs);
        return m;
    }

    private static Map<String, Object> sent(KafkaProducer<byte[], byte[]> producer, String topic, String key,
                                            byte[] value, String what, String taskId, String commandId, String expect,
                                            String paths) throws Exception {
        RecordMetadata m = producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value)).get();
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("task", 0);
        r.put("what", what);
        r.put("taskId", taskId);
        r.put("commandId", commandId);
        r.put("expect", expect);
        r.put("paths", paths);
        r.put("partition", m.partition());
        r.put("offset", m.offset());
        return r;
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, String topic, String key, byte[] value)
            throws Exception {
        producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value)).get();
    }

    private static Observation outcome(String taskId, String commandId, CommandOutcomeKind kind) {
        return Observation.newBuilder().setObservationId(commandId + "/" + kind).setTaskId(taskId).setExecution(null)
                .setSource(ObservationSource.COMMANDS).setObservedAt(T).setDaskJobName(null).setDaskJobNamespace(null)
                .setPayload(CommandOutcome.newBuilder().setCommandId(commandId).setKind(kind)
                        .setProblems(kind == CommandOutcomeKind.LAUNCH_REJECTED ? List.of("namespace: not allowed")
                                : List.of()).setMessage(null).setTimeoutSeconds(null).build())
                .build();
    }

    private static TaskStatus status(String taskId, long seq, TaskPhase phase, String code) {
        boolean terminal = phase == TaskPhase.SUCCEEDED || phase == TaskPhase.FAILED || phase == TaskPhase.ABORTED;
        return TaskStatus.newBuilder().setEventId(taskId + ":" + seq).setTaskId(taskId).setExecution(null)
                .setSequence(seq).setPhase(phase).setPhaseVersion(0).setReason(null)
                .setMessage(code == null ? null : "namespace: not allowed")
                .setError(code == null ? null : TaskError.newBuilder().setCode(code).setMessage("x")
                        .setKind(ErrorKind.USER).setRetryable(false).build())
                .setDaskJobName(null).setDaskJobNamespace(null).setClusterName(null).setRunnerPod(null)
                .setComponents(null).setLogLinks(List.of()).setOccurredAt(T).setObservedAt(T).setTerminal(terminal)
                .build();
    }

    private String create(String taskId, int code) {
        try {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("stage", "ResponseComplete");
            e.put("verb", "create");
            e.put("objectRef", Map.of("resource", "daskjobs", "namespace", "chaos", "name", taskId));
            e.put("requestObject", Map.of("metadata", Map.of("name", taskId, "annotations",
                    Map.of(KubernetesLabels.TASK_ID, taskId))));
            e.put("responseStatus", Map.of("code", code));
            return json.writeValueAsString(e);
        } catch (Exception ex) {
            throw new IllegalStateException(ex);
        }
    }

    private String line(Map<String, Object> m) {
        try {
            return json.writeValueAsString(m);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @SafeVarargs
    private static <T> List<T> concat(List<T>... lists) {
        List<T> all = new ArrayList<>();
        for (List<T> l : lists) {
            all.addAll(l);
        }
        return all;
    }

    /** The evidence that lets an aborted task end on its own: its DaskJob seen ended while not being deleted. */
    @Test
    void aDaskJobEndedOnItsOwnOnlyWhenSeenEndedAndNotBeingDeleted() {
        assertTrue(Auditor.endedUndeleted(snapshot(true, false, "Successful", "Running")));
        assertTrue(Auditor.endedUndeleted(snapshot(true, false, "Running", "Succeeded")), "the runner's end");
        assertTrue(Auditor.endedUndeleted(snapshot(true, false, "Failed", null)));
        assertFalse(Auditor.endedUndeleted(snapshot(true, true, "Successful", "Succeeded")), "deletion had begun");
        assertFalse(Auditor.endedUndeleted(snapshot(false, false, "Successful", "Succeeded")), "a tombstone");
        assertFalse(Auditor.endedUndeleted(snapshot(true, false, "Running", "Running")));
    }

    /**
     * The evidence that the operator never started a task's job (its FAILED Stuck then is daskrelay's designed answer):
     * no snapshot ever showed a job runner pod (full run c1ljwuz: 35 DaskJobs created while the API server restarted
     * got a jobStatus and a scheduler, but kopf's create-components handler kept failing and no runner was made).
     */
    @Test
    void theOperatorStartedTheJobOnlyWhenASnapshotShowsItsRunner() {
        assertTrue(Auditor.hasRunner(snapshot(true, false, "Running", "Pending")));
        assertFalse(Auditor.hasRunner(snapshot(true, false, "JobCreated", null)));
        assertFalse(Auditor.hasRunner(snapshot(true, false, null, null)));
    }

    /** The recovery figures: the gap around an instant, and the longest one on the whole topic, across partitions. */
    @Test
    void statusGapsAreMeasuredAcrossPartitions() {
        Map<Integer, List<Long>> times = Map.of(0, new ArrayList<>(List.of(1_000L, 2_000L, 50_000L)),
                1, new ArrayList<>(List.of(3_000L, 4_000L)));
        assertEquals(46_000, Auditor.gapAround(10_000, times), "from the last event before (4 s) to the next (50 s)");
        assertEquals(0, Auditor.gapAround(60_000, times), "nothing after it");
        assertEquals("46000 ms, 1970-01-01T00:00:04Z → 1970-01-01T00:00:50Z", Auditor.longestGap(times));
        assertEquals("-", Auditor.longestGap(Map.of()));
    }

    private static DaskJobSnapshot snapshot(boolean exists, boolean deleting, String jobStatus, String runnerPhase) {
        return DaskJobSnapshot.newBuilder().setExists(exists).setDeleting(deleting).setJobStatus(jobStatus)
                .setComponents(ComponentsDetail.newBuilder().setRunner(runnerPhase == null ? null
                        : PodDetail.newBuilder().setName("j-runner").setPhase(runnerPhase).build()).build())
                .build();
    }
}
