package dev.daskrelay.schemas.registry;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Apicurio Registry 2.4.2.Final (built by testing/apicurio-runner) in a child JVM bound to 127.0.0.1.
 * One per test class: {@link #launch} in {@code @BeforeAll}, {@link #close} in {@code @AfterAll}.
 */
public final class ApicurioRegistryProcess implements AutoCloseable {

    private static final Duration READY_DEADLINE = Duration.ofSeconds(120);

    private final int port;
    private final Process process;
    private final Path log;

    private ApicurioRegistryProcess(int port, Process process, Path log) {
        this.port = port;
        this.process = process;
        this.log = log;
    }

    /** Starts the registry on {@code port} (returns at once; see {@link #awaitReady()}). */
    public static ApicurioRegistryProcess launch(int port) throws IOException {
        Path jar = runnerJar();
        Path log = Path.of("target", "apicurio-" + port + ".log").toAbsolutePath();
        Files.createDirectories(log.getParent());
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(List.of(java, "-Xmx256m", "-XX:TieredStopAtLevel=1",
                "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + port, "-jar", jar.toString()))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        return new ApicurioRegistryProcess(port, process, log);
    }

    /** Starts the registry on a free port and waits until its ccompat API answers. */
    public static ApicurioRegistryProcess start() throws IOException {
        ApicurioRegistryProcess registry = launch(freePort());
        registry.awaitReady();
        return registry;
    }

    /** Polls {@code GET /apis/ccompat/v7/subjects} until it answers 200, failing after a generous deadline. */
    public void awaitReady() {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        Instant deadline = Instant.now().plus(READY_DEADLINE);
        HttpRequest request = HttpRequest.newBuilder(URI.create(ccompatUrl() + "/subjects"))
                .timeout(Duration.ofSeconds(5)).GET().build();
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Apicurio exited with " + process.exitValue() + "; see " + log);
            }
            try {
                if (http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            try {
                process.waitFor(200, TimeUnit.MILLISECONDS); // paces the polling; returns early if it dies
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("Apicurio did not answer within " + READY_DEADLINE + "; see " + log);
    }

    /** Base URL of the Confluent-compatible API, e.g. {@code http://127.0.0.1:41234/apis/ccompat/v7}. */
    public String ccompatUrl() {
        return "http://127.0.0.1:" + port + "/apis/ccompat/v7";
    }

    public int port() {
        return port;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(20, TimeUnit.SECONDS);
        }
    }

    /** A port nobody listens on right now. */
    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    /** Whether something accepts connections on 127.0.0.1:port. */
    public static boolean listening(int port) {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** testing/apicurio-runner/target/quarkus-app/quarkus-run.jar, found from the working directory upwards. */
    static Path runnerJar() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            Path runner = dir.resolve("testing/apicurio-runner");
            if (Files.isRegularFile(runner.resolve("pom.xml"))) {
                Path jar = runner.resolve("target/quarkus-app/quarkus-run.jar");
                if (!Files.isRegularFile(jar)) {
                    throw new IllegalStateException(jar + " is missing: build it with"
                            + " ./mvnw -pl testing/apicurio-runner package (or run the tests with -am)");
                }
                return jar;
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException("testing/apicurio-runner not found above " + Path.of("").toAbsolutePath());
    }
}
