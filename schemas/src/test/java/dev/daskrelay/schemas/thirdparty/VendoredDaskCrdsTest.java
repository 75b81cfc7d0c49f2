package dev.daskrelay.schemas.thirdparty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The vendored Dask operator CRDs are exactly the released files: the checksum gate of third_party/. */
class VendoredDaskCrdsTest {

    @Test
    void everyVendoredFileHasTheReleasedDigest() {
        assertEquals(List.of(), VendoredDaskCrds.verify(VendoredDaskCrds.folder(), VendoredDaskCrds.PINNED));
    }

    @Test
    void sha256sumsListsExactlyThePinnedFilesAndDigests() {
        Path folder = VendoredDaskCrds.folder();
        assertEquals(VendoredDaskCrds.PINNED, VendoredDaskCrds.readSums(folder.resolve(VendoredDaskCrds.SUMS_FILE)));
    }

    @Test
    void noUnlistedCrdSitsInTheFolder() throws IOException {
        Path crds = VendoredDaskCrds.folder().resolve("crds");
        Set<String> present;
        try (Stream<Path> files = Files.list(crds)) {
            present = files.map(p -> "crds/" + p.getFileName()).collect(Collectors.toCollection(TreeSet::new));
        }
        Set<String> pinned = VendoredDaskCrds.PINNED.keySet().stream().filter(k -> k.startsWith("crds/"))
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(pinned, present);
    }

    @Test
    void eachCrdIsTheReleasedDefinitionOfItsKind() throws IOException {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        Map<String, String> kinds = Map.of("daskjob.yaml", "DaskJob", "daskcluster.yaml", "DaskCluster",
                "daskworkergroup.yaml", "DaskWorkerGroup", "daskautoscaler.yaml", "DaskAutoscaler");
        for (Map.Entry<String, String> e : kinds.entrySet()) {
            JsonNode crd = yaml.readTree(VendoredDaskCrds.crd(e.getKey()).toFile());
            assertEquals("apiextensions.k8s.io/v1", crd.path("apiVersion").asText(), e.getKey());
            assertEquals("CustomResourceDefinition", crd.path("kind").asText(), e.getKey());
            assertEquals("kubernetes.dask.org", crd.path("spec").path("group").asText(), e.getKey());
            assertEquals(e.getValue(), crd.path("spec").path("names").path("kind").asText(), e.getKey());
        }
    }

    @Test
    void aChangedByteIsCaughtAndNamed(@TempDir Path tmp) throws IOException {
        Path folder = VendoredDaskCrds.folder();
        Files.createDirectories(tmp.resolve("crds"));
        for (String relative : VendoredDaskCrds.PINNED.keySet()) {
            Files.copy(folder.resolve(relative), tmp.resolve(relative));
        }
        assertEquals(List.of(), VendoredDaskCrds.verify(tmp, VendoredDaskCrds.PINNED));

        Path job = tmp.resolve("crds/daskjob.yaml");
        byte[] bytes = Files.readAllBytes(job);
        bytes[bytes.length / 2] ^= 1;
        Files.write(job, bytes);
        Files.delete(tmp.resolve("LICENSE"));

        List<String> problems = VendoredDaskCrds.verify(tmp, VendoredDaskCrds.PINNED);
        assertEquals(2, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith(VendoredDaskCrds.FOLDER + "/LICENSE: missing"), problems.get(0));
        assertTrue(problems.get(1).startsWith(VendoredDaskCrds.FOLDER + "/crds/daskjob.yaml: sha256 "), problems.get(1));
    }

    @Test
    void malformedSumsAndUnknownNamesAreRefused(@TempDir Path tmp) throws IOException {
        Path sums = tmp.resolve("SHA256SUMS");
        Files.writeString(sums, "abc  crds/daskjob.yaml\n");
        assertThrows(IllegalStateException.class, () -> VendoredDaskCrds.readSums(sums));
        assertThrows(IllegalArgumentException.class, () -> VendoredDaskCrds.crd("daskfoo.yaml"));
    }
}
