package dev.daskrelay.chaos.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.daskrelay.avro.v1.AbortDaskJob;
import dev.daskrelay.avro.v1.CommandOutcome;
import dev.daskrelay.avro.v1.CommandOutcomeKind;
import dev.daskrelay.avro.v1.DaskJobSnapshot;
import dev.daskrelay.avro.v1.Observation;
import dev.daskrelay.avro.v1.TaskCommand;
import dev.daskrelay.avro.v1.TaskPhase;
import dev.daskrelay.avro.v1.TaskStatus;
import dev.daskrelay.schemas.DeadLetterHeaders;
import dev.daskrelay.schemas.KubernetesLabels;
import dev.daskrelay.schemas.Topics;
import dev.daskrelay.schemas.serde.AvroSerde;
import dev.daskrelay.schemas.serde.AvroSerdes;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The independent auditor of a chaos run. It reads what is on the topics (commands, observations, status,
 * dead-letters), the API server's audit log of DaskJob creates and deletes, the DaskJobs left in the cluster, and what
 * the suite meant to send (the plan and the records sent), and checks daskrelay's promises. It uses nothing of
 * daskrelay but the schemas module (the Avro contracts, the serdes, the header and label names): none of the code
 * that made the decisions it checks.
 *
 * <p>Checks: every command answered (an outcome for its command id, or dead-lettered); every dead letter explained
 * (error headers, and its record is one the suite sent as undecodable); every hostile record where it must end; one
 * DaskJob per accepted launch, none for anything else (the API server's 201s); exactly one terminal status per task,
 * sequences 1..n without gaps, nothing after the terminal, no (phase, phaseVersion) twice; every abort answered by an
 * ABORTED end (or the task's own end, when that came first); no task without a terminal status; every planned task
 * with the end its scenario means; the cluster agreeing (no DaskJob of an aborted task left, none without a launch).
 */
public final class Auditor {

    /**
     * Where everything is.
     *
     * @param bootstrap  the Kafka bootstrap servers
     * @param prefix     the topic prefix
     * @param plan       plan.jsonl: one task per line ({@code taskId}, {@code kind}, {@code expectedEnd},
     *                   {@code expectedDaskJobs})
     * @param sent       sent.jsonl: one record the suite wrote per line (fields of the harness's SentRecord)
     * @param apiAudit   the API server's audit log (JSON lines)
     * @param kubeconfig a kubeconfig for reading the DaskJobs (null = skip the cluster checks)
     * @param namespace  the DaskJobs' namespace
     * @param events     events.jsonl of the harness (kills, restarts), for the recovery figures; may be missing
     */
    public record Inputs(String bootstrap, String prefix, Path plan, Path sent, Path apiAudit, Path kubeconfig,
                         String namespace, Path events) {
    }

    static final String ANSWERED = "commands answered";
    static final String DEAD_LETTERS = "dead letters explained";
    static final String HOSTILE = "bad input where it must end";
    static final String DASKJOBS = "one DaskJob per accepted launch";
    static final String DUPLICATES = "no duplicate DaskJob";
    static final String TERMINAL = "exactly one terminal status";
    static final String SEQUENCES = "sequences gap-free and monotonic";
    static final String AFTER_TERMINAL = "nothing after terminal";
    static final String VERSIONS = "phase versions never repeat";
    static final String ABORTS = "every abort answered";
    static final String STUCK = "no task stuck";
    static final String OUTCOMES = "planned outcome reached";
    static final String CLUSTER = "cluster agrees with status";

    private static final Map<String, String> REGISTRY = Map.of("schema.registry.url", "bundled://");
    private final ObjectMapper json = new ObjectMapper();

    /** Runs every check. */
    public AuditReport audit(Inputs in) throws IOException {
        AuditReport report = new AuditReport();
        declare(report);
        Topics topics = new Topics(in.prefix());
        AvroSerde<TaskCommand> commandSerde = AvroSerdes.specific(TaskCommand.class, REGISTRY, false);
        AvroSerde<Observation> observationSerde = AvroSerdes.specific(Observation.class, REGISTRY, false);
        AvroSerde<TaskStatus> statusSerde = AvroSerdes.specific(TaskStatus.class, REGISTRY, false);

        List<ConsumerRecord<byte[], byte[]>> commandRecords = TopicReader.readAll(in.bootstrap(), topics.commands());
        List<ConsumerRecord<byte[], byte[]>> observationRecords = TopicReader.readAll(in.bootstrap(),
                topics.observations());
        List<ConsumerRecord<byte[], byte[]>> statusRecords = TopicReader.readAll(in.bootstrap(), topics.status());
        List<ConsumerRecord<byte[], byte[]>> deadRecords = TopicReader.readAll(in.bootstrap(), topics.deadLetters());

        // --- what the suite meant and sent
        Map<String, JsonNode> plan = new LinkedHashMap<>();
        for (JsonNode n : lines(in.plan())) {
            plan.put(n.path("taskId").asText(), n);
        }
        List<JsonNode> sent = lines(in.sent());
        Map<String, JsonNode> sentAt = new HashMap<>();
        for (JsonNode s : sent) {
            if (s.path("partition").asInt(-1) >= 0) {
                sentAt.put(s.path("partition").asInt() + "@" + s.path("offset").asLong(), s);
            }
        }

        // --- observations: command outcomes by command id and by task
        Map<String, List<CommandOutcomeKind>> outcomesByCommand = new HashMap<>();
        Map<String, List<Observation>> outcomesByTask = new HashMap<>();
        long undecodableObservations = 0;
        // tasks whose DaskJob was seen ended (the operator's word or its runner pod's) while not being deleted: an
        // abort of such a task came too late to matter, however long its delete took
        Set<String> endedOnItsOwn = new HashSet<>();
        // tasks whose DaskJob was seen, those whose DaskJob the operator ever gave a jobStatus, and those whose job
        // runner pod it ever created: a DaskJob seen but never given a runner was never started by the operator (it
        // lost the object or its handler gave up, e.g. around an API server restart), and FAILED Stuck is daskrelay's
        // designed answer to that (docs/STATUS-MODEL.md), not a broken promise
        Set<String> snapshotted = new HashSet<>();
        Set<String> operatorWrote = new HashSet<>();
        Set<String> runnerCreated = new HashSet<>();
        for (ConsumerRecord<byte[], byte[]> r : observationRecords) {
            Observation o;
            try {
                o = observationSerde.deserializer().deserialize(topics.observations(), r.headers(), r.value());
            } catch (RuntimeException e) {
                undecodableObservations++;
                continue;
            }
            if (o != null && o.getPayload() instanceof CommandOutcome co) {
                outcomesByCommand.computeIfAbsent(co.getCommandId(), k -> new ArrayList<>()).add(co.getKind());
                outcomesByTask.computeIfAbsent(o.getTaskId(), k -> new ArrayList<>()).add(o);
            }
            if (o != null && o.getPayload() instanceof DaskJobSnapshot snap) {
                if (endedUndeleted(snap)) {
                    endedOnItsOwn.add(o.getTaskId());
                }
                snapshotted.add(o.getTaskId());
                if (snap.getJobStatus() != null) {
                    operatorWrote.add(o.getTaskId());
                }
                if (hasRunner(snap)) {
                    runnerCreated.add(o.getTaskId());
                }
            }
        }

        // --- dead letters by their place on the commands topic
        Map<String, ConsumerRecord<byte[], byte[]>> deadBySource = new HashMap<>();
        Map<String, Integer> deadByReason = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> d : deadRecords) {
            String topic = DeadLetterHeaders.get(d.headers(), DeadLetterHeaders.SOURCE_TOPIC);
            String cls = DeadLetterHeaders.get(d.headers(), DeadLetterHeaders.ERROR_CLASS);
            String stage = DeadLetterHeaders.get(d.headers(), DeadLetterHeaders.ERROR_STAGE);
            String processor = DeadLetterHeaders.get(d.headers(), DeadLetterHeaders.ERROR_PROCESSOR);
            String message = DeadLetterHeaders.get(d.headers(), DeadLetterHeaders.ERROR_MESSAGE);
            deadByReason.merge(processor + "/" + stage + "/" + simple(cls), 1, Integer::sum);
            report.examined(DEAD_LETTERS, 1);
            String where = "dead letter " + d.partition() + "@" + d.offset();
            if (cls == null || cls.isBlank() || stage == null || message == null) {
                report.violation(DEAD_LETTERS, where, "no error class, stage or message in its headers");
            }
            if (!topics.commands().equals(topic)) {
                report.violation(DEAD_LETTERS, where, "from " + topic + " (" + processor + ", " + simple(cls) + ": "
                        + message + "): only the suite's undecodable commands may be dead-lettered");
                continue;
            }
            String key = DeadLetterHeaders.get(d.headers(), DeadLetterHeaders.SOURCE_PARTITION) + "@"
                    + DeadLetterHeaders.get(d.headers(), DeadLetterHeaders.SOURCE_OFFSET);
            deadBySource.put(key, d);
            JsonNode s = sentAt.get(key);
            if (s == null) {
                report.violation(DEAD_LETTERS, where, "its source commands " + key + " is no record the suite sent");
            } else if (!"DEAD_LETTER".equals(s.path("expect").asText())) {
                report.violation(DEAD_LETTERS, where, s.path("what").asText() + " of " + s.path("taskId").asText()
                        + " was dead-lettered (" + simple(cls) + ": " + message + ")");
            }
        }

        // --- commands: every one answered or dead-lettered
        Set<String> tasksWithCommands = new HashSet<>();
        Map<String, List<String>> abortsByTask = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : commandRecords) {
            report.examined(ANSWERED, 1);
            String place = r.partition() + "@" + r.offset();
            if (deadBySource.containsKey(place)) {
                continue;
            }
            TaskCommand c = null;
            try {
                c = r.value() == null ? null : commandSerde.deserializer().deserialize(topics.commands(), r.headers(),
                        r.value());
            } catch (RuntimeException e) {
                // undecodable: must have been dead-lettered
            }
            String key = r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
            if (c == null || key == null || !key.equals(c.getTaskId())) {
                report.violation(ANSWERED, "commands " + place, "undecodable or mis-keyed, and not dead-lettered");
                continue;
            }
            tasksWithCommands.add(c.getTaskId());
            if (c.getPayload() instanceof AbortDaskJob) {
                abortsByTask.computeIfAbsent(c.getTaskId(), k -> new ArrayList<>()).add(c.getCommandId());
            }
            if (!outcomesByCommand.containsKey(c.getCommandId())) {
                report.violation(ANSWERED, "commands " + place, "command " + c.getCommandId() + " of task "
                        + c.getTaskId() + " has no outcome on " + topics.observations());
            }
        }

        // --- statuses per task, in topic order
        Map<String, List<TaskStatus>> statuses = new LinkedHashMap<>();
        Map<Integer, List<Long>> statusTimes = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> r : statusRecords) {
            statusTimes.computeIfAbsent(r.partition(), k -> new ArrayList<>()).add(r.timestamp());
            TaskStatus s = statusSerde.deserializer().deserialize(topics.status(), r.headers(), r.value());
            statuses.computeIfAbsent(s.getTaskId(), k -> new ArrayList<>()).add(s);
        }

        // --- the API server's record of DaskJobs
        ApiAuditLog api = Files.exists(in.apiAudit()) ? ApiAuditLog.read(in.apiAudit()) : null;
        Map<String, Integer> created = api == null ? Map.of() : api.createdPerTask();
        Map<String, Integer> deleted = api == null ? Map.of() : api.deletedPerTask();

        // --- hostile records where they must end
        Map<String, Map<String, Integer>> hostileEnds = new TreeMap<>();
        for (JsonNode s : sent) {
            String expect = s.path("expect").asText(null);
            if (expect == null || expect.equals("null") || expect.isEmpty()) {
                continue;
            }
            report.examined(HOSTILE, 1);
            String what = s.path("what").asText();
            String family = what.startsWith("hostile:") ? "hostile " + family(what.substring(8)) : "planned invalid launch";
            String place = s.path("partition").asInt() + "@" + s.path("offset").asLong();
            String ended;
            switch (expect) {
                case "DEAD_LETTER" -> {
                    ended = s.path("partition").asInt() < 0 ? "refused by the producer"
                            : deadBySource.containsKey(place) ? "dead letter" : "nowhere";
                    if (!ended.equals("dead letter")) {
                        report.violation(HOSTILE, what + " at " + place, "expected a dead letter, ended " + ended);
                    }
                }
                case "REFUSED" -> {
                    ended = s.path("partition").asInt() < 0 ? "refused by the producer" : "on the topic";
                    if (!ended.startsWith("refused")) {
                        report.violation(HOSTILE, what, "expected the producer to refuse it, but it is at " + place);
                    }
                }
                default -> {
                    String taskId = s.path("taskId").asText();
                    List<TaskStatus> events = statuses.getOrDefault(taskId, List.of());
                    TaskStatus last = events.isEmpty() ? null : events.get(events.size() - 1);
                    boolean failed = last != null && last.getTerminal() && last.getPhase() == TaskPhase.FAILED
                            && last.getError() != null && "BadTaskSpecification".equals(last.getError().getCode());
                    ended = failed ? "FAILED with reasons" : deadBySource.containsKey(place) ? "dead letter"
                            : last == null ? "nowhere" : last.getPhase() + " " + (last.getError() == null ? ""
                            : last.getError().getCode());
                    if (failed) {
                        String message = String.valueOf(last.getMessage());
                        for (String path : s.path("paths").asText("").split("\\|")) {
                            if (!path.isEmpty() && !message.contains(path)) {
                                report.violation(HOSTILE, what + " " + taskId, "FAILED without naming " + path + ": "
                                        + message);
                                ended = "FAILED, a reason missing";
                            }
                        }
                    } else if (!ended.equals("dead letter")) {
                        report.violation(HOSTILE, what + " " + taskId, "expected FAILED BadTaskSpecification, ended "
                                + ended);
                    }
                }
            }
            hostileEnds.computeIfAbsent(family, k -> new TreeMap<>()).merge(ended, 1, Integer::sum);
        }

        // --- the tasks: every task with a decodable command, every planned task
        Set<String> tasks = new TreeSet<>(tasksWithCommands);
        tasks.addAll(plan.keySet());
        Map<String, Integer> ends = new TreeMap<>();
        int withoutTerminal = 0;
        int gaps = 0;
        int dupes = 0;
        long expectedJobs = 0;
        long createdJobs = 0;
        int abortRaces = 0;
        int notStartedByOperator = 0;
        int runnerNeverCreated = 0;
        int reordered = 0;
        for (String taskId : tasks) {
            List<TaskStatus> events = statuses.getOrDefault(taskId, List.of());
            JsonNode planned = plan.get(taskId);
            // sequences, terminal, versions
            report.examined(SEQUENCES, 1);
            report.examined(TERMINAL, 1);
            report.examined(AFTER_TERMINAL, 1);
            report.examined(VERSIONS, 1);
            report.examined(STUCK, 1);
            for (int i = 0; i < events.size(); i++) {
                TaskStatus e = events.get(i);
                if (e.getSequence() != i + 1 || !(taskId + ":" + e.getSequence()).equals(e.getEventId())) {
                    report.violation(SEQUENCES, taskId, "event " + (i + 1) + " has sequence " + e.getSequence()
                            + " (id " + e.getEventId() + "): " + timeline(events));
                    gaps++;
                    break;
                }
            }
            long terminals = events.stream().filter(TaskStatus::getTerminal).count();
            if (terminals > 1) {
                report.violation(TERMINAL, taskId, terminals + " terminal statuses: " + timeline(events));
            }
            int firstTerminal = -1;
            for (int i = 0; i < events.size(); i++) {
                if (events.get(i).getTerminal()) {
                    firstTerminal = i;
                    break;
                }
            }
            if (firstTerminal >= 0 && firstTerminal < events.size() - 1) {
                report.violation(AFTER_TERMINAL, taskId, (events.size() - 1 - firstTerminal)
                        + " statuses after the terminal one: " + timeline(events));
            }
            Set<String> seen = new HashSet<>();
            for (TaskStatus e : events) {
                if (!seen.add(e.getPhase() + "/" + e.getPhaseVersion())) {
                    report.violation(VERSIONS, taskId, e.getPhase() + " v" + e.getPhaseVersion() + " twice: "
                            + timeline(events));
                    break;
                }
            }
            TaskStatus last = events.isEmpty() ? null : events.get(events.size() - 1);
            if (last == null || !last.getTerminal()) {
                withoutTerminal++;
                if (terminals == 0) {
                    report.violation(TERMINAL, taskId, "no terminal status: " + timeline(events));
                }
                report.violation(STUCK, taskId, "not finished at the audit: " + timeline(events)
                        + "; outcomes " + kinds(outcomesByTask.get(taskId)));
            }
            String end = last == null ? "none" : last.getPhase() + (last.getError() == null ? ""
                    : " " + last.getError().getCode());
            ends.merge(end, 1, Integer::sum);

            // DaskJobs
            int made = created.getOrDefault(taskId, 0);
            createdJobs += made;
            boolean accepted = kinds(outcomesByTask.get(taskId)).contains(CommandOutcomeKind.LAUNCH_ACCEPTED);
            report.examined(DASKJOBS, 1);
            report.examined(DUPLICATES, 1);
            // The promise is one DaskJob per accepted launch. The plan's own expectation holds only when the task's
            // commands were decided in the order sent: commands written to different partitions (a third of the
            // suite's records go to a random one) have no order, so an abort sent first may be decided after the
            // launch (a DaskJob, then its deletion) and vice versa; those are counted, not violations.
            int expected = accepted ? 1 : 0;
            if (planned != null && planned.path("expectedDaskJobs").asInt() != expected) {
                reordered++;
            }
            expectedJobs += expected;
            if (api != null) {
                if (made > 1) {
                    dupes++;
                    report.violation(DUPLICATES, taskId, made + " DaskJobs created (201)");
                }
                if (made <= 1 && (made != expected || accepted && made != 1)) {
                    report.violation(DASKJOBS, taskId, made + " DaskJobs created, expected " + expected
                            + " (launch " + (accepted ? "accepted" : "not accepted") + ")");
                }
            }

            // aborts
            List<String> aborts = abortsByTask.getOrDefault(taskId, List.of());
            if (!aborts.isEmpty()) {
                report.examined(ABORTS, 1);
                boolean ok = last != null && last.getTerminal();
                if (ok && last.getPhase() != TaskPhase.ABORTED) {
                    // its own end came first: the abort may only have been decided after that end
                    Instant abortDecided = abortDecidedAt(outcomesByTask.get(taskId));
                    if (abortDecided != null && abortDecided.isBefore(last.getObservedAt())
                            && !endedOnItsOwn.contains(taskId)) {
                        report.violation(ABORTS, taskId, "abort accepted at " + abortDecided + " but the task ended "
                                + end + " at " + last.getObservedAt() + ", and its DaskJob was never seen ended "
                                + "before its deletion");
                    } else {
                        abortRaces++;
                    }
                } else if (!ok) {
                    report.violation(ABORTS, taskId, "aborted, but no terminal status");
                }
            }

            // the planned end
            if (planned != null) {
                report.examined(OUTCOMES, 1);
                String want = planned.path("expectedEnd").asText();
                // an abort that lost to the task's own end (the rule "every abort answered" judges the timing); for
                // an abort sent first, only when the launch was decided first all the same (the two on different
                // partitions: the abort was ABORT_ACCEPTED) and the DaskJob was seen ended before its deletion
                boolean abortAfterLaunch = !planned.path("kind").asText().equals("ABORT_FIRST")
                        || kinds(outcomesByTask.get(taskId)).contains(CommandOutcomeKind.ABORT_ACCEPTED)
                        && endedOnItsOwn.contains(taskId);
                boolean raced = want.equals("ABORTED") && last != null && last.getTerminal()
                        && last.getPhase() != TaskPhase.ABORTED && abortAfterLaunch;
                boolean operatorNeverStarted = "FAILED Stuck".equals(end) && snapshotted.contains(taskId)
                        && !runnerCreated.contains(taskId);
                if (operatorNeverStarted && !end.equals(want)) {
                    if (operatorWrote.contains(taskId)) {
                        runnerNeverCreated++;
                    } else {
                        notStartedByOperator++;
                    }
                } else if (last != null && last.getTerminal() && !end.equals(want) && !raced) {
                    report.violation(OUTCOMES, taskId, planned.path("kind").asText() + ": expected " + want + ", ended "
                            + end + (last.getMessage() == null ? "" : " (" + last.getMessage() + ")"));
                }
            }
        }

        // --- the cluster
        Map<String, String> jobStatusByTask = new HashMap<>();
        int leftJobs = 0;
        if (in.kubeconfig() != null) {
            try (KubernetesClient k = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(null,
                    Files.readString(in.kubeconfig()), in.kubeconfig().toString())).build()) {
                // the watcher reports SUCCEEDED from the runner pod's end, which the operator copies to the DaskJob
                // later (on a loaded machine, minutes later): a runner pod that succeeded is the same evidence
                Set<String> runnersSucceeded = new HashSet<>();
                for (Pod p : k.pods().inNamespace(in.namespace()).withLabel("dask.org/component", "job-runner").list()
                        .getItems()) {
                    if (p.getStatus() != null && "Succeeded".equals(p.getStatus().getPhase())
                            && p.getMetadata().getLabels() != null) {
                        runnersSucceeded.add(p.getMetadata().getLabels().get("dask.org/cluster-name"));
                    }
                }
                for (GenericKubernetesResource j : k.genericKubernetesResources("kubernetes.dask.org/v1", "DaskJob")
                        .inNamespace(in.namespace()).list().getItems()) {
                    leftJobs++;
                    String taskId = j.getMetadata().getAnnotations() == null ? null
                            : j.getMetadata().getAnnotations().get(KubernetesLabels.TASK_ID);
                    Object st = j.getAdditionalProperties().get("status");
                    String jobStatus = st instanceof Map<?, ?> m ? String.valueOf(m.get("jobStatus")) : "null";
                    jobStatusByTask.put(String.valueOf(taskId), jobStatus);
                    report.examined(CLUSTER, 1);
                    List<TaskStatus> events = statuses.getOrDefault(taskId, List.of());
                    TaskStatus last = events.isEmpty() ? null : events.get(events.size() - 1);
                    if (taskId == null || !kinds(outcomesByTask.get(taskId)).contains(CommandOutcomeKind.LAUNCH_ACCEPTED)) {
                        report.violation(CLUSTER, "DaskJob " + j.getMetadata().getName(), "no accepted launch for it");
                    } else if (last != null && last.getTerminal() && last.getPhase() == TaskPhase.ABORTED
                            && j.getMetadata().getDeletionTimestamp() == null) {
                        report.violation(CLUSTER, taskId, "ABORTED but its DaskJob " + j.getMetadata().getName()
                                + " still exists (" + jobStatus + ")");
                    } else if (last != null && last.getTerminal() && last.getPhase() == TaskPhase.SUCCEEDED
                            && !"Successful".equals(jobStatus)
                            && !runnersSucceeded.contains(j.getMetadata().getName())) {
                        report.violation(CLUSTER, taskId, "SUCCEEDED but its DaskJob says " + jobStatus);
                    } else if (last != null && last.getError() != null
                            && "ResourceDeletedExternally".equals(last.getError().getCode())
                            && j.getMetadata().getDeletionTimestamp() == null && !deleted.containsKey(taskId)) {
                        report.violation(CLUSTER, taskId, "FAILED ResourceDeletedExternally, but its DaskJob "
                                + j.getMetadata().getName() + " exists (" + jobStatus + ") and was never deleted");
                    }
                }
            }
        }

        // --- figures
        report.figure("tasks (planned + hostile with a task id)", tasks.size());
        report.figure("planned tasks", plan.size());
        report.figure("commands on the topic", commandRecords.size());
        report.figure("records sent by the suite", sent.size());
        report.figure("observations", observationRecords.size() + (undecodableObservations == 0 ? ""
                : " (" + undecodableObservations + " undecodable)"));
        report.figure("status events", statusRecords.size());
        report.figure("DaskJobs created (API server 201s) / expected", createdJobs + " / " + expectedJobs);
        report.figure("DaskJob creates by answer", api == null ? "no audit log" : api.createCodes().toString());
        report.figure("DaskJob deletes (200/202)", api == null ? "no audit log"
                : deleted.values().stream().mapToInt(Integer::intValue).sum());
        report.figure("duplicate DaskJobs", dupes);
        report.figure("tasks without a terminal status", withoutTerminal);
        report.figure("tasks with a sequence gap", gaps);
        report.figure("final phases", ends.toString());
        report.figure("aborts whose task ended on its own first", abortRaces);
        report.figure("tasks whose DaskJob the Dask operator never gave a jobStatus (ended FAILED Stuck, as designed; "
                + "not counted against their planned outcome)", notStartedByOperator);
        report.figure("tasks whose DaskJob the Dask operator gave a jobStatus but never a job runner pod (ended FAILED "
                + "Stuck, as designed; not counted against their planned outcome)", runnerNeverCreated);
        report.figure("tasks whose launch and abort were decided in the other order than sent (other partitions)",
                reordered);
        report.figure("dead letters", deadRecords.size());
        report.figure("dead letters by processor/stage/exception", deadByReason.toString());
        report.figure("bad input: where each ended", hostileEnds.toString());
        report.figure("DaskJobs left in the cluster", in.kubeconfig() == null ? "not read" : leftJobs);
        recovery(report, in.events(), statusTimes);
        return report;
    }

    private static void declare(AuditReport r) {
        r.check(ANSWERED, "each command record has a CommandOutcome for its command id, or is dead-lettered");
        r.check(DEAD_LETTERS, "each dead letter has error headers and is a record the suite sent as undecodable");
        r.check(HOSTILE, "each bad record is dead-lettered, FAILED naming every problem, or refused by the producer");
        r.check(DASKJOBS, "API server 201s per task: 1 if its launch was accepted, else 0");
        r.check(DUPLICATES, "no task with two DaskJobs created");
        r.check(TERMINAL, "each task has exactly one terminal status");
        r.check(SEQUENCES, "sequences 1..n in topic order, event id = taskId:sequence");
        r.check(AFTER_TERMINAL, "no status after the terminal one");
        r.check(VERSIONS, "no (phase, phaseVersion) pair twice");
        r.check(ABORTS, "each aborted task ends ABORTED, or ended on its own before the abort was decided or before its "
                + "DaskJob's deletion began (a snapshot shows it ended, not deleting)");
        r.check(STUCK, "each task has finished by the audit");
        r.check(OUTCOMES, "each planned task ends as its scenario says (or FAILED Stuck when the operator never created "
                + "its DaskJob's job runner pod: counted in the figures)");
        r.check(CLUSTER, "DaskJobs left: each has an accepted launch, none of an ABORTED task, SUCCEEDED = Successful "
                + "(or its runner pod Succeeded), none of a task FAILED as deleted externally");
    }

    /**
     * For each kill in events.jsonl: the gap in status events around it, as the longest gap among the status
     * partitions that had an event in the 30 s before the kill (the kill's partition stalls until another instance
     * takes it over). The same statistic at the midpoints between kills is the baseline.
     */
    private void recovery(AuditReport report, Path events, Map<Integer, List<Long>> statusTimes) throws IOException {
        if (events == null || !Files.exists(events)) {
            return;
        }
        List<Long> kills = new ArrayList<>();
        for (JsonNode e : lines(events)) {
            if ("kill".equals(e.path("type").asText())) {
                kills.add(e.path("at").asLong());
            }
        }
        if (kills.isEmpty()) {
            return;
        }
        for (List<Long> t : statusTimes.values()) {
            t.sort(Long::compare);
        }
        List<Long> gaps = new ArrayList<>();
        List<Long> baseline = new ArrayList<>();
        for (int i = 0; i < kills.size(); i++) {
            gaps.add(gapAround(kills.get(i), statusTimes));
            if (i + 1 < kills.size()) {
                baseline.add(gapAround((kills.get(i) + kills.get(i + 1)) / 2, statusTimes));
            }
        }
        report.figure("status gap (no status event on any partition) around a kill, ms (p50 / p99 / max, " + gaps.size() + " kills)", percentiles(gaps));
        report.figure("status gap at instants between kills, ms (p50 / p99 / max, baseline)", percentiles(baseline));
        report.figure("longest time without a status event (broker append times)", longestGap(statusTimes));
    }

    /** The longest interval between two consecutive status events on the topic, with its bounds; "-" when none. */
    static String longestGap(Map<Integer, List<Long>> times) {
        List<Long> all = new ArrayList<>();
        times.values().forEach(all::addAll);
        all.sort(Long::compare);
        long best = -1;
        int at = 0;
        for (int i = 1; i < all.size(); i++) {
            if (all.get(i) - all.get(i - 1) > best) {
                best = all.get(i) - all.get(i - 1);
                at = i;
            }
        }
        return best < 0 ? "-" : best + " ms, " + Instant.ofEpochMilli(all.get(at - 1)) + " → "
                + Instant.ofEpochMilli(all.get(at));
    }

    /**
     * The time without any status event (on any partition; broker append times) around {@code t}: from the last
     * event at or before it to the first after it. 0 when the topic was idle for 30 s before {@code t} (nothing to
     * interrupt) or nothing followed.
     */
    static long gapAround(long t, Map<Integer, List<Long>> times) {
        List<Long> all = new ArrayList<>();
        times.values().forEach(all::addAll);
        all.sort(Long::compare);
        int i = upper(all, t);
        if (i == 0 || i == all.size() || all.get(i - 1) < t - 30_000) {
            return 0;
        }
        return all.get(i) - all.get(i - 1);
    }

    /** Index of the first element greater than {@code t}. */
    private static int upper(List<Long> sorted, long t) {
        int lo = 0;
        int hi = sorted.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted.get(mid) <= t) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    static String percentiles(List<Long> values) {
        if (values.isEmpty()) {
            return "-";
        }
        long[] v = values.stream().mapToLong(Long::longValue).sorted().toArray();
        return p(v, 0.50) + " / " + p(v, 0.99) + " / " + v[v.length - 1];
    }

    private static long p(long[] sorted, double q) {
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    /** A snapshot of a DaskJob that ended (operator's status or runner pod) and was not being deleted. */
    static boolean endedUndeleted(DaskJobSnapshot s) {
        if (!s.getExists() || s.getDeleting()) {
            return false;
        }
        if ("Successful".equals(s.getJobStatus()) || "Failed".equals(s.getJobStatus())) {
            return true;
        }
        var runner = s.getComponents() == null ? null : s.getComponents().getRunner();
        return runner != null && ("Succeeded".equals(runner.getPhase()) || "Failed".equals(runner.getPhase()));
    }

    /** A snapshot showing the DaskJob's job runner pod: the operator got as far as starting the job. */
    static boolean hasRunner(DaskJobSnapshot s) {
        return s.getComponents() != null && s.getComponents().getRunner() != null;
    }

    private static Instant abortDecidedAt(List<Observation> outcomes) {
        if (outcomes == null) {
            return null;
        }
        for (Observation o : outcomes) {
            if (((CommandOutcome) o.getPayload()).getKind() == CommandOutcomeKind.ABORT_ACCEPTED) {
                return o.getObservedAt();
            }
        }
        return null;
    }

    private static List<CommandOutcomeKind> kinds(List<Observation> outcomes) {
        return outcomes == null ? List.of()
                : outcomes.stream().map(o -> ((CommandOutcome) o.getPayload()).getKind()).toList();
    }

    private static String timeline(List<TaskStatus> events) {
        if (events.isEmpty()) {
            return "(no status)";
        }
        StringBuilder sb = new StringBuilder();
        for (TaskStatus e : events) {
            if (sb.length() > 0) {
                sb.append(" → ");
            }
            sb.append(e.getSequence()).append(':').append(e.getPhase()).append(" v").append(e.getPhaseVersion());
            if (e.getError() != null) {
                sb.append(' ').append(e.getError().getCode());
            }
        }
        return sb.toString();
    }

    private static String family(String kind) {
        int c = kind.indexOf(':');
        return c < 0 ? kind : kind.substring(0, c);
    }

    private static String simple(String className) {
        if (className == null) {
            return "?";
        }
        int dot = className.lastIndexOf('.');
        return dot < 0 ? className : className.substring(dot + 1);
    }

    private List<JsonNode> lines(Path file) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        if (file == null || !Files.exists(file)) {
            return out;
        }
        for (String line : Files.readAllLines(file)) {
            if (!line.isBlank()) {
                out.add(json.readTree(line));
            }
        }
        return out;
    }
}
