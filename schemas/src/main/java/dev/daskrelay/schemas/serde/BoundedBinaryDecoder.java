package dev.daskrelay.schemas.serde;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.io.Decoder;
import org.apache.avro.util.Utf8;

/**
 * Avro binary decoding over one byte array that never trusts a length from the data: a string, bytes or
 * fixed value longer than the bytes left is an {@link EOFException} before anything is allocated, and a
 * collection block may claim at most {@code max(bytes left, }{@value #ZERO_SIZE_ITEM_ALLOWANCE}{@code )} items.
 *
 * <p>Avro's own {@code BinaryDecoder} allocates the claimed length first (its limits are JVM-wide system
 * properties defaulting to 2 GiB), so one poison record claiming a 1 GiB string would exhaust the heap of a
 * stream thread. Reused per thread via {@link #reset}; not thread-safe.
 */
final class BoundedBinaryDecoder extends Decoder {

    /** Items a block may claim beyond the bytes left (items of zero-size types such as null take no bytes). */
    static final int ZERO_SIZE_ITEM_ALLOWANCE = 1024;

    private byte[] buf;
    private int pos;
    private int limit;

    BoundedBinaryDecoder reset(byte[] bytes, int offset, int length) {
        this.buf = bytes;
        this.pos = offset;
        this.limit = offset + length;
        return this;
    }

    boolean isEnd() {
        return pos == limit;
    }

    private void need(long n) throws EOFException {
        if (n > limit - pos) {
            throw new EOFException("needs " + n + " more bytes, " + (limit - pos) + " left");
        }
    }

    @Override
    public void readNull() {
    }

    @Override
    public boolean readBoolean() throws IOException {
        need(1);
        return buf[pos++] != 0;
    }

    @Override
    public int readInt() throws IOException {
        int value = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            need(1);
            int b = buf[pos++] & 0xff;
            value |= (b & 0x7f) << shift;
            if (b < 0x80) {
                return (value >>> 1) ^ -(value & 1);
            }
        }
        throw new AvroRuntimeException("Invalid int encoding");
    }

    @Override
    public long readLong() throws IOException {
        long value = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            need(1);
            long b = buf[pos++] & 0xff;
            value |= (b & 0x7f) << shift;
            if (b < 0x80) {
                return (value >>> 1) ^ -(value & 1);
            }
        }
        throw new AvroRuntimeException("Invalid long encoding");
    }

    @Override
    public float readFloat() throws IOException {
        need(4);
        int bits = (buf[pos] & 0xff) | (buf[pos + 1] & 0xff) << 8 | (buf[pos + 2] & 0xff) << 16 | (buf[pos + 3] & 0xff) << 24;
        pos += 4;
        return Float.intBitsToFloat(bits);
    }

    @Override
    public double readDouble() throws IOException {
        need(8);
        long bits = 0;
        for (int i = 7; i >= 0; i--) {
            bits = (bits << 8) | (buf[pos + i] & 0xff);
        }
        pos += 8;
        return Double.longBitsToDouble(bits);
    }

    private int length() throws IOException {
        long length = readLong();
        if (length < 0) {
            throw new AvroRuntimeException("Malformed data: negative length " + length);
        }
        need(length);
        return (int) length;
    }

    @Override
    public Utf8 readString(Utf8 old) throws IOException {
        int length = length();
        Utf8 result = old != null ? old : new Utf8();
        result.setByteLength(length);
        System.arraycopy(buf, pos, result.getBytes(), 0, length);
        pos += length;
        return result;
    }

    @Override
    public String readString() throws IOException {
        int length = length();
        String value = new String(buf, pos, length, StandardCharsets.UTF_8);
        pos += length;
        return value;
    }

    @Override
    public void skipString() throws IOException {
        int length = length(); // not 'pos += length()': that would add to the pos read before the length
        pos += length;
    }

    @Override
    public ByteBuffer readBytes(ByteBuffer old) throws IOException {
        int length = length();
        ByteBuffer result;
        if (old != null && old.capacity() >= length) {
            result = old;
            result.clear();
        } else {
            result = ByteBuffer.allocate(length);
        }
        result.put(buf, pos, length);
        result.flip();
        pos += length;
        return result;
    }

    @Override
    public void skipBytes() throws IOException {
        int length = length(); // not 'pos += length()': that would add to the pos read before the length
        pos += length;
    }

    @Override
    public void readFixed(byte[] bytes, int start, int length) throws IOException {
        need(length);
        System.arraycopy(buf, pos, bytes, start, length);
        pos += length;
    }

    @Override
    public void skipFixed(int length) throws IOException {
        need(length);
        pos += length;
    }

    @Override
    public int readEnum() throws IOException {
        return readInt();
    }

    @Override
    public int readIndex() throws IOException {
        return readInt();
    }

    /** A block's item count; a negative count is followed by the block's size in bytes (ignored here). */
    private long itemCount() throws IOException {
        long count = readLong();
        if (count < 0) {
            if (count == Long.MIN_VALUE) {
                throw new AvroRuntimeException("Malformed data: block count " + count);
            }
            readLong();
            count = -count;
        }
        if (count > Math.max(limit - pos, ZERO_SIZE_ITEM_ALLOWANCE)) {
            throw new AvroRuntimeException("Malformed data: block claims " + count + " items with "
                    + (limit - pos) + " bytes left");
        }
        return count;
    }

    /** Skips whole blocks that carry their size; returns the item count of the first block that does not. */
    private long skipItems() throws IOException {
        while (true) {
            long count = readLong();
            if (count >= 0) {
                if (count > Math.max(limit - pos, ZERO_SIZE_ITEM_ALLOWANCE)) {
                    throw new AvroRuntimeException("Malformed data: block claims " + count + " items with "
                            + (limit - pos) + " bytes left");
                }
                return count;
            }
            long size = readLong();
            if (size < 0) {
                throw new AvroRuntimeException("Malformed data: negative block size " + size);
            }
            need(size);
            pos += (int) size;
        }
    }

    @Override
    public long readArrayStart() throws IOException {
        return itemCount();
    }

    @Override
    public long arrayNext() throws IOException {
        return itemCount();
    }

    @Override
    public long skipArray() throws IOException {
        return skipItems();
    }

    @Override
    public long readMapStart() throws IOException {
        return itemCount();
    }

    @Override
    public long mapNext() throws IOException {
        return itemCount();
    }

    @Override
    public long skipMap() throws IOException {
        return skipItems();
    }
}
