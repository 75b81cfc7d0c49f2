package dev.daskrelay.chaos;

import dev.daskrelay.chaos.audit.AuditReport;
import dev.daskrelay.chaos.audit.Auditor;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code java -jar chaos/target/chaos.jar run [options]}: one chaos run against the real-cluster test bed, its audit
 * table printed, exit code 0 when nothing was violated, 1 otherwise, 2 for bad options. {@code audit --dir RUN}
 * audits a finished run again from its broker's data (the cluster is gone by then: no cluster checks).
 * docs/RELIABILITY.md.
 */
@Command(name = "chaos", mixinStandardHelpOptions = true, subcommands = {ChaosMain.Run.class, ChaosMain.Audit.class},
        description = "daskrelay's chaos and fault suite (docs/RELIABILITY.md)")
public final class ChaosMain implements Callable<Integer> {

    @Override
    public Integer call() {
        CommandLine.usage(this, System.err);
        return 2;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new ChaosMain()).execute(args));
    }

    @Command(name = "run", mixinStandardHelpOptions = true, description = "one chaos run: launches, kills, restarts, "
            + "relists, API faults, hostile records; then the audit")
    static final class Run implements Callable<Integer> {
        @Option(names = "--repo", description = "the repository (default: the current directory)")
        Path repo = Path.of("").toAbsolutePath();
        @Option(names = "--jar", description = "the daskrelay jar (default: <repo>/local/target/daskrelay.jar)")
        Path jar;
        @Option(names = "--dir", description = "run directory (default: <repo>/chaos/target/runs/<time>)")
        Path dir;
        @Option(names = "--launches", description = "planned tasks (default ${DEFAULT-VALUE})")
        int launches = 2000;
        @Option(names = "--rate", description = "launches per second (default ${DEFAULT-VALUE})")
        double rate = 1.0;
        @Option(names = "--kill-every", description = "time between kills, MIN..MAX seconds (default ${DEFAULT-VALUE})")
        String killEvery = "10..30";
        @Option(names = "--broker-restarts", description = "default ${DEFAULT-VALUE}")
        int brokerRestarts = 1;
        @Option(names = "--relists", description = "forced relists (default ${DEFAULT-VALUE})")
        int relists = 3;
        @Option(names = "--fault-rate", description = "share of API requests with a fault (default ${DEFAULT-VALUE})")
        double faultRate = 0.20;
        @Option(names = "--hostile", description = "random hostile records besides the corpus (default ${DEFAULT-VALUE})")
        int hostile = 200;
        @Option(names = "--wipe-state", description = "probability a restart loses its state dir (default ${DEFAULT-VALUE})")
        double wipeState = 0.2;
        @Option(names = "--drain-timeout", description = "minutes to wait for every task to finish (default ${DEFAULT-VALUE})")
        int drainMinutes = 15;
        @Option(names = "--seed", description = "default: the current time")
        Long seed;
        @Option(names = "--partitions", description = "partitions of the topics (default ${DEFAULT-VALUE})")
        int partitions = 6;
        @Option(names = "--static-membership", description = "give each process's Kafka Streams consumers "
                + "main.consumer.group.instance.id = its name (Kafka static membership; default ${DEFAULT-VALUE})")
        boolean staticMembership;

        @Override
        public Integer call() throws Exception {
            String[] k = killEvery.split("\\.\\.");
            if (k.length != 2 || launches < 1 || rate <= 0 || faultRate < 0 || faultRate > 1) {
                System.err.println("error: check --kill-every MIN..MAX, --launches, --rate and --fault-rate");
                return 2;
            }
            Path jarPath = jar != null ? jar : repo.resolve("local/target/daskrelay.jar");
            if (!Files.isRegularFile(jarPath)) {
                System.err.println("error: " + jarPath + " is missing: ./mvnw -pl local,chaos -am package -DskipTests");
                return 2;
            }
            Path runDir = dir != null ? dir : repo.resolve("chaos/target/runs")
                    .resolve(LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
            if (Files.isDirectory(runDir) && !isEmpty(runDir)) {
                // a run appends to its logs and reuses state and broker directories: another run's would mix in
                System.err.println("error: --dir " + runDir + " is not empty; give a new or empty directory");
                return 2;
            }
            long s = seed != null ? seed : System.currentTimeMillis();
            ChaosOptions o = new ChaosOptions(repo, jarPath, runDir.toAbsolutePath(), launches, rate,
                    Duration.ofSeconds(Long.parseLong(k[0].trim())), Duration.ofSeconds(Long.parseLong(k[1].trim())),
                    brokerRestarts, relists, faultRate, hostile, wipeState, Duration.ofMinutes(drainMinutes), s, partitions,
                    staticMembership);
            return new ChaosRun(o).run();
        }
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (var entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        }
    }

    @Command(name = "audit", mixinStandardHelpOptions = true, description = "audit a finished run again from its "
            + "broker's data (no cluster checks)")
    static final class Audit implements Callable<Integer> {
        @Option(names = "--dir", required = true, description = "the run directory")
        Path dir;
        @Option(names = "--prefix", required = true, description = "the run's topic prefix (its run id, in report.md)")
        String prefix;

        @Override
        public Integer call() throws Exception {
            int port;
            try (var s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            Child broker = Child.start("broker", List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), BrokerMain.class.getName(), Integer.toString(port),
                    dir.resolve("kafka").toString()), dir.resolve("logs/broker-audit.log"), Map.of());
            try {
                long deadline = System.currentTimeMillis() + 180_000;
                while (!Files.readString(dir.resolve("logs/broker-audit.log")).contains("READY")) {
                    if (System.currentTimeMillis() > deadline || !broker.alive()) {
                        System.err.println("error: the broker did not start: " + broker.tail(20));
                        return 1;
                    }
                    Thread.sleep(250);
                }
                AuditReport r = new Auditor().audit(new Auditor.Inputs("127.0.0.1:" + port, prefix,
                        dir.resolve("plan.jsonl"), dir.resolve("sent.jsonl"), dir.resolve("audit/daskjobs.log"), null,
                        ChaosRun.NAMESPACE, dir.resolve("events.jsonl")));
                System.out.println(r.markdown(100));
                return r.clean() ? 0 : 1;
            } finally {
                broker.stop(Duration.ofSeconds(30));
            }
        }
    }
}
