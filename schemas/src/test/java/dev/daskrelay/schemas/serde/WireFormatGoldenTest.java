package dev.daskrelay.schemas.serde;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.daskrelay.avro.v1.TaskCommand;
import dev.daskrelay.avro.v1.TaskStatus;
import dev.daskrelay.schemas.registry.MockSchemaRegistry;
import dev.daskrelay.schemas.registry.RegistryConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Byte-level golden tests of Confluent's wire format: 0x00, 4-byte big-endian id, Avro binary body. */
class WireFormatGoldenTest {

    private static final String SCOPE = "golden";
    private static final HexFormat HEX = HexFormat.of();

    @AfterEach
    void tearDown() {
        MockSchemaRegistry.dropScope(SCOPE);
    }

    @Test
    void headerIsMagicZeroThenBigEndianId() {
        assertEquals("0001020304" + "ff", HEX.formatHex(WireFormat.frame(0x01020304, new byte[]{(byte) 0xff})));
        assertEquals("007fffffff", HEX.formatHex(WireFormat.frame(Integer.MAX_VALUE, new byte[0])));
        assertEquals(0x01020304, WireFormat.schemaId(HEX.parseHex("0001020304ff")));
        assertEquals(574356552, WireFormat.schemaId(HEX.parseHex("00223bfc48")));
    }

    @Test
    void genericRecordFrameIsExactlyTheGoldenBytes() {
        AvroSerde<GenericRecord> serde = AvroSerdes.generic(Map.of(RegistryConfig.URL, "mock://" + SCOPE), false);
        GenericRecord widget = new GenericData.Record(SampleRecords.widgetV1());
        widget.put("id", "w-1");
        widget.put("size", 3);
        // id 1 (first schema of the scope); "w-1" = length 3 (zig-zag 0x06) + 77 2d 31; size 3 = zig-zag 0x06
        assertEquals("0000000001" + "06772d31" + "06", HEX.formatHex(serde.serializer().serialize("widgets", widget)));
    }

    @Test
    void handBuiltFrameDeserializes() {
        MockSchemaRegistry registry = MockSchemaRegistry.forScope(SCOPE);
        int id = registry.register("widgets-value", SampleRecords.widgetV1());
        byte[] frame = {0, (byte) (id >>> 24), (byte) (id >>> 16), (byte) (id >>> 8), (byte) id,
                0x08, 'w', '-', '4', '2', (byte) 0x80, 0x01}; // "w-42", size 64 (zig-zag 128 = 0x80 0x01)
        GenericRecord widget = AvroSerdes.generic(Map.of(RegistryConfig.URL, "mock://" + SCOPE), false)
                .deserializer().deserialize("widgets", frame);
        assertEquals("w-42", widget.get("id").toString());
        assertEquals(64, widget.get("size"));
    }

    @Test
    void generatedRecordsFrameIsHeaderPlusPlainAvroBinary() throws IOException {
        Map<String, Object> config = Map.of(RegistryConfig.URL, "mock://" + SCOPE);
        AvroSerde<TaskCommand> commands = AvroSerdes.specific(TaskCommand.class, config, false);
        AvroSerde<TaskStatus> statuses = AvroSerdes.specific(TaskStatus.class, config, false);
        assertFrame(commands.serializer().serialize("commands", SampleRecords.launch()), 1, SampleRecords.launch());
        assertFrame(commands.serializer().serialize("commands", SampleRecords.abort()), 1, SampleRecords.abort());
        assertFrame(statuses.serializer().serialize("status", SampleRecords.status()), 2, SampleRecords.status());
    }

    private static void assertFrame(byte[] frame, int expectedId, SpecificRecord record) throws IOException {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(raw, null);
        new SpecificDatumWriter<SpecificRecord>(record.getSchema()).write(record, encoder);
        encoder.flush();
        assertArrayEquals(new byte[]{0, 0, 0, 0, (byte) expectedId}, Arrays.copyOf(frame, 5));
        assertArrayEquals(raw.toByteArray(), Arrays.copyOfRange(frame, 5, frame.length), "body is Avro's own binary encoding");
    }
}
