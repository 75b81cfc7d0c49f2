package dev.daskrelay.translator.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.daskrelay.avro.v1.EnvVar;
import dev.daskrelay.schemas.KubernetesLabels;
import dev.daskrelay.schemas.config.Installation;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CanonicalJsonTest {

    private static final ObjectMapper SORTED = new ObjectMapper()
            .configure(JsonNodeFeature.WRITE_PROPERTIES_SORTED, true);

    @Test
    void matchesJacksonsSortedOutputOnARealManifest() throws Exception {
        var launch = Fixtures.plainTask()
                .setEnv(List.of(new EnvVar("QUOTE", "say \"hi\"\\now\n\ttab"), new EnvVar("UNI", "ünï ✓ 🙂")))
                .setLabels(Map.of("z", "1", "a", "2", "M", "3")).setTimeoutSeconds(60L).build();
        ObjectNode manifest = RenderAssertions.valid(new DaskJobRenderer(Fixtures.flytePlatform(), Installation.DEFAULT)
                .render("x", Fixtures.execution("e"), launch)).manifest();
        assertEquals(SORTED.writeValueAsString(manifest), CanonicalJson.print(manifest));
    }

    @Test
    void escapesControlCharactersAndSortsByCodeUnit() throws Exception {
        JsonNode node = new ObjectMapper().readTree("{\"b\":[1,true,null,\"\\u0001\"],\"B\":{\"y\":1,\"x\":2},\"a\":\"\"}");
        assertEquals("{\"B\":{\"x\":2,\"y\":1},\"a\":\"\",\"b\":[1,true,null,\"\\u0001\"]}", CanonicalJson.print(node));
    }

    @Test
    void theSpecHashIsTheSha256OfTheCanonicalJsonWithoutTheHashAnnotation() throws Exception {
        RenderedDaskJob job = RenderAssertions.valid(new DaskJobRenderer(Fixtures.flytePlatform(), Installation.DEFAULT)
                .render("x", Fixtures.execution("e"), Fixtures.plainTask().build()));
        ObjectNode withoutHash = job.manifest();
        ((ObjectNode) withoutHash.at("/metadata/annotations")).remove(KubernetesLabels.SPEC_HASH);
        String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(SORTED.writeValueAsString(withoutHash).getBytes(StandardCharsets.UTF_8)));
        assertEquals(expected, job.specHash());
        assertEquals(expected, DaskJobRenderer.specHash(withoutHash));
        assertEquals(expected, DaskJobRenderer.specHash(job.manifest()));
        // Only that one annotation is left out: a member of the same name elsewhere counts.
        ((ObjectNode) withoutHash.at("/metadata/labels")).put(KubernetesLabels.SPEC_HASH, "x");
        assertNotEquals(expected, DaskJobRenderer.specHash(withoutHash));
    }
}
