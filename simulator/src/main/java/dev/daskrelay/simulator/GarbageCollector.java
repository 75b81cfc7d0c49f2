package dev.daskrelay.simulator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Informable;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import org.slf4j.LoggerFactory;

/**
 * Owner-reference garbage-collector stand-in (background propagation) for an API server without one: an object
 * whose owner (DaskJob, DaskCluster, DaskWorkerGroup, Deployment or ReplicaSet) no longer exists — or exists
 * with another uid — is deleted. Runs after every deletion it sees and every {@link SimulatorTiming#gcInterval()}.
 * Finalizers are honoured by the API (the mock keeps a finalized object until its finalizers are removed).
 */
final class GarbageCollector extends Actor {

    private record Kind(String name, SharedIndexInformer<? extends HasMetadata> informer,
                        BiFunction<String, String, HasMetadata> get, Consumer<HasMetadata> delete) {
    }

    private final KubernetesClient client;
    private final String namespace;
    private final SimulatorTiming timing;
    private final List<Kind> kinds = new ArrayList<>();

    GarbageCollector(KubernetesClient client, String namespace, SimulatorTiming timing) {
        super("garbage-collector", LoggerFactory.getLogger(GarbageCollector.class));
        this.client = client;
        this.namespace = namespace;
        this.timing = timing;
    }

    @Override
    void onStart() {
        kinds.clear();
        generic("DaskJob", DaskCrds.DASK_JOB);
        generic("DaskCluster", DaskCrds.DASK_CLUSTER);
        generic("DaskWorkerGroup", DaskCrds.DASK_WORKER_GROUP);
        var apps = client.apps();
        add("Deployment", namespace == null ? apps.deployments().inAnyNamespace() : apps.deployments().inNamespace(namespace),
                (ns, n) -> apps.deployments().inNamespace(ns).withName(n).get(),
                o -> apps.deployments().inNamespace(o.getMetadata().getNamespace()).withName(o.getMetadata().getName()).delete());
        add("ReplicaSet", namespace == null ? apps.replicaSets().inAnyNamespace() : apps.replicaSets().inNamespace(namespace),
                (ns, n) -> apps.replicaSets().inNamespace(ns).withName(n).get(),
                o -> apps.replicaSets().inNamespace(o.getMetadata().getNamespace()).withName(o.getMetadata().getName()).delete());
        add("Pod", namespace == null ? client.pods().inAnyNamespace() : client.pods().inNamespace(namespace),
                (ns, n) -> client.pods().inNamespace(ns).withName(n).get(),
                o -> client.pods().inNamespace(o.getMetadata().getNamespace()).withName(o.getMetadata().getName()).delete());
        add("Service", namespace == null ? client.services().inAnyNamespace() : client.services().inNamespace(namespace),
                (ns, n) -> client.services().inNamespace(ns).withName(n).get(),
                o -> client.services().inNamespace(o.getMetadata().getNamespace()).withName(o.getMetadata().getName()).delete());
        every(timing.gcInterval(), "sweep", this::sweep);
    }

    private void generic(String kind, ResourceDefinitionContext ctx) {
        var op = client.genericKubernetesResources(ctx);
        add(kind, namespace == null ? op.inAnyNamespace() : op.inNamespace(namespace),
                (ns, n) -> client.genericKubernetesResources(ctx).inNamespace(ns).withName(n).get(),
                o -> client.genericKubernetesResources(ctx).inNamespace(o.getMetadata().getNamespace())
                        .withName(o.getMetadata().getName()).delete());
    }

    @SuppressWarnings("unchecked")
    private <T extends HasMetadata> void add(String kind, Informable<T> source,
                                             BiFunction<String, String, HasMetadata> get, Consumer<HasMetadata> delete) {
        SharedIndexInformer<T> informer = watch(source, o -> { }, o -> sweep());
        kinds.add(new Kind(kind, informer, get, delete));
    }

    private void sweep() {
        Set<String> known = new HashSet<>();
        Map<String, Kind> byName = new HashMap<>();
        for (Kind k : kinds) {
            byName.put(k.name(), k);
            k.informer().getStore().list().forEach(o -> known.add(o.getMetadata().getUid()));
        }
        for (Kind k : kinds) {
            for (HasMetadata o : k.informer().getStore().list()) {
                List<OwnerReference> refs = o.getMetadata().getOwnerReferences();
                if (refs == null || refs.isEmpty() || o.isMarkedForDeletion()) {
                    continue;
                }
                for (OwnerReference ref : refs) {
                    Kind ownerKind = byName.get(ref.getKind());
                    if (ownerKind == null || known.contains(ref.getUid())) {
                        continue;
                    }
                    // caches of different kinds are not in step: confirm with the API before deleting
                    HasMetadata owner = ownerKind.get().apply(o.getMetadata().getNamespace(), ref.getName());
                    if (owner == null || !ref.getUid().equals(owner.getMetadata().getUid())) {
                        log.debug("deleting {} (owner {} {} is gone)", describe(o), ref.getKind(), ref.getName());
                        try {
                            k.delete().accept(o);
                        } catch (KubernetesClientException e) {
                            if (e.getCode() != 404) {
                                throw e;
                            }
                        }
                        break;
                    }
                }
            }
        }
    }
}
