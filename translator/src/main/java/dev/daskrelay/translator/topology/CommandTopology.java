package dev.daskrelay.translator.topology;

import dev.daskrelay.avro.v1.DaskJobIntent;
import dev.daskrelay.avro.v1.Observation;
import dev.daskrelay.avro.v1.TaskCommand;
import dev.daskrelay.schemas.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The command topology: {@code <prefix>.commands} → validate + render → {@code <prefix>.intents} and
 * {@code <prefix>.observations}; undecodable records → {@code <prefix>.dead-letters}.
 *
 * <p>Dead letters: Kafka 4.1 has no built-in dead-letter queue for Streams (KIP-1034 ships in 4.2), and a
 * {@code DeserializationExceptionHandler} that writes with a producer of its own would write outside the
 * exactly-once transaction. So the source reads raw bytes and {@link CommandProcessor} decodes them; a record
 * that does not decode goes to a dead-letter sink of the same topology, in the same transaction as the offsets.
 */
public final class CommandTopology {

    public static final String FATE_STORE = "task-fates";
    static final String SOURCE = "commands-source";
    static final String PROCESSOR = "commands-processor";
    static final String INTENTS_SINK = "intents-sink";
    static final String OBSERVATIONS_SINK = "observations-sink";
    static final String DEAD_LETTER_SINK = "dead-letter-sink";

    /**
     * @param topics topic names
     * @param commandSerde decodes {@code TaskCommand} values (Confluent wire format in production)
     * @param intentSerde encodes intents
     * @param observationSerde encodes observations
     * @param preparation validation + rendering of launches
     * @param registry meters go here
     */
    public static Topology build(Topics topics, Serde<TaskCommand> commandSerde, Serde<DaskJobIntent> intentSerde,
                                 Serde<Observation> observationSerde, LaunchPreparation preparation,
                                 MeterRegistry registry) {
        CommandMetrics metrics = new CommandMetrics(registry);
        Topology t = new Topology();
        t.addSource(SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(), topics.commands());
        t.addProcessor(PROCESSOR, () -> new CommandProcessor(commandSerde.deserializer(), preparation, metrics),
                SOURCE);
        t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(FATE_STORE),
                Serdes.String(), new TaskFateSerde()), PROCESSOR);
        t.addSink(INTENTS_SINK, topics.intents(), new StringSerializer(), intentSerde.serializer(), PROCESSOR);
        t.addSink(OBSERVATIONS_SINK, topics.observations(), new StringSerializer(), observationSerde.serializer(),
                PROCESSOR);
        t.addSink(DEAD_LETTER_SINK, topics.deadLetters(), new ByteArraySerializer(), new ByteArraySerializer(),
                PROCESSOR);
        return t;
    }

    /** Streams properties every deployment of this topology needs (exactly-once v2). */
    public static Properties requiredProperties(String applicationId) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        return p;
    }

    private CommandTopology() {
    }
}
