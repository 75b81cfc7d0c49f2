package dev.daskrelay.translator;

import dev.daskrelay.schemas.task.DurationText;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
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
public record KubernetesSettings(String kubeconfig, String context, String masterUrl, String requestTimeout) {

    public KubernetesSettings {
        if (requestTimeout != null && !requestTimeout.isBlank()) {
            DurationText.parse(requestTimeout, "kubernetes.requestTimeout"); // fail early
        }
    }

    public static KubernetesSettings defaults() {
        return new KubernetesSettings(null, null, null, null);
    }

    public Duration requestTimeoutDuration() {
        return (requestTimeout == null || requestTimeout.isBlank() ? Duration.ofSeconds(10) : DurationText.parse(requestTimeout, "kubernetes.requestTimeout"));
    }

    /**
     * A client for the applier. fabric8's own retry of failed requests is switched off: the applier's triage
     * decides what is retried, with back-off off the partition.
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
        int timeout = (int) requestTimeoutDuration().toMillis();
        Config config = b.withRequestTimeout(timeout)
                .withConnectionTimeout(Math.min(timeout, 10_000))
                .withRequestRetryBackoffLimit(0)
                .build();
        return new KubernetesClientBuilder().withConfig(config).build();
    }
}
