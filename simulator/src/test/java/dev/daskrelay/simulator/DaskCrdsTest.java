package dev.daskrelay.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.daskrelay.schemas.thirdparty.VendoredDaskCrds;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The simulator registers the operator's CRDs under exactly the released identity: each {@link DaskCrds} definition
 * equals the vendored 2025.4.3 CRD (third_party/) in everything but the schema, which the simulator keeps open.
 */
class DaskCrdsTest {

    @Test
    void daskJob() throws IOException {
        assertSameButSchema("daskjob.yaml", DaskCrds.daskJob());
    }

    @Test
    void daskCluster() throws IOException {
        assertSameButSchema("daskcluster.yaml", DaskCrds.daskCluster());
    }

    @Test
    void daskWorkerGroup() throws IOException {
        assertSameButSchema("daskworkergroup.yaml", DaskCrds.daskWorkerGroup());
    }

    @Test
    void daskAutoscaler() throws IOException {
        assertSameButSchema("daskautoscaler.yaml", DaskCrds.daskAutoscaler());
    }

    @Test
    void allFourAreRegistered() {
        assertEquals(List.of("daskjobs.kubernetes.dask.org", "daskclusters.kubernetes.dask.org",
                        "daskworkergroups.kubernetes.dask.org", "daskautoscalers.kubernetes.dask.org"),
                DaskCrds.all().stream().map(c -> c.getMetadata().getName()).toList());
    }

    private static void assertSameButSchema(String file, CustomResourceDefinition simulated) throws IOException {
        CustomResourceDefinition released;
        try (InputStream in = Files.newInputStream(VendoredDaskCrds.crd(file))) {
            released = Serialization.unmarshal(in, CustomResourceDefinition.class);
        }
        List<CustomResourceDefinitionVersion> simulatedVersions = simulated.getSpec().getVersions();
        List<CustomResourceDefinitionVersion> releasedVersions = released.getSpec().getVersions();
        assertEquals(releasedVersions.size(), simulatedVersions.size(), file + ": versions");
        for (int i = 0; i < releasedVersions.size(); i++) {
            releasedVersions.get(i).setSchema(simulatedVersions.get(i).getSchema());
        }
        assertEquals(Serialization.asYaml(released), Serialization.asYaml(simulated), file);
    }
}
