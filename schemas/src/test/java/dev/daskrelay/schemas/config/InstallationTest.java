package dev.daskrelay.schemas.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.daskrelay.schemas.KubernetesLabels;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InstallationTest {

    @Test
    void labelValuesAreAccepted() {
        for (String ok : List.of("daskrelay", "prod.eu-1", "A_b", "x", "a".repeat(63), "7")) {
            assertNull(Installation.problem(ok), ok);
            assertEquals(ok, new Installation(ok).id());
        }
    }

    @Test
    void everythingElseIsRefusedNamingTheKey() {
        for (String bad : List.of("", "-a", "a-", ".a", "a_", "a b", "a/b", "ä", "a".repeat(64))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Installation(bad),
                    bad);
            assertTrue(e.getMessage().startsWith("installation: must"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> new Installation(null));
    }

    @Test
    void defaultIsTheTopicPrefixWhenItIsALabelValue() {
        assertEquals("daskrelay", Installation.DEFAULT.id());
        assertEquals("chaos", Installation.derivedFrom("chaos").id());
        assertEquals("prod.eu_1", Installation.derivedFrom("prod.eu_1").id());
    }

    @Test
    void otherPrefixesAreTrimmedCutAndHashedSoTheyStayDistinct() {
        Installation dotted = Installation.derivedFrom(".team-");
        assertTrue(dotted.id().matches("team-[0-9a-f]{10}"), dotted.id());
        assertNotEquals(Installation.derivedFrom("team").id(), dotted.id());
        assertNotEquals(Installation.derivedFrom("_team_").id(), dotted.id());

        String longPrefix = "p".repeat(70);
        Installation cut = Installation.derivedFrom(longPrefix);
        assertEquals(63, cut.id().length());
        assertTrue(cut.id().startsWith("p".repeat(52) + "-"), cut.id());
        assertNotEquals(cut, Installation.derivedFrom("p".repeat(71)));

        assertTrue(Installation.derivedFrom("___").id().matches("[0-9a-f]{10}"));
        assertEquals(Installation.derivedFrom(".team-"), Installation.derivedFrom(".team-"), "deterministic");
    }

    @Test
    void selectorAndOwnership() {
        Installation a = new Installation("a");
        assertEquals(Map.of(KubernetesLabels.MANAGED_BY, "daskrelay", KubernetesLabels.INSTALLATION, "a"),
                a.selector());
        assertEquals("app.kubernetes.io/managed-by=daskrelay,daskrelay.dev/installation=a", a.selectorText());
        assertTrue(a.owns(Map.of(KubernetesLabels.INSTALLATION, "a")));
        assertFalse(a.owns(Map.of(KubernetesLabels.INSTALLATION, "b")));
        assertFalse(a.owns(Map.of()));
        assertFalse(a.owns(null));
    }

    @Test
    void configKeyTopLevelOrDerivedFromThePrefix() {
        assertEquals("daskrelay", DaskRelayConfig.defaults().installation().id());
        assertEquals("chaos", DaskRelayConfig.parse("kafka:\n  topicPrefix: chaos\n", "d.yaml").installation().id());
        assertEquals("staging", DaskRelayConfig.parse("installation: staging\nkafka:\n  topicPrefix: chaos\n",
                "d.yaml").installation().id());
    }

    @Test
    void badConfigValueIsReportedWithFileAndKey() {
        var e = assertThrows(DaskRelayConfig.ConfigException.class,
                () -> DaskRelayConfig.parse("installation: -staging\n", "daskrelay.yaml"));
        assertTrue(e.getMessage().startsWith("daskrelay.yaml: installation: must be a Kubernetes label value"),
                e.getMessage());
        assertEquals(1, e.problems().size());
        var notText = assertThrows(DaskRelayConfig.ConfigException.class,
                () -> DaskRelayConfig.parse("installation:\n  id: x\n", "daskrelay.yaml"));
        assertTrue(notText.getMessage().startsWith("daskrelay.yaml: installation: must be a string"),
                notText.getMessage());
    }
}
