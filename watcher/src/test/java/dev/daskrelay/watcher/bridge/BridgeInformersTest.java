package dev.daskrelay.watcher.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
                    public void jobDeleted(GenericKubernetesResource job, boolean watched) {
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

    /**
     * A deletion the watch delivered is proof the DaskJob is gone; an object a relist no longer lists (fabric8's
     * "final state unknown") is not, and the bridge reads it from the API server before reporting it gone.
     */
    @Test
    void aDeletionTellsWhetherTheWatchDeliveredIt() {
        List<String> changed = new ArrayList<>();
        List<String> deleted = new ArrayList<>();
        BridgeInformers informers = new BridgeInformers(client, List.of("ns1"), Map.of(), Duration.ofMinutes(10), 500L,
                InformerDecoding.STREAMING, true, new BridgeInformers.Listener() {
                    @Override
                    public void changed(JobRef job) {
                        changed.add(job.name());
                    }

                    @Override
                    public void jobDeleted(GenericKubernetesResource job, boolean watched) {
                        throw new AssertionError("the handler under test is given its own onDelete");
                    }
                });
        ResourceEventHandler<GenericKubernetesResource> handler = informers.handler(j -> List.of(BridgeInformers.ref(j)),
                (job, watched) -> deleted.add(job.getMetadata().getName() + (watched ? " watched" : " relisted")));
        GenericKubernetesResource a = K8sFixtures.daskJob("relay-a-0", "a", 1);
        GenericKubernetesResource b = K8sFixtures.daskJob("relay-b-0", "b", 1);
        handler.onDelete(a, false);
        handler.onDelete(b, true);
        assertEquals(List.of("relay-a-0 watched", "relay-b-0 relisted"), deleted);
        assertEquals(List.of("relay-a-0", "relay-b-0"), changed, "and the job is decided again");
    }
}
