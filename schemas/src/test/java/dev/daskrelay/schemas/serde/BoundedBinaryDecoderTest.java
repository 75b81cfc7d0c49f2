package dev.daskrelay.schemas.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;

/** The bounded decoder reads (and skips) every Avro type exactly like Avro's own decoder. */
class BoundedBinaryDecoderTest {

    private static final Schema FIXED = SchemaBuilder.fixed("Hash").namespace("t").size(4);
    private static final Schema ENUM = SchemaBuilder.enumeration("Color").namespace("t").symbols("RED", "GREEN", "BLUE");
    private static final Schema INNER = SchemaBuilder.record("Inner").namespace("t").fields().requiredString("s").endRecord();

    /** Every type, the trailing marker last so a wrong skip shows. */
    private static final Schema ALL = SchemaBuilder.record("All").namespace("t").fields()
            .name("n").type().nullType().noDefault()
            .requiredBoolean("b")
            .requiredInt("i")
            .requiredLong("l")
            .requiredFloat("f")
            .requiredDouble("d")
            .requiredString("s")
            .requiredBytes("by")
            .name("fx").type(FIXED).noDefault()
            .name("e").type(ENUM).noDefault()
            .name("arr").type().array().items(INNER).noDefault()
            .name("map").type().map().values().longType().noDefault()
            .name("u").type().unionOf().nullType().and().stringType().and().intType().endUnion().noDefault()
            .requiredString("marker")
            .endRecord();

    /** Only the marker: everything before it is skipped. */
    private static final Schema MARKER_ONLY = SchemaBuilder.record("All").namespace("t").fields().requiredString("marker").endRecord();

    private static GenericRecord sample(int items) {
        GenericRecord r = new GenericData.Record(ALL);
        r.put("n", null);
        r.put("b", true);
        r.put("i", -123456);
        r.put("l", Long.MIN_VALUE + 7);
        r.put("f", 3.25f);
        r.put("d", -1.0e-300);
        r.put("s", "héllo ✓");
        r.put("by", ByteBuffer.wrap(new byte[]{1, 2, 3, (byte) 0xff}));
        r.put("fx", new GenericData.Fixed(FIXED, new byte[]{9, 8, 7, 6}));
        r.put("e", new GenericData.EnumSymbol(ENUM, "BLUE"));
        List<GenericRecord> list = new ArrayList<>();
        for (int k = 0; k < items; k++) {
            GenericRecord inner = new GenericData.Record(INNER);
            inner.put("s", "item-" + k);
            list.add(inner);
        }
        r.put("arr", list);
        r.put("map", new HashMap<>(Map.of("a", 1L, "bb", -2L)));
        r.put("u", 42);
        r.put("marker", "END");
        return r;
    }

    private static byte[] encode(GenericRecord record, boolean blocking) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        // the blocking encoder writes arrays and maps as blocks with a negative count and a byte size
        BinaryEncoder encoder = blocking
                ? new EncoderFactory().configureBlockSize(64).blockingBinaryEncoder(out, null)
                : EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(record.getSchema()).write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    private static Object read(Schema reader, byte[] bytes, BoundedBinaryDecoder decoder) throws IOException {
        Object value = new GenericDatumReader<>(ALL, reader).read(null, decoder.reset(bytes, 0, bytes.length));
        assertTrue(decoder.isEnd(), "all bytes consumed");
        return value;
    }

    @Test
    void readsEveryTypeLikeAvro() throws IOException {
        for (boolean blocking : new boolean[]{false, true}) {
            GenericRecord written = sample(50);
            byte[] bytes = encode(written, blocking);
            GenericRecord read = (GenericRecord) read(ALL, bytes, new BoundedBinaryDecoder());
            sortMap(written);
            sortMap(read);
            assertEquals(GenericData.get().toString(written), GenericData.get().toString(read), "blocking=" + blocking);
        }
    }

    /** Read maps have Utf8 keys in a HashMap: compare them as sorted string maps. */
    private static void sortMap(GenericRecord record) {
        TreeMap<String, Object> sorted = new TreeMap<>();
        ((Map<?, ?>) record.get("map")).forEach((k, v) -> sorted.put(k.toString(), v));
        record.put("map", sorted);
    }

    @Test
    void skipsEveryTypeLikeAvro() throws IOException {
        for (boolean blocking : new boolean[]{false, true}) {
            byte[] bytes = encode(sample(50), blocking);
            GenericRecord read = (GenericRecord) read(MARKER_ONLY, bytes, new BoundedBinaryDecoder());
            assertEquals("END", read.get("marker").toString(), "blocking=" + blocking);
        }
    }

    @Test
    void lengthsBeyondTheDataAreRefusedBeforeAllocating() throws IOException {
        BoundedBinaryDecoder decoder = new BoundedBinaryDecoder();
        byte[] claimsGiB = {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08, 'x'};
        assertThrows(EOFException.class, () -> decoder.reset(claimsGiB, 0, claimsGiB.length).readString());
        assertThrows(EOFException.class, () -> decoder.reset(claimsGiB, 0, claimsGiB.length).readBytes(null));
        assertThrows(EOFException.class, () -> decoder.reset(claimsGiB, 0, claimsGiB.length).skipString());
        byte[] manyItems = {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x02};
        assertThrows(AvroRuntimeException.class, () -> decoder.reset(manyItems, 0, manyItems.length).readArrayStart());
        byte[] tenZeroItems = {0x14};
        assertEquals(10, decoder.reset(tenZeroItems, 0, 1).readArrayStart(), "zero-size items stay possible");
        byte[] overlongVarint = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x01};
        assertThrows(AvroRuntimeException.class, () -> decoder.reset(overlongVarint, 0, overlongVarint.length).readInt());
    }
}
