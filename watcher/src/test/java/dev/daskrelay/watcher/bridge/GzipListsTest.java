package dev.daskrelay.watcher.bridge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.StandardHttpRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/** {@link GzipLists}: which requests ask for gzip, and the inflating body consumer. */
class GzipListsTest {

    private static final GzipLists GZIP = new GzipLists();

    @Test
    void listsAskForGzipAndWatchesDoNot() {
        var list = (StandardHttpRequest) new StandardHttpRequest.Builder()
                .uri("https://api:6443/api/v1/namespaces/a/pods?limit=500").build();
        var watch = (StandardHttpRequest) new StandardHttpRequest.Builder()
                .uri("https://api:6443/api/v1/namespaces/a/pods?allowWatchBookmarks=true&watch=true").build();
        var post = (StandardHttpRequest) new StandardHttpRequest.Builder().uri("https://api:6443/api/v1/namespaces/a/pods")
                .post("application/json", "{}").build();

        var b = list.newBuilder();
        GZIP.before(b, list, null);
        assertEquals("gzip", b.build().header("Accept-Encoding"));
        b = watch.newBuilder();
        GZIP.before(b, watch, null);
        assertNull(b.build().header("Accept-Encoding"));
        b = post.newBuilder();
        GZIP.before(b, post, null);
        assertNull(b.build().header("Accept-Encoding"));

        AsyncBody.Consumer<List<ByteBuffer>> consumer = (v, body) -> { };
        assertInstanceOf(GzipLists.Inflating.class, GZIP.consumer(consumer, list));
        assertSame(consumer, GZIP.consumer(consumer, watch));
    }

    /** Any JSON, gzipped as the API server does, split anywhere: the same bytes come out. */
    @Property(tries = 200)
    void inflatesWhateverTheSplit(@ForAll long seed) throws Exception {
        Random r = new Random(seed);
        byte[] json = json(r.nextInt(300_000));
        byte[] gz = r.nextBoolean() ? gzip(json) : gzipWithOptionalHeaderFields(json);
        Collected out = feed(gz, r);
        assertArrayEquals(json, out.bytes());
        assertEquals(0, out.pendingRequests, "every chunk either went on or asked for more");
    }

    @Test
    void plainBodiesPassThroughUntouched() throws Exception {
        byte[] json = json(10_000);
        Collected out = feed(json, new Random(1));
        assertArrayEquals(json, out.bytes());
    }

    @Test
    void aDamagedStreamFailsTheRequest() throws Exception {
        byte[] gz = gzip(json(50_000));
        gz[gz.length - 6] ^= 1; // a byte of the trailer's CRC-32
        assertThrows(IOException.class, () -> feed(gz, new Random(2)));
        byte[] truncatedHeader = {0x1f, (byte) 0x8b, 9, 0, 0, 0, 0, 0, 0, 0, 0};
        assertThrows(IOException.class, () -> feed(truncatedHeader, new Random(3)));
    }

    // ---------------------------------------------------------------------------------------------------------

    private static final class Collected {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        int pendingRequests;

        byte[] bytes() {
            return out.toByteArray();
        }
    }

    /** Feeds the bytes in random slices, several buffers per call, as the HTTP client does. */
    private static Collected feed(byte[] bytes, Random r) throws Exception {
        Collected c = new Collected();
        AsyncBody body = new AsyncBody() {
            @Override
            public void consume() {
                c.pendingRequests--;
            }

            @Override
            public CompletableFuture<Void> done() {
                return new CompletableFuture<>();
            }

            @Override
            public void cancel() {
            }
        };
        var consumer = new GzipLists.Inflating((buffers, b) -> {
            for (ByteBuffer buffer : buffers) {
                byte[] chunk = new byte[buffer.remaining()];
                buffer.get(chunk);
                c.out.write(chunk);
            }
            b.consume();
        });
        int at = 0;
        while (at < bytes.length) {
            List<ByteBuffer> call = new ArrayList<>();
            for (int k = 1 + r.nextInt(3); k > 0 && at < bytes.length; k--) {
                int n = Math.min(bytes.length - at, r.nextInt(4) == 0 ? 1 + r.nextInt(12) : 1 + r.nextInt(40_000));
                call.add(ByteBuffer.wrap(bytes, at, n).slice());
                at += n;
            }
            c.pendingRequests++;
            consumer.consume(call, body);
        }
        return c;
    }

    private static byte[] json(int size) {
        StringBuilder b = new StringBuilder("{\"kind\":\"PodList\",\"items\":[");
        int i = 0;
        while (b.length() < size) {
            b.append("{\"metadata\":{\"name\":\"pod-").append(i++).append("\",\"managedFields\":[{\"f:spec\":{}}]},")
                    .append("\"status\":{\"phase\":\"Running\"}},");
        }
        b.append("{}]}");
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    /** A gzip member with FEXTRA, FNAME and FCOMMENT set (RFC 1952 §2.3), which Go's writer can produce too. */
    private static byte[] gzipWithOptionalHeaderFields(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {0x1f, (byte) 0x8b, 8, 4 | 8 | 16, 0, 0, 0, 0, 0, (byte) 255});
        out.write(new byte[] {3, 0, 'a', 'b', 'c'});
        out.write("pods.json\0".getBytes(StandardCharsets.ISO_8859_1));
        out.write("a comment\0".getBytes(StandardCharsets.ISO_8859_1));
        Deflater deflater = new Deflater(1, true);
        try (DeflaterOutputStream d = new DeflaterOutputStream(out, deflater)) {
            d.write(data);
            d.finish();
            CRC32 crc = new CRC32();
            crc.update(data);
            long v = crc.getValue();
            int n = data.length;
            out.write(new byte[] {(byte) v, (byte) (v >> 8), (byte) (v >> 16), (byte) (v >> 24),
                    (byte) n, (byte) (n >> 8), (byte) (n >> 16), (byte) (n >> 24)});
        }
        return out.toByteArray();
    }
}
