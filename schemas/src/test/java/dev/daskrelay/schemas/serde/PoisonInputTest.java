package dev.daskrelay.schemas.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.daskrelay.avro.v1.TaskCommand;
import dev.daskrelay.avro.v1.TaskStatus;
import dev.daskrelay.schemas.registry.IncompatibleSchemaException;
import dev.daskrelay.schemas.registry.MockSchemaRegistry;
import dev.daskrelay.schemas.registry.RegistryConfig;
import dev.daskrelay.schemas.registry.SchemaSerdeException;
import dev.daskrelay.schemas.registry.SchemaSerdeException.Reason;
import dev.daskrelay.schemas.registry.UnknownSchemaIdException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Poison input: every malformed record becomes a typed Kafka SerializationException, never a hang or an Error. */
class PoisonInputTest {

    private static final String SCOPE = "poison";
    private AvroSerde<TaskCommand> commands;
    private AvroSerde<TaskStatus> statuses;
    private byte[] validCommand;

    @BeforeEach
    void setUp() {
        MockSchemaRegistry.dropScope(SCOPE);
        Map<String, Object> config = Map.of(RegistryConfig.URL, "mock://" + SCOPE);
        commands = AvroSerdes.specific(TaskCommand.class, config, false);
        statuses = AvroSerdes.specific(TaskStatus.class, config, false);
        validCommand = commands.serializer().serialize("commands", SampleRecords.launch());
    }

    @AfterEach
    void tearDown() {
        MockSchemaRegistry.dropScope(SCOPE);
    }

    private SchemaSerdeException poison(byte[] bytes) {
        SchemaSerdeException e = assertThrows(SchemaSerdeException.class, () -> commands.deserializer().deserialize("commands", bytes));
        assertInstanceOf(SerializationException.class, e, "topologies route Kafka SerializationExceptions");
        return e;
    }

    @Test
    void nullIsATombstoneNotAnError() {
        assertNull(commands.deserializer().deserialize("commands", null));
        assertNull(commands.serializer().serialize("commands", null));
    }

    @Test
    void shortFramesAreTruncated() {
        assertInstanceOf(TruncatedFrameException.class, poison(new byte[0]));
        assertInstanceOf(TruncatedFrameException.class, poison(new byte[]{0, 0, 0}));
        assertEquals(Reason.TRUNCATED_FRAME, poison(new byte[]{0, 0, 0, 1}).reason());
    }

    @Test
    void aBodyCutShortIsTruncated() {
        for (int length : new int[]{5, 6, validCommand.length / 2, validCommand.length - 1}) {
            SchemaSerdeException e = poison(Arrays.copyOf(validCommand, length));
            assertEquals(Reason.TRUNCATED_FRAME, e.reason(), "cut at " + length + ": " + e.getMessage());
        }
    }

    @Test
    void wrongMagicByteIsNamed() {
        SchemaSerdeException e = poison("{\"taskId\":\"t\"}".getBytes(StandardCharsets.UTF_8));
        assertInstanceOf(UnknownMagicByteException.class, e);
        assertTrue(e.getMessage().contains("0x7b"), e.getMessage());
        byte[] otherMagic = validCommand.clone();
        otherMagic[0] = 1;
        assertInstanceOf(UnknownMagicByteException.class, poison(otherMagic));
    }

    @Test
    void unknownSchemaIdIsTyped() {
        SchemaSerdeException e = poison(WireFormat.frame(4242, new byte[]{0}));
        assertInstanceOf(UnknownSchemaIdException.class, e);
        assertEquals(Reason.UNKNOWN_SCHEMA_ID, e.reason());
        assertTrue(e.reason().poison());
    }

    @Test
    void leftoverBytesAreACorruptBody() {
        byte[] longer = Arrays.copyOf(validCommand, validCommand.length + 3);
        SchemaSerdeException e = poison(longer);
        assertInstanceOf(CorruptBodyException.class, e);
    }

    @Test
    void hugeLengthPrefixesFailWithoutExhaustingMemory() {
        int id = WireFormat.schemaId(validCommand);
        // commandId string claiming 2^30 bytes (zig-zag varint 0x80 0x80 0x80 0x80 0x08)
        assertEquals(Reason.TRUNCATED_FRAME, poison(WireFormat.frame(id, new byte[]{(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08})).reason());
        // a negative length
        assertTrue(poison(WireFormat.frame(id, new byte[]{0x01, 'a'})).reason().poison());
    }

    @Test
    void hugeArrayCountsFailWithoutExhaustingMemory() {
        GenericRecord status = SampleRecords.asGeneric(SampleRecords.status());
        byte[] frame = statuses.serializer().serialize("status", SampleRecords.status());
        // logLinks is the empty array written as a single 0 byte just before occurredAt; find it by re-encoding
        // with a different count: build a body whose logLinks block claims 2^28 items
        int id = WireFormat.schemaId(frame);
        byte[] body = Arrays.copyOfRange(frame, 5, frame.length);
        byte[] tail = tailAfterLogLinks(status);
        int logLinksAt = body.length - tail.length - 1;
        assertEquals(0, body[logLinksAt], "logLinks is the empty array");
        byte[] hugeCount = {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x02}; // zig-zag of 2^28
        byte[] poisoned = new byte[logLinksAt + hugeCount.length + tail.length];
        System.arraycopy(body, 0, poisoned, 0, logLinksAt);
        System.arraycopy(hugeCount, 0, poisoned, logLinksAt, hugeCount.length);
        System.arraycopy(tail, 0, poisoned, logLinksAt + hugeCount.length, tail.length);
        SchemaSerdeException e = assertThrows(SchemaSerdeException.class,
                () -> statuses.deserializer().deserialize("status", WireFormat.frame(id, poisoned)));
        assertTrue(e.reason().poison(), e.getMessage());
    }

    /** occurredAt, observedAt and terminal as Avro encodes them: the bytes after the logLinks array. */
    private static byte[] tailAfterLogLinks(GenericRecord status) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
            encoder.writeLong((Long) status.get("occurredAt"));
            encoder.writeLong((Long) status.get("observedAt"));
            encoder.writeBoolean((Boolean) status.get("terminal"));
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    @Test
    void randomGarbageBodiesNeverEscapeAsAnythingButTypedExceptions() {
        int id = WireFormat.schemaId(validCommand);
        Random random = new Random(20261127L);
        int decoded = 0;
        for (int i = 0; i < 3000; i++) {
            byte[] body = new byte[random.nextInt(120)];
            random.nextBytes(body);
            byte[] frame = WireFormat.frame(id, body);
            try {
                commands.deserializer().deserialize("commands", frame);
                decoded++;
            } catch (SchemaSerdeException e) {
                assertTrue(e.reason().poison(), e.reason() + ": " + e.getMessage());
            }
        }
        assertTrue(decoded < 30, "random bytes should almost never form a valid TaskCommand, got " + decoded);
    }

    @Test
    void aRecordOfAnotherTypeIsIncompatibleNotGarbage() {
        byte[] statusFrame = statuses.serializer().serialize("status", SampleRecords.status());
        SchemaSerdeException e = poison(statusFrame);
        assertInstanceOf(IncompatibleSchemaException.class, e);
        assertTrue(e.getMessage().contains("TaskStatus"), e.getMessage());
        // remembered: the second time fails the same way without re-checking
        assertInstanceOf(IncompatibleSchemaException.class, poison(statusFrame));
    }

    @Test
    void invalidRecordsAreRefusedOnSerialize() {
        TaskCommand broken = SampleRecords.launch();
        broken.setTaskId(null);
        SchemaSerdeException e = assertThrows(SchemaSerdeException.class, () -> commands.serializer().serialize("commands", broken));
        assertEquals(Reason.INVALID_RECORD, e.reason());
        assertTrue(e.getMessage().contains("taskId"), e.getMessage());
        // the thread's buffer is still usable afterwards
        assertEquals(SampleRecords.launch(), commands.deserializer().deserialize("commands",
                commands.serializer().serialize("commands", SampleRecords.launch())));
    }

    @Test
    void environmentFailuresAreNotPoison() {
        assertFalse(Reason.REGISTRY_UNAVAILABLE.poison());
        assertFalse(Reason.REGISTRY_AUTH.poison());
        GenericRecord notUsed = new GenericData.Record(SampleRecords.widgetV1());
        assertNull(notUsed.get("id"));
    }
}
