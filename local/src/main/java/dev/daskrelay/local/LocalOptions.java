package dev.daskrelay.local;

import dev.daskrelay.schemas.config.DaskRelayConfig;
import dev.daskrelay.schemas.task.DurationText;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The options of {@code daskrelay local} that can be wrong, checked together: {@link #problems()} lists every one,
 * so a user fixes them in one go (as with task-file problems) instead of one per run.
 *
 * @param config {@code --config}, or null
 * @param timeout {@code --timeout} as typed
 * @param kafkaPort {@code --kafka-port}
 * @param kubeconfig {@code --kubeconfig}, or null
 * @param context {@code --context}, or null
 * @param simulator {@code --simulator}
 */
record LocalOptions(Path config, String timeout, int kafkaPort, Path kubeconfig, String context, boolean simulator) {

    /** The checked options: the loaded configuration and the run timeout, or every problem found. */
    record Checked(DaskRelayConfig config, Duration runTimeout, List<String> problems) {
        Checked {
            problems = List.copyOf(problems);
        }

        boolean ok() {
            return problems.isEmpty();
        }
    }

    /** Checks every option; the problems read {@code --option: message} (a config file's own name its file). */
    Checked check() {
        List<String> problems = new ArrayList<>();
        DaskRelayConfig cfg = null;
        if (config != null && !Files.isRegularFile(config)) {
            problems.add("--config: no such file: " + config);
        } else {
            try {
                cfg = config == null ? DaskRelayConfig.defaults() : DaskRelayConfig.load(config);
            } catch (DaskRelayConfig.ConfigException | IllegalArgumentException e) {
                problems.addAll(e.getMessage().lines().toList());
            }
        }
        Duration runTimeout = null;
        try {
            runTimeout = DurationText.parse(timeout);
            if (runTimeout.isZero() || runTimeout.isNegative()) {
                problems.add("--timeout: must be more than 0 (was \"" + timeout + "\")");
                runTimeout = null;
            }
        } catch (IllegalArgumentException e) {
            problems.add("--timeout: " + e.getMessage() + " (was \"" + timeout + "\")");
        }
        if (kafkaPort < 0 || kafkaPort > 65535) {
            problems.add("--kafka-port: must be 0..65535");
        }
        if (kubeconfig != null && !Files.isRegularFile(kubeconfig)) {
            problems.add("--kubeconfig: no such file: " + kubeconfig);
        }
        if (simulator && kubeconfig == null && context == null) {
            problems.add("--simulator: only with --kubeconfig or --context (the in-memory API always runs the "
                    + "simulator)");
        }
        return new Checked(cfg, runTimeout, problems);
    }
}
