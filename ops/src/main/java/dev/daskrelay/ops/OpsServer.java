package dev.daskrelay.ops;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operations endpoints of a daskrelay service: {@code /metrics} (Prometheus text format),
 * {@code /healthz} (liveness: the process should be restarted when a check fails) and {@code /readyz}
 * (readiness: the service does its work). Checks are named suppliers; a response lists each with ok/failing.
 */
public final class OpsServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OpsServer.class);

    /** A named yes/no question about the service, e.g. "kafka-streams RUNNING". */
    public record Check(String name, Supplier<Boolean> ok) {
    }

    private final PrometheusMeterRegistry registry;
    private final Map<String, Supplier<Boolean>> liveness = new LinkedHashMap<>();
    private final Map<String, Supplier<Boolean>> readiness = new LinkedHashMap<>();
    private HttpServer server;

    public OpsServer() {
        this(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    }

    public OpsServer(PrometheusMeterRegistry registry) {
        this.registry = registry;
    }

    /** The registry every meter of the process goes to. */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    public synchronized OpsServer liveness(String name, Supplier<Boolean> check) {
        liveness.put(name, check);
        return this;
    }

    public synchronized OpsServer readiness(String name, Supplier<Boolean> check) {
        readiness.put(name, check);
        return this;
    }

    /** Binds to {@code host:port} (port 0 = any free port) and serves until {@link #close()}. */
    public synchronized OpsServer start(String host, int port) throws IOException {
        server = HttpServer.create(new InetSocketAddress(host, port), 16);
        server.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "daskrelay-ops-http");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/metrics", ex -> respond(ex, 200, "text/plain; version=0.0.4; charset=utf-8",
                registry.scrape()));
        server.createContext("/healthz", ex -> checks(ex, liveness));
        server.createContext("/readyz", ex -> checks(ex, readiness));
        server.start();
        LOG.info("operations endpoints on http://{}:{}/ (metrics, healthz, readyz)", host, port());
        return this;
    }

    /** The bound port. */
    public int port() {
        return server.getAddress().getPort();
    }

    private void checks(HttpExchange ex, Map<String, Supplier<Boolean>> checks) throws IOException {
        StringBuilder body = new StringBuilder();
        boolean allOk = true;
        Map<String, Supplier<Boolean>> snapshot;
        synchronized (this) {
            snapshot = new LinkedHashMap<>(checks);
        }
        for (var e : snapshot.entrySet()) {
            boolean ok;
            try {
                ok = Boolean.TRUE.equals(e.getValue().get());
            } catch (RuntimeException err) {
                ok = false;
            }
            allOk &= ok;
            body.append(ok ? "[+] " : "[-] ").append(e.getKey()).append(ok ? " ok" : " failing").append('\n');
        }
        body.append(allOk ? "ok\n" : "not ok\n");
        respond(ex, allOk ? 200 : 503, "text/plain; charset=utf-8", body.toString());
    }

    private static void respond(HttpExchange ex, int code, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", contentType);
        ex.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public synchronized void close() {
        if (server != null) {
            server.stop(0);
            server = null;
        }
    }
}
