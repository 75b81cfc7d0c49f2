package dev.daskrelay.chaos.proxy;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.BufferedWriter;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An HTTP/1.1 proxy between one daskrelay process and the Kubernetes API server that injects faults
 * ({@link FaultPlan}). It terminates TLS with its own certificate (the process's kubeconfig trusts the proxy's CA)
 * and opens TLS to the API server (trusting the test bed's CA), one upstream connection per client connection, so
 * keep-alive, chunked watch streams and protocol upgrades pass as they are. It understands HTTP to the extent the
 * faults need: a 5xx or 429 is a real HTTP answer in the API server's Status format, a reset is a TCP RST, a timeout
 * is a silent connection, and a dropped watch is a stream cut in the middle. It counts what it does
 * ({@link ProxyStats}), including every 410 Gone the API server sends to the client.
 */
public final class FaultProxy implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FaultProxy.class);
    private static final Duration HOLD_MAX = Duration.ofSeconds(90);

    /** Where the API server is and how to reach it. */
    public record Upstream(String host, int port, SSLContext tls) {
    }

    private final String name;
    private final ServerSocket server;
    private final Upstream upstream;
    private final FaultPlan plan;
    private final ProxyStats stats = new ProxyStats();
    private final RandomGenerator random;
    private final ScheduledExecutorService timers;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final BufferedWriter access;
    private volatile boolean faults = true;
    private volatile boolean closed;

    private FaultProxy(String name, ServerSocket server, Upstream upstream, FaultPlan plan, long seed,
                       BufferedWriter access) {
        this.access = access;
        this.name = name;
        this.server = server;
        this.upstream = upstream;
        this.plan = plan;
        this.random = new SplittableRandom(seed);
        this.timers = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "fault-proxy-" + name + "-timer"));
    }

    /**
     * Starts a proxy on a free port of 127.0.0.1.
     *
     * @param name     whose proxy this is, for logs and reports
     * @param serverTls the proxy's own TLS identity; null = plain HTTP (tests)
     * @param accessLog one line per request (time, method, target, answer, fault); null = none
     */
    public static FaultProxy start(String name, SSLContext serverTls, Upstream upstream, FaultPlan plan, long seed,
                                   Path accessLog) throws IOException {
        ServerSocket s;
        if (serverTls != null) {
            SSLServerSocket tls = (SSLServerSocket) serverTls.getServerSocketFactory().createServerSocket();
            SSLParameters params = tls.getSSLParameters();
            params.setApplicationProtocols(new String[] {"http/1.1"});
            tls.setSSLParameters(params);
            s = tls;
        } else {
            s = new ServerSocket();
        }
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 200);
        BufferedWriter log = accessLog == null ? null : Files.newBufferedWriter(accessLog, StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        FaultProxy p = new FaultProxy(name, s, upstream, plan, seed, log);
        daemon(p::acceptLoop, "fault-proxy-" + name).start();
        return p;
    }

    public int port() {
        return server.getLocalPort();
    }

    public String name() {
        return name;
    }

    public ProxyStats stats() {
        return stats;
    }

    /** Turns fault injection on or off (requests are always forwarded). */
    public void faults(boolean on) {
        this.faults = on;
    }

    /** Resets every open connection (clients and upstream): all watches drop at once. */
    public void dropAll() {
        for (Socket s : open) {
            reset(s);
        }
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = server.accept();
                client.setTcpNoDelay(true);
                open.add(client);
                daemon(() -> serve(client), "fault-proxy-" + name + "-conn").start();
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("proxy {}: accept failed: {}", name, e.toString());
                }
            }
        }
    }

    private void serve(Socket client) {
        Socket up = null;
        try {
            InputStream cin = new BufferedInputStream(client.getInputStream(), 16 * 1024);
            OutputStream cout = new BufferedOutputStream(client.getOutputStream(), 16 * 1024);
            while (!closed) {
                HttpHead req = HttpHead.read(cin);
                if (req == null) {
                    return;
                }
                byte[] body = readBody(cin, req);
                stats.request();
                boolean watch = FaultPlan.isWatch(req.target());
                if (watch) {
                    stats.watch();
                } else if (req.method().equals("GET") && isCollection(req.target())) {
                    stats.list();
                }
                FaultPlan.Decision d = faults ? decide(req) : FaultPlan.Decision.NONE;
                if (d.faulty()) {
                    stats.fault(d.kind());
                    access(req, "fault " + d.kind().label());
                }
                FaultKind k = d.kind();
                if (k == FaultKind.HTTP_500 || k == FaultKind.HTTP_503 || k == FaultKind.HTTP_504
                        || k == FaultKind.HTTP_429) {
                    writeStatus(cout, k);
                    continue;
                }
                if (k == FaultKind.RESET_BEFORE) {
                    reset(client);
                    return;
                }
                if (k == FaultKind.TIMEOUT) {
                    holdUntilClientGivesUp(client, cin);
                    return;
                }
                if (k == FaultKind.LATENCY) {
                    Thread.sleep(d.delay().toMillis());
                }
                if (up == null || up.isClosed()) {
                    up = connectUpstream();
                    if (up == null) {
                        stats.upstreamUnavailable();
                        access(req, "API server unreachable");
                        reset(client);
                        return;
                    }
                }
                OutputStream uout = up.getOutputStream();
                uout.write(req.raw());
                if (body.length > 0) {
                    uout.write(body);
                }
                uout.flush();
                InputStream uin = up.getInputStream();
                HttpHead res;
                try {
                    res = HttpHead.read(uin);
                } catch (IOException e) {
                    res = null;
                }
                if (res == null) {
                    // the API server went away (restart) mid-request: the client sees its connection end
                    stats.upstreamUnavailable();
                    access(req, "API server went away");
                    reset(client);
                    return;
                }
                if (k == FaultKind.RESET_AFTER) {
                    reset(up);
                    reset(client);
                    return;
                }
                if (k == FaultKind.TIMEOUT_AFTER) {
                    reset(up);
                    holdUntilClientGivesUp(client, cin);
                    return;
                }
                if (res.status() == 410) {
                    stats.gone();
                }
                access(req, Integer.toString(res.status()));
                if (k == FaultKind.WATCH_DROP) {
                    Socket c = client;
                    Socket u = up;
                    timers.schedule(() -> {
                        reset(u);
                        reset(c);
                    }, d.delay().toMillis(), TimeUnit.MILLISECONDS);
                }
                cout.write(res.raw());
                cout.flush();
                if (res.status() == 101) {
                    pipeUpgraded(client, cin, cout, up, uin, watch ? this::scanForGone : null);
                    return;
                }
                boolean reusable = relayBody(req, res, uin, cout, watch);
                cout.flush();
                if (!reusable || res.connectionClose() || req.connectionClose()) {
                    return;
                }
            }
        } catch (IOException e) {
            LOG.debug("proxy {}: connection ended: {}", name, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            quietClose(client);
            if (up != null) {
                quietClose(up);
            }
        }
    }

    private synchronized FaultPlan.Decision decide(HttpHead req) {
        return plan.decide(req.method(), req.target(), random);
    }

    private Socket connectUpstream() {
        try {
            Socket s = upstream.tls() == null ? new Socket()
                    : upstream.tls().getSocketFactory().createSocket();
            s.connect(new InetSocketAddress(upstream.host(), upstream.port()), 5_000);
            s.setTcpNoDelay(true);
            if (s instanceof SSLSocket ssl) {
                SSLParameters params = ssl.getSSLParameters();
                params.setEndpointIdentificationAlgorithm("HTTPS");
                params.setApplicationProtocols(new String[] {"http/1.1"});
                ssl.setSSLParameters(params);
                ssl.startHandshake();
            }
            open.add(s);
            return s;
        } catch (IOException e) {
            return null;
        }
    }

    private static byte[] readBody(InputStream in, HttpHead head) throws IOException {
        if (head.chunked()) {
            ByteArrayOutputStream raw = new ByteArrayOutputStream();
            copyChunked(in, raw, null);
            return raw.toByteArray();
        }
        long n = head.contentLength();
        return n > 0 ? in.readNBytes((int) n) : new byte[0];
    }

    /** Relays a response body; true when the connection can carry another request afterwards. */
    private boolean relayBody(HttpHead req, HttpHead res, InputStream uin, OutputStream cout, boolean watch)
            throws IOException {
        int status = res.status();
        if (req.method().equalsIgnoreCase("HEAD") || status == 204 || status == 304 || (status >= 100 && status < 200)) {
            return true;
        }
        if (res.chunked()) {
            copyChunked(uin, cout, watch ? this::scanForGone : null);
            return true;
        }
        long n = res.contentLength();
        if (n >= 0) {
            byte[] buf = new byte[16 * 1024];
            long left = n;
            while (left > 0) {
                int r = uin.read(buf, 0, (int) Math.min(buf.length, left));
                if (r < 0) {
                    throw new EOFException("upstream body ended early");
                }
                cout.write(buf, 0, r);
                left -= r;
            }
            return true;
        }
        uin.transferTo(cout); // until the API server closes
        return false;
    }

    private void scanForGone(byte[] chunk, int len) {
        String s = new String(chunk, 0, len, StandardCharsets.UTF_8);
        if (s.contains("\"type\":\"ERROR\"") && s.contains("\"code\":410")) {
            stats.gone();
            access(null, "watch event 410 Gone");
        } else if (s.contains("\"type\":\"ERROR\"")) {
            access(null, "watch event ERROR " + (s.length() > 300 ? s.substring(0, 300) : s).strip());
        }
    }

    private void access(HttpHead req, String what) {
        if (access == null) {
            return;
        }
        String line = Instant.now() + " " + (req == null ? "-" : req.method() + " " + req.target()) + " " + what;
        synchronized (access) {
            try {
                access.write(line);
                access.newLine();
                access.flush();
            } catch (IOException e) {
                // the access log is a debugging aid
            }
        }
    }

    /** Copies one chunked body (through its last chunk and trailers), flushing after each chunk. */
    private static void copyChunked(InputStream in, OutputStream out, ChunkListener listener) throws IOException {
        while (true) {
            String sizeLine = readLine(in);
            out.write((sizeLine + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            int semi = sizeLine.indexOf(';');
            int size = Integer.parseInt((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
            if (size == 0) {
                while (true) { // trailers, then the blank line
                    String t = readLine(in);
                    out.write((t + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    if (t.isEmpty()) {
                        out.flush();
                        return;
                    }
                }
            }
            byte[] data = in.readNBytes(size);
            if (data.length < size) {
                throw new EOFException("chunk ended early");
            }
            out.write(data);
            String crlf = readLine(in);
            out.write((crlf + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            if (listener != null) {
                listener.chunk(data, data.length);
            }
        }
    }

    @FunctionalInterface
    private interface ChunkListener {
        void chunk(byte[] data, int len);
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("stream ended inside a line");
            }
            if (b == '\n') {
                int n = sb.length();
                if (n > 0 && sb.charAt(n - 1) == '\r') {
                    sb.setLength(n - 1);
                }
                return sb.toString();
            }
            sb.append((char) b);
        }
    }

    /**
     * Relays an upgraded connection (fabric8's watches are WebSockets) both ways; the API server's frames are not
     * masked, so a watch's 410 Gone event is visible to {@code listener} in them.
     */
    private void pipeUpgraded(Socket client, InputStream cin, OutputStream cout, Socket up, InputStream uin,
                              ChunkListener listener) {
        Thread back = daemon(() -> {
            try {
                cin.transferTo(up.getOutputStream());
            } catch (IOException e) {
                // one side ended
            } finally {
                quietClose(up);
            }
        }, "fault-proxy-" + name + "-upgrade");
        back.start();
        try {
            byte[] buf = new byte[16 * 1024];
            int n;
            while ((n = uin.read(buf)) >= 0) {
                if (listener != null && n > 0) {
                    listener.chunk(buf, n);
                }
                cout.write(buf, 0, n);
                cout.flush();
            }
        } catch (IOException e) {
            // one side ended
        } finally {
            quietClose(client);
        }
    }

    private void holdUntilClientGivesUp(Socket client, InputStream cin) {
        try {
            client.setSoTimeout((int) HOLD_MAX.toMillis());
            while (cin.read() >= 0) {
                // a client that keeps writing is still waiting
            }
        } catch (SocketTimeoutException e) {
            LOG.debug("proxy {}: held connection for {} without the client giving up", name, HOLD_MAX);
        } catch (IOException e) {
            // the client gave up
        } finally {
            reset(client);
        }
    }

    private void writeStatus(OutputStream out, FaultKind kind) throws IOException {
        int code = switch (kind) {
            case HTTP_500 -> 500;
            case HTTP_503 -> 503;
            case HTTP_504 -> 504;
            default -> 429;
        };
        String reason = switch (code) {
            case 500 -> "InternalError";
            case 503 -> "ServiceUnavailable";
            case 504 -> "Timeout";
            default -> "TooManyRequests";
        };
        String phrase = switch (code) {
            case 500 -> "Internal Server Error";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            default -> "Too Many Requests";
        };
        byte[] body = ("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
                + "\"message\":\"injected by the chaos fault proxy (" + kind.label() + ")\",\"reason\":\"" + reason
                + "\",\"details\":{\"retryAfterSeconds\":" + plan.retryAfter() + "},\"code\":" + code + "}")
                .getBytes(StandardCharsets.UTF_8);
        StringBuilder head = new StringBuilder("HTTP/1.1 ").append(code).append(' ').append(phrase).append("\r\n")
                .append("Content-Type: application/json\r\n")
                .append("Content-Length: ").append(body.length).append("\r\n");
        if (code == 429 || code == 503) {
            head.append("Retry-After: ").append(plan.retryAfter()).append("\r\n");
        }
        head.append("\r\n");
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        out.flush();
    }

    /** A collection path: {@code /api/v1/namespaces/x/pods}, {@code /apis/g/v/namespaces/x/daskjobs}, … */
    static boolean isCollection(String target) {
        String path = target.split("\\?", 2)[0];
        String[] p = path.split("/");
        // /api/v1/<res> (4 parts), /api/v1/namespaces/<ns>/<res> (6), /apis/<g>/<v>/<res> (5), /apis/<g>/<v>/namespaces/<ns>/<res> (7)
        boolean core = p.length > 1 && p[1].equals("api");
        int n = p.length;
        if (core) {
            return n == 4 || (n == 6 && p[3].equals("namespaces"));
        }
        return p.length > 1 && p[1].equals("apis") && (n == 5 || (n == 7 && p[4].equals("namespaces")));
    }

    private void reset(Socket s) {
        try {
            s.setSoLinger(true, 0);
        } catch (IOException e) {
            // closing anyway
        }
        quietClose(s);
    }

    private void quietClose(Socket s) {
        open.remove(s);
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }

    private static Thread daemon(Runnable r, String threadName) {
        Thread t = new Thread(r, threadName);
        t.setDaemon(true);
        return t;
    }

    @Override
    public String toString() {
        return "proxy " + name + " on 127.0.0.1:" + port() + " -> " + upstream.host() + ":" + upstream.port()
                + " (fault rate " + String.format(Locale.ROOT, "%.0f %%", plan.rate() * 100) + ")";
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // closing
        }
        dropAll();
        timers.shutdownNow();
        if (access != null) {
            synchronized (access) {
                try {
                    access.close();
                } catch (IOException e) {
                    // closing
                }
            }
        }
    }
}
