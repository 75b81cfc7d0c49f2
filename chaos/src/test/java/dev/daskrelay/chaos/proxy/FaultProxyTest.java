package dev.daskrelay.chaos.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The proxy against a small HTTP server standing in for the API server (plain HTTP: TLS is the JDK's own): requests
 * and chunked streams pass unchanged without faults, and each fault does what it says, seen from both sides.
 */
class FaultProxyTest {

    private HttpServer upstream;
    private final List<String> seen = new CopyOnWriteArrayList<>();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private FaultProxy proxy;

    @BeforeEach
    void start() throws IOException {
        upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        upstream.createContext("/", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            seen.add(ex.getRequestMethod() + " " + ex.getRequestURI() + " " + new String(body, StandardCharsets.UTF_8));
            if (ex.getRequestURI().getQuery() != null && ex.getRequestURI().getQuery().contains("watch=true")) {
                ex.sendResponseHeaders(200, 0); // chunked
                try (OutputStream out = ex.getResponseBody()) {
                    out.write("{\"type\":\"ADDED\",\"object\":{}}\n".getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    out.write(("{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"message\":\"too old resource "
                            + "version\",\"reason\":\"Expired\",\"code\":410}}\n").getBytes(StandardCharsets.UTF_8));
                }
                return;
            }
            byte[] answer = ("{\"echo\":\"" + ex.getRequestMethod() + "\"}").getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(ex.getRequestMethod().equals("POST") ? 201 : 200, answer.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(answer);
            }
        });
        upstream.start();
    }

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        upstream.stop(0);
    }

    private void proxy(FaultPlan plan) throws IOException {
        proxy = FaultProxy.start("test", null, new FaultProxy.Upstream("127.0.0.1", upstream.getAddress().getPort(),
                null), plan, 7, null);
    }

    private HttpResponse<String> post(String path, String body, Duration timeout) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port() + path))
                .timeout(timeout).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port() + path))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void withoutFaultsRequestsAndStreamsPassUnchanged() throws Exception {
        proxy(FaultPlan.standard(0));
        HttpResponse<String> created = post("/apis/g/v1/namespaces/n/things", "{\"a\":1}", Duration.ofSeconds(10));
        assertEquals(201, created.statusCode());
        assertEquals("{\"echo\":\"POST\"}", created.body());
        for (int i = 0; i < 3; i++) { // one kept-alive connection, several requests
            assertEquals(200, get("/api/v1/namespaces/n/pods?limit=5").statusCode());
        }
        HttpResponse<String> watch = get("/api/v1/namespaces/n/pods?watch=true&resourceVersion=1");
        assertTrue(watch.body().contains("\"ADDED\"") && watch.body().contains("\"code\":410"), watch.body());
        assertEquals(List.of("POST /apis/g/v1/namespaces/n/things {\"a\":1}"), seen.subList(0, 1));
        assertEquals(5, proxy.stats().requests());
        assertEquals(3, proxy.stats().lists());
        assertEquals(1, proxy.stats().watches());
        assertEquals(1, proxy.stats().goneSeen(), "the 410 in the watch stream is counted");
        assertEquals(0, proxy.stats().faultsTotal());
    }

    @Test
    void a503And429AreRealAnswersAndTheRequestNeverArrives() throws Exception {
        proxy(FaultPlan.standard(1).only(FaultKind.HTTP_503, FaultKind.HTTP_429));
        for (int i = 0; i < 10; i++) {
            HttpResponse<String> r = post("/apis/g/v1/namespaces/n/things", "{}", Duration.ofSeconds(10));
            assertTrue(r.statusCode() == 503 || r.statusCode() == 429, Integer.toString(r.statusCode()));
            assertEquals("1", r.headers().firstValue("Retry-After").orElse(null));
            assertTrue(r.body().contains("\"kind\":\"Status\"") && r.body().contains("\"code\":" + r.statusCode()),
                    r.body());
        }
        assertEquals(List.of(), seen);
        assertEquals(10, proxy.stats().faults(FaultKind.HTTP_503) + proxy.stats().faults(FaultKind.HTTP_429));
    }

    @Test
    void aResetBeforeLosesTheRequestAResetAfterLosesOnlyTheAnswer() throws Exception {
        proxy(FaultPlan.standard(1).only(FaultKind.RESET_BEFORE));
        assertThrows(IOException.class, () -> post("/apis/g/v1/namespaces/n/things", "{\"n\":1}", Duration.ofSeconds(10)));
        assertEquals(List.of(), seen);
        proxy.close();
        proxy(FaultPlan.standard(1).only(FaultKind.RESET_AFTER));
        assertThrows(IOException.class, () -> post("/apis/g/v1/namespaces/n/things", "{\"n\":2}", Duration.ofSeconds(10)));
        assertEquals(List.of("POST /apis/g/v1/namespaces/n/things {\"n\":2}"), seen, "it happened; the client cannot know");
    }

    @Test
    void aTimeoutHoldsTheClientUntilItGivesUp() throws Exception {
        proxy(FaultPlan.standard(1).only(FaultKind.TIMEOUT_AFTER));
        long t0 = System.nanoTime();
        assertThrows(HttpTimeoutException.class,
                () -> post("/apis/g/v1/namespaces/n/things", "{\"n\":3}", Duration.ofMillis(800)));
        assertTrue(System.nanoTime() - t0 >= 700_000_000L);
        assertEquals(1, seen.size(), "forwarded before the answer was held back");
    }

    @Test
    void aLatencySpikeDelaysButAnswers() throws Exception {
        proxy(new FaultPlan(1, new FaultPlan.Range(Duration.ofMillis(300), Duration.ofMillis(300)),
                new FaultPlan.Range(Duration.ofSeconds(2), Duration.ofSeconds(2)), 1, null).only(FaultKind.LATENCY));
        long t0 = System.nanoTime();
        assertEquals(200, get("/api/v1/namespaces/n/pods").statusCode());
        assertTrue(System.nanoTime() - t0 >= 300_000_000L);
    }
}
