package dev.daskrelay.watcher;

import dev.daskrelay.schemas.config.DaskRelayConfig;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code daskrelay watcher --config daskrelay.yaml}: runs {@link WatcherProcess} until stopped (SIGTERM/Ctrl-C:
 * exit 0) or until the Lease is lost (exit 1). Bad configuration: exit 2 with the key path on stderr.
 * Kubernetes credentials come from the usual places (in-cluster service account, {@code KUBECONFIG},
 * {@code ~/.kube/config}); {@code --context} picks a kubeconfig context.
 */
@Command(name = "watcher", mixinStandardHelpOptions = true,
        description = {"Run the watcher: the observation bridge (informers on DaskJobs, their pods and Events, "
                + "one active instance behind a Lease), the janitor of finished DaskJobs, and the status topology."})
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
        try {
            cfg = config == null ? DaskRelayConfig.defaults() : DaskRelayConfig.load(config);
            cfg.section("watcher", WatcherSettings.class);
        } catch (DaskRelayConfig.ConfigException | IllegalArgumentException e) {
            spec.commandLine().getErr().println("error: " + e.getMessage());
            return 2;
        }
        Config k8s = context == null ? Config.autoConfigure(null) : Config.autoConfigure(context);
        try (KubernetesClient client = new KubernetesClientBuilder().withConfig(k8s).build()) {
            WatcherProcess process;
            try {
                process = WatcherProcess.start(cfg, client, Clock.systemUTC());
            } catch (IllegalArgumentException e) {
                spec.commandLine().getErr().println("error: " + e.getMessage());
                return 2;
            }
            Thread hook = new Thread(process::close, "daskrelay-watcher-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            int code = process.awaitStop();
            if (code != 0) {
                spec.commandLine().getErr().println("error: the watcher stopped after a failure (see the log)");
            }
            return code;
        }
    }
}
