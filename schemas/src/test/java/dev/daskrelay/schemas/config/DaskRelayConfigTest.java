package dev.daskrelay.schemas.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DaskRelayConfigTest {

    @Test
    void emptyFileGivesDocumentedDefaults() {
        PlatformConfig p = DaskRelayConfig.parse("", "test").platform();
        assertEquals("default", p.namespace());
        assertEquals(List.of("default"), p.allowedNamespaces());
        assertEquals(List.of("default"), p.allowedServiceAccounts());
        assertNull(p.image());
        assertEquals("1", p.resources().defaults().cpu());
        assertEquals("1Gi", p.resources().defaults().memory());
        assertNull(p.resources().limits().cpu());
        assertEquals(Map.of("cluster-autoscaler.kubernetes.io/safe-to-evict", "false"), p.annotations());
        assertEquals("nvidia.com/gpu", p.gpuResourceName());
        assertEquals(PlatformConfig.DaskCli.modern, p.dask().cli());
        assertEquals("ClusterIP", p.dask().schedulerServiceType());
    }

    @Test
    void readsTheContractsExample() {
        String yaml = """
                platform:
                  namespace: flytesnacks-development
                  allowedNamespaces: [flytesnacks-development, other]
                  serviceAccount: default
                  image: ghcr.io/example/dask-app:1.4
                  allowedImages: ["ghcr.io/example/*"]
                  resources:
                    defaults: {cpu: "4", memory: 10G}
                    limits: {cpu: "10", memory: 24G}
                  annotations: {}
                  interruptible:
                    tolerations: [{key: x/flyte, value: interruptible, operator: Equal, effect: NoSchedule}]
                    nodeSelector: {x/interruptible: "true"}
                    nodeSelectorRequirement: {key: x/interruptible, operator: In, values: ["true"]}
                  dask: {cli: legacy, schedulerServiceType: NodePort}
                watcher:
                  stuckAfter: 15m
                """;
        DaskRelayConfig config = DaskRelayConfig.parse(yaml, "test");
        PlatformConfig p = config.platform();
        assertEquals(List.of("flytesnacks-development", "other"), p.allowedNamespaces());
        assertEquals("10", p.resources().limits().cpu());
        assertEquals("4", p.resources().defaults().cpu());
        assertTrue(p.annotations().isEmpty());
        assertEquals("x/flyte", p.interruptible().tolerations().get(0).getKey());
        assertEquals("In", p.interruptible().nodeSelectorRequirement().getOperator());
        assertEquals(PlatformConfig.DaskCli.legacy, p.dask().cli());
        assertTrue(p.imageAllowed("ghcr.io/example/dask-app:1.4"));
        assertFalse(p.imageAllowed("docker.io/evil:latest"));
        assertEquals("15m", config.sectionTree("watcher").path("stuckAfter").asText());
    }

    @Test
    void misspeltSectionIsAnError() {
        var e = assertThrows(DaskRelayConfig.ConfigException.class,
                () -> DaskRelayConfig.parse("watchr:\n  stuckAfter: 1m\n", "daskrelay.yaml"));
        assertTrue(e.getMessage().startsWith("daskrelay.yaml: watchr: unknown section (known: kafka,"), e.getMessage());
    }

    @Test
    void unknownPlatformKeyIsNamed() {
        var e = assertThrows(DaskRelayConfig.ConfigException.class,
                () -> DaskRelayConfig.parse("platform:\n  namespce: x\n", "daskrelay.yaml"));
        assertTrue(e.getMessage().contains("platform.namespce: unknown key"), e.getMessage());
    }

    @Test
    void everyProblemOfASectionIsReportedWithItsPathInTheUsersWords() {
        var e = assertThrows(DaskRelayConfig.ConfigException.class, () -> DaskRelayConfig.parse("""
                platform:
                  maxWorkers: many
                  allowedNamespaces: team-a
                  dask: {cli: fancy}
                  resources: {defaults: {cpu: "1", memry: 1Gi}}
                """, "daskrelay.yaml"));
        assertEquals(List.of(
                "platform.maxWorkers: must be a whole number (was \"many\")",
                "platform.allowedNamespaces: must be a list (was \"team-a\")",
                "platform.dask.cli: must be one of modern, legacy (was \"fancy\")",
                "platform.resources.defaults.memry: unknown key (known: [cpu, ephemeralStorage, gpu, memory])"),
                e.problems());
        assertTrue(e.getMessage().startsWith("daskrelay.yaml: platform.maxWorkers: "), e.getMessage());
        assertEquals(4, e.getMessage().lines().count(), "one line per problem, each naming the file");
        assertFalse(e.getMessage().contains("java."), "no Java type names: " + e.getMessage());
        assertFalse(e.getMessage().contains("Cannot deserialize"), e.getMessage());
    }

    @Test
    void durationsAreBoundOnceAsDurations() {
        KubernetesSettings k = DaskRelayConfig.parse("kubernetes: {requestTimeout: 1m30s}", "test")
                .section("kubernetes", KubernetesSettings.class);
        assertEquals(Duration.ofSeconds(90), k.requestTimeout());
        assertEquals(Duration.ofSeconds(10), DaskRelayConfig.defaults().section("kubernetes", KubernetesSettings.class)
                .requestTimeout(), "the default, declared once in KubernetesSettings");
        assertEquals(Duration.ofMinutes(15), DaskRelayConfig.parse("kubernetes: {requestTimeout: PT15M}", "test")
                .section("kubernetes", KubernetesSettings.class).requestTimeout());
        var soon = assertThrows(DaskRelayConfig.ConfigException.class, () -> DaskRelayConfig
                .parse("kubernetes: {requestTimeout: soon}", "test").section("kubernetes", KubernetesSettings.class));
        assertEquals(List.of("kubernetes.requestTimeout: must be a duration like 90s, 15m, 2h or 1h30m (was \"soon\")"),
                soon.problems());
        var negative = assertThrows(DaskRelayConfig.ConfigException.class, () -> DaskRelayConfig
                .parse("kubernetes: {requestTimeout: -5s}", "test").section("kubernetes", KubernetesSettings.class));
        assertEquals(List.of("kubernetes.requestTimeout: must not be negative (was \"-5s\")"), negative.problems());
        var zero = assertThrows(DaskRelayConfig.ConfigException.class, () -> DaskRelayConfig
                .parse("kubernetes: {requestTimeout: 0}", "test").section("kubernetes", KubernetesSettings.class));
        assertEquals(List.of("kubernetes.requestTimeout: must be more than 0 and less than 24 days (was 0s)"),
                zero.problems(), "the section's own check");
    }

    @Test
    void aSectionOfTheWrongShapeIsNamed() {
        var e = assertThrows(DaskRelayConfig.ConfigException.class, () -> DaskRelayConfig
                .parse("kubernetes: [a, b]", "test").section("kubernetes", KubernetesSettings.class));
        assertEquals(List.of("kubernetes: expected {kubeconfig, context, masterUrl, requestTimeout} (was a list)"),
                e.problems());
    }

    @Test
    void aPartitionerSettingIsRefusedBecauseDaskrelayPartitionsByTaskId() {
        var e = assertThrows(DaskRelayConfig.ConfigException.class, () -> DaskRelayConfig.parse(
                "kafka:\n  properties:\n    partitioner.class: org.example.Mine\n", "daskrelay.yaml").kafka());
        assertTrue(e.getMessage().contains("kafka.properties.partitioner.class: not allowed"), e.getMessage());
    }
}
