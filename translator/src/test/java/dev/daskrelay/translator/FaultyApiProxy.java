package dev.daskrelay.translator;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small HTTP proxy in front of the in-memory API server that injects faults: answers with an error status
 * without forwarding, or forwards and then holds the answer back longer than the client waits (the request took
 * effect, the client saw a timeout).
 */
public final class FaultyApiProxy implements AutoCloseable {

    /** What to do with one request. */
    public sealed interface Fault {
    }

    public record Pass() implements Fault {
    }

    /** Answer {@code code} with a Kubernetes Status body; the request never reaches the server. */
    public record Status(int code, String reason, String message) implements Fault {
    }

    /** Forward, then hold the answer for {@code delay}. */
    public record SlowAnswer(Duration delay) implements Fault {
    }

    /** Decides per request; {@code n} counts requests with the same method (1-based). */
    @FunctionalInterface
    public interface Plan {
        Fault decide(String method, String path, String body, int n);
    }

    private static final Set<String> SKIP_HEADERS = Set.of("host", "content-length", "connection", "upgrade",
            "transfer-encoding", "expect");

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(48);
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .executor(Executors.newFixedThreadPool(8)).build();
    private final String target;
    private final AtomicInteger posts = new AtomicInteger();
    private final AtomicInteger deletes = new AtomicInteger();
    private final AtomicInteger others = new AtomicInteger();
    private final AtomicInteger injected = new AtomicInteger();
    private final AtomicInteger slow = new AtomicInteger();
    private volatile Plan plan = (m, p, b, n) -> new Pass();

    public FaultyApiProxy(String target) throws IOException {
        this.target = target.endsWith("/") ? target.substring(0, target.length() - 1) : target;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 128);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public void plan(Plan plan) {
        this.plan = plan;
        posts.set(0);
        deletes.set(0);
        others.set(0);
        injected.set(0);
        slow.set(0);
    }

    public int injectedErrors() {
        return injected.get();
    }

    public int slowAnswers() {
        return slow.get();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String method = ex.getRequestMethod();
            String path = ex.getRequestURI().toString();
            int n = switch (method) {
                case "POST" -> posts.incrementAndGet();
                case "DELETE" -> deletes.incrementAndGet();
                default -> others.incrementAndGet();
            };
            byte[] requestBody = ex.getRequestBody().readAllBytes();
            Fault fault = plan.decide(method, path, new String(requestBody, StandardCharsets.UTF_8), n);
            if (fault instanceof Status s) {
                injected.incrementAndGet();
                String body = """
                        {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"%s",\
                        "reason":"%s","code":%d}""".formatted(s.message(), s.reason(), s.code());
                respond(ex, s.code(), "application/json", body.getBytes(StandardCharsets.UTF_8));
                return;
            }
            HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(target + path))
                    .method(method, requestBody.length == 0 ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(requestBody));
            ex.getRequestHeaders().forEach((k, vs) -> {
                if (!SKIP_HEADERS.contains(k.toLowerCase())) {
                    vs.forEach(v -> req.header(k, v));
                }
            });
            HttpResponse<byte[]> answer = http.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
            if (fault instanceof SlowAnswer s) {
                slow.incrementAndGet();
                Thread.sleep(s.delay().toMillis()); // the fault itself: an answer that comes too late
            }
            respond(ex, answer.statusCode(), answer.headers().firstValue("content-type").orElse("application/json"),
                    answer.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // the client gave up (timeout): nothing to answer
        }
    }

    private static void respond(HttpExchange ex, int code, String contentType, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", contentType);
        ex.sendResponseHeaders(code, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
