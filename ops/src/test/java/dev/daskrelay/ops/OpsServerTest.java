package dev.daskrelay.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class OpsServerTest {

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void servesMetricsAndReflectsChecks() throws Exception {
        AtomicBoolean ready = new AtomicBoolean(false);
        try (OpsServer ops = new OpsServer().liveness("alive", () -> true).readiness("streams", ready::get)
                .start("127.0.0.1", 0)) {
            ops.registry().counter("daskrelay.test.things", "kind", "a").increment(3);
            HttpResponse<String> metrics = get(ops, "/metrics");
            assertEquals(200, metrics.statusCode());
            assertTrue(metrics.body().contains("daskrelay_test_things_total{kind=\"a\"} 3.0"), metrics.body());
            assertEquals(200, get(ops, "/healthz").statusCode());
            HttpResponse<String> notReady = get(ops, "/readyz");
            assertEquals(503, notReady.statusCode());
            assertTrue(notReady.body().contains("[-] streams failing"));
            ready.set(true);
            assertEquals(200, get(ops, "/readyz").statusCode());
        }
    }

    private HttpResponse<String> get(OpsServer ops, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ops.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
