package dev.daskrelay.local;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.daskrelay.schemas.ExitCodes;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ExitCodesTest {

    @Test
    void theCommandsExitCodesArePicoclisOwn() {
        assertEquals(CommandLine.ExitCode.OK, ExitCodes.OK);
        assertEquals(CommandLine.ExitCode.SOFTWARE, ExitCodes.FAILURE);
        assertEquals(CommandLine.ExitCode.USAGE, ExitCodes.USAGE);
        assertEquals(128 + 2, ExitCodes.INTERRUPTED, "SIGINT");
    }
}
