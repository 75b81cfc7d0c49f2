package dev.daskrelay.schemas.config;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.daskrelay.schemas.task.DurationText;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The {@code kubernetes} section of {@code daskrelay.yaml}: which API server and credentials.
 *
 * <p>Resolution: {@code kubeconfig} (a file) with {@code context} (default: its current context); without
 * {@code kubeconfig}, fabric8's usual discovery ({@code KUBECONFIG}, {@code ~/.kube/config}, then the in-cluster
 * service account) with {@code context} if given. {@code masterUrl} overrides the server URL of whatever was found
 * (and alone suffices for an API without authentication, e.g. the in-memory one of {@code daskrelay local}).
 *
 * @param kubeconfig path of a kubeconfig file; null = discovery
 * @param context kubeconfig context; null = current context
 * @param masterUrl API server URL override; null = from the kubeconfig / in-cluster
 * @param requestTimeout one API request's timeout (default {@code 10s})
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record KubernetesSettings(String kubeconfig, String context, String masterUrl, Duration requestTimeout)
        implements CheckedSection {

    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);

    public KubernetesSettings {
        requestTimeout = requestTimeout == null ? DEFAULT_REQUEST_TIMEOUT : requestTimeout;
    }

    public static KubernetesSettings defaults() {
        return new KubernetesSettings(null, null, null, null);
    }

    /** The same settings with another context (a command-line override); null keeps this one. */
    public KubernetesSettings withContext(String otherContext) {
        return otherContext == null ? this : new KubernetesSettings(kubeconfig, otherContext, masterUrl, requestTimeout);
    }

    @Override
    public void check(ConfigCheck check) {
        if (requestTimeout.isZero() || requestTimeout.toMillis() > Integer.MAX_VALUE) {
            check.problem("requestTimeout", "must be more than 0 and less than 24 days (was "
                    + DurationText.format(requestTimeout) + ")");
        }
    }

    /**
     * A client for the applier and the watcher. fabric8's own retry of failed requests is switched off: daskrelay's code
     * decides what is retried (the applier's triage; informers and the Lease retry on their own).
     */
    public KubernetesClient client() {
        Config base;
        if (kubeconfig != null && !kubeconfig.isBlank()) {
            try {
                base = Config.fromKubeconfig(context, Files.readString(Path.of(kubeconfig)), kubeconfig);
            } catch (IOException e) {
                throw new UncheckedIOException("kubernetes.kubeconfig: cannot read " + kubeconfig, e);
            }
        } else if (masterUrl != null && !masterUrl.isBlank() && context == null) {
            base = Config.empty();
        } else {
            base = Config.autoConfigure(context);
        }
        ConfigBuilder b = new ConfigBuilder(base);
        if (masterUrl != null && !masterUrl.isBlank()) {
            b.withMasterUrl(masterUrl);
        }
        int timeout = (int) requestTimeout.toMillis();
        Config config = b.withRequestTimeout(timeout)
                .withConnectionTimeout(Math.min(timeout, 10_000))
                .withRequestRetryBackoffLimit(0)
                .build();
        return new KubernetesClientBuilder().withConfig(config).build();
    }
}
