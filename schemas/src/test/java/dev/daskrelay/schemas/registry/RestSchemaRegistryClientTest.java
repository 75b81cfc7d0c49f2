package dev.daskrelay.schemas.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.daskrelay.schemas.serde.SampleRecords;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the client sends and how it treats answers, against a scripted JDK HTTP(S) server: auth headers
 * (Apicurio 2.4's basic auth needs an OIDC server, see docs/REGISTRY.md), retries, status mapping, TLS.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RestSchemaRegistryClientTest {

    record Seen(String method, String path, Map<String, List<String>> headers, String body) {
    }

    record Answer(int status, String body) {
    }

    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final Deque<Answer> script = new ArrayDeque<>();
    private HttpServer http;
    private HttpsServer https;
    private Path truststore;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/", this::answer);
        http.start();

        Path keystore = dir.resolve("server.p12");
        Path cert = dir.resolve("server.pem");
        truststore = dir.resolve("trust.p12");
        keytool("-genkeypair", "-alias", "registry", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=127.0.0.1",
                "-ext", "SAN=ip:127.0.0.1", "-validity", "2", "-keystore", keystore.toString(), "-storetype", "PKCS12",
                "-storepass", "changeit", "-keypass", "changeit");
        keytool("-exportcert", "-rfc", "-alias", "registry", "-keystore", keystore.toString(), "-storepass", "changeit",
                "-file", cert.toString());
        keytool("-importcert", "-noprompt", "-alias", "registry", "-file", cert.toString(), "-keystore", truststore.toString(),
                "-storetype", "PKCS12", "-storepass", "trustpass");
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            ks.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "changeit".toCharArray());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), null, null);
        https = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        https.setHttpsConfigurator(new HttpsConfigurator(tls));
        https.createContext("/", this::answer);
        https.start();
    }

    @AfterAll
    void stop() {
        http.stop(0);
        https.stop(0);
    }

    @BeforeEach
    void reset() {
        seen.clear();
        synchronized (script) {
            script.clear();
        }
    }

    private void answer(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        seen.add(new Seen(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                new HashMap<>(exchange.getRequestHeaders()), body));
        Answer answer;
        synchronized (script) {
            answer = script.isEmpty() ? new Answer(500, "{\"error_code\":50001,\"message\":\"no script\"}") : script.poll();
        }
        byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/vnd.schemaregistry.v1+json");
        exchange.sendResponseHeaders(answer.status(), bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    private void script(Answer... answers) {
        synchronized (script) {
            script.addAll(List.of(answers));
        }
    }

    private RestSchemaRegistryClient client(Object... more) {
        Map<String, Object> config = new HashMap<>();
        config.put(RegistryConfig.URL, "http://127.0.0.1:" + http.getAddress().getPort() + "/ccompat");
        config.put(RegistryConfig.RETRIES_WAIT_MS, 5);
        config.put(RegistryConfig.RETRIES_MAX_WAIT_MS, 20);
        for (int i = 0; i < more.length; i += 2) {
            config.put((String) more[i], more[i + 1]);
        }
        return new RestSchemaRegistryClient(RegistryConfig.from(config));
    }

    @Test
    void registerSendsConfluentRequest() {
        script(new Answer(200, "{\"id\":17}"));
        assertEquals(17, client().register("my topic-value", SampleRecords.widgetV1()));
        Seen request = seen.get(0);
        assertEquals("POST", request.method());
        assertEquals("/ccompat/subjects/my%20topic-value/versions", request.path());
        assertEquals(List.of("application/vnd.schemaregistry.v1+json"), request.headers().get("Content-type"));
        assertTrue(request.body().startsWith("{\"schema\":\"{\\\"type\\\":\\\"record\\\""), request.body());
        assertTrue(!request.headers().containsKey("Authorization"), "no credentials configured, none sent");
    }

    @Test
    void basicAuthFromUserInfo() {
        script(new Answer(200, "{\"id\":1}"));
        client(RegistryConfig.BASIC_AUTH_SOURCE, "USER_INFO", RegistryConfig.BASIC_AUTH_USER_INFO, "alice:s3cr:et")
                .register("s-value", SampleRecords.widgetV1());
        String expected = "Basic " + Base64.getEncoder().encodeToString("alice:s3cr:et".getBytes(StandardCharsets.UTF_8));
        assertEquals(List.of(expected), seen.get(0).headers().get("Authorization"));
    }

    @Test
    void bearerAuthFromStaticToken() {
        script(new Answer(200, "{\"id\":1}"));
        client(RegistryConfig.BEARER_AUTH_SOURCE, "STATIC_TOKEN", RegistryConfig.BEARER_AUTH_TOKEN, "tok-123")
                .register("s-value", SampleRecords.widgetV1());
        assertEquals(List.of("Bearer tok-123"), seen.get(0).headers().get("Authorization"));
    }

    @Test
    void refusedCredentialsAreTypedAndNotRetried() {
        script(new Answer(401, "{\"error_code\":40101,\"message\":\"Unauthorized\"}"));
        RestSchemaRegistryClient client = client(RegistryConfig.BASIC_AUTH_SOURCE, "USER_INFO", RegistryConfig.BASIC_AUTH_USER_INFO, "a:b");
        RegistryAuthException e = assertThrows(RegistryAuthException.class, () -> client.schemaById(1));
        assertEquals(SchemaSerdeException.Reason.REGISTRY_AUTH, e.reason());
        assertEquals(1, seen.size());
        script(new Answer(403, "{}"));
        assertThrows(RegistryAuthException.class, () -> client.schemaById(1));
    }

    @Test
    void transientFailuresAreRetriedWithBackOff() {
        script(new Answer(503, "busy"), new Answer(500, "oops"), new Answer(200,
                "{\"schema\":\"{\\\"type\\\":\\\"string\\\"}\"}"));
        RestSchemaRegistryClient client = client();
        assertEquals("string", client.schemaById(5).getType().getName());
        assertEquals(3, seen.size());
        assertEquals(2, client.retries());
    }

    @Test
    void retriesAreBounded() {
        RestSchemaRegistryClient client = client(RegistryConfig.MAX_RETRIES, 2);
        RegistryUnavailableException e = assertThrows(RegistryUnavailableException.class, () -> client.schemaById(5));
        assertEquals(3, seen.size(), "first attempt + 2 retries");
        assertTrue(e.getMessage().contains("HTTP 500"), e.getMessage());
    }

    @Test
    void confluentStyleConflictAndInvalidSchemaAreTyped() {
        script(new Answer(409, "{\"error_code\":409,\"message\":\"Schema being registered is incompatible\"}"),
                new Answer(422, "{\"error_code\":42201,\"message\":\"Invalid schema\"}"),
                new Answer(404, "{\"error_code\":40403,\"message\":\"Schema not found\"}"));
        RestSchemaRegistryClient client = client();
        assertThrows(IncompatibleSchemaException.class, () -> client.register("s-value", SampleRecords.widgetV1()));
        assertThrows(InvalidSchemaException.class, () -> client.register("s-value", SampleRecords.widgetV1()));
        assertThrows(UnknownSchemaIdException.class, () -> client.schemaById(3));
        assertEquals(3, seen.size());
    }

    @Test
    void notJsonIsAProtocolError() {
        script(new Answer(200, "<html>proxy login</html>"));
        assertThrows(RegistryProtocolException.class, () -> client().schemaById(1));
    }

    @Test
    void cachingClientCallsTheRegistryOncePerSchemaAndId() {
        script(new Answer(200, "{\"id\":9}"), new Answer(200, "{\"schema\":\"{\\\"type\\\":\\\"string\\\"}\"}"),
                new Answer(404, "{\"error_code\":40403}"));
        CachingSchemaRegistryClient cached = new CachingSchemaRegistryClient(client());
        for (int i = 0; i < 3; i++) {
            assertEquals(9, cached.register("s-value", SampleRecords.widgetV1()));
            assertEquals(SampleRecords.widgetV1(), cached.schemaById(9));
            assertEquals("string", cached.schemaById(10).getType().getName());
            assertThrows(UnknownSchemaIdException.class, () -> cached.schemaById(11));
        }
        assertEquals(3, seen.size(), "register, GET id 10, GET id 11 (unknown ids are remembered briefly)");
    }

    @Test
    void httpsWithTrustStore() {
        String url = "https://127.0.0.1:" + https.getAddress().getPort();
        script(new Answer(200, "{\"id\":21}"));
        RestSchemaRegistryClient trusted = new RestSchemaRegistryClient(RegistryConfig.from(Map.of(
                RegistryConfig.URL, url,
                RegistryConfig.TRUSTSTORE_LOCATION, truststore.toString(),
                RegistryConfig.TRUSTSTORE_PASSWORD, "trustpass",
                RegistryConfig.TRUSTSTORE_TYPE, "PKCS12")));
        assertEquals(21, trusted.register("s-value", SampleRecords.widgetV1()));

        RestSchemaRegistryClient untrusted = new RestSchemaRegistryClient(RegistryConfig.from(Map.of(
                RegistryConfig.URL, url, RegistryConfig.MAX_RETRIES, 0)));
        RegistryUnavailableException e = assertThrows(RegistryUnavailableException.class,
                () -> untrusted.register("s-value", SampleRecords.widgetV1()));
        assertTrue(e.getMessage().contains("SSL"), e.getMessage());
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "keytool finished");
        assertEquals(0, process.exitValue(), output);
    }
}
