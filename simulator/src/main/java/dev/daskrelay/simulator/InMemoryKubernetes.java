package dev.daskrelay.simulator;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An in-memory Kubernetes API: the fabric8 mock API server in CRUD mode, standalone, plain HTTP on 127.0.0.1, with
 * the Dask CRDs registered (daskjobs with a status subresource) and the namespace {@code default} created.
 *
 * <pre>{@code
 * try (var k8s = InMemoryKubernetes.start()) {          // random port; start(18443) for a fixed one
 *     KubernetesClient client = k8s.client();
 *     k8s.writeKubeconfig(Path.of("kubeconfig"));        // for other processes and `kubectl --raw`
 * }
 * }</pre>
 *
 * Differences from a real API server: docs/SIMULATOR.md.
 */
public final class InMemoryKubernetes implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(InMemoryKubernetes.class);
    /** The mock web server logs every request at INFO through java.util.logging; keep a reference so the level sticks. */
    private static final java.util.logging.Logger MOCK_SERVER_LOG = quietMockServerLog();  // qualified: Logger clashes with another class of that name
    public static final String DEFAULT_NAMESPACE = "default";
    public static final String CONTEXT_NAME = "daskrelay-local";

    private final KubernetesMockServer server;
    private final String url;
    private final KubernetesClient client;
    private final AtomicBoolean closed = new AtomicBoolean();

    private InMemoryKubernetes(KubernetesMockServer server, String url) {
        this.server = server;
        this.url = url;
        this.client = newClient();
    }

    /** Starts on a random free port. */
    public static InMemoryKubernetes start() {
        return start(0);
    }

    /** Starts on the given port of 127.0.0.1 (0 = a random free port). */
    public static InMemoryKubernetes start(int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port: must be 0..65535, was " + port);
        }
        // The five-argument constructor with a KubernetesCrudDispatcher is CRUD mode;
        // new KubernetesMockServer(false) would be expectations mode (every unrecorded call 404).
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        InMemoryKubernetes k8s = null;
        try {
            InetAddress loopback = InetAddress.getByName("127.0.0.1");
            server.init(loopback, port);
            k8s = new InMemoryKubernetes(server, "http://127.0.0.1:" + server.getPort());
            k8s.registerCrds();
            k8s.client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(DEFAULT_NAMESPACE)
                    .endMetadata().build()).create();
            LOG.info("In-memory Kubernetes API listening on {}", k8s.url);
            return k8s;
        } catch (IOException e) {
            server.destroy();
            throw new UncheckedIOException("cannot start the in-memory Kubernetes API on port " + port, e);
        } catch (RuntimeException e) {
            if (k8s != null) {
                k8s.close();
            } else {
                server.destroy();
            }
            throw e;
        }
    }

    private static java.util.logging.Logger quietMockServerLog() {  // qualified: Logger clashes with another class of that name
        java.util.logging.Logger jul = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver.MockWebServer");  // qualified: Logger clashes with another class of that name
        if (!Boolean.getBoolean("daskrelay.simulator.logRequests")) {
            jul.setLevel(Level.WARNING);
        }
        return jul;
    }

    private void registerCrds() {
        for (var crd : DaskCrds.all()) {
            client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
        }
    }

    /** Base URL, e.g. {@code http://127.0.0.1:40123}. */
    public String url() {
        return url;
    }

    public int port() {
        return server.getPort();
    }

    /** A shared client for this API (namespace {@code default}); closed with this object. Do not close it yourself. */
    public KubernetesClient client() {
        return client;
    }

    /** A new client the caller owns and closes. Ignores ~/.kube/config and KUBECONFIG. */
    public KubernetesClient newClient() {
        Config config = new ConfigBuilder(Config.empty())
                .withMasterUrl(url)
                .withNamespace(DEFAULT_NAMESPACE)
                .withRequestTimeout(30_000)
                .withConnectionTimeout(10_000)
                .build();
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    /** Kubeconfig YAML pointing at this API (no credentials), context {@value #CONTEXT_NAME}. */
    public String kubeconfig() {
        return """
                apiVersion: v1
                kind: Config
                clusters:
                - name: %1$s
                  cluster:
                    server: %2$s
                users:
                - name: %1$s
                  user: {}
                contexts:
                - name: %1$s
                  context:
                    cluster: %1$s
                    user: %1$s
                    namespace: %3$s
                current-context: %1$s
                """.formatted(CONTEXT_NAME, url, DEFAULT_NAMESPACE);
    }

    /** Writes {@link #kubeconfig()} to the file (parent directories created) and returns the path. */
    public Path writeKubeconfig(Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(file, kubeconfig());
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write kubeconfig " + file, e);
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                client.close();
            } finally {
                server.destroy();
            }
        }
    }
}
