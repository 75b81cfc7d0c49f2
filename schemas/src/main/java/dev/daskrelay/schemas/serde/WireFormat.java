package dev.daskrelay.schemas.serde;

/**
 * Confluent's wire format, byte for byte: {@code [0x00][schema id: 4 bytes, big-endian][Avro binary body]}.
 * Pure functions over byte arrays.
 */
public final class WireFormat {

    /** The only magic byte Confluent's serializers write. */
    public static final byte MAGIC_BYTE = 0x0;
    /** Magic byte plus schema id. */
    public static final int HEADER_LENGTH = 5;

    private WireFormat() {
    }

    /** Writes the 5-byte header into {@code target} at {@code offset}. */
    public static void writeHeader(int schemaId, byte[] target, int offset) {
        target[offset] = MAGIC_BYTE;
        target[offset + 1] = (byte) (schemaId >>> 24);
        target[offset + 2] = (byte) (schemaId >>> 16);
        target[offset + 3] = (byte) (schemaId >>> 8);
        target[offset + 4] = (byte) schemaId;
    }

    /** A complete frame: header and body. */
    public static byte[] frame(int schemaId, byte[] avroBody) {
        byte[] frame = new byte[HEADER_LENGTH + avroBody.length];
        writeHeader(schemaId, frame, 0);
        System.arraycopy(avroBody, 0, frame, HEADER_LENGTH, avroBody.length);
        return frame;
    }

    /**
     * The schema id of a frame.
     *
     * @throws UnknownMagicByteException if the first byte is not {@link #MAGIC_BYTE}
     * @throws TruncatedFrameException   if the frame is shorter than the header
     */
    public static int schemaId(byte[] frame) {
        if (frame.length == 0) {
            throw new TruncatedFrameException("empty record value: a Confluent frame has at least " + HEADER_LENGTH + " bytes");
        }
        if (frame[0] != MAGIC_BYTE) {
            throw new UnknownMagicByteException(String.format(
                    "unknown magic byte 0x%02x (expected 0x00, Confluent wire format); %d bytes, starting %s",
                    frame[0] & 0xff, frame.length, hexPrefix(frame)));
        }
        if (frame.length < HEADER_LENGTH) {
            throw new TruncatedFrameException("record of " + frame.length + " bytes is shorter than the "
                    + HEADER_LENGTH + "-byte Confluent header: " + hexPrefix(frame));
        }
        return ((frame[1] & 0xff) << 24) | ((frame[2] & 0xff) << 16) | ((frame[3] & 0xff) << 8) | (frame[4] & 0xff);
    }

    /** Up to the first 16 bytes in hex, for error messages. */
    static String hexPrefix(byte[] bytes) {
        StringBuilder text = new StringBuilder();
        int n = Math.min(bytes.length, 16);
        for (int i = 0; i < n; i++) {
            text.append(String.format("%02x", bytes[i] & 0xff));
        }
        return bytes.length > n ? text + "..." : text.toString();
    }
}
