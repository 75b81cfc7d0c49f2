package dev.daskrelay.local.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import dev.daskrelay.avro.v1.AbortDaskJob;
import dev.daskrelay.avro.v1.TaskCommand;
import dev.daskrelay.embedded.KafkaBroker;
import dev.daskrelay.schemas.config.DaskRelayConfig;
import dev.daskrelay.schemas.config.KubernetesSettings;
import dev.daskrelay.schemas.serde.AvroSerdes;
import dev.daskrelay.schemas.task.TaskFile;
import dev.daskrelay.simulator.DaskCrds;
import dev.daskrelay.simulator.DaskOperatorSimulator;
import dev.daskrelay.simulator.InMemoryKubernetes;
import dev.daskrelay.simulator.SimulatorTiming;
import dev.daskrelay.translator.TranslatorProcess;
import dev.daskrelay.translator.render.DaskJobRenderer;
import dev.daskrelay.translator.render.RenderedDaskJob;
import dev.daskrelay.watcher.WatcherProcess;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The RBAC manifests grant exactly what the code uses: the translator and the watcher run against the in-memory
 * API (with the operator simulator), each behind its own recording proxy, through a scenario that exercises every
 * Kubernetes call they make (create, create-conflict-then-read, abort delete, informers, Lease, janitor delete).
 * The (API group, resource, verb) triples each service used must equal the rules its ServiceAccount is bound to,
 * in both the namespaced and the cluster-wide variant: a rule nobody uses fails the test, and so does a call no
 * rule allows. (The mock server enforces no RBAC itself; this comparison is the check.)
 */
class RbacManifestTest {

    private static final Path DEPLOY = Path.of("..", "deploy", "kubernetes");
    private static final String NS = "default";
    /** What the failure message shows: the calls recorded so far. */
    private static volatile Supplier<String> DIAGNOSTICS = () -> "";

    /**
     * Calls the watcher makes only on paths this scenario cannot reach (ObservationBridge / ApiReads; covered by
     * ObservationBridgeTest against the mock API server): reading a failed DaskJob's runner pod when the pod watch has
     * been broken for longer than the bridge's hold, and reading a DaskJob a new leader recalled but its cache lacks.
     */
    private static final Set<Permission> WATCHER_RARE_PATH = Set.of(new Permission("", "pods", "get"),
            new Permission("kubernetes.dask.org", "daskjobs", "get"));

    /** One RBAC permission. */
    record Permission(String group, String resource, String verb) implements Comparable<Permission> {
        @Override
        public int compareTo(Permission o) {
            return toString().compareTo(o.toString());
        }

        @Override
        public String toString() {
            return (group.isEmpty() ? "core" : group) + "/" + resource + ":" + verb;
        }
    }

    @Test
    void rulesEqualTheCallsEachServiceMakes(@TempDir Path tmp) throws Exception {
        Map<String, Set<Permission>> used = runScenario(tmp);
        for (String variant : List.of("namespaced", "cluster-wide")) {
            Map<String, Set<Permission>> granted = grantedBySubject(DEPLOY.resolve(variant).resolve("rbac.yaml"));
            assertEquals(used.get("translator"), granted.get("daskrelay-translator"),
                    variant + ": translator's rules vs its calls");
            assertEquals(used.get("watcher"), granted.get("daskrelay-watcher"),
                    variant + ": watcher's rules vs its calls");
        }
    }

    private Map<String, Set<Permission>> runScenario(Path tmp) throws Exception {
        try (KafkaBroker kafka = KafkaBroker.forTests();
             InMemoryKubernetes k8s = InMemoryKubernetes.start();
             KubernetesClient admin = k8s.newClient();
             DaskOperatorSimulator sim = DaskOperatorSimulator.builder(k8s.newClient())
                     .timing(SimulatorTiming.fast()).start();
             RecordingApiProxy translatorApi = new RecordingApiProxy(k8s.port());
             RecordingApiProxy watcherApi = new RecordingApiProxy(k8s.port());
             KubernetesClient watcherClient = clientFor(watcherApi.url())) {
            DIAGNOSTICS = () -> "translator calls: " + translatorApi.calls() + "\nwatcher calls: " + watcherApi.calls();
            String registry = "mock://rbac-" + UUID.randomUUID();
            DaskRelayConfig config = DaskRelayConfig.parse("""
                    kafka: {bootstrapServers: "%s", topicPrefix: rbac}
                    registry: {schema.registry.url: "%s"}
                    kubernetes: {masterUrl: "%s"}
                    translator: {applicationId: rbac-translator, stateDir: "%s", commitInterval: 100ms, topicPartitions: 2,
                                 ops: {host: 127.0.0.1, port: 0}}
                    watcher: {retainFinished: 0s, janitorInterval: 1s, opsHost: 127.0.0.1, opsPort: 0,
                              punctuationInterval: 1s, stateDir: "%s"}
                    """.formatted(kafka.bootstrapServers(), registry, translatorApi.url(), tmp.resolve("state"),
                    tmp.resolve("watcher-state")), "test");

            // Task "collide" meets an identical DaskJob already there: create → 409 → get → same hash.
            TaskCommand collide = launch("collide", "success", "10m");
            RenderedDaskJob existing = new DaskJobRenderer(config.platform(), config.installation()).render(collide).orElseThrow();
            admin.genericKubernetesResources(DaskCrds.DASK_JOB).inNamespace(NS)
                    .resource(Serialization.unmarshal(existing.toJson(), GenericKubernetesResource.class)).create();

            Map<String, Object> serdeConfig = Map.copyOf(config.registry().config());
            // the translator first: it creates the topics the watcher's status topology reads
            try (KubernetesClient translatorClient = config.section("kubernetes", KubernetesSettings.class).client();
                 TranslatorProcess translator = TranslatorProcess.start(config, translatorClient);
                 WatcherProcess watcher = WatcherProcess.start(config, watcherClient, Clock.systemUTC());
                 KafkaProducer<String, TaskCommand> producer = new KafkaProducer<>(Map.of(
                         "bootstrap.servers", kafka.bootstrapServers()), new StringSerializer(),
                         AvroSerdes.specific(TaskCommand.class, serdeConfig, false).serializer())) {
                TaskCommand quick = launch("quick", "success", "1s");
                TaskCommand slow = launch("slow", "success", "10m");
                for (TaskCommand c : List.of(quick, collide, slow)) {
                    producer.send(new ProducerRecord<>("rbac.commands", c.getTaskId(), c)).get();
                }
                String slowJob = new DaskJobRenderer(config.platform(), config.installation()).render(slow).orElseThrow().name();
                String quickJob = new DaskJobRenderer(config.platform(), config.installation()).render(quick).orElseThrow().name();
                await("slow DaskJob created", () -> job(admin, slowJob) != null);
                TaskCommand abort = TaskCommand.newBuilder(slow).setCommandId(UUID.randomUUID().toString())
                        .setPayload(AbortDaskJob.newBuilder().setReason("rbac test").build()).build();
                producer.send(new ProducerRecord<>("rbac.commands", abort.getTaskId(), abort)).get();
                await("aborted DaskJob deleted by the translator", () -> job(admin, slowJob) == null);
                await("finished DaskJob deleted by the janitor", () -> job(admin, quickJob) == null
                        && watcherApi.calls().stream().anyMatch(c -> c.method().equals("DELETE")));
                await("the 409 resolved by a read", () -> translatorApi.calls().stream()
                        .anyMatch(c -> c.method().equals("GET") && c.target().contains("/daskjobs/" + existing.name())));
                await("the Lease renewed", () -> watcherApi.calls().stream()
                        .anyMatch(c -> c.method().equals("PATCH") && c.target().contains("/leases/")));
            }
            Set<Permission> watcher = permissions(watcherApi.calls());
            watcher.addAll(WATCHER_RARE_PATH);
            return Map.of("translator", permissions(translatorApi.calls()), "watcher", watcher);
        }
    }

    private static TaskCommand launch(String name, String scenario, String runFor) {
        String yaml = """
                execution: {project: rbac, domain: test, name: %s, nodeId: n0, retryAttempt: 0}
                image: ghcr.io/example/dask-app:1.4
                args: ["python", "-m", "app"]
                annotations:
                  simulator.daskrelay.dev/scenario: %s
                  simulator.daskrelay.dev/run-for: %s
                """.formatted(name, scenario, runFor);
        return TaskFile.load(yaml, DaskRelayConfig.defaults().platform(), Clock.systemUTC());
    }

    private static GenericKubernetesResource job(KubernetesClient client, String name) {
        return client.genericKubernetesResources(DaskCrds.DASK_JOB).inNamespace(NS).withName(name).get();
    }

    private static KubernetesClient clientFor(String url) {
        Config config = new ConfigBuilder(Config.empty()).withMasterUrl(url).withNamespace(NS).build();
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    private static void await(String what, BooleanSupplier condition) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("timed out waiting for: " + what + "\n" + DIAGNOSTICS.get());
            }
            try {
                Thread.onSpinWait();
                LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
            } catch (RuntimeException e) {
                throw e;
            }
        }
    }

    /** Maps recorded HTTP calls to RBAC permissions; non-resource URLs (discovery, /version) need no rule. */
    static Set<Permission> permissions(List<RecordingApiProxy.Call> calls) {
        Set<Permission> out = new TreeSet<>();
        for (RecordingApiProxy.Call call : calls) {
            String path = call.target().split("\\?", 2)[0];
            String query = call.target().contains("?") ? call.target().split("\\?", 2)[1] : "";
            List<String> seg = new ArrayList<>(List.of(path.replaceFirst("^/", "").split("/")));
            String group;
            if (seg.get(0).equals("api") && seg.size() >= 3) {
                group = "";
                seg = seg.subList(2, seg.size());
            } else if (seg.get(0).equals("apis") && seg.size() >= 4) {
                group = seg.get(1);
                seg = seg.subList(3, seg.size());
            } else {
                continue; // non-resource URL
            }
            if (seg.size() >= 2 && seg.get(0).equals("namespaces")) {
                seg = seg.subList(2, seg.size());
            }
            if (seg.isEmpty()) {
                continue;
            }
            String resource = seg.get(0) + (seg.size() >= 3 ? "/" + seg.get(2) : "");
            boolean named = seg.size() >= 2;
            String verb = switch (call.method()) {
                case "GET" -> named ? "get" : (query.matches("(^|.*&)watch=(true|1)(&.*|$)") ? "watch" : "list");
                case "POST" -> "create";
                case "PUT" -> "update";
                case "PATCH" -> "patch";
                case "DELETE" -> named ? "delete" : "deletecollection";
                default -> call.method().toLowerCase();
            };
            out.add(new Permission(group, resource, verb));
        }
        return out;
    }

    /** ServiceAccount name → the permissions of every (Cluster)Role bound to it in one RBAC file. */
    static Map<String, Set<Permission>> grantedBySubject(Path rbacFile) throws IOException {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        Map<String, Set<Permission>> roles = new TreeMap<>();
        List<JsonNode> bindings = new ArrayList<>();
        try (YAMLParser parser = new YAMLFactory().createParser(Files.readString(rbacFile))) {
            for (JsonNode doc : yaml.readValues(parser, JsonNode.class).readAll()) {
                String kind = doc.path("kind").asText();
                if (kind.endsWith("Role")) {
                    Set<Permission> perms = new TreeSet<>();
                    for (JsonNode rule : doc.path("rules")) {
                        for (JsonNode g : rule.path("apiGroups")) {
                            for (JsonNode r : rule.path("resources")) {
                                for (JsonNode v : rule.path("verbs")) {
                                    assertFalse(v.asText().equals("*") || r.asText().equals("*"),
                                            rbacFile + ": wildcards are not least privilege");
                                    perms.add(new Permission(g.asText(), r.asText(), v.asText()));
                                }
                            }
                        }
                    }
                    roles.merge(kind + "/" + doc.path("metadata").path("name").asText(), perms,
                            (a, b) -> { a.addAll(b); return a; });
                } else if (kind.endsWith("RoleBinding")) {
                    bindings.add(doc);
                }
            }
        }
        Map<String, Set<Permission>> bySubject = new TreeMap<>();
        for (JsonNode b : bindings) {
            String role = b.path("roleRef").path("kind").asText() + "/" + b.path("roleRef").path("name").asText();
            assertTrue(roles.containsKey(role), rbacFile + ": binding to unknown " + role);
            for (JsonNode s : b.path("subjects")) {
                assertEquals("ServiceAccount", s.path("kind").asText());
                bySubject.computeIfAbsent(s.path("name").asText(), k -> new TreeSet<>()).addAll(roles.get(role));
            }
        }
        return bySubject;
    }
}
