package dev.daskrelay.submitter.cli;

import java.util.List;

/**
 * Logging of the client commands (submit, status, cancel, follow, list, replay): their output is what they print,
 * so by default only daskrelay's own warnings reach stderr and the Kafka client says nothing (a broker that cannot
 * be reached is reported by the command in one line, not by hundreds of client warnings). {@code -v} shows INFO of
 * everything. slf4j-simple reads its levels when a logger is made, so this runs before any client is created;
 * {@code -Dorg.slf4j.simpleLogger...} system properties given on the command line win.
 */
public final class CliLogging {

    private static final List<String> LIBRARIES = List.of("org.apache.kafka", "kafka", "io.fabric8", "okhttp3",
            "io.vertx", "io.netty", "org.apache.avro");

    private CliLogging() {
    }

    public static void configure(boolean verbose) {
        setIfAbsent("org.slf4j.simpleLogger.defaultLogLevel", verbose ? "info" : "warn");
        setIfAbsent("org.slf4j.simpleLogger.log.dev.daskrelay", verbose ? "info" : "warn");
        for (String library : LIBRARIES) {
            setIfAbsent("org.slf4j.simpleLogger.log." + library, verbose ? "info" : "off");
        }
        setIfAbsent("org.slf4j.simpleLogger.logFile", "System.err");
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
