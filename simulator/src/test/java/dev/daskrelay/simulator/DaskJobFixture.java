package dev.daskrelay.simulator;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** A Flyte-style DaskJob (the shape docs/RENDERING.md describes) as a mutable map tree, plus waiting helpers. */
final class DaskJobFixture {

    static final Duration DEADLINE = Duration.ofSeconds(60);

    private DaskJobFixture() {
    }

    static GenericKubernetesResource job(String name, String namespace, int workers, Map<String, String> annotations) {
        Map<String, Object> runnerContainer = new LinkedHashMap<>();
        runnerContainer.put("name", "job-runner");
        runnerContainer.put("image", "registry.example/app:1.0");
        runnerContainer.put("args", List.of("python", "main.py"));
        Map<String, Object> jobSpec = new LinkedHashMap<>();
        jobSpec.put("restartPolicy", "Never");
        jobSpec.put("containers", new ArrayList<>(List.of(runnerContainer)));

        Map<String, Object> schedulerContainer = new LinkedHashMap<>();
        schedulerContainer.put("name", "scheduler");
        schedulerContainer.put("image", "registry.example/app:1.0");
        schedulerContainer.put("args", List.of("dask", "scheduler"));
        schedulerContainer.put("ports", List.of(
                Map.of("name", "tcp-comm", "containerPort", 8786, "protocol", "TCP"),
                Map.of("name", "dashboard", "containerPort", 8787, "protocol", "TCP")));
        Map<String, Object> service = new LinkedHashMap<>();
        service.put("type", "NodePort");
        service.put("selector", Map.of("dask.org/cluster-name", name, "dask.org/component", "scheduler"));
        service.put("ports", List.of(
                Map.of("name", "tcp-comm", "protocol", "TCP", "port", 8786, "targetPort", "tcp-comm"),
                Map.of("name", "dashboard", "protocol", "TCP", "port", 8787, "targetPort", "dashboard")));
        Map<String, Object> scheduler = new LinkedHashMap<>();
        scheduler.put("spec", new LinkedHashMap<>(Map.of("restartPolicy", "Always", "containers", List.of(schedulerContainer))));
        scheduler.put("service", service);

        Map<String, Object> workerContainer = new LinkedHashMap<>();
        workerContainer.put("name", "dask-worker");
        workerContainer.put("image", "registry.example/app:1.0");
        workerContainer.put("args", List.of("dask", "worker", "--name", "$(DASK_WORKER_NAME)", "--nthreads", "2"));
        Map<String, Object> worker = new LinkedHashMap<>();
        worker.put("replicas", workers);
        worker.put("spec", new LinkedHashMap<>(Map.of("restartPolicy", "Always", "containers", List.of(workerContainer))));

        Map<String, Object> clusterSpec = new LinkedHashMap<>();
        clusterSpec.put("idleTimeout", 0);
        clusterSpec.put("scheduler", scheduler);
        clusterSpec.put("worker", worker);
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("job", new LinkedHashMap<>(Map.of("spec", jobSpec)));
        spec.put("cluster", new LinkedHashMap<>(Map.of("spec", clusterSpec)));

        return new GenericKubernetesResourceBuilder()
                .withApiVersion(DaskCrds.API_VERSION).withKind("DaskJob")
                .withNewMetadata().withName(name).withNamespace(namespace)
                .withLabels(new LinkedHashMap<>(Map.of("daskrelay.io/task-id", "task-" + name)))
                .withAnnotations(new LinkedHashMap<>(annotations))
                .endMetadata()
                .withAdditionalProperties(new LinkedHashMap<>(Map.of("spec", spec)))
                .build();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> at(Object root, String... path) {
        Object cur = root;
        for (String p : path) {
            cur = ((Map<String, Object>) cur).get(p);
        }
        return (Map<String, Object>) cur;
    }

    static GenericKubernetesResource create(KubernetesClient client, GenericKubernetesResource job) {
        return client.genericKubernetesResources(DaskCrds.DASK_JOB).inNamespace(job.getMetadata().getNamespace())
                .resource(job).create();
    }

    static String jobStatus(KubernetesClient client, String ns, String name) {
        GenericKubernetesResource job = client.genericKubernetesResources(DaskCrds.DASK_JOB).inNamespace(ns).withName(name).get();
        return job == null ? null : DaskOperator.jobStatus(job);
    }

    /** Polls until the value satisfies the condition; fails with the last value seen after the deadline. */
    static <T> T await(String what, Supplier<T> value, Predicate<T> condition) {
        Instant deadline = Instant.now().plus(DEADLINE);
        T last = null;
        while (Instant.now().isBefore(deadline)) {
            last = value.get();
            if (last != null && condition.test(last)) {
                return last;
            }
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
        throw new AssertionError("timed out after " + DEADLINE + " waiting for " + what + "; last value: " + last);
    }

    static void awaitJobStatus(KubernetesClient client, String ns, String name, String status) {
        await(name + " jobStatus " + status, () -> String.valueOf(jobStatus(client, ns, name)), status::equals);
    }
}
