package dev.daskrelay.local;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Options of {@code daskrelay local} that are refused before anything starts. */
class LocalOptionsTest {

    private static String[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = DaskRelayCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new String[] {String.valueOf(code), out.toString(), err.toString()};
    }

    @Test
    void aTimeoutThatIsNotAPositiveDurationIsBadUsage() {
        String[] zero = run("local", "--timeout", "0s");
        assertEquals("2", zero[0]);
        assertEquals("error: --timeout: must be more than 0 (was \"0s\")\nerror: nothing submitted (1 problem)\n",
                zero[2]);
        assertEquals("", zero[1], "nothing started");
        String[] text = run("local", "--timeout", "soon");
        assertEquals("2", text[0]);
        assertEquals("error: --timeout: must be a duration like 90s, 15m, 2h or 1h30m (was \"soon\")\n"
                + "error: nothing submitted (1 problem)\n", text[2]);
    }
}
