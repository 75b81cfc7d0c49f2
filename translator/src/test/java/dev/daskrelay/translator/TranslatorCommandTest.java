package dev.daskrelay.translator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class TranslatorCommandTest {

    private record Run(int code, String err) {
    }

    private static Run run(String... args) {
        PrintStream saved = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = new CommandLine(new TranslatorCommand()).execute(args);
            return new Run(code, err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(saved);
        }
    }

    @Test
    void missingConfigFileIsBadUsage() {
        Run r = run("--config", "/no/such/daskrelay.yaml");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--config: no such file"), r.err());
    }

    @Test
    void unknownTranslatorKeyIsNamed() throws Exception {
        Path file = Files.createTempFile("daskrelay", ".yaml");
        Files.writeString(file, """
                translator:
                  applier:
                    concurrancy: 4
                """);
        Run r = run("--config", file.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("translator.applier.concurrancy"), r.err());
    }

    @Test
    void badDurationIsNamed() throws Exception {
        Path file = Files.createTempFile("daskrelay", ".yaml");
        Files.writeString(file, """
                kubernetes:
                  requestTimeout: soon
                """);
        Run r = run("--config", file.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("kubernetes.requestTimeout"), r.err());
    }
}
