package dev.daskrelay.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.sun.management.OperatingSystemMXBean;
import dev.daskrelay.avro.v1.LaunchDaskJob;
import dev.daskrelay.avro.v1.TaskStatus;
import dev.daskrelay.schemas.ExitCodes;
import dev.daskrelay.schemas.config.DaskRelayConfig;
import dev.daskrelay.schemas.config.KafkaSettings;
import dev.daskrelay.schemas.config.RegistrySettings;
import dev.daskrelay.schemas.serde.AvroSerdes;
import dev.daskrelay.schemas.task.DurationText;
import dev.daskrelay.submitter.client.DaskRelayClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code daskrelay local}: the whole pipeline in one JVM ({@link LocalStack}), the given task files (or the bundled
 * examples) submitted, live progress, each task's timeline, exit 0 when every task reached its expected end
 * ({@link ExpectedEnd}), 1 otherwise, 2 for invalid input (nothing started). docs/LOCAL.md.
 */
@Command(name = "local", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run the whole pipeline in one JVM: embedded Kafka broker, bundled:// registry, in-memory "
                + "Kubernetes API with a Dask operator simulator (or a real cluster), translator and watcher; "
                + "submit the task files (default: the bundled examples success, failure, interruptible), show "
                + "live progress and each task's status timeline.",
                "Exit codes: 0 every task reached its expected end; 1 otherwise; 2 invalid task file, "
                        + "configuration or usage; 130 after Ctrl-C, 143 after SIGTERM."},
        footerHeading = "%nExamples:%n",
        footer = {"  daskrelay local                          # the bundled examples, then exit",
                "  daskrelay local my-task.yaml --fast      # your own task files, sub-second simulator steps",
                "  daskrelay local --keep-running           # stay up for submit/follow/list from other terminals",
                "  daskrelay local --config stuck.yaml stuck-task.yaml --plain",
                "  daskrelay local --kubeconfig ~/.kube/config --context kind-dask   # a real cluster"})
public final class LocalCommand implements Callable<Integer> {

    @Parameters(arity = "0..*", paramLabel = "TASK_FILE",
            description = "Task files (YAML or JSON) to submit. Default: the bundled examples.")
    List<Path> taskFiles = new ArrayList<>();

    @Option(names = "--config", paramLabel = "FILE",
            description = "daskrelay.yaml (platform, watcher, translator sections ...); kafka and kubernetes are "
                    + "the local stack's own; registry: bundled:// unless the file names an http(s):// registry.")
    Path config;

    @Option(names = "--keep-running", description = "Stay up after the tasks finished, for other terminals "
            + "(daskrelay submit/follow/status/cancel with no flags); stop with Ctrl-C.")
    boolean keepRunning;

    @Option(names = "--fast", description = "Simulator timing for tests (sub-second steps) instead of the demo timing.")
    boolean fast;

    @Option(names = "--kubeconfig", paramLabel = "FILE",
            description = "Use a real cluster (with the Dask operator) instead of the in-memory API.")
    Path kubeconfig;

    @Option(names = "--context", paramLabel = "NAME",
            description = "Kubeconfig context of a real cluster (default kubeconfig discovery when no --kubeconfig).")
    String context;

    @Option(names = "--simulator", description = "With a real cluster: run the operator simulator there too "
            + "(for a cluster without the Dask operator).")
    boolean simulator;

    @Option(names = "--kafka-port", paramLabel = "PORT", defaultValue = "" + KafkaSettings.LOCAL_STACK_PORT,
            description = "Broker port on 127.0.0.1 (default ${DEFAULT-VALUE}, where the other commands look; "
                    + "0 = any free port).")
    int kafkaPort;

    @Option(names = "--keep-data", description = "Keep the working directory (broker data, state, kubeconfig) on exit.")
    boolean keepData;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "5m",
            description = "Give up waiting for the tasks after this long (default ${DEFAULT-VALUE}).")
    String timeout;

    @Option(names = "--plain", description = "One line per status event even on a terminal.")
    boolean plain;

    @Option(names = {"-v", "--verbose"}, description = "Log at INFO (default: warnings of daskrelay, errors of "
            + "the libraries).")
    boolean verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final AtomicBoolean stopping = new AtomicBoolean();
    private final CountDownLatch mainDone = new CountDownLatch(1);
    private volatile KafkaConsumer<String, TaskStatus> reader;
    private volatile RunDirectory runDir;

    @Override
    public Integer call() {
        Instant jvmStart = Instant.ofEpochMilli(ManagementFactory.getRuntimeMXBean().getStartTime());
        configureLogging(verbose);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();

        // 1. input: options, configuration and task files; every problem is printed, nothing starts unless all is valid
        LocalOptions.Checked options = new LocalOptions(config, timeout, kafkaPort, kubeconfig, context, simulator)
                .check();
        List<String> optionProblems = new ArrayList<>(options.problems());
        ObjectNode userTree = null;
        if (options.config() != null) {
            try {
                userTree = readConfigTree(config);
                LocalStack.registryUrl(userTree); // a registry the stack cannot use is refused before anything starts
            } catch (DaskRelayConfig.ConfigException | IllegalArgumentException e) {
                optionProblems.addAll(e.getMessage().lines().toList());
            }
        }
        optionProblems.forEach(p -> err.println("error: " + p));
        List<String> taskProblems = List.of();
        List<LocalTasks.LocalTask> tasks = List.of();
        if (options.config() != null) {
            LocalTasks.Loaded loaded = LocalTasks.load(options.config().platform(), taskFiles, Clock.systemUTC());
            tasks = loaded.tasks();
            taskProblems = loaded.problems();
            taskProblems.forEach(err::println);
        }
        int problems = optionProblems.size() + taskProblems.size();
        if (problems > 0) {
            err.println("error: nothing submitted (" + problems + " problem" + (problems == 1 ? "" : "s") + ")");
            return ExitCodes.USAGE;
        }
        Duration runTimeout = options.runTimeout();

        // 2. the stack, in a directory of its own under the temporary directory (leftovers of killed runs removed)
        Path tmpRoot = Path.of(System.getProperty("java.io.tmpdir"));
        List<Path> stale = RunDirectory.removeStale(tmpRoot);
        if (!stale.isEmpty()) {
            out.println("daskrelay local: removed " + stale.size() + " leftover director" + (stale.size() == 1 ? "y" : "ies")
                    + " of earlier runs that were killed: " + stale.stream().map(Path::toString)
                    .collect(Collectors.joining(", ")));
        }
        try {
            runDir = RunDirectory.create(tmpRoot, keepData);
        } catch (IOException e) {
            err.println("error: cannot create a directory under " + tmpRoot + ": " + e.getMessage());
            return 1;
        }
        out.println("daskrelay local: starting Kafka, Kubernetes " + (kubeconfig != null || context != null
                ? "(real cluster" + (simulator ? ", operator simulator" : "") + ")" : "(in-memory API, operator simulator, "
                + (fast ? "fast" : "demo") + " timing)") + ", translator, watcher ...");
        out.flush();
        LocalStack stack;
        try {
            stack = LocalStack.start(new LocalStack.Options(kafkaPort, keepData, fast, kubeconfig, context, simulator,
                    userTree), Duration.ofMinutes(2));
        } catch (LocalStack.PortInUseException e) {
            runDir.deleteUnlessKept();
            err.println("error: " + e.getMessage());
            return ExitCodes.FAILURE;
        } catch (RuntimeException e) {
            runDir.deleteUnlessKept();
            err.println("error: the local stack did not start: " + rootMessage(e));
            return ExitCodes.FAILURE;
        }
        RunDirectory.unlinkLoadedTempLibraries(tmpRoot);
        Thread hook = new Thread(() -> shutdown(stack, out), "daskrelay-local-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        Duration startup = Duration.between(jvmStart, Instant.now());
        if (verbose && ManagementFactory.getOperatingSystemMXBean()
                instanceof OperatingSystemMXBean os) {
            err.printf("startup: %.1f s wall since JVM start, %.1f s CPU (all threads)%n", startup.toMillis() / 1000.0,
                    os.getProcessCpuTime() / 1e9);
            err.flush();
        }
        out.printf("ready in %.1f s: Kafka %s, Kubernetes %s%n", startup.toMillis() / 1000.0,
                stack.bootstrapServers(), stack.kubernetesUrl() != null ? stack.kubernetesUrl() + " (in-memory)"
                        : "(real cluster)");
        out.flush();

        // 3. the run
        int code;
        try {
            code = run(stack, tasks, runTimeout, out);
            RunDirectory.unlinkLoadedTempLibraries(tmpRoot); // RocksDB may have loaded after the stack was ready
            if (keepRunning && !stopping.get()) {
                printKeepRunning(stack, out);
                streamUntilStopped(stack, out);
            }
        } catch (RuntimeException e) {
            if (stopping.get()) {
                return ExitCodes.INTERRUPTED;
            }
            err.println("error: " + rootMessage(e));
            code = ExitCodes.FAILURE;
        } finally {
            mainDone.countDown();
        }
        if (stopping.get()) {
            return ExitCodes.INTERRUPTED;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException alreadyShuttingDown) {
            return code;
        }
        stack.close();
        runDir.deleteUnlessKept();
        if (keepData) {
            out.println("daskrelay local: data kept in " + stack.workDir());
            out.flush();
        }
        return code;
    }

    /** Submits the tasks, shows progress until all are terminal (or the timeout), prints timelines and outcomes. */
    private int run(LocalStack stack, List<LocalTasks.LocalTask> tasks, Duration runTimeout, PrintWriter out) {
        RunProgress progress = new RunProgress();
        for (LocalTasks.LocalTask t : tasks) {
            LaunchDaskJob launch = (LaunchDaskJob) t.command().getPayload();
            progress.add(new RunProgress.Task(t.command().getTaskId(), t.source(), t.expected(),
                    launch.getDask().getWorkers().getNumberOfWorkers()));
        }
        boolean ansi = !plain && System.console() != null && !"dumb".equals(System.getenv("TERM"));
        ProgressView view = new ProgressView(out, progress, ansi);
        Clock clock = Clock.systemUTC();
        try (KafkaConsumer<String, TaskStatus> consumer = openReader(stack);
             DaskRelayClient client = DaskRelayClient.builder().config(stack.config())
                     .issuedBy(System.getProperty("user.name", "unknown") + " via daskrelay local").build()) {
            out.println();
            out.println("submitting " + tasks.size() + " task" + (tasks.size() == 1 ? "" : "s") + ":");
            for (LocalTasks.LocalTask t : tasks) {
                client.submitNow(t.command()); // issued when published, not when the file was read
                progress.submitted(t.command().getTaskId(), clock.instant());
                out.println("  " + t.command().getTaskId() + "  (" + t.source() + ", expect " + t.expected() + ")");
            }
            out.println();
            out.flush();
            Instant deadline = clock.instant().plus(runTimeout);
            view.start(clock.instant());
            while (!progress.allTerminal() && !stopping.get() && clock.instant().isBefore(deadline)) {
                for (ConsumerRecord<String, TaskStatus> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.value() != null && progress.accept(r.value())) {
                        view.event(r.value());
                    }
                }
                view.refresh(clock.instant());
                if (stack.failure().isPresent()) {
                    throw new IllegalStateException(stack.failure().get());
                }
            }
            view.finish(clock.instant());
        } catch (WakeupException | InterruptException e) {
            if (stopping.get()) {
                return ExitCodes.INTERRUPTED;
            }
            throw e;
        }
        if (stopping.get()) {
            return ExitCodes.INTERRUPTED;
        }
        boolean timedOut = !progress.allTerminal();
        out.println();
        out.println("timelines:");
        for (RunProgress.Task t : progress.tasks()) {
            out.print(Timeline.render(t.taskId(), progress.events(t.taskId())));
        }
        out.println();
        int ok = 0;
        for (RunProgress.Outcome o : progress.outcomes()) {
            ok += o.asExpected() ? 1 : 0;
            out.printf("%s %s: %s, expected %s%n", o.asExpected() ? "ok  " : "FAIL", o.task().taskId(),
                    o.reached().map(Object::toString).orElse("not finished"), o.task().expected());
        }
        out.printf("%d of %d tasks reached their expected end%s%n", ok, tasks.size(),
                timedOut ? " (gave up waiting after " + DurationText.format(runTimeout) + ")" : "");
        out.flush();
        return progress.allAsExpected() ? ExitCodes.OK : ExitCodes.FAILURE;
    }

    /** A reader of the whole status topic (every partition, from its current end; no group, nothing committed). */
    private KafkaConsumer<String, TaskStatus> openReader(LocalStack stack) {
        var props = DaskRelayClient.readerProperties(stack.config().kafka().clientProperties());
        KafkaConsumer<String, TaskStatus> c = new KafkaConsumer<>(props, new StringDeserializer(),
                AvroSerdes.specific(TaskStatus.class, stack.config().registry().config(), false).deserializer());
        String topic = stack.config().kafka().topics().status();
        List<TopicPartition> partitions = c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        c.assign(partitions);
        c.seekToEnd(partitions);
        partitions.forEach(c::position); // resolve the end now, before anything is submitted
        reader = c;
        return c;
    }

    private void printKeepRunning(LocalStack stack, PrintWriter out) {
        out.println();
        out.println("the local stack keeps running (Ctrl-C to stop):");
        out.println("  Kafka bootstrap     " + stack.bootstrapServers()
                + "   registry " + (stack.registryUrl().equals(RegistrySettings.DEFAULT_URL) ? "bundled:// (no server)"
                : stack.registryUrl() + " (other terminals: --config with the same registry section)")
                + "   topics " + stack.config().kafka().topicPrefix() + ".*");
        if (stack.kubernetesUrl() != null) {
            out.println("  Kubernetes API      " + stack.kubernetesUrl() + " (in-memory; operator simulator "
                    + (fast ? "fast" : "demo") + " timing)");
            out.println("  kubeconfig          " + stack.kubeconfigFile());
            out.println("    kubectl --kubeconfig " + stack.kubeconfigFile()
                    + " get --raw /apis/kubernetes.dask.org/v1/namespaces/"
                    + stack.config().platform().namespace() + "/daskjobs");
        }
        out.println("  ops endpoints       translator http://127.0.0.1:" + stack.translatorOpsPort()
                + "/metrics   watcher http://127.0.0.1:" + stack.watcherOpsPort() + "/metrics");
        String cli = CopyPaste.cli(stack.bootstrapServers(), stack.config().kafka().topicPrefix());
        out.println("from another terminal" + (cli.equals(CopyPaste.PLAIN) ? " (no flags needed)" : "") + ":");
        out.println("  " + cli + " submit " + writeTryMe(stack) + " --follow");
        if (cli.equals(CopyPaste.PLAIN)) {
            out.println("  " + cli + " list      " + cli + " status TASK_ID      " + cli + " follow TASK_ID");
            out.println("  " + cli + " cancel TASK_ID      " + cli + " replay");
        } else {
            for (String command : List.of("list", "status TASK_ID", "follow TASK_ID", "cancel TASK_ID", "replay")) {
                out.println("  " + cli + " " + command);
            }
        }
        out.println();
        out.println("status events of every task from now on:");
        out.flush();
    }

    /**
     * A task file ready to submit from another terminal: the success example under a new execution name (the same
     * name again would be the same task id, which the translator answers as a duplicate). In the working
     * directory, so it goes with it.
     */
    private static Path writeTryMe(LocalStack stack) {
        Path file = stack.workDir().resolve("hello-again.yaml");
        String text = LocalTasks.bundled("success").replace("# Bundled with `daskrelay local`: a Dask job that succeeds after two seconds.",
                "# Written by `daskrelay local --keep-running`: the success example under a new execution name.")
                .replace("name: hello-dask", "name: hello-again");
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            return Path.of("local/src/main/resources/examples/success.yaml");
        }
        return file;
    }

    /** In keep-running mode: one line per status event of any task, until Ctrl-C. */
    private void streamUntilStopped(LocalStack stack, PrintWriter out) {
        KafkaConsumer<String, TaskStatus> c = openReader(stack);
        EventStream stream = new EventStream();
        try (c) {
            while (!stopping.get()) {
                for (ConsumerRecord<String, TaskStatus> r : c.poll(Duration.ofMillis(500))) {
                    if (r.value() != null) {
                        out.println(stream.line(r.value(), Instant.now()));
                        out.flush();
                    }
                }
            }
        } catch (WakeupException | InterruptException e) {
            if (!stopping.get()) {
                throw e;
            }
        }
    }

    /** Ctrl-C / SIGTERM: stop the run loop, then the stack in reverse order; quietly. */
    private void shutdown(LocalStack stack, PrintWriter out) {
        stopping.set(true);
        KafkaConsumer<String, TaskStatus> c = reader;
        if (c != null) {
            c.wakeup();
        }
        try {
            mainDone.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        out.println();
        out.println("daskrelay local: stopping ...");
        out.flush();
        stack.close();
        runDir.deleteUnlessKept();
        out.println("daskrelay local: stopped" + (keepData ? " (data kept in " + stack.workDir() + ")" : ""));
        out.flush();
    }

    /** The user's configuration as a tree (already checked by {@link LocalOptions}), for the stack to merge. */
    private static ObjectNode readConfigTree(Path file) {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        if (file == null) {
            return yaml.createObjectNode();
        }
        try {
            JsonNode n = yaml.readTree(file.toFile());
            return n instanceof ObjectNode o ? o : yaml.createObjectNode();
        } catch (IOException e) {
            throw new DaskRelayConfig.ConfigException(file + ": cannot read: " + e.getMessage());
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        String msg = e.getMessage();
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
            if (t.getMessage() != null) {
                msg = msg == null ? t.getMessage() : msg;
            }
        }
        return msg == null ? e.toString() : msg;
    }

    /**
     * slf4j-simple reads its settings when the first logger is made; set them before anything logs. Quiet by
     * default (the progress is the output); {@code --verbose} for INFO. System properties given on the command
     * line win.
     */
    static void configureLogging(boolean verbose) {
        setIfAbsent("org.slf4j.simpleLogger.defaultLogLevel", verbose ? "info" : "error");
        setIfAbsent("org.slf4j.simpleLogger.log.dev.daskrelay", verbose ? "info" : "warn");
        for (String library : LIBRARY_LOGGERS) { // the jar's simplelogger.properties names them; override here
            setIfAbsent("org.slf4j.simpleLogger.log." + library, verbose ? "info" : "error");
        }
        setIfAbsent("org.slf4j.simpleLogger.showDateTime", "true");
        setIfAbsent("org.slf4j.simpleLogger.dateTimeFormat", "HH:mm:ss.SSS");
        setIfAbsent("org.slf4j.simpleLogger.logFile", "System.err");
    }

    private static final List<String> LIBRARY_LOGGERS = List.of("org.apache.kafka", "kafka", "state.change.logger",
            "io.fabric8", "okhttp3", "io.vertx", "io.netty", "org.apache.avro");

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
