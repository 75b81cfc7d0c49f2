package dev.daskrelay.translator.topology;

import dev.daskrelay.avro.v1.DaskJobIntent;
import dev.daskrelay.avro.v1.Observation;
import dev.daskrelay.avro.v1.TaskCommand;
import dev.daskrelay.schemas.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

/**
 * The command topology: {@code <prefix>.commands} → repartition by task id → validate + render →
 * {@code <prefix>.intents} and {@code <prefix>.observations}; undecodable records → {@code <prefix>.dead-letters}.
 *
 * <pre>
 *  commands (bytes) ─┬► commands-origin ─► [ &lt;applicationId&gt;-commands-by-task-id-repartition ]  sub-topology 0
 *                    └► (no key) ─► dead-letters      │ murmur2(taskId) % n, set by this topology
 *                                                 ▼
 *                          commands-processor (store task-fates) ─┬─► intents                  sub-topology 1
 *                           │ wall-clock punctuation:             ├─► observations
 *                           └ expired fates forgotten (FateExpiry) └─► dead-letters
 * </pre>
 *
 * <p>Why the repartition: the fate of a task lives in the store of one partition, so every command of a task must
 * reach that partition. Kafka has no partitioner common to all clients (librdkafka-based clients hash with CRC32 by
 * default, Java ones with murmur2, others round-robin), so the topology does not trust the partition a producer
 * chose: it re-writes each record unchanged (key, value and headers, plus its origin, {@link CommandOrigin}) to an
 * internal repartition topic with an explicit partitioner ({@link TaskIdPartitioner}), and decides from there.
 * Both sub-topologies run under exactly_once_v2: the repartition write commits with the read of the command, the
 * decision with the read of the repartition record; Kafka Streams purges the repartition topic as it goes.
 * {@link CommandRouting#PRODUCER_PARTITION} builds the previous design (no repartition), for the benchmark only.
 *
 * <p>Dead letters: Kafka 4.1 has no built-in dead-letter queue for Streams (KIP-1034 ships in 4.2), and a
 * {@code DeserializationExceptionHandler} that writes with a producer of its own would write outside the
 * exactly-once transaction. So the source reads raw bytes and {@link CommandProcessor} decodes them; a record
 * that does not decode goes to a dead-letter sink of the same topology, in the same transaction as the offsets,
 * with its place on the commands topic.
 */
public final class CommandTopology {

    public static final String FATE_STORE = "task-fates";
    /** Name of the repartition step; Kafka Streams names the topic {@code <applicationId>-<this>-repartition}. */
    public static final String REPARTITION = "commands-by-task-id";
    static final String SOURCE = "commands-source";
    static final String ORIGIN = "commands-origin";
    static final String KEYLESS = "commands-without-key";
    static final String KEYLESS_DEAD_LETTER_SINK = "keyless-dead-letter-sink";
    static final String PROCESSOR = "commands-processor";
    static final String INTENTS_SINK = "intents-sink";
    static final String OBSERVATIONS_SINK = "observations-sink";
    static final String DEAD_LETTER_SINK = "dead-letter-sink";

    /** The product's topology ({@link CommandRouting#REPARTITION_BY_TASK_ID}), fates kept forever. */
    public static Topology build(Topics topics, Serde<TaskCommand> commandSerde, Serde<DaskJobIntent> intentSerde,
                                 Serde<Observation> observationSerde, LaunchPreparation preparation,
                                 MeterRegistry registry) {
        return build(topics, commandSerde, intentSerde, observationSerde, preparation, registry,
                CommandRouting.REPARTITION_BY_TASK_ID, null);
    }

    /** The product's topology; fates are forgotten {@code fateRetention} after their last write (null = never). */
    public static Topology build(Topics topics, Serde<TaskCommand> commandSerde, Serde<DaskJobIntent> intentSerde,
                                 Serde<Observation> observationSerde, LaunchPreparation preparation,
                                 MeterRegistry registry, Duration fateRetention) {
        return build(topics, commandSerde, intentSerde, observationSerde, preparation, registry,
                CommandRouting.REPARTITION_BY_TASK_ID, fateRetention);
    }

    /** A topology with the given routing (the benchmark compares both), fates kept forever. */
    public static Topology build(Topics topics, Serde<TaskCommand> commandSerde, Serde<DaskJobIntent> intentSerde,
                                 Serde<Observation> observationSerde, LaunchPreparation preparation,
                                 MeterRegistry registry, CommandRouting routing) {
        return build(topics, commandSerde, intentSerde, observationSerde, preparation, registry, routing, null);
    }

    /**
     * @param topics topic names
     * @param commandSerde decodes {@code TaskCommand} values (Confluent wire format in production)
     * @param intentSerde encodes intents
     * @param observationSerde encodes observations
     * @param preparation validation + rendering of launches
     * @param registry meters go here
     * @param routing how commands reach their fate store
     * @param fateRetention how long after its last write a task's fate is forgotten; null = never
     *     ({@link FateExpiry})
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static Topology build(Topics topics, Serde<TaskCommand> commandSerde, Serde<DaskJobIntent> intentSerde,
                                 Serde<Observation> observationSerde, LaunchPreparation preparation,
                                 MeterRegistry registry, CommandRouting routing, Duration fateRetention) {
        CommandMetrics metrics = new CommandMetrics(registry);
        StreamsBuilder b = new StreamsBuilder();
        // timestamped: the time of a fate's last write is what its expiry counts from (a store written by an earlier
        // version without timestamps is upgraded in place by Kafka Streams; its fates get a time at the first sweep)
        b.addStateStore(Stores.timestampedKeyValueStoreBuilder(Stores.persistentTimestampedKeyValueStore(FATE_STORE),
                Serdes.String(), new TaskFateSerde()));
        KStream<byte[], byte[]> commands = b.stream(topics.commands(),
                Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName(SOURCE));
        boolean repartition = routing == CommandRouting.REPARTITION_BY_TASK_ID;
        if (repartition) {
            Map<String, KStream<byte[], byte[]>> routes = commands.split(Named.as("commands-"))
                    .branch((key, value) -> key == null, Branched.withConsumer(keyless -> keyless
                            .processValues(() -> new KeylessCommand(metrics), Named.as(KEYLESS))
                            .to(topics.deadLetters(), Produced.with(Serdes.ByteArray(), Serdes.ByteArray())
                                    .withName(KEYLESS_DEAD_LETTER_SINK)), "keyless"))
                    .defaultBranch(Branched.withFunction(keyed -> keyed
                            .processValues(CommandOrigin.Stamp::new, Named.as(ORIGIN))
                            .repartition(Repartitioned.<byte[], byte[]>as(REPARTITION)
                                    .withKeySerde(Serdes.ByteArray()).withValueSerde(Serdes.ByteArray())
                                    .withStreamPartitioner(new TaskIdPartitioner<>())), "keyed"));
            commands = routes.get("commands-keyed");
        }
        KStream<Object, Object> decided = commands.process(
                () -> new CommandProcessor(commandSerde.deserializer(), preparation, metrics, repartition,
                        fateRetention == null ? null : new FateExpiry(fateRetention)),
                Named.as(PROCESSOR), FATE_STORE);
        // CommandProcessor forwards each record to one of these by name
        decided.to(topics.intents(), (Produced) Produced.with(Serdes.String(), intentSerde)
                .withStreamPartitioner(new TaskIdPartitioner<>()).withName(INTENTS_SINK));
        decided.to(topics.observations(), (Produced) Produced.with(Serdes.String(), observationSerde)
                .withStreamPartitioner(new TaskIdPartitioner<>()).withName(OBSERVATIONS_SINK));
        decided.to(topics.deadLetters(),
                (Produced) Produced.with(Serdes.ByteArray(), Serdes.ByteArray()).withName(DEAD_LETTER_SINK));
        return b.build();
    }

    /** Streams properties every deployment of this topology needs (exactly-once v2). */
    public static Properties requiredProperties(String applicationId) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        return p;
    }

    /** The internal repartition topic of an application id: {@code <applicationId>-commands-by-task-id-repartition}. */
    public static String repartitionTopic(String applicationId) {
        return applicationId + "-" + REPARTITION + "-repartition";
    }

    private CommandTopology() {
    }
}
