package dev.daskrelay.watcher.bridge;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The informers against the fabric8 mock API server (CRUD mode) when the API server fails their first list, as it
 * does while it restarts or under load (the chaos suite's fault proxy, docs/RELIABILITY.md): they must try again and
 * sync, not stop for good (fabric8's default for a failure before the first list), which left a watcher leading with
 * no observations at all.
 */
@EnableKubernetesMockClient(crud = true)
class BridgeInformersTest {

    KubernetesMockServer server;
    KubernetesClient client;

    @Test
    void informersWhoseFirstListFailsTryAgainAndSync() throws InterruptedException {
        MockKubernetes.registerDaskJobCrd(client);
        String selector = "?labelSelector=app.kubernetes.io%2Fmanaged-by%3Ddaskrelay&limit=500";
        server.expect().get().withPath("/apis/kubernetes.dask.org/v1/namespaces/ns1/daskjobs" + selector)
                .andReturn(500, "injected: the API server failed the first list").once();
        server.expect().get().withPath("/api/v1/namespaces/ns1/pods" + selector)
                .andReturn(503, "injected: the API server is not ready").once();
        BridgeInformers informers = new BridgeInformers(client, List.of("ns1"), Map.of(), Duration.ofMinutes(10), 500L, InformerDecoding.STREAMING, true,
                new BridgeInformers.Listener() {
                    @Override
                    public void changed(JobRef job) {
                    }

                    @Override
                    public void jobDeleted(GenericKubernetesResource job) {
                    }
                });
        try {
            informers.start();
            Instant deadline = Instant.now().plus(Duration.ofMinutes(1));
            while (!informers.synced() && Instant.now().isBefore(deadline)) {
                Thread.sleep(100); // polling a condition with a deadline, not a fixed wait
            }
            assertTrue(informers.synced(), "every informer synced after its failed first list");
        } finally {
            informers.stop();
        }
    }
}
