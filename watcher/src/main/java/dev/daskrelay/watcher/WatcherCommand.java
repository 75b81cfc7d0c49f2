package dev.daskrelay.watcher;

import dev.daskrelay.schemas.ExitCodes;
import dev.daskrelay.schemas.config.DaskRelayConfig;
import dev.daskrelay.schemas.config.KubernetesSettings;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code daskrelay watcher --config daskrelay.yaml}: runs {@link WatcherProcess} until stopped (SIGTERM/Ctrl-C:
 * exit 0) or until the Lease is lost (exit 1). Bad configuration: exit 2 with the key path on stderr.
 * Kubernetes: the {@code kubernetes} section ({@code kubeconfig}, {@code context}, {@code masterUrl},
 * {@code requestTimeout}), as for the translator; without it the usual places (in-cluster service account,
 * {@code KUBECONFIG}, {@code ~/.kube/config}). {@code --context} overrides the context.
 */
@Command(name = "watcher", mixinStandardHelpOptions = true,
        description = {"Run the watcher: the observation bridge (informers on DaskJobs, their pods and Events, "
                + "one active instance behind a Lease), the janitor of finished DaskJobs, and the status topology."},
        footerHeading = "%nExamples:%n",
        footer = {"  daskrelay watcher --config /etc/daskrelay/daskrelay.yaml",
                "  daskrelay watcher --config daskrelay.yaml --context kind-dask"})
public final class WatcherCommand implements Callable<Integer> {

    @Option(names = "--config", paramLabel = "FILE", description = "daskrelay.yaml (default: built-in defaults)")
    Path config;

    @Option(names = "--context", paramLabel = "NAME", description = "kubeconfig context (default: the current one)")
    String context;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        DaskRelayConfig cfg;
        KubernetesSettings kubernetes;
        try {
            cfg = config == null ? DaskRelayConfig.defaults() : DaskRelayConfig.load(config);
            cfg.section("watcher", WatcherSettings.class);
            kubernetes = cfg.section("kubernetes", KubernetesSettings.class).withContext(context);
        } catch (DaskRelayConfig.ConfigException | IllegalArgumentException e) {
            e.getMessage().lines().forEach(line -> spec.commandLine().getErr().println("error: " + line));
            return ExitCodes.USAGE;
        }
        try (KubernetesClient client = kubernetes.client()) {
            WatcherProcess process;
            try {
                process = WatcherProcess.start(cfg, client, Clock.systemUTC());
            } catch (DaskRelayConfig.ConfigException | IllegalArgumentException e) {
                e.getMessage().lines().forEach(line -> spec.commandLine().getErr().println("error: " + line));
                return ExitCodes.USAGE;
            }
            Thread hook = new Thread(process::close, "daskrelay-watcher-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            int code = process.awaitStop();
            if (code != ExitCodes.OK) {
                spec.commandLine().getErr().println("error: the watcher stopped after a failure (see the log)");
            }
            return code;
        }
    }
}
