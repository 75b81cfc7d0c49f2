package dev.daskrelay.watcher.status;

import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.List;

/**
 * The observation ids a task remembers to drop exact replays ({@link TaskState#recentObservations()}), kept compact:
 * a 64-bit fingerprint per id, oldest first, packed as big-endian bytes (ByteBuffer's default order) and written as
 * one unpadded base64url string.
 *
 * <p>The status store is read and written once per observation, and the ids themselves (UUIDs from the bridge,
 * 36 characters and more from other producers, up to {@link TaskStateMachine#RECENT_IDS} of them) were most of a
 * long-lived task's stored value: 11 characters per id instead of about 40 makes the value, its changelog record
 * and its JSON smaller (2,039 instead of 5,604 bytes with 128 UUIDs; docs/PERFORMANCE.md).
 *
 * <p>A fingerprint is FNV-1a (64 bit) over the id's UTF-16 code units, then the MurmurHash3 64-bit finalizer; it is
 * part of the stored format and must not change. Two different ids share a fingerprint with probability about
 * 2<sup>-64</sup> per pair, so the chance that a genuine observation is taken for a replay of one of the 128
 * remembered ids is about 7 × 10<sup>-18</sup>.
 */
final class RecentObservations {

    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private RecentObservations() {
    }

    /** The fingerprint of an observation id (null counts as the empty id). */
    static long fingerprint(String id) {
        long h = 0xcbf29ce484222325L;
        if (id != null) {
            for (int i = 0; i < id.length(); i++) {
                h ^= id.charAt(i);
                h *= 0x100000001b3L;
            }
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }

    /** Whether {@code packed} (null or empty: nothing remembered) holds {@code fingerprint}. */
    static boolean contains(String packed, long fingerprint) {
        ByteBuffer b = ByteBuffer.wrap(decode(packed));
        while (b.remaining() >= Long.BYTES) {
            if (b.getLong() == fingerprint) {
                return true;
            }
        }
        return false;
    }

    /** {@code packed} with {@code fingerprint} appended, keeping the newest {@code max}. */
    static String add(String packed, long fingerprint, int max) {
        byte[] b = decode(packed);
        int kept = Math.min(b.length / Long.BYTES, max - 1);
        ByteBuffer out = ByteBuffer.allocate((kept + 1) * Long.BYTES);
        out.put(b, b.length / Long.BYTES * Long.BYTES - kept * Long.BYTES, kept * Long.BYTES).putLong(fingerprint);
        return ENCODER.encodeToString(out.array());
    }

    /** The packed form of these ids, oldest first, the newest {@code max} (how a store written by ids is read). */
    static String of(List<String> ids, int max) {
        String packed = null;
        for (String id : ids) {
            packed = add(packed, fingerprint(id), max);
        }
        return packed;
    }

    /** How many fingerprints {@code packed} holds. */
    static int size(String packed) {
        return decode(packed).length / Long.BYTES;
    }

    private static byte[] decode(String packed) {
        if (packed == null || packed.isEmpty()) {
            return new byte[0];
        }
        try {
            return DECODER.decode(packed);
        } catch (IllegalArgumentException e) {
            // not written by this class: remember nothing rather than fail the task (replays are also caught by
            // the observedAt rule)
            return new byte[0];
        }
    }

    /** For tests and logs: the fingerprints, oldest first. */
    static long[] fingerprints(String packed) {
        ByteBuffer b = ByteBuffer.wrap(decode(packed));
        long[] out = new long[b.remaining() / Long.BYTES];
        b.asLongBuffer().get(out);
        return out;
    }
}
