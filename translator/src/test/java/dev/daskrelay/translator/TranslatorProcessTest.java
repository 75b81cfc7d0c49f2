package dev.daskrelay.translator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.daskrelay.avro.v1.TaskCommand;
import dev.daskrelay.embedded.KafkaBroker;
import dev.daskrelay.schemas.config.DaskRelayConfig;
import dev.daskrelay.schemas.config.KubernetesSettings;
import dev.daskrelay.schemas.serde.AvroSerde;
import dev.daskrelay.schemas.serde.AvroSerdes;
import dev.daskrelay.schemas.testing.TestCommands;
import dev.daskrelay.simulator.InMemoryKubernetes;
import dev.daskrelay.translator.apply.Fabric8DaskJobApi;
import dev.daskrelay.translator.render.DaskJobNames;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The whole {@code daskrelay translator} process from a config file: topics, registry serdes, Kubernetes, ops. */
class TranslatorProcessTest {

    private static KafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = KafkaBroker.forTests();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @Test
    void aFateRetentionThatDoesNotOutliveTheCommandsTopicStopsTheStart() throws Exception {
        try (Admin admin = Admin.create(broker.clientProperties())) {
            admin.createTopics(List.of(new NewTopic("short.commands", 1, (short) 1)
                    .configs(Map.of("retention.ms", Long.toString(Duration.ofDays(1).toMillis()))))).all().get();
        }
        DaskRelayConfig config = DaskRelayConfig.parse("""
                kafka:
                  bootstrapServers: %s
                  topicPrefix: short
                registry:
                  schema.registry.url: mock://translator-process-short
                kubernetes:
                  masterUrl: http://127.0.0.1:1
                translator:
                  fateRetention: 12h
                  stateDir: %s
                  ops: {host: 127.0.0.1, port: 0}
                """.formatted(broker.bootstrapServers(), Files.createTempDirectory("translator-short")), "test");
        try (KubernetesClient kube = config.section("kubernetes", KubernetesSettings.class).client()) {
            var e = assertThrows(DaskRelayConfig.ConfigException.class, () -> TranslatorProcess.start(config, kube));
            assertEquals("translator.fateRetention: 12h must be longer than the retention of short.commands (1d): a "
                    + "command still on the topic would find its task forgotten and be acted on again", e.getMessage());
        }
    }

    @Test
    void processCreatesTopicsTurnsALaunchIntoADaskJobAndServesHealthAndMetrics() throws Exception {
        Path stateDir = Files.createTempDirectory("translator-process");
        try (InMemoryKubernetes k8s = InMemoryKubernetes.start()) {
            DaskRelayConfig config = DaskRelayConfig.parse("""
                    kafka:
                      bootstrapServers: %s
                      topicPrefix: proc
                    registry:
                      schema.registry.url: mock://translator-process
                    kubernetes:
                      masterUrl: %s
                      requestTimeout: 5s
                    translator:
                      topicPartitions: 2
                      topicReplicationFactor: 1
                      stateDir: %s
                      ops: {host: 127.0.0.1, port: 0}
                      applier: {concurrency: 4}
                    """.formatted(broker.bootstrapServers(), k8s.url(), stateDir), "test");
            KubernetesClient kube = config.section("kubernetes", KubernetesSettings.class).client();
            TranslatorProcess process = TranslatorProcess.start(config, kube);
            try {
                HttpClient http = HttpClient.newHttpClient();
                String base = "http://127.0.0.1:" + process.opsPort();
                await(() -> get(http, base + "/readyz").statusCode() == 200);

                Map<String, String> registry = Map.of("schema.registry.url", "mock://translator-process");
                try (AvroSerde<TaskCommand> serde = AvroSerdes.specific(TaskCommand.class, registry, false);
                     var producer = new KafkaProducer<>(broker.clientProperties(), new StringSerializer(),
                             serde.serializer())) {
                    TaskCommand launch = TestCommands.launch("proc-c1", "proc-task-1", "ghcr.io/acme/app:1");
                    producer.send(new ProducerRecord<>("proc.commands", launch.getTaskId(), launch)).get();
                }
                String name = DaskJobNames.nameOf("proc-task-1");
                await(() -> k8s.client().genericKubernetesResources(Fabric8DaskJobApi.DASK_JOBS)
                        .inNamespace("default").withName(name).get() != null);

                // the applier counts its outcome once the create has answered, a moment after the DaskJob is visible
                String created = "daskrelay_translator_apply_outcomes_total{action=\"create\",outcome=\"created\"} 1.0";
                await(() -> get(http, base + "/metrics").body().contains(created));
                String metrics = get(http, base + "/metrics").body();
                assertTrue(metrics.contains("daskrelay_translator_commands_total{type=\"launch\"} 1.0"), metrics);
                assertTrue(metrics.contains(created), metrics);
                assertEquals(200, get(http, base + "/healthz").statusCode());
            } finally {
                process.close();
                process.close(); // idempotent
                kube.close();
            }
        }
    }

    private static HttpResponse<String> get(HttpClient http, String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("condition not met within 60 s");
            }
            Thread.sleep(100); // polling interval of the wait
        }
    }
}
