package dev.daskrelay.translator.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DaskJobNamesTest {

    @Test
    void aValidIdIsUsedAsItIs() {
        assertEquals("some-acceptable-name", DaskJobNames.nameOf("some-acceptable-name"));
        assertEquals("flytesnacks-development-a1b2c3-n0-0", DaskJobNames.nameOf("flytesnacks-development-a1b2c3-n0-0"));
        String fifty = "a".repeat(50);
        assertEquals(fifty, DaskJobNames.nameOf(fifty));
    }

    @Test
    void aLongIdIsCutAndHashed() {
        String id = "flytesnacks-development-" + "x".repeat(60) + "-n0-0";
        String name = DaskJobNames.nameOf(id);
        assertEquals(50, name.length());
        assertEquals("flytesnacks-development-" + "x".repeat(15) + "-" + DaskJobNames.shortHash(id), name);
        // Ids that share the first 39 characters still differ.
        assertNotEquals(name, DaskJobNames.nameOf(id.replace("n0-0", "n0-1")));
        assertEquals("a".repeat(39) + "-" + DaskJobNames.shortHash("a".repeat(51)), DaskJobNames.nameOf("a".repeat(51)));
    }

    @Test
    void uppercaseDotsAndOtherCharactersAreSanitizedAndHashed() {
        String id = "Flytesnacks.Development/A1B2C3_n0-0";
        assertEquals("flytesnacks-development-a1b2c3-n0-0-" + DaskJobNames.shortHash(id), DaskJobNames.nameOf(id));
        // "A.b" and "a-b" sanitize alike but keep distinct names; "a-b" itself is valid and unchanged.
        assertEquals("a-b", DaskJobNames.nameOf("a-b"));
        assertTrue(DaskJobNames.nameOf("A.b").startsWith("a-b-"));
        assertNotEquals(DaskJobNames.nameOf("A.b"), DaskJobNames.nameOf("a.b"));
        assertEquals("a--b", DaskJobNames.nameOf("a--b"), "double dashes are valid DNS-1123");
        assertEquals("a-b-" + DaskJobNames.shortHash("a..b"), DaskJobNames.nameOf("a..b"), "runs collapse");
    }

    @Test
    void aLeadingDigitOrDashGetsALetterPrefix() {
        assertEquals("t-1abc-" + DaskJobNames.shortHash("1abc"), DaskJobNames.nameOf("1abc"));
        assertEquals("abc-" + DaskJobNames.shortHash("-abc"), DaskJobNames.nameOf("-abc"));
        assertEquals("abc-" + DaskJobNames.shortHash("abc-"), DaskJobNames.nameOf("abc-"));
        assertEquals("t-" + DaskJobNames.shortHash("..."), DaskJobNames.nameOf("..."));
        assertEquals("ber-" + DaskJobNames.shortHash("über"), DaskJobNames.nameOf("über"), "non-ASCII is replaced");
        assertEquals("t-42-" + DaskJobNames.shortHash("42"), DaskJobNames.nameOf("42"));
    }

    @Test
    void everyNameIsValidDeterministicAndDistinct() {
        List<String> ids = List.of("x", "X", "1", "-", "a.b.c", "A_B", "task/with/slashes", "🙂emoji",
                "a".repeat(200), "A".repeat(200), "9".repeat(100), "flyte-" + "é".repeat(80), " spaced id ",
                "a-b", "a.b", "a_b", "A-B");
        Set<String> names = new HashSet<>();
        for (String id : ids) {
            String name = DaskJobNames.nameOf(id);
            assertTrue(DaskJobNames.isValidName(name), () -> id + " -> " + name);
            assertTrue(name.matches("[a-z][a-z0-9-]{0,49}") && !name.endsWith("-"), name);
            assertEquals(name, DaskJobNames.nameOf(id), "deterministic");
            assertTrue(names.add(name), () -> "collision for " + id + ": " + name);
        }
    }

    @Test
    void taskLabelValueIsTheIdWhenItCanBe() {
        assertEquals("Flytesnacks.Development_A1-0", DaskJobNames.taskLabelValue("Flytesnacks.Development_A1-0"));
        assertEquals(DaskJobNames.nameOf("a/b"), DaskJobNames.taskLabelValue("a/b"));
        assertEquals(DaskJobNames.nameOf("a".repeat(64)), DaskJobNames.taskLabelValue("a".repeat(64)));
        assertEquals("a".repeat(63), DaskJobNames.taskLabelValue("a".repeat(63)));
        assertEquals(DaskJobNames.nameOf("-a"), DaskJobNames.taskLabelValue("-a"));
    }
}
