package dev.daskrelay.watcher.bridge;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventList;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodList;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.ByteArrayInputStream;
import java.util.List;

/**
 * Benchmark access to the bridge's decoding (in the bridge's package, for the harnesses only): decodes recorded list
 * pages as the informers do — fabric8's {@code unmarshal} of the list with the chosen {@link InformerDecoding}'s
 * serialization, then each item into its {@link SlimItemStore} with the bridge's index key — without the API server,
 * TLS or HTTP.
 */
public final class DecodeReplay {

    private final KubernetesSerialization serialization;
    private final SlimItemStore<GenericKubernetesResource> jobs = new SlimItemStore<>(SlimItemStore::daskJob);
    private final SlimItemStore<Pod> pods = new SlimItemStore<>(SlimItemStore::pod);
    private final SlimItemStore<Event> events = new SlimItemStore<>(SlimItemStore::event);
    private long indexKeys;

    public DecodeReplay(InformerDecoding decoding) {
        this.serialization = decoding == InformerDecoding.STREAMING ? SlimDecoding.serialization()
                : new KubernetesSerialization();
    }

    /** Decodes and caches every page; returns the number of objects. */
    public int replay(List<byte[]> jobPages, List<byte[]> podPages, List<byte[]> eventPages) {
        int n = 0;
        for (byte[] page : jobPages) {
            for (GenericKubernetesResource j : serialization.unmarshal(new ByteArrayInputStream(page),
                    GenericKubernetesResourceList.class).getItems()) {
                jobs.put(jobs.getKey(j), j);
                indexKeys += BridgeInformers.ref(j).key().length();
                n++;
            }
        }
        for (byte[] page : podPages) {
            for (Pod p : serialization.unmarshal(new ByteArrayInputStream(page), PodList.class).getItems()) {
                pods.put(pods.getKey(p), p);
                indexKeys += BridgeInformers.podJobKeys(p).size();
                n++;
            }
        }
        for (byte[] page : eventPages) {
            for (Event e : serialization.unmarshal(new ByteArrayInputStream(page), EventList.class).getItems()) {
                events.put(events.getKey(e), e);
                indexKeys += BridgeInformers.eventJobs(e).size();
                n++;
            }
        }
        return n;
    }

    /** The field selector of the bridge's Event informer ({@link BridgeInformers#CHATTY_EVENT_REASONS} left out). */
    public static String eventFieldSelector() {
        return String.join(",", BridgeInformers.CHATTY_EVENT_REASONS.stream().map(r -> "reason!=" + r).toList());
    }

    /** Cached objects (jobs, pods, events). */
    public String sizes() {
        return jobs.size() + " / " + pods.size() + " / " + events.size() + " (" + indexKeys + ")";
    }
}
