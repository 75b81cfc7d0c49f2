package dev.daskrelay.bench.serde;

import dev.daskrelay.avro.v1.TaskCommand;
import dev.daskrelay.avro.v1.TaskStatus;
import dev.daskrelay.schemas.registry.MockSchemaRegistry;
import dev.daskrelay.schemas.registry.RegistryConfig;
import dev.daskrelay.schemas.serde.AvroSerde;
import dev.daskrelay.schemas.serde.AvroSerdes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Confluent-format serdes vs plain Avro binary encoding of the same records (the limit: a serde adds a
 * 5-byte header, an id lookup and a copy). Both sides produce a fresh {@code byte[]} per record and reuse
 * their encoder/decoder, as a Kafka serializer must. Registry: mock:// (ids resolved in setup; the hot path
 * never calls a registry, whatever the mode).
 *
 * <pre>java -jar bench/target/benchmarks.jar SerdeBenchmark -f 1 -wi 3 -i 5 -w 1s -r 1s</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SerdeBenchmark {

    private static final String SCOPE = "bench";

    private TaskCommand launch;
    private TaskStatus status;
    private AvroSerde<TaskCommand> commandSerde;
    private AvroSerde<TaskStatus> statusSerde;
    private byte[] launchFrame;
    private byte[] statusFrame;

    private final ByteArrayOutputStream rawOut = new ByteArrayOutputStream(1024);
    private BinaryEncoder rawEncoder;
    private BinaryDecoder rawDecoder;
    private SpecificDatumWriter<TaskCommand> commandWriter;
    private SpecificDatumWriter<TaskStatus> statusWriter;
    private SpecificDatumReader<TaskCommand> commandReader;
    private SpecificDatumReader<TaskStatus> statusReader;
    private byte[] launchRaw;
    private byte[] statusRaw;

    @Setup
    public void setUp() throws IOException {
        launch = BenchRecords.launch();
        status = BenchRecords.status();
        Map<String, Object> config = Map.of(RegistryConfig.URL, "mock://" + SCOPE);
        commandSerde = AvroSerdes.specific(TaskCommand.class, config, false);
        statusSerde = AvroSerdes.specific(TaskStatus.class, config, false);
        launchFrame = commandSerde.serializer().serialize("commands", launch);
        statusFrame = statusSerde.serializer().serialize("status", status);

        commandWriter = new SpecificDatumWriter<>(TaskCommand.class);
        statusWriter = new SpecificDatumWriter<>(TaskStatus.class);
        commandReader = new SpecificDatumReader<>(TaskCommand.class);
        statusReader = new SpecificDatumReader<>(TaskStatus.class);
        launchRaw = rawEncodeLaunch();
        statusRaw = rawEncodeStatus();
        if (!launch.equals(deserializeLaunch()) || !status.equals(rawDecodeStatus())) {
            throw new IllegalStateException("round trip broken");
        }
    }

    @TearDown
    public void tearDown() {
        MockSchemaRegistry.dropScope(SCOPE);
    }

    @Benchmark
    public byte[] serializeLaunch() {
        return commandSerde.serializer().serialize("commands", launch);
    }

    @Benchmark
    public byte[] rawEncodeLaunch() throws IOException {
        rawOut.reset();
        rawEncoder = EncoderFactory.get().binaryEncoder(rawOut, rawEncoder);
        commandWriter.write(launch, rawEncoder);
        rawEncoder.flush();
        return rawOut.toByteArray();
    }

    @Benchmark
    public TaskCommand deserializeLaunch() {
        return commandSerde.deserializer().deserialize("commands", launchFrame);
    }

    @Benchmark
    public TaskCommand rawDecodeLaunch() throws IOException {
        rawDecoder = DecoderFactory.get().binaryDecoder(launchRaw, rawDecoder);
        return commandReader.read(null, rawDecoder);
    }

    @Benchmark
    public byte[] serializeStatus() {
        return statusSerde.serializer().serialize("status", status);
    }

    @Benchmark
    public byte[] rawEncodeStatus() throws IOException {
        rawOut.reset();
        rawEncoder = EncoderFactory.get().binaryEncoder(rawOut, rawEncoder);
        statusWriter.write(status, rawEncoder);
        rawEncoder.flush();
        return rawOut.toByteArray();
    }

    @Benchmark
    public TaskStatus deserializeStatus() {
        return statusSerde.deserializer().deserialize("status", statusFrame);
    }

    @Benchmark
    public TaskStatus rawDecodeStatus() throws IOException {
        rawDecoder = DecoderFactory.get().binaryDecoder(statusRaw, rawDecoder);
        return statusReader.read(null, rawDecoder);
    }
}
