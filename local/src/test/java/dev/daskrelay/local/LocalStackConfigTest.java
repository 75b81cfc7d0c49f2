package dev.daskrelay.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.daskrelay.schemas.config.DaskRelayConfig;
import dev.daskrelay.schemas.config.KubernetesSettings;
import dev.daskrelay.translator.TranslatorSettings;
import dev.daskrelay.watcher.WatcherSettings;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class LocalStackConfigTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static DaskRelayConfig effective(String userYaml, Path kubeconfig, String inMemoryUrl) throws Exception {
        ObjectNode user = (ObjectNode) YAML.readTree(userYaml);
        var options = new LocalStack.Options(0, false, true, kubeconfig, null, false, user);
        return DaskRelayConfig.parse(LocalStack.effectiveConfig(options, "127.0.0.1:4242", inMemoryUrl,
                Path.of("/tmp/work")).toString(), "test");
    }

    @Test
    void theUsersSettingsStayAndTheStackDecidesConnectionsPortsAndState() throws Exception {
        DaskRelayConfig cfg = effective("""
                platform: {namespace: data, allowedNamespaces: [data]}
                kafka: {bootstrapServers: "far.away:9092", topicPrefix: demo}
                registry: {schema.registry.url: "http://registry:8080"}
                watcher: {stuckAfter: 30s, opsPort: 8081}
                translator: {applier: {concurrency: 4}, ops: {port: 9401}}
                """, null, "http://127.0.0.1:5555");

        assertEquals("data", cfg.platform().namespace());
        assertEquals("127.0.0.1:4242", cfg.kafka().bootstrapServers());
        assertEquals("demo", cfg.kafka().topicPrefix());
        assertEquals("bundled://", cfg.registry().url());
        WatcherSettings watcher = cfg.section("watcher", WatcherSettings.class);
        assertEquals(Duration.ofSeconds(30), watcher.stuckAfter());
        assertEquals(0, watcher.opsPort());
        assertEquals("127.0.0.1", watcher.opsHost());
        assertEquals(Path.of("/tmp/work/state/watcher").toString(), watcher.stateDir());
        TranslatorSettings translator = cfg.section("translator", TranslatorSettings.class);
        assertEquals(4, translator.applier().concurrency());
        assertEquals(0, translator.ops().port());
        assertEquals(Path.of("/tmp/work/state/translator").toString(), translator.stateDir());
        KubernetesSettings kube = cfg.section("kubernetes", KubernetesSettings.class);
        assertEquals("http://127.0.0.1:5555", kube.masterUrl());
        assertNull(kube.kubeconfig());
    }

    @Test
    void aRealClusterComesFromTheKubeconfigOption() throws Exception {
        DaskRelayConfig cfg = effective("kubernetes: {masterUrl: 'http://elsewhere'}\n", Path.of("/home/me/kube.yaml"),
                null);
        KubernetesSettings kube = cfg.section("kubernetes", KubernetesSettings.class);
        assertEquals("/home/me/kube.yaml", kube.kubeconfig());
        assertNull(kube.masterUrl());
    }
}
