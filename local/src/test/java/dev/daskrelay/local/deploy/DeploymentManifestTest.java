package dev.daskrelay.local.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.daskrelay.schemas.config.DaskRelayConfig;
import dev.daskrelay.translator.TranslatorSettings;
import dev.daskrelay.watcher.WatcherSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The Kubernetes manifests hang together: identities, config, probes and the hardening the docs promise. */
class DeploymentManifestTest {

    private static final Path BASE = Path.of("..", "deploy", "kubernetes", "base");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Test
    void configMapIsAValidDaskrelayYamlForBothServices() throws IOException {
        JsonNode cm = docs(BASE.resolve("configmap.yaml")).get(0);
        DaskRelayConfig config = DaskRelayConfig.parse(cm.path("data").path("daskrelay.yaml").asText(), "configmap");
        TranslatorSettings translator = config.section("translator", TranslatorSettings.class);
        WatcherSettings watcher = config.section("watcher", WatcherSettings.class);
        assertEquals(8080, translator.ops().port());
        assertEquals(8080, watcher.opsPort());
        // the defaults are loopback only; in a pod the kubelet's probes and Prometheus need every interface
        assertEquals("0.0.0.0", translator.ops().host(), "the manifest sets the bind address explicitly");
        assertEquals("0.0.0.0", watcher.opsHost(), "the manifest sets the bind address explicitly");
        assertEquals("127.0.0.1", TranslatorSettings.Ops.DEFAULT_HOST);
        assertEquals("127.0.0.1", DaskRelayConfig.parse("{}", "defaults").section("translator", TranslatorSettings.class)
                .ops().host());
        assertEquals("127.0.0.1", DaskRelayConfig.parse("{}", "defaults").section("watcher", WatcherSettings.class)
                .opsHost());
        assertEquals(List.of("dask-jobs"), config.platform().allowedNamespaces());
        assertFalse(config.platform().allowedImages().isEmpty(), "production config restricts images");
    }

    @Test
    void theComposeConfigBindsTheOpsEndpointsOnEveryInterfaceForItsPublishedPorts() throws IOException {
        DaskRelayConfig config = DaskRelayConfig.parse(Files.readString(
                Path.of("..", "deploy", "compose", "daskrelay.yaml")), "compose");
        assertEquals("0.0.0.0", config.section("translator", TranslatorSettings.class).ops().host());
        assertEquals("0.0.0.0", config.section("watcher", WatcherSettings.class).opsHost());
    }

    @ParameterizedTest
    @ValueSource(strings = {"translator", "watcher"})
    void deploymentIsProbedScrapedAndHardened(String service) throws IOException {
        JsonNode d = docs(BASE.resolve(service + ".yaml")).get(0);
        JsonNode pod = d.path("spec").path("template");
        JsonNode spec = pod.path("spec");
        assertEquals("daskrelay-" + service, spec.path("serviceAccountName").asText());
        assertTrue(serviceAccounts().contains(spec.path("serviceAccountName").asText()));
        assertEquals("true", pod.path("metadata").path("annotations").path("prometheus.io/scrape").asText());
        assertEquals("/metrics", pod.path("metadata").path("annotations").path("prometheus.io/path").asText());
        JsonNode c = spec.path("containers").get(0);
        int port = c.path("ports").get(0).path("containerPort").asInt();
        assertEquals(8080, port);
        assertEquals(String.valueOf(port), pod.path("metadata").path("annotations").path("prometheus.io/port").asText());
        assertEquals("/healthz", c.path("livenessProbe").path("httpGet").path("path").asText());
        assertEquals("/readyz", c.path("readinessProbe").path("httpGet").path("path").asText());
        assertNotNull(c.path("resources").path("requests").get("memory"));
        assertTrue(spec.path("securityContext").path("runAsNonRoot").asBoolean());
        assertTrue(c.path("securityContext").path("readOnlyRootFilesystem").asBoolean());
        assertFalse(c.path("securityContext").path("allowPrivilegeEscalation").asBoolean(true));
        assertEquals("ALL", c.path("securityContext").path("capabilities").path("drop").get(0).asText());
        Set<String> mounts = new TreeSet<>();
        c.path("volumeMounts").forEach(m -> mounts.add(m.path("mountPath").asText()));
        assertTrue(mounts.containsAll(Set.of("/etc/daskrelay", "/tmp", "/var/lib/daskrelay")), mounts.toString());
        assertEquals(List.of("--config", "/etc/daskrelay/daskrelay.yaml"),
                YAML.convertValue(c.path("args"), List.class));
    }

    @Test
    void kustomizationsListEveryManifest() throws IOException {
        Set<String> listed = new TreeSet<>();
        docs(BASE.resolve("kustomization.yaml")).get(0).path("resources").forEach(r -> listed.add(r.asText()));
        Set<String> present = new TreeSet<>();
        try (Stream<Path> files = Files.list(BASE)) {
            files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml") && !n.equals("kustomization.yaml"))
                    .forEach(present::add);
        }
        assertEquals(present, listed);
        for (String variant : List.of("namespaced", "cluster-wide")) {
            JsonNode k = docs(BASE.resolveSibling(variant).resolve("kustomization.yaml")).get(0);
            assertEquals(List.of("../base", "rbac.yaml"), YAML.convertValue(k.path("resources"), List.class));
        }
    }

    private static Set<String> serviceAccounts() throws IOException {
        Set<String> names = new TreeSet<>();
        for (JsonNode sa : docs(BASE.resolve("serviceaccounts.yaml"))) {
            names.add(sa.path("metadata").path("name").asText());
        }
        return names;
    }

    private static List<JsonNode> docs(Path file) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        try (var parser = new YAMLFactory().createParser(Files.readString(file))) {
            for (JsonNode n : YAML.readValues(parser, JsonNode.class).readAll()) {
                if (n != null && !n.isNull() && !n.isEmpty()) {
                    out.add(n);
                }
            }
        }
        return out;
    }

}
