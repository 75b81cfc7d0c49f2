package dev.daskrelay.local.deploy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A plain-HTTP proxy in front of the in-memory API server that records the request line of every call one
 * service makes. One proxy per service identity: which proxy saw a request says who made it. Each forwarded
 * request gets {@code Connection: close} so one connection carries one request (a WebSocket upgrade is piped
 * through unchanged until either side closes).
 */
final class RecordingApiProxy implements AutoCloseable {

    /** One recorded call: HTTP method and request target (path and query). */
    record Call(String method, String target) {
    }

    private final ServerSocket server;
    private final int upstreamPort;
    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "rbac-proxy");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean closed;

    RecordingApiProxy(int upstreamPort) throws IOException {
        this.upstreamPort = upstreamPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        pool.execute(this::acceptLoop);
    }

    String url() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    List<Call> calls() {
        return new ArrayList<>(calls);
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = server.accept();
                pool.execute(() -> handle(client));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void handle(Socket client) {
        try (client; Socket upstream = new Socket(InetAddress.getLoopbackAddress(), upstreamPort)) {
            InputStream in = client.getInputStream();
            byte[] head = readHead(in);
            if (head == null) {
                return;
            }
            String text = new String(head, StandardCharsets.ISO_8859_1);
            String[] lines = text.split("\r\n");
            String[] requestLine = lines[0].split(" ");
            calls.add(new Call(requestLine[0], requestLine[1]));
            boolean upgrade = text.toLowerCase(Locale.ROOT).contains("\r\nupgrade:");
            StringBuilder rewritten = new StringBuilder(lines[0]).append("\r\n");
            for (int i = 1; i < lines.length; i++) {
                if (lines[i].isEmpty()) {
                    continue;
                }
                if (!upgrade && lines[i].toLowerCase(Locale.ROOT).startsWith("connection:")) {
                    continue;
                }
                rewritten.append(lines[i]).append("\r\n");
            }
            if (!upgrade) {
                rewritten.append("Connection: close\r\n");
            }
            rewritten.append("\r\n");
            OutputStream up = upstream.getOutputStream();
            up.write(rewritten.toString().getBytes(StandardCharsets.ISO_8859_1));
            up.flush();
            Thread toUpstream = new Thread(() -> pipe(in, up, upstream), "rbac-proxy-up");
            toUpstream.setDaemon(true);
            toUpstream.start();
            InputStream down = upstream.getInputStream();
            byte[] responseHead = readHead(down);
            if (responseHead == null) {
                return;
            }
            client.getOutputStream().write(withConnectionClose(responseHead));
            client.getOutputStream().flush();
            pipe(down, client.getOutputStream(), client);
        } catch (IOException e) {
            // a closed connection ends the exchange
        }
    }

    private static void pipe(InputStream from, OutputStream to, Socket closeWhenDone) {
        byte[] buf = new byte[16384];
        try {
            int n;
            while ((n = from.read(buf)) >= 0) {
                to.write(buf, 0, n);
                to.flush();
            }
        } catch (IOException e) {
            // peer went away
        } finally {
            try {
                closeWhenDone.shutdownOutput();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }

    /** Marks a response (other than 101 Switching Protocols) as the last one on its connection. */
    private static byte[] withConnectionClose(byte[] head) {
        String text = new String(head, StandardCharsets.ISO_8859_1);
        if (text.startsWith("HTTP/1.1 101")) {
            return head;
        }
        StringBuilder sb = new StringBuilder();
        for (String line : text.split("\r\n")) {
            if (line.isEmpty() || line.toLowerCase(Locale.ROOT).startsWith("connection:")) {
                continue;
            }
            sb.append(line).append("\r\n");
        }
        sb.append("Connection: close\r\n\r\n");
        return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The request head up to and including the blank line, or null at end of stream. */
    private static byte[] readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        int b;
        while ((b = in.read()) >= 0) {
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
            if (matched == 4) {
                return head.toByteArray();
            }
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        pool.shutdownNow();
    }
}
