package dev.daskrelay.bench.watcher;

import dev.daskrelay.simulator.InMemoryKubernetes;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The Kubernetes API a watcher harness runs against: the in-memory fabric8 mock server in this JVM, or a real API
 * server named by a kubeconfig (testbed/kube/README.md starts one).
 */
final class ApiServerTarget implements AutoCloseable {

    private final InMemoryKubernetes inMemory;
    private final String kubeconfig;
    private final int concurrency;

    private ApiServerTarget(InMemoryKubernetes inMemory, String kubeconfig, int concurrency) {
        this.inMemory = inMemory;
        this.kubeconfig = kubeconfig;
        this.concurrency = concurrency;
    }

    /** The in-memory API when {@code kubeconfig} is null, else the API server it names. */
    static ApiServerTarget of(Path kubeconfig, int concurrency) throws IOException {
        return kubeconfig == null ? new ApiServerTarget(InMemoryKubernetes.start(), null, concurrency)
                : new ApiServerTarget(null, Files.readString(kubeconfig), concurrency);
    }

    boolean inMemory() {
        return inMemory != null;
    }

    /** A new client (the caller closes it); against a real server with room for {@code concurrency} requests. */
    KubernetesClient newClient() {
        if (inMemory != null) {
            return inMemory.newClient();
        }
        Config config = Config.fromKubeconfig(kubeconfig);
        config.setMaxConcurrentRequests(Math.max(64, concurrency * 2));
        config.setMaxConcurrentRequestsPerHost(Math.max(64, concurrency * 2));
        config.setRequestTimeout(120_000);
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    /** Creates the namespace unless it exists (a real API server refuses objects in a missing namespace). */
    static void ensureNamespace(KubernetesClient client, String namespace) {
        if (client.namespaces().withName(namespace).get() == null) {
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata()
                    .build()).create();
        }
    }

    @Override
    public void close() {
        if (inMemory != null) {
            inMemory.close();
        }
    }
}
