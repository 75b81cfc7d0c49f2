package dev.daskrelay.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.daskrelay.schemas.config.DaskRelayConfig;
import dev.daskrelay.schemas.config.KubernetesSettings;
import dev.daskrelay.translator.TranslatorSettings;
import dev.daskrelay.watcher.WatcherSettings;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

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
        assertEquals("http://registry:8080", cfg.registry().url(), "a real registry is honoured");
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

    @Test
    void withoutARegistrySectionTheStackUsesBundledIds() throws Exception {
        assertEquals("bundled://", effective("platform: {namespace: default}\n", null, "http://x").registry().url());
        assertEquals("bundled://", effective("registry: {schema.registry.url: 'bundled://'}\n", null, "http://x")
                .registry().url());
        DaskRelayConfig two = effective("registry: {schema.registry.url: 'http://a:8081,https://b:8081', "
                + "basic.auth.credentials.source: USER_INFO, basic.auth.user.info: 'u:p'}\n", null, "http://x");
        assertEquals("http://a:8081,https://b:8081", two.registry().url());
        assertEquals("USER_INFO", two.registry().config().get("basic.auth.credentials.source"), "the section's keys apply");
    }

    @Test
    void aRegistryTheStackCannotUseIsRefusedWithExitTwoBeforeAnythingStarts(@TempDir Path dir) throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
                effective("registry: {schema.registry.url: 'mock://scope'}\n", null, "http://x"));
        assertTrue(e.getMessage().startsWith("registry.schema.registry.url: "), e.getMessage());
        assertTrue(e.getMessage().contains("mock://"), e.getMessage());

        Path cfg = dir.resolve("daskrelay.yaml");
        Files.writeString(cfg, "registry:\n  schema.registry.url: 'ftp://registry'\n");
        StringWriter err = new StringWriter();
        CommandLine cli = DaskRelayCli.commandLine();
        cli.setOut(new PrintWriter(new StringWriter(), true));
        cli.setErr(new PrintWriter(err, true));
        assertEquals(2, cli.execute("local", "--config", cfg.toString(), "--kafka-port", "0"));
        assertTrue(err.toString().contains("registry.schema.registry.url: the local stack takes bundled://"),
                err.toString());
    }

    @Test
    void theStackHasItsOwnInstallationSoItNeverTouchesADeployedOnesJobs() throws Exception {
        DaskRelayConfig cfg = effective("platform: {namespace: default}\n", Path.of("/home/me/kube.yaml"), null);
        assertEquals(LocalStack.LOCAL_INSTALLATION, cfg.installation().id());
        assertNotEquals(DaskRelayConfig.defaults().installation(), cfg.installation(),
                "not the id a deployed installation with the default prefix derives");
        assertEquals("team-a-try", effective("installation: team-a-try\n", null, "http://x").installation().id(),
                "an installation named in --config is honoured");
    }
}
