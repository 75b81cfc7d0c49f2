package dev.daskrelay.schemas.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
    void aPartitionerSettingIsRefusedBecauseDaskrelayPartitionsByTaskId() {
        var e = assertThrows(DaskRelayConfig.ConfigException.class, () -> DaskRelayConfig.parse(
                "kafka:\n  properties:\n    partitioner.class: org.example.Mine\n", "daskrelay.yaml").kafka());
        assertTrue(e.getMessage().contains("kafka.properties.partitioner.class: not allowed"), e.getMessage());
    }
}
