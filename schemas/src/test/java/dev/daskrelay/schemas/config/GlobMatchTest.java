package dev.daskrelay.schemas.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The hand-written glob of the platform allowlists means exactly what the regex it replaces meant. */
class GlobMatchTest {

    /** The definition: {@code *} is {@code .*}, everything else is quoted. */
    private static boolean byRegex(String pattern, String text) {
        return text.matches(Arrays.stream(pattern.split("\\*", -1)).map(Pattern::quote)
                .collect(Collectors.joining(".*")));
    }

    @Test
    void examples() {
        assertTrue(PlatformConfig.globMatches("ghcr.io/example/*", "ghcr.io/example/dask-app:1.4"));
        assertTrue(PlatformConfig.globMatches("*", ""));
        assertTrue(PlatformConfig.globMatches("a*b*c", "abbbc"));
        assertTrue(PlatformConfig.globMatches("*:1.4", "ghcr.io/x:1.4"));
        assertFalse(PlatformConfig.globMatches("ghcr.io/example/*", "ghcr.io/exampleX/app"));
        assertFalse(PlatformConfig.globMatches("ghcr.io/example/app", "ghcr.io/example/app:1"));
        assertFalse(PlatformConfig.globMatches("a.c", "abc"), "a dot is a dot");
        assertFalse(PlatformConfig.globMatches("ghcr.io/*", "ghcr.io/app\n"), "a star does not span a line end");
        assertFalse(PlatformConfig.globMatches("*", "evil\u2028"), "nor any other line terminator");
    }

    @Test
    void agreesWithTheRegexDefinitionOnRandomPatternsAndTexts() {
        Random random = new Random(16);
        char[] alphabet = {'a', 'b', '.', '/', ':', '*', '\n', '\\', 'Q', 'E', '$'};
        for (int i = 0; i < 20_000; i++) {
            String pattern = random(random, alphabet, 6);
            String text = random(random, alphabet, 8).replace("*", "");
            assertEquals(byRegex(pattern, text), PlatformConfig.globMatches(pattern, text),
                    () -> "pattern " + pattern.replace("\n", "\\n") + " text " + text.replace("\n", "\\n"));
        }
    }

    private static String random(Random random, char[] alphabet, int maxLength) {
        int n = random.nextInt(maxLength + 1);
        StringBuilder b = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            b.append(alphabet[random.nextInt(alphabet.length)]);
        }
        return b.toString();
    }
}
