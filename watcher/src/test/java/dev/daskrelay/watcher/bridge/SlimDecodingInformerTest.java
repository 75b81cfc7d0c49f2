package dev.daskrelay.watcher.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.daskrelay.schemas.KubernetesLabels;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.impl.KubernetesClientImpl;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A pod informer as the bridge builds it (label selector, pages of 500, {@link SlimItemStore}) on a client as the
 * bridge builds it (streaming decoder, {@link GzipLists}: plain bodies pass through), against the fabric8 mock server in expectation mode, which answers with API-server-shaped JSON
 * (managed fields, specs) and plays watch streams: list, then ADDED / MODIFIED / DELETED / BOOKMARK; and a 410 Gone
 * in the middle of a watch, which makes the informer list again and reconcile its cache. fabric8's informer
 * machinery does the protocol; this shows the decoder gives it what it needs (resource versions, keys, bookmarks,
 * Status objects) and that the cache holds the slim objects.
 */
@EnableKubernetesMockClient
class SlimDecodingInformerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NS = "ns";
    private static final String SELECTOR = URLEncoder.encode(KubernetesLabels.MANAGED_BY + "="
            + KubernetesLabels.MANAGED_BY_VALUE, StandardCharsets.UTF_8);
    private static final String LIST = "/api/v1/namespaces/" + NS + "/pods?labelSelector=" + SELECTOR + "&limit=500";
    private static final Duration WAIT = Duration.ofSeconds(30);

    KubernetesMockServer server;
    KubernetesClient client;

    private final ExecutorService dispatch = Executors.newCachedThreadPool();
    private SharedIndexInformer<Pod> informer;
    private final List<String> handled = new CopyOnWriteArrayList<>();

    @AfterEach
    void tearDown() {
        if (informer != null) {
            informer.stop();
        }
        dispatch.shutdownNow();
    }

    @Test
    void listThenAddedModifiedDeletedAndABookmark() {
        server.expect().get().withPath(LIST).andReturn(200, list("1000", pod("a", "1", "Pending"),
                pod("b", "2", "Running"))).once();
        server.expect().get().withPath(watch("1000")).andUpgradeToWebSocket().open()
                .waitFor(10).andEmit(event("ADDED", pod("c", "1001", "Pending")))
                .waitFor(10).andEmit(event("MODIFIED", pod("a", "1002", "Running")))
                .waitFor(10).andEmit(event("DELETED", pod("b", "1003", "Running")))
                .waitFor(10).andEmit("{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"Pod\",\"apiVersion\":\"v1\","
                        + "\"metadata\":{\"resourceVersion\":\"1004\"}}}")
                .done().always();

        start();

        await(() -> "1004".equals(informer.lastSyncResourceVersion()), () -> "the bookmark's resource version"
                + state());
        await(() -> handled.size() == 5, () -> "five notifications" + state());
        assertEquals(List.of("add a Pending", "add b Running", "add c Pending", "update a Running",
                "delete b Running"), handled);
        assertEquals("a=Running/1002, c=Pending/1001", cached());
        assertSlim();
    }

    @Test
    void goneInTheMiddleOfAWatchListsAgainAndReconcilesTheCache() {
        server.expect().get().withPath(LIST).andReturn(200, list("1000", pod("a", "1", "Pending"),
                pod("b", "2", "Running"))).once();
        server.expect().get().withPath(watch("1000")).andUpgradeToWebSocket().open()
                .waitFor(10).andEmit(event("MODIFIED", pod("a", "1001", "Running")))
                .waitFor(10).andEmit("{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"apiVersion\":\"v1\","
                        + "\"metadata\":{},\"status\":\"Failure\",\"message\":\"too old resource version: 1000 (1500)\","
                        + "\"reason\":\"Expired\",\"code\":410}}")
                .done().once();
        // meanwhile b was deleted, a finished and d appeared
        server.expect().get().withPath(LIST).andReturn(200, list("2000", pod("a", "1900", "Succeeded"),
                pod("d", "1950", "Running"))).once();
        server.expect().get().withPath(watch("2000")).andUpgradeToWebSocket().open()
                .waitFor(10).andEmit(event("MODIFIED", pod("d", "2001", "Failed")))
                .done().always();

        start();

        await(() -> cached().equals("a=Succeeded/1900, d=Failed/2001"), () -> "the cache after the relist" + state());
        await(() -> handled.size() == 7, () -> "seven notifications" + state());
        assertEquals(List.of("add a Pending", "add b Running", "update a Running"), handled.subList(0, 3));
        assertEquals(Set.of("update a Succeeded", "add d Running", "delete b Running"), Set.copyOf(handled.subList(3, 6)),
                "the relist, in the informer's order");
        assertEquals("update d Failed", handled.get(6));
        assertSlim();
    }

    // ---------------------------------------------------------------------------------------------------------

    private void start() {
        KubernetesClient informerClient = new KubernetesClientImpl(client.getHttpClient().newBuilder()
                .addOrReplaceInterceptor(GzipLists.NAME, new GzipLists()).build(), client.getConfiguration(),
                () -> dispatch, SlimDecoding.serialization());
        informer = informerClient.pods().inNamespace(NS)
                .withLabel(KubernetesLabels.MANAGED_BY, KubernetesLabels.MANAGED_BY_VALUE)
                .withLimit(500L).runnableInformer(0);
        informer.itemStore(new SlimItemStore<>(SlimItemStore::pod));
        informer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod obj) {
                handled.add("add " + describe(obj));
            }

            @Override
            public void onUpdate(Pod oldObj, Pod newObj) {
                handled.add("update " + describe(newObj));
            }

            @Override
            public void onDelete(Pod obj, boolean deletedFinalStateUnknown) {
                handled.add("delete " + describe(obj));
            }
        });
        informer.start();
    }

    private static String describe(Pod p) {
        return p.getMetadata().getName() + " " + p.getStatus().getPhase();
    }

    private String cached() {
        return informer.getStore().list().stream().sorted((x, y) -> x.getMetadata().getName()
                        .compareTo(y.getMetadata().getName()))
                .map(p -> p.getMetadata().getName() + "=" + p.getStatus().getPhase() + "/"
                        + p.getMetadata().getResourceVersion())
                .collect(Collectors.joining(", "));
    }

    private void assertSlim() {
        for (Pod p : informer.getStore().list()) {
            assertNull(p.getSpec(), "no spec cached");
            assertTrue(p.getMetadata().getManagedFields() == null || p.getMetadata().getManagedFields().isEmpty(),
                    "no managed fields cached");
            assertEquals("job", p.getMetadata().getLabels().get(KubernetesLabels.DASK_CLUSTER_NAME), "labels cached");
        }
    }

    private static String watch(String resourceVersion) {
        return "/api/v1/namespaces/" + NS + "/pods?allowWatchBookmarks=true&labelSelector=" + SELECTOR
                + "&resourceVersion=" + resourceVersion + "&timeoutSeconds=600&watch=true";
    }

    /** The captured API-server pod, renamed, with a resource version and a phase. */
    private static ObjectNode pod(String name, String resourceVersion, String phase) {
        ObjectNode p = POD.deepCopy();
        ObjectNode meta = (ObjectNode) p.get("metadata");
        meta.put("name", name).put("namespace", NS).put("resourceVersion", resourceVersion);
        ((ObjectNode) meta.get("labels")).put(KubernetesLabels.DASK_CLUSTER_NAME, "job");
        ((ObjectNode) p.get("status")).put("phase", phase);
        return p;
    }

    private static String list(String resourceVersion, ObjectNode... items) {
        ObjectNode l = JSON.createObjectNode();
        l.put("kind", "PodList").put("apiVersion", "v1");
        l.putObject("metadata").put("resourceVersion", resourceVersion);
        for (ObjectNode i : items) {
            ObjectNode item = i.deepCopy();
            item.remove("kind"); // list items come without kind and apiVersion
            item.remove("apiVersion");
            l.withArray("items").add(item);
        }
        return l.toString();
    }

    private static String event(String type, ObjectNode object) {
        ObjectNode e = JSON.createObjectNode();
        e.put("type", type);
        e.set("object", object);
        return e.toString();
    }

    private static final ObjectNode POD;

    static {
        try (InputStream in = SlimDecodingInformerTest.class.getResourceAsStream("api-server/pod.json")) {
            POD = (ObjectNode) JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What the informer saw and the mock server was asked, for a failure message. */
    private String state() {
        return String.format(" (last resource version %s, watching %s, cache [%s], notifications %s, %d requests)",
                informer.lastSyncResourceVersion(), informer.isWatching(), cached(), handled, server.getRequestCount());
    }

    private static void await(BooleanSupplier condition, Supplier<String> what) {
        Instant deadline = Instant.now().plus(WAIT);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                fail("timed out waiting for " + what.get());
            }
            try {
                Thread.sleep(20); // polling interval of a condition wait
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
        }
    }
}
