package dev.daskrelay.translator;

import dev.daskrelay.schemas.ExitCodes;
import dev.daskrelay.schemas.config.DaskRelayConfig;
import dev.daskrelay.schemas.config.KubernetesSettings;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code daskrelay translator --config daskrelay.yaml}: runs the command topology and the applier until stopped. */
@Command(name = "translator", mixinStandardHelpOptions = true,
        description = {"Run the translator: launch/abort commands from Kafka -> DaskJobs in Kubernetes.",
                "Reads the platform, kafka, registry, kubernetes and translator sections of the config file."},
        footerHeading = "%nExamples:%n",
        footer = {"  daskrelay translator --config /etc/daskrelay/daskrelay.yaml"})
public final class TranslatorCommand implements Callable<Integer> {

    @Option(names = "--config", paramLabel = "FILE", description = "daskrelay.yaml (default: built-in defaults)")
    Path config;

    @Override
    public Integer call() throws Exception {
        DaskRelayConfig cfg;
        KubernetesSettings kubernetes;
        try {
            if (config != null && !Files.isRegularFile(config)) {
                System.err.println("error: --config: no such file: " + config);
                return ExitCodes.USAGE;
            }
            cfg = config == null ? DaskRelayConfig.defaults() : DaskRelayConfig.load(config);
            cfg.section("translator", TranslatorSettings.class);
            kubernetes = cfg.section("kubernetes", KubernetesSettings.class);
        } catch (RuntimeException e) {
            String message = e.getMessage() == null ? e.toString() : e.getMessage();
            message.lines().forEach(line -> System.err.println("error: " + line));
            return ExitCodes.USAGE;
        }
        try (KubernetesClient kube = kubernetes.client()) {
            TranslatorProcess process = TranslatorProcess.start(cfg, kube);
            Runtime.getRuntime().addShutdownHook(new Thread(process::close, "translator-shutdown"));
            return process.awaitStop();
        } catch (DaskRelayConfig.ConfigException e) {
            e.getMessage().lines().forEach(line -> System.err.println("error: " + line));
            return ExitCodes.USAGE;
        } catch (RuntimeException e) {
            System.err.println("error: translator did not start: " + e.getMessage());
            return ExitCodes.FAILURE;
        }
    }
}
