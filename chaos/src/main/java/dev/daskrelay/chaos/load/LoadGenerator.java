package dev.daskrelay.chaos.load;

import dev.daskrelay.avro.v1.TaskCommand;
import dev.daskrelay.chaos.hostile.HostileRecord;
import dev.daskrelay.chaos.hostile.HostileRecords;
import dev.daskrelay.schemas.serde.AvroSerde;
import dev.daskrelay.schemas.serde.AvroSerdes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the launch plan's commands on schedule, with the hostile records of the bad-input suite mixed in at random
 * times, as raw bytes (what any producer can write). About a third of the records go to a partition chosen at random
 * rather than the key's (as producers with another partitioner do, docs/PRODUCERS.md), so the command topology's
 * routing by task id is exercised too. Every record's place on the topic is kept for the auditor.
 */
public final class LoadGenerator {

    private static final Logger LOG = LoggerFactory.getLogger(LoadGenerator.class);
    private static final Map<String, String> REGISTRY = Map.of("schema.registry.url", "bundled://");

    private final String run;
    private final String topic;
    private final int partitions;
    private final LaunchPlan plan;
    private final HostileRecords hostile;
    private final List<HostileRecord> extra;
    private final long seed;
    private final Properties producerProperties;
    private final List<SentRecord> sent = Collections.synchronizedList(new ArrayList<>());

    /**
     * @param extra hostile records to mix in (the bad-input suite), sent at random times of the launch phase
     */
    public LoadGenerator(String run, String topic, int partitions, LaunchPlan plan, HostileRecords hostile,
                         List<HostileRecord> extra, long seed, Properties clientProperties) {
        this.run = run;
        this.topic = topic;
        this.partitions = partitions;
        this.plan = plan;
        this.hostile = hostile;
        this.extra = List.copyOf(extra);
        this.seed = seed;
        Properties p = new Properties();
        p.putAll(clientProperties);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "300000");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "30000");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        this.producerProperties = p;
    }

    public List<SentRecord> sent() {
        synchronized (sent) {
            return List.copyOf(sent);
        }
    }

    /**
     * Sends everything on schedule from {@code start}; returns when all is sent (or {@code stop} says so).
     *
     * @param progress called after each planned task's first command with the number sent so far
     */
    public void run(Instant start, BooleanSupplier stop, IntConsumer progress)
            throws InterruptedException {
        Random random = new Random(seed);
        List<Timed> timeline = new ArrayList<>();
        for (LaunchPlan.Send s : plan.sends()) {
            timeline.add(new Timed(s.at(), s, null));
        }
        Duration span = plan.sends().isEmpty() ? Duration.ZERO : plan.sends().get(plan.sends().size() - 1).at();
        for (HostileRecord h : extra) {
            timeline.add(new Timed(Duration.ofMillis((long) (random.nextDouble() * Math.max(1, span.toMillis()))), null, h));
        }
        timeline.sort((a, b) -> a.at().compareTo(b.at()));
        AvroSerde<TaskCommand> serde = AvroSerdes.specific(TaskCommand.class, REGISTRY, false);
        List<Pending> inFlight = new ArrayList<>();
        int firsts = 0;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProperties, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            Map<Integer, byte[]> firstLaunch = new HashMap<>();
            for (Timed t : timeline) {
                if (stop.getAsBoolean()) {
                    break;
                }
                long wait = Duration.between(Instant.now(), start.plus(t.at())).toMillis();
                if (wait > 0) {
                    Thread.sleep(wait);
                }
                Integer partition = random.nextDouble() < 0.33 ? random.nextInt(partitions) : null;
                if (t.hostile() != null) {
                    HostileRecord h = t.hostile();
                    inFlight.add(send(producer, partition, h.key(), h.value(), -1, "hostile:" + h.kind(), h.taskId(),
                            null, h.expect().name(), String.join("|", h.paths())));
                    continue;
                }
                LaunchPlan.Send s = t.send();
                LaunchPlan.Task task = plan.tasks().get(s.task());
                Instant now = Instant.now();
                String taskId = Commands.taskId(run, task.name());
                byte[] key = taskId.getBytes(StandardCharsets.UTF_8);
                switch (s.step()) {
                    case LAUNCH -> {
                        TaskCommand c = Commands.launch(run, task.name(), "launch-" + task.name(), task.scenario(),
                                task.runFor(), now);
                        byte[] v = serde.serializer().serialize(topic, c);
                        firstLaunch.put(task.index(), v);
                        inFlight.add(send(producer, partition, key, v, task.index(), s.step().name(), taskId,
                                c.getCommandId(), null, null));
                    }
                    case LAUNCH_AGAIN_SAME_RECORD -> inFlight.add(send(producer, partition, key,
                            firstLaunch.get(task.index()), task.index(), s.step().name(), taskId,
                            "launch-" + task.name(), null, null));
                    case LAUNCH_AGAIN_NEW_ID -> {
                        TaskCommand c = Commands.launch(run, task.name(), "relaunch-" + task.name(), task.scenario(),
                                task.runFor(), now);
                        inFlight.add(send(producer, partition, key, serde.serializer().serialize(topic, c), task.index(),
                                s.step().name(), taskId, c.getCommandId(), null, null));
                    }
                    case ABORT -> {
                        TaskCommand c = Commands.abort(run, task.name(), "abort-" + task.name(), "chaos: aborted", now);
                        inFlight.add(send(producer, partition, key, serde.serializer().serialize(topic, c), task.index(),
                                s.step().name(), taskId, c.getCommandId(), null, null));
                    }
                    case INVALID -> {
                        HostileRecord h = hostile.invalidLaunch(task.name(), new Random(seed ^ task.index()));
                        inFlight.add(send(producer, partition, h.key(), h.value(), task.index(), s.step().name(),
                                h.taskId(), "launch-" + task.name(), h.expect().name(), String.join("|", h.paths())));
                    }
                    default -> throw new IllegalStateException(s.step().name());
                }
                if (isFirst(s, task)) {
                    progress.accept(++firsts);
                }
                collect(inFlight, false);
            }
            producer.flush();
            collect(inFlight, true);
        }
    }

    private static boolean isFirst(LaunchPlan.Send s, LaunchPlan.Task task) {
        return switch (task.kind()) {
            case ABORT_FIRST -> s.step() == LaunchPlan.Step.ABORT;
            case INVALID -> s.step() == LaunchPlan.Step.INVALID;
            default -> s.step() == LaunchPlan.Step.LAUNCH;
        };
    }

    private record Timed(Duration at, LaunchPlan.Send send, HostileRecord hostile) {
    }

    private record Pending(Future<RecordMetadata> future, int task, String what, String taskId, String commandId,
                           String expect, String paths, long sentAt) {
    }

    private Pending send(KafkaProducer<byte[], byte[]> producer, Integer partition, byte[] key, byte[] value, int task,
                         String what, String taskId, String commandId, String expect, String paths) {
        long at = System.currentTimeMillis();
        Future<RecordMetadata> f;
        try {
            f = producer.send(new ProducerRecord<>(topic, partition, key, value));
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        return new Pending(f, task, what, taskId, commandId, expect, paths, at);
    }

    private void collect(List<Pending> inFlight, boolean all) throws InterruptedException {
        var it = inFlight.iterator();
        while (it.hasNext()) {
            Pending p = it.next();
            if (!all && !p.future().isDone()) {
                continue;
            }
            it.remove();
            try {
                RecordMetadata m = p.future().get(5, TimeUnit.MINUTES);
                sent.add(new SentRecord(p.task(), p.what(), p.taskId(), p.commandId(), p.expect(), p.paths(),
                        m.partition(), m.offset(), p.sentAt(), null));
            } catch (ExecutionException | TimeoutException e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                if (!"REFUSED".equals(p.expect())) {
                    LOG.warn("send of {} ({}) failed: {}", p.what(), p.taskId(), cause.toString());
                }
                sent.add(new SentRecord(p.task(), p.what(), p.taskId(), p.commandId(), p.expect(), p.paths(), -1, -1,
                        p.sentAt(), cause.getClass().getSimpleName() + ": " + cause.getMessage()));
            }
        }
    }
}
