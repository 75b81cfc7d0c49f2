package dev.daskrelay.watcher.bridge;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * An informer item store that keeps a slim copy of each object: only what {@link SnapshotDerivation},
 * {@link TaskIdentity}, {@link EventAttribution} and the janitor read. Pod specs, managed fields and the DaskJob's
 * three pod templates are most of each object and are dropped, which keeps 10,000 DaskJobs with 60,000 pods in a
 * few hundred MiB.
 *
 * <p>The slim copy shares the kept parts (status, labels) with the object the informer decoded instead of copying
 * them, so slimming costs a few allocations per object. (fabric8's {@code ReducedStateItemStore} does the same job
 * by converting every object to a map and back: at 10,000 DaskJobs with 60,000 pods that was about a third of the
 * bridge's CPU during a relist; docs/PERFORMANCE.md.)
 * {@link #isFullState()} is false: the informer hands the full object to event handlers and indexers, and only
 * the cache holds the slim one.
 */
final class SlimItemStore<T extends HasMetadata> extends BasicItemStore<T> {

    private final UnaryOperator<T> slim;

    SlimItemStore(UnaryOperator<T> slim) {
        super(Cache::metaNamespaceKeyFunc);
        this.slim = slim;
    }

    @Override
    public T put(String key, T obj) {
        return super.put(key, slim.apply(obj));
    }

    @Override
    public boolean isFullState() {
        return false;
    }

    /** Name, namespace, resourceVersion, uid, labels, deletion timestamp (plus what the caller adds). */
    private static ObjectMetaBuilder meta(ObjectMeta m) {
        return new ObjectMetaBuilder().withName(m.getName()).withNamespace(m.getNamespace())
                .withResourceVersion(m.getResourceVersion()).withUid(m.getUid()).withLabels(m.getLabels())
                .withDeletionTimestamp(m.getDeletionTimestamp());
    }

    /** A pod: metadata as above and its status. */
    static Pod pod(Pod p) {
        Pod out = new Pod();
        out.setApiVersion(p.getApiVersion());
        out.setKind(p.getKind());
        out.setMetadata(meta(p.getMetadata()).build());
        out.setStatus(p.getStatus());
        return out;
    }

    /** A DaskJob: metadata as above with annotations, its status and {@code spec.cluster.spec.worker.replicas}. */
    static GenericKubernetesResource daskJob(GenericKubernetesResource j) {
        GenericKubernetesResource out = new GenericKubernetesResource();
        out.setApiVersion(j.getApiVersion());
        out.setKind(j.getKind());
        out.setMetadata(meta(j.getMetadata()).withAnnotations(j.getMetadata().getAnnotations()).build());
        Map<String, Object> props = new LinkedHashMap<>();
        Object status = j.getAdditionalProperties().get("status");
        if (status != null) {
            props.put("status", status);
        }
        Object replicas;
        try {
            replicas = j.get("spec", "cluster", "spec", "worker", "replicas");
        } catch (RuntimeException e) {
            replicas = null;
        }
        if (replicas != null) {
            props.put("spec", Map.of("cluster", Map.of("spec", Map.of("worker", Map.of("replicas", replicas)))));
        }
        out.setAdditionalProperties(props);
        return out;
    }

    /** An Event: name, namespace, resourceVersion, creation time; involved object, type, reason, message, times. */
    static Event event(Event e) {
        Event out = new Event();
        out.setApiVersion(e.getApiVersion());
        out.setKind(e.getKind());
        ObjectMeta m = e.getMetadata();
        out.setMetadata(new ObjectMetaBuilder().withName(m.getName()).withNamespace(m.getNamespace())
                .withResourceVersion(m.getResourceVersion()).withCreationTimestamp(m.getCreationTimestamp()).build());
        out.setInvolvedObject(e.getInvolvedObject());
        out.setType(e.getType());
        out.setReason(e.getReason());
        out.setMessage(e.getMessage());
        out.setFirstTimestamp(e.getFirstTimestamp());
        out.setLastTimestamp(e.getLastTimestamp());
        out.setEventTime(e.getEventTime());
        out.setSeries(e.getSeries());
        return out;
    }
}
