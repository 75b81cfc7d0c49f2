package dev.daskrelay.simulator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Informable;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;

/**
 * One simulated control-plane process: informers that only enqueue, and a single thread that does the work (so
 * each actor sees its events in order and never races with itself).
 */
abstract class Actor {

    /** RFC 7386 merge patch: only for objects without arrays (the mock server concatenates arrays instead of replacing them). */
    static final PatchContext MERGE = PatchContext.of(PatchType.JSON_MERGE);
    /** RFC 6902 JSON patch. */
    static final PatchContext JSON_PATCH = PatchContext.of(PatchType.JSON);

    private final String name;
    protected final Logger log;
    private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
    private ScheduledExecutorService loop;

    Actor(String name, Logger log) {
        this.name = name;
        this.log = log;
    }

    final synchronized void start() {
        loop = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "daskrelay-sim-" + name);
            t.setDaemon(true);
            return t;
        });
        onStart();
    }

    final synchronized void stop() {
        informers.forEach(SharedIndexInformer::close);
        informers.clear();
        if (loop != null) {
            loop.shutdownNow();
            try {
                loop.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            loop = null;
        }
    }

    abstract void onStart();

    /** Registers an informer whose events run {@code onChange} / {@code onDelete} on this actor's thread. */
    final <T extends HasMetadata> SharedIndexInformer<T> watch(
            Informable<T> source, Consumer<T> onChange, Consumer<T> onDelete) {
        SharedIndexInformer<T> informer = source.inform(new ResourceEventHandler<T>() {
            @Override
            public void onAdd(T obj) {
                run("add " + describe(obj), () -> onChange.accept(obj));
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                run("update " + describe(newObj), () -> onChange.accept(newObj));
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                run("delete " + describe(obj), () -> onDelete.accept(obj));
            }
        }, 0);
        informers.add(informer);
        return informer;
    }

    final void run(String what, Runnable action) {
        ScheduledExecutorService l = loop;
        if (l == null || l.isShutdown()) {
            return;
        }
        try {
            l.execute(() -> guarded(what, action));
        } catch (RejectedExecutionException ignored) {
            // stopping
        }
    }

    final ScheduledFuture<?> later(Duration delay, String what, Runnable action) {
        ScheduledExecutorService l = loop;
        if (l == null || l.isShutdown()) {
            return null;
        }
        try {
            return l.schedule(() -> guarded(what, action), delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException ignored) {
            return null;
        }
    }

    final void every(Duration interval, String what, Runnable action) {
        loop.scheduleWithFixedDelay(() -> guarded(what, action), interval.toNanos(), interval.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void guarded(String what, Runnable action) {
        try {
            action.run();
        } catch (KubernetesClientException e) {
            if (Thread.currentThread().isInterrupted()) {
                return; // stopping
            }
            if (e.getCode() == 404) {
                log.debug("{}: {}: object gone: {}", name, what, e.getMessage());
            } else {
                log.warn("{}: {} failed: {}", name, what, e.getMessage());
            }
        } catch (RuntimeException e) {
            log.warn("{}: {} failed", name, what, e);
        }
    }

    static String describe(HasMetadata obj) {
        return obj.getKind() + " " + obj.getMetadata().getNamespace() + "/" + obj.getMetadata().getName();
    }

    static String json(Object value) {
        return DaskComponents.SERIALIZATION.asJson(value);
    }

    /** A JSON patch that sets {@code path} to {@code value} whether or not it exists ("add" replaces an existing member). */
    static String set(String path, Object value) {
        return json(List.of(Map.of("op", "add", "path", path, "value", value)));
    }

    static String uid(HasMetadata obj) {
        return obj.getMetadata().getUid();
    }
}
