package dev.daskrelay.simulator;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes core/v1 Events like the operator (kopf: reason {@code Logging}), the kubelet and the scheduler do. */
final class EventRecorder {

    static final DateTimeFormatter KUBE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);
    private static final Logger LOG = LoggerFactory.getLogger(EventRecorder.class);

    private final KubernetesClient client;
    private final Clock clock;
    private final boolean enabled;

    EventRecorder(KubernetesClient client, Clock clock, boolean enabled) {
        this.client = client;
        this.clock = clock;
        this.enabled = enabled;
    }

    void normal(HasMetadata about, String component, String reason, String message) {
        record(about, component, "Normal", reason, message);
    }

    void warning(HasMetadata about, String component, String reason, String message) {
        record(about, component, "Warning", reason, message);
    }

    private void record(HasMetadata about, String component, String type, String reason, String message) {
        if (!enabled) {
            return;
        }
        String now = KUBE_TIME.format(clock.instant());
        String namespace = about.getMetadata().getNamespace();
        var event = new EventBuilder()
                .withNewMetadata()
                .withName(about.getMetadata().getName() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE))
                .withNamespace(namespace)
                .endMetadata()
                .withInvolvedObject(new ObjectReferenceBuilder()
                        .withApiVersion(about.getApiVersion()).withKind(about.getKind())
                        .withName(about.getMetadata().getName()).withNamespace(namespace)
                        .withUid(about.getMetadata().getUid()).withResourceVersion(about.getMetadata().getResourceVersion())
                        .build())
                .withType(type).withReason(reason).withMessage(message)
                .withNewSource().withComponent(component).endSource()
                .withReportingComponent(component)
                .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
                .build();
        try {
            client.v1().events().inNamespace(namespace).resource(event).create();
        } catch (KubernetesClientException e) {
            LOG.debug("Could not record event {} on {}/{}: {}", reason, namespace, about.getMetadata().getName(), e.getMessage());
        }
    }
}
