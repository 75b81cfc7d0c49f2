package dev.daskrelay.embedded;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node KRaft Kafka broker (combined broker and controller) in this JVM, built on the broker's own
 * {@code KafkaRaftServer} rather than the internal test kit, so the local stack can use it too. It carries the
 * single-broker settings that make consumer groups, transactions and Kafka Streams exactly-once work (replication
 * factor and minimum in-sync replicas 1 for the offsets, transaction-state and share-state topics, no initial
 * rebalance delay; see {@code brokerProperties}).
 */
public final class EmbeddedKafka implements KafkaBroker {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

    /**
     * @param port broker port on 127.0.0.1; 0 picks a free one
     * @param dataDir log directory; null = a temporary directory
     * @param deleteOnClose remove the data directory on {@link #close()}
     */
    public record Options(int port, Path dataDir, boolean deleteOnClose) {
        public static Options forTests() {
            return new Options(0, null, true);
        }
    }

    private final KafkaRaftServer server;
    private final String bootstrap;
    private final Path dataDir;
    private final boolean deleteOnClose;
    private boolean closed;

    private EmbeddedKafka(KafkaRaftServer server, String bootstrap, Path dataDir, boolean deleteOnClose) {
        this.server = server;
        this.bootstrap = bootstrap;
        this.dataDir = dataDir;
        this.deleteOnClose = deleteOnClose;
    }

    /**
     * The cluster id of a log directory formatted before (its {@code meta.properties}), so that a broker started again
     * on the same data directory keeps its records (the storage tool refuses another id even with
     * {@code --ignore-formatted}); a new random id for an empty directory.
     */
    static String clusterId(Path logDir) throws IOException {
        Path meta = logDir.resolve("meta.properties");
        if (Files.isRegularFile(meta)) {
            Properties m = new Properties();
            try (var in = Files.newInputStream(meta)) {
                m.load(in);
            }
            String id = m.getProperty("cluster.id");
            if (id != null && !id.isBlank()) {
                return id;
            }
        }
        return Uuid.randomUuid().toString();
    }

    /** Formats the log directory, starts the broker and waits until it answers metadata requests. */
    public static EmbeddedKafka start(Options options) {
        try {
            Path dir = options.dataDir() != null ? Files.createDirectories(options.dataDir())
                    : Files.createTempDirectory("daskrelay-kafka-");
            int port = options.port() == 0 ? freePort() : options.port();
            int controllerPort = freePort();
            Properties p = brokerProperties(port, controllerPort, dir);
            Path cfg = dir.resolve("server.properties");
            try (OutputStream out = Files.newOutputStream(cfg)) {
                p.store(out, "daskrelay embedded broker");
            }
            PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
            int rc = kafka.tools.StorageTool.execute(new String[] {"format", "-t", clusterId(dir.resolve("logs")),
                    "-c", cfg.toString(), "--ignore-formatted"}, quiet);
            if (rc != 0) {
                throw new IllegalStateException("kafka storage format failed with exit code " + rc);
            }
            KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(p, false), Time.SYSTEM);
            server.startup();
            EmbeddedKafka kafka = new EmbeddedKafka(server, "127.0.0.1:" + port, dir, options.deleteOnClose());
            kafka.awaitReady(STARTUP_TIMEOUT);
            LOG.info("embedded Kafka broker ready at {} (data in {})", kafka.bootstrap, dir);
            return kafka;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the embedded broker", e);
        }
    }

    static Properties brokerProperties(int port, int controllerPort, Path dir) {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT");
        p.put("log.dirs", dir.resolve("logs").toString());
        p.put("num.partitions", "1");
        // single-broker settings without which groups and transactions never work
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("min.insync.replicas", "1");
        p.put("default.replication.factor", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "true");
        p.put("log.flush.interval.messages", Long.toString(Long.MAX_VALUE));
        p.put("transaction.abort.timed.out.transaction.cleanup.interval.ms", "5000");
        return p;
    }

    private void awaitReady(Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        Properties props = clientProperties();
        props.put("request.timeout.ms", "5000");
        props.put("default.api.timeout.ms", "5000");
        try (Admin admin = Admin.create(props)) {
            while (true) {
                try {
                    if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (Exception e) {
                    if (Instant.now().isAfter(deadline)) {
                        close();
                        throw new IllegalStateException("embedded broker not ready after " + timeout, e);
                    }
                }
                if (Instant.now().isAfter(deadline)) {
                    close();
                    throw new IllegalStateException("embedded broker not ready after " + timeout);
                }
            }
        }
    }

    @Override
    public String bootstrapServers() {
        return bootstrap;
    }

    /** The broker's data directory. */
    public Path dataDir() {
        return dataDir;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            server.shutdown();
            server.awaitShutdown();
        } finally {
            if (deleteOnClose) {
                deleteRecursively(dataDir);
            }
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    private static void deleteRecursively(Path dir) {
        try {
            TreeDeletion.delete(dir);
        } catch (IOException e) {
            LOG.warn("could not delete {}: {}", dir, e.toString());
        }
    }
}
