package dev.daskrelay.local;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** What the launcher script says agrees with what the README says. */
class DocsConsistencyTest {

    @Test
    void theFirstBuildTakesAFewMinutesInTheScriptAndTheReadme() throws Exception {
        String script = Files.readString(Path.of("..", "bin", "daskrelay"));
        String readme = Files.readString(Path.of("..", "README.md"));
        assertTrue(script.contains("(first use; takes a few minutes)"), "bin/daskrelay");
        assertTrue(readme.contains("with the Maven\nwrapper (a few minutes)"), "README.md");
    }
}
