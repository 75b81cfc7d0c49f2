package dev.daskrelay.e2e;

import dev.daskrelay.avro.v1.TaskCommand;
import dev.daskrelay.embedded.EmbeddedKafka;
import dev.daskrelay.schemas.config.DaskRelayConfig;
import dev.daskrelay.schemas.serde.AvroSerde;
import dev.daskrelay.schemas.serde.AvroSerdes;
import dev.daskrelay.submitter.client.DaskRelayClient;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
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
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * One daskrelay installation under test: its topics (prefix {@code name}) on the suite's broker, its own namespace
 * {@code name} in the cluster, and the translator and watcher as child processes of the daskrelay jar
 * ({@code daskrelay translator|watcher --config}), as they run in production. The watcher can be killed, stopped and
 * started again; a second Pipeline with other topics against the same namespace is "daskrelay with fresh topics".
 */
final class Pipeline implements AutoCloseable {

    static final Duration READY = Duration.ofMinutes(2);
    private static EmbeddedKafka broker;

    /**
     * @param name          topic prefix, and the base of the state directories and logs
     * @param namespace     the platform namespace (created when missing); its watcher watches only it
     * @param watcherExtra  extra keys of the {@code watcher:} section (e.g. {@code retainFinished: 5s})
     */
    record Options(String name, String namespace, Map<String, String> watcherExtra) {
        static Options of(String name) {
            return new Options(name, name, Map.of());
        }

        Options watcher(String key, String value) {
            Map<String, String> m = new LinkedHashMap<>(watcherExtra);
            m.put(key, value);
            return new Options(name, namespace, m);
        }

        Options namespace(String ns) {
            return new Options(name, ns, watcherExtra);
        }
    }

    private final KubeBackend kube;
    private final Options options;
    private final Path dir;
    private final Path configFile;
    private final DaskRelayConfig config;
    private final int translatorOps;
    private final int watcherOps;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private ChildProcess translator;
    private ChildProcess watcher;
    private DaskRelayClient client;
    private StatusLog statuses;
    private int watcherStarts;

    private Pipeline(KubeBackend kube, Options options) {
        this.kube = kube;
        this.options = options;
        this.dir = E2eFiles.workDir().resolve(kube.name()).resolve(options.name());
        this.translatorOps = freePort();
        this.watcherOps = freePort();
        try {
            E2eFiles.fresh(dir);
            configFile = dir.resolve("daskrelay.yaml");
            Files.writeString(configFile, configYaml());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        config = DaskRelayConfig.load(configFile);
    }

    /** Creates the namespace and the topics, starts the translator and the watcher, waits until both are ready. */
    static Pipeline start(KubeBackend kube, Options options) {
        Pipeline p = new Pipeline(kube, options);
        try {
            p.ensureNamespace();
            broker().createTopics(3, p.config.kafka().topics().all().toArray(String[]::new));
            p.startTranslator();
            p.startWatcher();
            p.client = DaskRelayClient.create(p.config);
            p.statuses = new StatusLog(p.config.kafka().clientProperties(), p.config.registry().config(),
                    p.config.kafka().topics().status());
            return p;
        } catch (RuntimeException e) {
            p.close();
            throw e;
        }
    }

    /** The suite's Kafka broker (one per JVM). */
    static synchronized EmbeddedKafka broker() {
        if (broker == null) {
            broker = EmbeddedKafka.start(EmbeddedKafka.Options.forTests());
            Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "e2e-broker-stop"));
        }
        return broker;
    }

    private String configYaml() {
        StringBuilder watcherKeys = new StringBuilder();
        Map<String, String> w = new LinkedHashMap<>();
        w.put("stuckAfter", "40s");
        w.put("imagePullGrace", "5s");
        w.put("retainFinished", "-1");
        w.put("janitorInterval", "1s");
        w.putAll(options.watcherExtra());
        w.forEach((k, v) -> watcherKeys.append("  ").append(k).append(": ").append(v).append('\n'));
        return """
                # written by the e2e suite (Pipeline.java)
                kafka:
                  bootstrapServers: %s
                  topicPrefix: %s
                registry:
                  schema.registry.url: bundled://
                kubernetes:
                  kubeconfig: %s
                platform:
                  namespace: %s
                  allowedNamespaces: [%s]
                  resources:
                    defaults: {cpu: 100m, memory: 256Mi}
                    limits: {cpu: "16", memory: 64Gi}
                translator:
                  stateDir: %s
                  createTopics: false
                  ops: {host: 127.0.0.1, port: %d}
                watcher:
                  opsHost: 127.0.0.1
                  opsPort: %d
                  stateDir: %s
                  leaseNamespace: %s
                %s""".formatted(broker().bootstrapServers(), options.name(), kube.kubeconfig(), options.namespace(),
                options.namespace(), dir.resolve("state/translator"), translatorOps, watcherOps,
                dir.resolve("state/watcher"), options.namespace(), watcherKeys);
    }

    private void ensureNamespace() {
        var ns = kube.client().namespaces().withName(options.namespace());
        if (ns.get() == null) {
            kube.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(options.namespace())
                    .endMetadata().build()).create();
        }
    }

    void startTranslator() {
        translator = ChildProcess.start("translator " + options.name(),
                ChildProcess.daskrelay("translator", "--config", configFile.toString()), dir.resolve("translator.log"));
        awaitReady("translator", translatorOps, translator);
    }

    void startWatcher() {
        watcherStarts++;
        watcher = ChildProcess.start("watcher " + options.name(),
                ChildProcess.daskrelay("watcher", "--config", configFile.toString()),
                dir.resolve("watcher-" + watcherStarts + ".log"));
        awaitReady("watcher", watcherOps, watcher);
    }

    /** SIGKILL of the watcher (a crash): the Lease stays held until it expires. */
    void killWatcher() {
        watcher.kill();
    }

    /** SIGTERM of the watcher (a rolling restart): it releases the Lease. */
    void stopWatcher() {
        watcher.close();
    }

    private void awaitReady(String what, int port, ChildProcess process) {
        Instant deadline = Instant.now().plus(READY);
        BooleanSupplier ready = () -> {
            try {
                return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        };
        while (!ready.getAsBoolean()) {
            if (!process.alive()) {
                throw new IllegalStateException(what + " exited during start; log " + process.log() + ":\n"
                        + ChildProcess.tail(read(process.log()), 30));
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException(what + " not ready after " + READY + "; log " + process.log());
            }
            Await.pause();
        }
    }

    /** Publishes a launch as a producer that does not validate would: the translator has to judge it. */
    void publishUnvalidated(TaskCommand launch) {
        try (AvroSerde<TaskCommand> serde = AvroSerdes.specific(TaskCommand.class, config.registry().config(), false);
             KafkaProducer<String, TaskCommand> producer = new KafkaProducer<>(config.kafka().clientProperties(),
                     new StringSerializer(), serde.serializer())) {
            producer.send(new ProducerRecord<>(config.kafka().topics().commands(), launch.getTaskId(), launch)).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("publishing " + launch.getTaskId(), e.getCause());
        }
    }

    /** Waits until the observations topic holds at least {@code n} records (e.g. a new watcher's re-observation). */
    void awaitObservations(int n, Duration timeout) {
        try (Admin admin = Admin.create(config.kafka().clientProperties())) {
            String topic = config.kafka().topics().observations();
            Await.until(timeout, n + " observations in " + topic, () -> {
                try {
                    var partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()
                            .stream().map(i -> new TopicPartition(topic, i.partition()))
                            .collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest()));
                    long total = admin.listOffsets(partitions).all().get().values().stream()
                            .mapToLong(ListOffsetsResult.ListOffsetsResultInfo::offset).sum();
                    return total >= n;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                } catch (ExecutionException e) {
                    return false;
                }
            });
        }
    }

    DaskRelayClient client() {
        return client;
    }

    StatusLog statuses() {
        return statuses;
    }

    DaskRelayConfig config() {
        return config;
    }

    String namespace() {
        return options.namespace();
    }

    KubeBackend kube() {
        return kube;
    }

    @Override
    public void close() {
        for (AutoCloseable c : new AutoCloseable[] {statuses, client, watcher, translator}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    // best effort: the next one still has to stop
                }
            }
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
