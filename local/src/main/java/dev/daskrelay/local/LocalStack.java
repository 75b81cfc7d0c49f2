package dev.daskrelay.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.daskrelay.embedded.EmbeddedKafka;
import dev.daskrelay.embedded.TreeDeletion;
import dev.daskrelay.schemas.config.DaskRelayConfig;
import dev.daskrelay.schemas.config.Installation;
import dev.daskrelay.schemas.config.KafkaSettings;
import dev.daskrelay.schemas.config.KubernetesSettings;
import dev.daskrelay.schemas.config.PlatformConfig;
import dev.daskrelay.schemas.config.RegistrySettings;
import dev.daskrelay.simulator.DaskOperatorSimulator;
import dev.daskrelay.simulator.InMemoryKubernetes;
import dev.daskrelay.simulator.SimulatorTiming;
import dev.daskrelay.translator.TranslatorProcess;
import dev.daskrelay.watcher.WatcherProcess;
import dev.daskrelay.watcher.WatcherSettings;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole pipeline in one JVM, wired top to bottom (docs/LOCAL.md):
 * <ol>
 * <li>a working directory (temporary; deleted on close unless {@code keepData});</li>
 * <li>at the same time as the broker: Kubernetes: the in-memory API with the Dask operator simulator in FULL
 *     mode, or a real cluster ({@code kubeconfig}/{@code context}) with the simulator only when asked
 *     (OPERATOR_ONLY);</li>
 * <li>the embedded Kafka broker on 127.0.0.1:{@code kafkaPort} (19092 by default, the port every other
 *     {@code daskrelay} command defaults to) and the five topics;</li>
 * <li>the effective configuration: the user's {@code daskrelay.yaml} (or defaults) with the local-stack
 *     overrides (bootstrap servers, the registry: {@code bundled://} unless the user's {@code registry:} section
 *     names a real one ({@link #registryUrl(ObjectNode)}), ops endpoints on ephemeral loopback ports, state
 *     directories, the Kubernetes API);</li>
 * <li>the translator (command topology + applier) and the watcher (status topology, bridge and janitor behind
 *     the Lease);</li>
 * <li>a wait until every part reports ready.</li>
 * </ol>
 * {@link #close()} stops everything in reverse order; it is idempotent and safe from a shutdown hook.
 */
public final class LocalStack implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalStack.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Topic partitions of the local stack's topics. */
    public static final int PARTITIONS = 3;
    /** The installation id of the local stack, unless its {@code --config} names one. */
    public static final String LOCAL_INSTALLATION = "daskrelay-local";

    /**
     * What to start.
     *
     * @param kafkaPort broker port on 127.0.0.1; 0 picks a free one
     * @param keepData keep the working directory (broker data, state, kubeconfig) after close
     * @param fast the simulator's test timing instead of the demo timing
     * @param kubeconfig a real cluster's kubeconfig file; null = the in-memory API (unless {@code context})
     * @param context a kubeconfig context of a real cluster; null = the current one
     * @param simulator run the operator simulator against the real cluster too (OPERATOR_ONLY)
     * @param userConfig the user's {@code daskrelay.yaml} as a tree (empty object = defaults)
     */
    public record Options(int kafkaPort, boolean keepData, boolean fast, Path kubeconfig, String context,
                          boolean simulator, ObjectNode userConfig) {

        public Options {
            userConfig = userConfig == null ? JSON.createObjectNode() : userConfig;
        }

        public static Options defaults() {
            return new Options(KafkaSettings.LOCAL_STACK_PORT, false, false, null, null, false, null);
        }

        /** True when the stack talks to a real cluster instead of the in-memory API. */
        public boolean realCluster() {
            return kubeconfig != null || context != null;
        }
    }

    private final Options options;
    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private Path workDir;
    private EmbeddedKafka kafka;
    private volatile InMemoryKubernetes inMemory;
    private volatile Path kubeconfigFile;
    private DaskRelayConfig config;
    private TranslatorProcess translator;
    private WatcherProcess watcher;
    private volatile DaskOperatorSimulator simulator;
    private boolean closed;

    private LocalStack(Options options) {
        this.options = options;
    }

    /** Starts everything and waits until it is ready; on failure, what was started is stopped and the error thrown. */
    public static LocalStack start(Options options, Duration readyTimeout) {
        LocalStack stack = new LocalStack(options);
        try {
            stack.wire();
            stack.awaitReady(readyTimeout);
            stack.step("every part ready");
            return stack;
        } catch (RuntimeException e) {
            stack.close();
            throw e;
        }
    }

    private long mark = System.nanoTime();

    /** Startup step durations at INFO ({@code --verbose}); the figures behind docs/PERFORMANCE.md. */
    private void step(String what) {
        long now = System.nanoTime();
        LOG.info("local stack: {} in {} ms", what, (now - mark) / 1_000_000);
        mark = now;
    }

    private void wire() {
        // 1. working directory
        try {
            // under java.io.tmpdir as set now (daskrelay local points it at its run directory), not as at JVM start
            workDir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "daskrelay-local-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary directory", e);
        }
        push(this::deleteWorkDir);

        // 2 and 3 at the same time: the in-memory Kubernetes API (with the simulator) starts while the broker does
        requirePortFree(options.kafkaPort());
        CompletableFuture<KubernetesClient> kube = options.realCluster() ? null
                : CompletableFuture.supplyAsync(this::startInMemoryKubernetes);
        try {
            // 2. Kafka broker
            kafka = EmbeddedKafka.start(new EmbeddedKafka.Options(options.kafkaPort(), workDir.resolve("kafka"), false));
            push(kafka);
            step("Kafka broker started");
        } finally {
            if (kafka == null && kube != null) {
                joinQuietly(kube); // its parts are on the stack already, closed by close()
            }
        }

        // 3. Kubernetes
        KubernetesClient client;
        if (kube != null) {
            client = join(kube);
            step("in-memory Kubernetes API and simulator ready (after the broker)");
        } else {
            client = DaskRelayConfig.parse(effectiveConfig(options, kafka.bootstrapServers(), null, workDir).toString(),
                    "daskrelay local configuration").section("kubernetes", KubernetesSettings.class).client();
            push(client);
            LOG.info("real cluster at {}", client.getMasterUrl());
            if (options.simulator()) {
                simulator = DaskOperatorSimulator.builder(client).timing(timing())
                        .mode(DaskOperatorSimulator.Mode.OPERATOR_ONLY).start();
                push(simulator);
            }
        }

        // 4. effective configuration and topics
        config = DaskRelayConfig.parse(effectiveConfig(options, kafka.bootstrapServers(),
                inMemory == null ? null : inMemory.url(), workDir).toString(), "daskrelay local configuration");
        kafka.createTopics(PARTITIONS, config.kafka().topics().all().toArray(String[]::new));
        step("topics created");

        // 5. translator, with its own client of the effective kubernetes section (fabric8 retries off)
        KubernetesClient translatorClient = config.section("kubernetes", KubernetesSettings.class).client();
        push(translatorClient);
        translator = TranslatorProcess.start(config, translatorClient);
        push(translator);
        step("translator started");

        // 6. watcher: status topology, bridge, janitor, Lease
        watcher = WatcherProcess.start(config, client, Clock.systemUTC());
        push(watcher);
        step("watcher started");
    }

    /** The in-memory API, its kubeconfig, the platform's namespaces and the operator simulator (FULL mode). */
    private KubernetesClient startInMemoryKubernetes() {
        long t0 = System.nanoTime();
        InMemoryKubernetes api = InMemoryKubernetes.start(0);
        push(api);
        inMemory = api;
        kubeconfigFile = api.writeKubeconfig(workDir.resolve("kubeconfig"));
        KubernetesClient client = api.newClient();
        push(client);
        ensureNamespaces(client, DaskRelayConfig.parse(options.userConfig().toString(), "--config").platform());
        DaskOperatorSimulator sim = DaskOperatorSimulator.builder(client).timing(timing())
                .mode(DaskOperatorSimulator.Mode.FULL).start();
        push(sim);
        simulator = sim;
        LOG.info("local stack: in-memory Kubernetes API and simulator started in {} ms", (System.nanoTime() - t0) / 1_000_000);
        return client;
    }

    private synchronized void push(AutoCloseable c) {
        started.push(c);
    }

    private static <T> T join(CompletableFuture<T> f) {
        try {
            return f.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private static void joinQuietly(CompletableFuture<?> f) {
        try {
            f.join();
        } catch (CompletionException | CancellationException e) {
            LOG.debug("in-memory API start: {}", e.toString());
        }
    }

    /**
     * The user's configuration with what the local stack decides: its broker, the registry
     * ({@link #registryUrl(ObjectNode)}), ops endpoints on ephemeral loopback ports, state under the working directory, the Kubernetes API,
     * its own Lease and installation ({@value #LOCAL_INSTALLATION}) unless the user names them. Everything else (platform, watcher timeouts, applier tuning, topic prefix) stays as the user wrote it.
     */
    static ObjectNode effectiveConfig(Options options, String bootstrap, String inMemoryUrl, Path workDir) {
        ObjectNode root = options.userConfig().deepCopy();
        ObjectNode kafka = object(root, "kafka");
        kafka.put("bootstrapServers", bootstrap);
        object(root, "registry").put(RegistrySettings.URL_KEY, registryUrl(options.userConfig()));

        ObjectNode translator = object(root, "translator");
        translator.put("createTopics", false);
        translator.put("topicPartitions", PARTITIONS);
        translator.put("stateDir", workDir.resolve("state").resolve("translator").toString());
        ObjectNode ops = object(translator, "ops");
        ops.put("host", "127.0.0.1");
        ops.put("port", 0);

        ObjectNode watcher = object(root, "watcher");
        watcher.put("opsHost", "127.0.0.1");
        watcher.put("opsPort", 0);
        watcher.put("stateDir", workDir.resolve("state").resolve("watcher").toString());
        if (!watcher.has("leaseName")) {
            // on a real cluster, never compete with a deployed watcher (default Lease daskrelay-watcher)
            watcher.put("leaseName", "daskrelay-local-watcher");
        }
        if (!watcher.has("identity")) {
            watcher.put("identity", "daskrelay-local-" + ProcessHandle.current().pid());
        }
        if (!root.hasNonNull(Installation.KEY)) {
            // on a real cluster, never follow or delete a deployed installation's DaskJobs (whose default id is its
            // topic prefix, daskrelay by default as here), and never adopt one
            root.put(Installation.KEY, LOCAL_INSTALLATION);
        }

        ObjectNode kubernetes = object(root, "kubernetes");
        if (inMemoryUrl != null) {
            kubernetes.removeAll();
            kubernetes.put("masterUrl", inMemoryUrl);
        } else {
            kubernetes.remove("masterUrl");
            if (options.kubeconfig() != null) {
                kubernetes.put("kubeconfig", options.kubeconfig().toString());
            }
            if (options.context() != null) {
                kubernetes.put("context", options.context());
            }
        }
        return root;
    }

    /**
     * The registry the stack uses: the user's {@code registry: {schema.registry.url: ...}} when it is a real
     * registry ({@code http(s)://}, one URL or a comma-separated list; the section's other keys, e.g. credentials,
     * apply as written) or {@code bundled://}; {@code bundled://} when the section gives no URL (the environment
     * variable {@code DASKRELAY_SCHEMA_REGISTRY_URL} is not read here, so a stray one cannot move the stack).
     *
     * @throws IllegalArgumentException for any other URL (e.g. {@code mock://}, which lives inside one JVM while the
     *     stack serves other terminals), naming the key
     */
    static String registryUrl(ObjectNode userConfig) {
        JsonNode url = userConfig.path("registry").path(RegistrySettings.URL_KEY);
        if (url.isMissingNode() || url.isNull() || url.asText().isBlank()) {
            return RegistrySettings.DEFAULT_URL;
        }
        String text = url.asText().trim();
        if (text.equals(RegistrySettings.DEFAULT_URL)) {
            return text;
        }
        for (String one : text.split(",")) {
            String u = one.trim();
            if (!u.startsWith("http://") && !u.startsWith("https://")) {
                throw new IllegalArgumentException("registry." + RegistrySettings.URL_KEY + ": the local stack takes "
                        + "bundled:// (no server, the default) or the http(s):// URL of a Confluent-compatible "
                        + "registry (e.g. the compose registry, http://localhost:8081/apis/ccompat/v7); not \""
                        + u + "\"" + (u.startsWith("mock://") ? " (a mock:// registry lives inside one process, "
                        + "and the local stack's other clients run in other terminals)" : ""));
            }
        }
        return text;
    }

    /** The registry URL in use (as configured; {@code bundled://} = no server). */
    public String registryUrl() {
        return config.registry().url();
    }

    private static ObjectNode object(ObjectNode parent, String field) {
        JsonNode n = parent.get(field);
        if (n instanceof ObjectNode o) {
            return o;
        }
        return parent.putObject(field);
    }

    private SimulatorTiming timing() {
        return options.fast() ? SimulatorTiming.fast() : SimulatorTiming.demo();
    }

    /** The in-memory API has only {@code default}: create the platform's namespaces too. */
    private static void ensureNamespaces(KubernetesClient client, PlatformConfig platform) {
        Set<String> names = new LinkedHashSet<>(platform.allowedNamespaces());
        names.add(platform.namespace());
        for (String ns : names) {
            if (ns != null && !ns.isBlank() && client.namespaces().withName(ns).get() == null) {
                client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata()
                        .build()).create();
            }
        }
    }

    private static void requirePortFree(int port) {
        if (port == 0) {
            return;
        }
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
        } catch (IOException e) {
            throw new PortInUseException(port);
        }
    }

    private void awaitReady(Duration timeout) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        Map<String, BooleanSupplier> checks = new LinkedHashMap<>();
        checks.put("translator", () -> ready(http, translator.opsPort()));
        var ws = config.section("watcher", WatcherSettings.class);
        checks.put("watcher (status topology, informers, Lease " + (ws.leaseNamespace() != null ? ws.leaseNamespace()
                : config.platform().namespace()) + "/" + ws.leaseName() + ")", () -> ready(http, watcher.ops().port()));
        Instant deadline = Instant.now().plus(timeout);
        for (var check : checks.entrySet()) {
            while (!check.getValue().getAsBoolean()) {
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("the " + check.getKey() + " was not ready after " + timeout.toSeconds()
                            + " s (run with --verbose to see its logs)");
                }
                try {
                    Thread.sleep(50); // polling interval of a readiness probe, not a stand-in for a condition
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while starting", e);
                }
            }
        }
    }

    private static boolean ready(HttpClient http, int port) {
        try {
            HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The effective configuration (what the parts run with); other clients of this stack use it too. */
    public DaskRelayConfig config() {
        return config;
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    /** The in-memory API's URL; null on a real cluster. */
    public String kubernetesUrl() {
        return inMemory == null ? null : inMemory.url();
    }

    /** The kubeconfig of the in-memory API (in the working directory); null on a real cluster. */
    public Path kubeconfigFile() {
        return kubeconfigFile;
    }

    public Path workDir() {
        return workDir;
    }

    /** Why the stack cannot do its work any more (the watcher stopped: Lease lost, status topology failed). */
    public Optional<String> failure() {
        return watcher != null && watcher.exitCode() != 0
                ? Optional.of("the watcher stopped (lost its Lease or the status topology failed; "
                        + "run with --verbose for details)")
                : Optional.empty();
    }

    public boolean simulatorRunning() {
        return simulator != null;
    }

    public int translatorOpsPort() {
        return translator.opsPort();
    }

    public int watcherOpsPort() {
        return watcher.ops().port();
    }

    /** Stops every part in reverse order of start; idempotent; problems while stopping are logged, not thrown. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        while (!started.isEmpty()) {
            AutoCloseable c = started.pop();
            try {
                c.close();
            } catch (Exception e) {
                LOG.debug("while stopping {}: {}", c.getClass().getSimpleName(), e.toString());
            }
        }
    }

    private void deleteWorkDir() {
        if (workDir == null || !Files.exists(workDir)) {
            return;
        }
        if (options.keepData()) {
            LOG.info("kept the local stack's data in {}", workDir);
            return;
        }
        try {
            TreeDeletion.delete(workDir);
        } catch (IOException e) {
            LOG.warn("could not delete {}: {}", workDir, e.toString());
        }
    }

    /** The broker port is taken, most likely by another {@code daskrelay local}. */
    public static final class PortInUseException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        PortInUseException(int port) {
            super("port " + port + " on 127.0.0.1 is in use (another `daskrelay local` running?); "
                    + "stop it or pick another port with --kafka-port");
        }
    }
}
