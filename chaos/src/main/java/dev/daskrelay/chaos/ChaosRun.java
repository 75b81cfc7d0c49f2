package dev.daskrelay.chaos;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.daskrelay.chaos.audit.AuditReport;
import dev.daskrelay.chaos.audit.Auditor;
import dev.daskrelay.chaos.hostile.HostileRecord;
import dev.daskrelay.chaos.hostile.HostileRecords;
import dev.daskrelay.chaos.load.Commands;
import dev.daskrelay.chaos.load.LaunchPlan;
import dev.daskrelay.chaos.load.LoadGenerator;
import dev.daskrelay.chaos.load.SentRecord;
import dev.daskrelay.chaos.proxy.FaultKind;
import dev.daskrelay.chaos.proxy.FaultPlan;
import dev.daskrelay.chaos.proxy.FaultProxy;
import dev.daskrelay.chaos.proxy.Tls;
import dev.daskrelay.schemas.Topics;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One chaos run, start to end: the test bed with an audit log; a broker process; a fault proxy per daskrelay
 * process; two translators and two watchers from the daskrelay jar; the launch plan with hostile records mixed in;
 * SIGKILLs of a random process every few seconds (restarted like a pod, now and then with its state gone);
 * broker restarts and forced relists at fixed points of the launch phase; a supervisor that restarts what exits on
 * its own (and records why); then the drain, the independent audit, the report, and everything stopped.
 */
final class ChaosRun {

    private static final Logger LOG = LoggerFactory.getLogger(ChaosRun.class);
    static final String NAMESPACE = "chaos";

    private final ChaosOptions o;
    private final String runId;
    private final Path logs;
    private final Random random;
    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<Slot> slots = new ArrayList<>();
    private final AtomicBoolean stopChaos = new AtomicBoolean();
    /** Set after the drain: until then a process that exits on its own is restarted, as Kubernetes would. */
    private final AtomicBoolean stopSupervision = new AtomicBoolean();
    private final AtomicInteger launched = new AtomicInteger();
    private final Map<String, Integer> kills = new ConcurrentHashMap<>();
    private final Map<String, Integer> exits = new ConcurrentHashMap<>();
    private final AtomicInteger wipes = new AtomicInteger();
    private final AtomicInteger brokerRestarts = new AtomicInteger();
    private final AtomicInteger relists = new AtomicInteger();
    private final List<Double> load = new ArrayList<>();
    private BufferedWriter events;
    private TestBed testBed;
    private Child broker;
    private int brokerPort;
    private String bootstrap;
    private Topics topics;

    ChaosRun(ChaosOptions options) {
        this.o = options;
        this.runId = "c" + Long.toString(System.currentTimeMillis() / 1000 % 100_000_000L, 36);
        this.logs = options.dir().resolve("logs");
        this.random = new Random(options.seed());
    }

    /** A translator or watcher: its config, state, ops port, proxy and current process. */
    private final class Slot {
        final String name;
        final String role;
        final int opsPort;
        final Path stateDir;
        FaultProxy proxy;
        Path config;
        volatile Child child;
        volatile boolean expectedDown;

        Slot(String name, String role) {
            this.name = name;
            this.role = role;
            this.opsPort = freePort();
            this.stateDir = o.dir().resolve("state").resolve(name);
        }

        synchronized void start() {
            List<String> cmd = List.of(javaBin(), "-Xms64m", "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                    "-jar", o.jar().toString(), role, "--config", config.toString());
            child = Child.start(name, cmd, logs.resolve(name + ".log"), Map.of());
        }

        boolean ready() {
            try {
                return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + opsPort + "/readyz"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    /** Runs everything; 0 when the audit found nothing, 1 otherwise. */
    int run() throws Exception {
        Files.createDirectories(logs);
        events = Files.newBufferedWriter(o.dir().resolve("events.jsonl"), StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING);
        Instant t0 = Instant.now();
        sampleLoad();
        LOG.info("chaos run {} in {}: {}", runId, o.dir(), o.describe());
        testBed = new TestBed(o.repo(), o.dir().resolve("cluster"), logs, o.dir().resolve("audit"));
        AuditReport report = null;
        Map<String, Object> harness = new LinkedHashMap<>();
        try {
            testBed.up();
            event("cluster-up", null, Map.of());
            try (KubernetesClient kube = client(testBed.kubeconfig())) {
                kube.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata()
                        .build()).serverSideApply();
            }
            startBroker();
            topics = new Topics(runId);
            createTopics();
            startProxiesAndProcesses();
            LaunchPlan plan = LaunchPlan.of(o.launches(), o.rate(), o.seed());
            HostileRecords hostile = new HostileRecords(runId, topics.commands());
            List<HostileRecord> extra = new ArrayList<>(hostile.corpus());
            extra.addAll(hostile.sample(o.hostile(), o.seed() + 1));
            writePlan(plan);
            LoadGenerator load = new LoadGenerator(runId, topics.commands(), o.partitions(), plan, hostile, extra,
                    o.seed() + 2, clientProperties());
            List<Thread> chaos = startChaos(plan);
            Thread disruptions = thread("chaos-disruptions", () -> disruptions(plan.tasks().size()));
            Instant launchStart = Instant.now();
            try (StatusFollower follower = new StatusFollower(bootstrap, topics.status())) {
                load.run(launchStart, () -> false, launched::set);
                Instant launchEnd = Instant.now();
                disruptions.join(Duration.ofMinutes(15).toMillis()); // the last ones may come at the very end
                stopChaos.set(true);
                writeSent(load.sent());
                harness.put("launch phase", seconds(Duration.between(launchStart, launchEnd)));
                // the supervisor goes on during the drain: a watcher that loses the Lease exits, and its pod would be
                // restarted; without it the drain would end with no watcher at all
                Duration drained = drain(plan, load.sent(), follower);
                harness.put("drain (last command → every task finished)", drained == null ? "timed out after "
                        + seconds(o.drainTimeout()) : seconds(drained));
                stopSupervision.set(true);
                for (Thread t : chaos) {
                    t.join(Duration.ofMinutes(5).toMillis());
                }
            }
            stopProcesses();
            harness.putAll(harnessFigures());
            report = new Auditor().audit(new Auditor.Inputs(bootstrap, topics.prefix(), o.dir().resolve("plan.jsonl"),
                    o.dir().resolve("sent.jsonl"), testBed.auditLog(), testBed.kubeconfig(), NAMESPACE,
                    o.dir().resolve("events.jsonl")));
        } finally {
            stopChaos.set(true);
            stopSupervision.set(true);
            stopProcesses();
            for (Slot s : slots) {
                if (s.proxy != null) {
                    s.proxy.close();
                }
            }
            if (broker != null) {
                broker.stop(Duration.ofSeconds(30));
            }
            testBed.down();
            sampleLoad();
            harness.put("wall clock, whole run", seconds(Duration.between(t0, Instant.now())));
            harness.put("load average (1 min) at start / max / mean / end", loadFigure());
            events.close();
        }
        return finish(harness, report);
    }

    // ------------------------------------------------------------------------------------------------- setup

    private void startBroker() throws InterruptedException {
        brokerPort = freePort();
        bootstrap = "127.0.0.1:" + brokerPort;
        launchBroker();
    }

    private void launchBroker() throws InterruptedException {
        broker = Child.start("broker", List.of(javaBin(), "-Xms128m", "-Xmx768m", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), BrokerMain.class.getName(), Integer.toString(brokerPort),
                o.dir().resolve("kafka").toString()), logs.resolve("broker.log"), Map.of());
        await(Duration.ofMinutes(3), "the broker", () -> {
            if (!broker.alive()) {
                throw new IllegalStateException("the broker exited: " + broker.tail(30));
            }
            return lastStartOf(logs.resolve("broker.log")).contains("READY " + bootstrap);
        });
    }

    private void createTopics() throws Exception {
        try (Admin admin = Admin.create(clientProperties())) {
            // the status topic stamps records with the broker's append time: the auditor's "status gap around a
            // kill" is measured on it (a status record otherwise carries its observation's time)
            List<NewTopic> all = topics.all().stream().map(t -> new NewTopic(t, o.partitions(), (short) 1)
                    .configs(t.equals(topics.status()) ? Map.of("message.timestamp.type", "LogAppendTime")
                            : Map.of())).toList();
            admin.createTopics(all).all().get();
        }
    }

    private Properties clientProperties() {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        return p;
    }

    private void startProxiesAndProcesses() throws Exception {
        Tls.Identity identity = Tls.proxyIdentity(o.dir().resolve("proxy-tls"));
        TestBed.Access access = TestBed.Access.read(testBed.kubeconfig());
        FaultProxy.Upstream upstream = new FaultProxy.Upstream(access.server().getHost(), access.server().getPort(),
                Tls.trusting(access.caPem()));
        byte[] proxyCa = Files.readAllBytes(identity.caPem());
        for (String name : List.of("translator-1", "translator-2", "watcher-1", "watcher-2")) {
            Slot s = new Slot(name, name.substring(0, name.indexOf('-')));
            s.proxy = FaultProxy.start(name, identity.server(), upstream, FaultPlan.standard(o.faultRate()),
                    o.seed() * 31 + slots.size(), logs.resolve("proxy-" + name + ".log"));
            Path kubeconfig = o.dir().resolve("kube").resolve(name + ".kubeconfig");
            Files.createDirectories(kubeconfig.getParent());
            Files.writeString(kubeconfig, access.kubeconfigFor(URI.create("https://127.0.0.1:" + s.proxy.port()),
                    proxyCa, NAMESPACE));
            s.config = o.dir().resolve("config").resolve(name + ".yaml");
            Files.createDirectories(s.config.getParent());
            Files.writeString(s.config, configYaml(s, kubeconfig));
            slots.add(s);
            LOG.info("{}", s.proxy);
        }
        for (Slot s : slots) {
            s.start();
        }
        for (Slot s : slots) {
            await(Duration.ofMinutes(4), s.name + " ready", () -> {
                if (!s.child.alive()) {
                    throw new IllegalStateException(s.name + " exited during start: " + s.child.tail(40));
                }
                return s.ready();
            });
            event("ready", s.name, Map.of());
        }
    }

    private String configYaml(Slot s, Path kubeconfig) {
        return """
                # written by the chaos suite (ChaosRun.java) for %s
                kafka:
                  bootstrapServers: %s
                  topicPrefix: %s
                %sregistry:
                  schema.registry.url: bundled://
                kubernetes:
                  kubeconfig: %s
                platform:
                  namespace: %s
                  allowedNamespaces: [%s]
                  allowedImages: ["ghcr.io/example/*"]
                  maxWorkers: 50
                  resources:
                    defaults: {cpu: 100m, memory: 128Mi}
                    limits: {cpu: "4", memory: 8Gi}
                translator:
                  createTopics: false
                  stateDir: %s
                  ops: {host: 127.0.0.1, port: %d}
                watcher:
                  identity: %s
                  opsHost: 127.0.0.1
                  opsPort: %d
                  stateDir: %s
                  leaseNamespace: %s
                  retainFinished: 2m
                  janitorInterval: 15s
                """.formatted(s.name, bootstrap, runId, o.staticMembership()
                ? "  properties: {main.consumer.group.instance.id: " + s.name + "}\n" : "", kubeconfig, NAMESPACE, NAMESPACE, s.stateDir, s.opsPort,
                s.name, s.opsPort, s.stateDir, NAMESPACE);
    }

    private void writePlan(LaunchPlan plan) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(o.dir().resolve("plan.jsonl"))) {
            for (LaunchPlan.Task t : plan.tasks()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("taskId", Commands.taskId(runId, t.name()));
                m.put("kind", t.kind().name());
                m.put("scenario", t.scenario());
                m.put("expectedEnd", t.expectedEnd());
                m.put("expectedDaskJobs", t.expectedDaskJobs());
                w.write(json.writeValueAsString(m));
                w.newLine();
            }
        }
    }

    private void writeSent(List<SentRecord> sent) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(o.dir().resolve("sent.jsonl"))) {
            for (SentRecord r : sent) {
                w.write(json.writeValueAsString(r));
                w.newLine();
            }
        }
    }

    // ------------------------------------------------------------------------------------------------- chaos

    private List<Thread> startChaos(LaunchPlan plan) {
        List<Thread> threads = new ArrayList<>();
        threads.add(thread("chaos-killer", this::killLoop));
        threads.add(thread("chaos-supervisor", this::superviseLoop));
        threads.add(thread("chaos-load-sampler", () -> {
            while (!stopChaos.get()) {
                sampleLoad();
                sleep(Duration.ofSeconds(15));
            }
        }));
        return threads;
    }

    private void killLoop() {
        while (!stopChaos.get()) {
            long span = o.killMax().toMillis() - o.killMin().toMillis();
            sleep(Duration.ofMillis(o.killMin().toMillis() + (span <= 0 ? 0 : (long) (random.nextDouble() * span))));
            if (stopChaos.get()) {
                return;
            }
            List<Slot> up = slots.stream().filter(s -> !s.expectedDown && s.child.alive()).toList();
            if (up.isEmpty()) {
                continue;
            }
            Slot s = up.get(random.nextInt(up.size()));
            s.expectedDown = true;
            s.child.kill();
            kills.merge(s.role, 1, Integer::sum);
            event("kill", s.name, Map.of("pid", s.child.pid()));
            sleep(Duration.ofMillis(1000 + random.nextInt(2000)));
            boolean wipe = random.nextDouble() < o.wipeState();
            if (wipe) {
                deleteTree(s.stateDir);
                wipes.incrementAndGet();
            }
            s.start();
            s.expectedDown = false;
            event("restart", s.name, Map.of("wipedState", wipe, "pid", s.child.pid()));
        }
    }

    private void superviseLoop() {
        while (!stopSupervision.get()) {
            sleep(Duration.ofMillis(500));
            for (Slot s : slots) {
                Child c = s.child;
                if (s.expectedDown || c == null || c.alive()) {
                    continue;
                }
                synchronized (s) {
                    if (s.expectedDown || s.child != c) {
                        continue;
                    }
                    s.expectedDown = true;
                }
                String why = exitReason(c);
                exits.merge(s.role + ": " + why, 1, Integer::sum);
                event("exit", s.name, Map.of("code", String.valueOf(c.exitCode()), "why", why));
                LOG.warn("{} exited on its own (code {}): {}", s.name, c.exitCode(), why);
                sleep(Duration.ofSeconds(2));
                s.start();
                s.expectedDown = false;
                event("restart", s.name, Map.of("after", "exit", "pid", s.child.pid()));
            }
        }
    }

    /**
     * The broker restarts and the forced relists, at fixed fractions of the launches sent; the run waits for all of
     * them before it drains, so each happens even in a short run.
     */
    private void disruptions(int total) {
        List<double[]> todo = new ArrayList<>(); // {fraction, 0 = broker | 1 = relist}
        for (int i = 1; i <= o.brokerRestarts(); i++) {
            todo.add(new double[] {(double) i / (o.brokerRestarts() + 1) + 0.05, 0});
        }
        for (int i = 1; i <= o.relists(); i++) {
            todo.add(new double[] {(double) i / (o.relists() + 1), 1});
        }
        todo.sort((a, b) -> Double.compare(a[0], b[0]));
        for (double[] d : todo) {
            while (launched.get() < Math.min(total, d[0] * total)) {
                sleep(Duration.ofMillis(500));
            }
            try {
                if (d[1] == 0) {
                    restartBroker();
                } else {
                    relist();
                }
            } catch (Exception e) {
                LOG.error("disruption failed", e);
                event("disruption-failed", null, Map.of("error", e.toString()));
            }
        }
    }

    private void restartBroker() throws InterruptedException {
        LOG.info("broker: SIGKILL and restart");
        broker.kill();
        event("broker-kill", "broker", Map.of());
        sleep(Duration.ofSeconds(3));
        launchBroker();
        brokerRestarts.incrementAndGet();
        event("broker-restart", "broker", Map.of());
    }

    private void relist() {
        long goneBefore = slots.stream().mapToLong(s -> s.proxy.stats().goneSeen()).sum();
        long listsBefore = slots.stream().mapToLong(s -> s.proxy.stats().lists()).sum();
        event("relist-start", null, Map.of());
        long revision = testBed.compactEtcd();
        testBed.restartApiServer();
        relists.incrementAndGet();
        event("relist", null, Map.of("compactedTo", revision));
        thread("chaos-relist-check", () -> {
            sleep(Duration.ofSeconds(60));
            long gone = slots.stream().mapToLong(s -> s.proxy.stats().goneSeen()).sum() - goneBefore;
            long lists = slots.stream().mapToLong(s -> s.proxy.stats().lists()).sum() - listsBefore;
            event("relist-seen", null, Map.of("gone410", gone, "lists", lists));
            LOG.info("forced relist: {} watches answered 410 Gone, {} lists in the minute after", gone, lists);
        });
    }

    // ------------------------------------------------------------------------------------------------- drain

    private Duration drain(LaunchPlan plan, List<SentRecord> sent, StatusFollower follower) throws InterruptedException {
        List<String> tasks = new ArrayList<>();
        for (LaunchPlan.Task t : plan.tasks()) {
            tasks.add(Commands.taskId(runId, t.name()));
        }
        for (SentRecord r : sent) {
            if ("REJECTED".equals(r.expect()) && r.partition() >= 0) {
                tasks.add(r.taskId());
            }
        }
        Instant start = Instant.now();
        Instant deadline = start.plus(o.drainTimeout());
        Instant nextLog = start;
        while (Instant.now().isBefore(deadline)) {
            int done = follower.finished(tasks);
            if (done == tasks.size()) {
                return Duration.between(start, Instant.now());
            }
            if (!Instant.now().isBefore(nextLog)) {
                LOG.info("drain: {}/{} tasks finished, {} status events", done, tasks.size(), follower.events());
                nextLog = Instant.now().plusSeconds(30);
            }
            Thread.sleep(1000);
        }
        return null;
    }

    private void stopProcesses() {
        for (Slot s : slots) {
            s.expectedDown = true;
            if (s.child != null) {
                s.child.stop(Duration.ofSeconds(30));
            }
        }
    }

    // ------------------------------------------------------------------------------------------------- report

    private Map<String, Object> harnessFigures() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kills (SIGKILL) by process", new TreeMap<>(kills) + " = " + kills.values().stream()
                .mapToInt(Integer::intValue).sum());
        m.put("restarts with the state directory wiped", wipes.get());
        m.put("exits on their own (restarted) by reason", exits.isEmpty() ? "none" : new TreeMap<>(exits).toString());
        m.put("broker restarts (SIGKILL)", brokerRestarts.get());
        m.put("forced relists (etcd compaction + API server restart)", relists.get());
        long gone = slots.stream().mapToLong(s -> s.proxy.stats().goneSeen()).sum();
        long lists = slots.stream().mapToLong(s -> s.proxy.stats().lists()).sum();
        long watches = slots.stream().mapToLong(s -> s.proxy.stats().watches()).sum();
        m.put("410 Gone answers seen by daskrelay's watches", gone);
        m.put("list requests / watch requests of daskrelay", lists + " / " + watches);
        long requests = slots.stream().mapToLong(s -> s.proxy.stats().requests()).sum();
        long faults = slots.stream().mapToLong(s -> s.proxy.stats().faultsTotal()).sum();
        m.put("API requests through the fault proxies", requests);
        m.put("injected faults", faults + String.format(Locale.ROOT, " (%.1f %% of requests)",
                requests == 0 ? 0.0 : 100.0 * faults / requests));
        Map<String, Long> byKind = new LinkedHashMap<>();
        for (FaultKind k : FaultKind.values()) {
            byKind.put(k.label(), slots.stream().mapToLong(s -> s.proxy.stats().faults(k)).sum());
        }
        m.put("injected faults by kind", byKind.toString());
        m.put("requests that found the API server down (restarts)", slots.stream()
                .mapToLong(s -> s.proxy.stats().upstreamUnavailableCount()).sum());
        return m;
    }

    private int finish(Map<String, Object> harness, AuditReport report) throws IOException {
        StringBuilder md = new StringBuilder("# Chaos run ").append(runId).append("\n\n").append(o.describe())
                .append("\n\n| harness | value |\n|---|---|\n");
        harness.forEach((k, v) -> md.append("| ").append(k).append(" | ").append(v).append(" |\n"));
        md.append('\n');
        if (report != null) {
            report.write(o.dir());
            md.append(report.markdown(50));
        } else {
            md.append("The run did not reach the audit (see the log).\n");
        }
        Files.writeString(o.dir().resolve("report.md"), md);
        System.out.println(md);
        System.out.println("run directory: " + o.dir());
        return report != null && report.clean() ? 0 : 1;
    }

    // ------------------------------------------------------------------------------------------------- helpers

    private synchronized void event(String type, String process, Map<String, Object> detail) {
        try {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("at", System.currentTimeMillis());
            m.put("type", type);
            m.put("process", process);
            m.putAll(detail);
            events.write(json.writeValueAsString(m));
            events.newLine();
            events.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String exitReason(Child c) {
        String tail = c.tail(200);
        String[] lines = tail.split("\n");
        for (int i = lines.length - 1; i >= 0; i--) {
            String l = lines[i];
            if (l.contains("lost the Lease")) {
                return "lost the Lease";
            }
            if (l.contains("stopping with exit code") || l.contains("did not start") || l.contains("Exception")) {
                return l.replaceAll(".*\\] ", "").replaceAll("\\s+", " ").trim();
            }
        }
        return "exit code " + c.exitCode();
    }

    private synchronized void sampleLoad() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            load.add(Double.parseDouble(f[0]));
        } catch (IOException | RuntimeException e) {
            // not on Linux: no load figures
        }
    }

    private synchronized String loadFigure() {
        if (load.isEmpty()) {
            return "-";
        }
        double max = load.stream().mapToDouble(Double::doubleValue).max().orElse(0);
        double mean = load.stream().mapToDouble(Double::doubleValue).average().orElse(0);
        return String.format(Locale.ROOT, "%.1f / %.1f / %.1f / %.1f", load.get(0), max, mean, load.get(load.size() - 1));
    }

    private static KubernetesClient client(Path kubeconfig) throws IOException {
        return new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(null, Files.readString(kubeconfig),
                kubeconfig.toString())).build();
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The part of a log written since its process was last started ({@link Child} marks each start). */
    private static String lastStartOf(Path log) {
        try {
            String all = Files.exists(log) ? Files.readString(log) : "";
            int i = all.lastIndexOf(Child.START_MARK);
            return i < 0 ? all : all.substring(i);
        } catch (IOException e) {
            return "";
        }
    }

    private interface Check {
        boolean ok() throws Exception;
    }

    private static void await(Duration timeout, String what, Check check) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            try {
                if (check.ok()) {
                    return;
                }
            } catch (IllegalStateException e) {
                throw e;
            } catch (Exception e) {
                // not yet
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException(what + ": not within " + timeout);
            }
            Thread.sleep(250);
        }
    }

    private static Thread thread(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.0f s", d.toMillis() / 1000.0);
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // best effort: a state dir being deleted while nothing uses it
                }
            });
        } catch (IOException e) {
            LOG.warn("could not wipe {}: {}", dir, e.toString());
        }
    }
}
