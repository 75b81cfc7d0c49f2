package dev.daskrelay.watcher.bridge;

import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Asks the API server to gzip the informers' list responses and inflates them, as client-go does (Go's HTTP
 * transport sends {@code Accept-Encoding: gzip} by default; kube-apiserver compresses responses over 128 KiB at gzip
 * level 1). A page of 500 pods is ~2.1 MB of JSON and ~130 KB gzipped: TLS, the HTTP client and the copies into the
 * response buffer then handle a sixteenth of the bytes, for one native inflate of the page.
 *
 * <p>fabric8's vert.x client neither asks for compression nor inflates, so this interceptor does both for the
 * bridge's own client: it adds the header to GET requests that are not watches, and wraps the body consumer of those
 * requests. The wrapper looks at the first byte of the body: a JSON body starts with {@code {}, a gzip stream with
 * 0x1f 0x8b (RFC 1952), which it inflates stream by stream, checking the trailer's CRC-32 and length; a damaged stream
 * fails the request (the informer lists again). Watches are not compressed (the API server does not compress them).
 */
final class GzipLists implements Interceptor {

    static final String NAME = "daskrelay-gzip-lists";

    @Override
    public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
        if (isList(request)) {
            builder.setHeader("Accept-Encoding", "gzip");
        }
    }

    @Override
    public AsyncBody.Consumer<List<ByteBuffer>> consumer(AsyncBody.Consumer<List<ByteBuffer>> consumer,
                                                          HttpRequest request) {
        return isList(request) ? new Inflating(consumer) : consumer;
    }

    private static boolean isList(HttpRequest request) {
        String query = request.uri().getRawQuery();
        return "GET".equals(request.method()) && (query == null || !query.contains("watch=true"));
    }

    /** A body consumer that passes plain bodies through and inflates gzip ones. */
    static final class Inflating implements AsyncBody.Consumer<List<ByteBuffer>> {

        private enum State { FIRST_BYTE, PLAIN, HEADER, DEFLATE, TRAILER, DONE }

        private static final int CHUNK = 64 * 1024;

        private final AsyncBody.Consumer<List<ByteBuffer>> delegate;
        private State state = State.FIRST_BYTE;
        private byte[] pending = new byte[0];
        private Inflater inflater;
        private final CRC32 crc = new CRC32();
        private long inflated;
        /** The output chunk being filled; handed on when full, or at the end of the stream. */
        private byte[] chunk;
        private int filled;

        Inflating(AsyncBody.Consumer<List<ByteBuffer>> delegate) {
            this.delegate = delegate;
        }

        @Override
        public void consume(List<ByteBuffer> buffers, AsyncBody body) throws Exception {
            if (state == State.FIRST_BYTE) {
                for (ByteBuffer b : buffers) {
                    if (b.hasRemaining()) {
                        state = b.get(b.position()) == (byte) 0x1f ? State.HEADER : State.PLAIN;
                        break;
                    }
                }
                if (state == State.FIRST_BYTE) {
                    body.consume();
                    return;
                }
            }
            if (state == State.PLAIN) {
                delegate.consume(buffers, body);
                return;
            }
            List<ByteBuffer> out = new ArrayList<>();
            for (ByteBuffer b : buffers) {
                byte[] bytes = new byte[b.remaining()];
                b.get(bytes);
                accept(bytes, out);
            }
            if (out.isEmpty()) {
                body.consume();
            } else {
                delegate.consume(out, body);
            }
        }

        /** Feeds compressed bytes; inflated ones are added to {@code out}. */
        void accept(byte[] bytes, List<ByteBuffer> out) throws IOException {
            byte[] in = pending.length == 0 ? bytes : concat(pending, bytes);
            pending = new byte[0];
            int at = 0;
            while (at < in.length) {
                switch (state) {
                    case HEADER -> {
                        int end = headerEnd(in, at);
                        if (end < 0) {
                            pending = Arrays.copyOfRange(in, at, in.length);
                            return;
                        }
                        at = end;
                        inflater = new Inflater(true);
                        state = State.DEFLATE;
                    }
                    case DEFLATE -> {
                        inflater.setInput(in, at, in.length - at);
                        inflate(out);
                        int left = inflater.getRemaining();
                        at = in.length - left;
                        if (inflater.finished()) {
                            inflater.end();
                            if (chunk != null && filled > 0) {
                                out.add(ByteBuffer.wrap(chunk, 0, filled));
                            }
                            chunk = null;
                            state = State.TRAILER;
                        } else if (left > 0) {
                            throw new IOException("gzip: inflater stopped with input left");
                        }
                    }
                    case TRAILER -> {
                        if (in.length - at < 8) {
                            pending = Arrays.copyOfRange(in, at, in.length);
                            return;
                        }
                        long crc32 = le32(in, at);
                        long size = le32(in, at + 4);
                        if (crc32 != crc.getValue() || size != (inflated & 0xffffffffL)) {
                            throw new IOException("gzip: corrupt stream (CRC-32 or length of the trailer differs)");
                        }
                        at += 8;
                        state = State.DONE;
                    }
                    case DONE -> throw new IOException("gzip: bytes after the end of the stream");
                    default -> throw new IllegalStateException(state.name());
                }
            }
        }

        /** Inflates what the input gives into full chunks (so the output is allocated once, at its size). */
        private void inflate(List<ByteBuffer> out) throws IOException {
            try {
                while (!inflater.finished()) {
                    if (chunk == null) {
                        chunk = new byte[CHUNK];
                        filled = 0;
                    }
                    int n = inflater.inflate(chunk, filled, chunk.length - filled);
                    if (n == 0) {
                        if (inflater.needsInput() || inflater.finished()) {
                            break;
                        }
                        if (inflater.needsDictionary()) {
                            throw new IOException("gzip: a preset dictionary is not part of gzip");
                        }
                        continue;
                    }
                    crc.update(chunk, filled, n);
                    inflated += n;
                    filled += n;
                    if (filled == chunk.length) {
                        out.add(ByteBuffer.wrap(chunk));
                        chunk = null;
                        filled = 0;
                    }
                }
            } catch (DataFormatException e) {
                throw new IOException("gzip: " + e.getMessage(), e);
            }
        }

        /** Where the deflate data starts after the gzip header at {@code at}, or -1 when more bytes are needed. */
        static int headerEnd(byte[] b, int at) throws IOException {
            if (b.length - at < 10) {
                return -1;
            }
            if (b[at] != (byte) 0x1f || b[at + 1] != (byte) 0x8b || b[at + 2] != 8) {
                throw new IOException("gzip: not a gzip stream with deflate compression");
            }
            int flags = b[at + 3] & 0xff;
            int p = at + 10;
            if ((flags & 4) != 0) { // FEXTRA
                if (b.length - p < 2) {
                    return -1;
                }
                p += 2 + ((b[p] & 0xff) | (b[p + 1] & 0xff) << 8);
            }
            for (int flag : new int[] {8, 16}) { // FNAME, FCOMMENT: zero-terminated
                if ((flags & flag) != 0) {
                    while (p < b.length && b[p] != 0) {
                        p++;
                    }
                    if (p >= b.length) {
                        return -1;
                    }
                    p++;
                }
            }
            if ((flags & 2) != 0) { // FHCRC
                p += 2;
            }
            return p <= b.length ? p : -1;
        }

        private static long le32(byte[] b, int at) {
            return (b[at] & 0xffL) | (b[at + 1] & 0xffL) << 8 | (b[at + 2] & 0xffL) << 16 | (b[at + 3] & 0xffL) << 24;
        }

        private static byte[] concat(byte[] a, byte[] b) {
            byte[] c = new byte[a.length + b.length];
            System.arraycopy(a, 0, c, 0, a.length);
            System.arraycopy(b, 0, c, a.length, b.length);
            return c;
        }
    }
}
