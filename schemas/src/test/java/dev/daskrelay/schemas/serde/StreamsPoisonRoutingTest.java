package dev.daskrelay.schemas.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.daskrelay.avro.v1.TaskCommand;
import dev.daskrelay.schemas.registry.MockSchemaRegistry;
import dev.daskrelay.schemas.registry.RegistryConfig;
import dev.daskrelay.schemas.registry.SchemaSerdeException;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The serde inside a Kafka Streams topology: poison records surface as typed exceptions to the configured
 * deserialization exception handler (here: skip and continue), so a topology never crash-loops on them.
 */
class StreamsPoisonRoutingTest {

    private static final String SCOPE = "streams";

    @AfterEach
    void tearDown() {
        MockSchemaRegistry.dropScope(SCOPE);
    }

    private static TopologyTestDriver driver(Class<?> handler) {
        AvroSerde<TaskCommand> commands = AvroSerdes.specific(TaskCommand.class, Map.of(RegistryConfig.URL, "mock://" + SCOPE), false);
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream("commands", Consumed.with(Serdes.String(), commands))
                .mapValues(TaskCommand::getCommandId)
                .to("seen", Produced.with(Serdes.String(), Serdes.String()));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "serde-poison");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        if (handler != null) {
            props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, handler.getName());
        }
        return new TopologyTestDriver(builder.build(), props);
    }

    @Test
    void poisonIsHandedToTheHandlerAndGoodRecordsFlowOn() {
        byte[] good = AvroSerdes.specific(TaskCommand.class, Map.of(RegistryConfig.URL, "mock://" + SCOPE), false)
                .serializer().serialize("commands", SampleRecords.launch());
        try (TopologyTestDriver driver = driver(LogAndContinueExceptionHandler.class)) {
            TestInputTopic<String, byte[]> in = driver.createInputTopic("commands", new StringSerializer(), new ByteArraySerializer());
            TestOutputTopic<String, String> out = driver.createOutputTopic("seen", new StringDeserializer(), new StringDeserializer());
            in.pipeInput("t", good);
            in.pipeInput("t", "{\"json\":true}".getBytes());             // wrong magic byte
            in.pipeInput("t", new byte[]{0, 0, 0});                       // truncated
            in.pipeInput("t", WireFormat.frame(777, new byte[]{1, 2}));   // unknown id
            in.pipeInput("t", good);
            assertEquals(List.of("cmd-0001", "cmd-0001"), out.readValuesToList());
        }
    }

    @Test
    void withoutAHandlerTheFailureIsTypedNotAHang() {
        try (TopologyTestDriver driver = driver(null)) {
            TestInputTopic<String, byte[]> in = driver.createInputTopic("commands", new StringSerializer(), new ByteArraySerializer());
            StreamsException e = assertThrows(StreamsException.class, () -> in.pipeInput("t", new byte[]{7, 7, 7, 7, 7, 7}));
            Throwable cause = e;
            while (cause != null && !(cause instanceof SchemaSerdeException)) {
                cause = cause.getCause();
            }
            assertInstanceOf(UnknownMagicByteException.class, cause, "cause chain: " + e);
        }
    }
}
