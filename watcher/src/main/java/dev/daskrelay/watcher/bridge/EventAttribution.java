package dev.daskrelay.watcher.bridge;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.ObjectReference;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which DaskJob a Kubernetes Event is about, and whether the bridge keeps it. Pure.
 *
 * <p>Events carry no labels, so they are matched by the object they involve. The operator names every object of
 * DaskJob {@code J} after it (docs/DASK-OPERATOR.md §3.1): the DaskCluster {@code J}, the runner pod
 * {@code J-runner}, the scheduler Deployment/Service {@code J-scheduler} and its ReplicaSet and pods
 * {@code J-scheduler-<rs>-<pod>}, the worker group {@code J-default}, worker Deployments
 * {@code J-default-worker-<10 hex>} with their ReplicaSets and pods. A quota refusal of a worker or scheduler pod
 * is reported on the ReplicaSet ({@code FailedCreate}), so matching by name catches it where a pod lookup would not.
 * The caller still checks that the DaskJob exists in its cache (ambiguous names such as jobs {@code a} and
 * {@code a-default} resolve to the longest job name).
 */
public final class EventAttribution {

    private EventAttribution() {
    }

    private static final Pattern DERIVED_NAME = Pattern.compile(
            "^(?<job>[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)-(?:runner"
                    + "|scheduler(?:-[a-z0-9]{1,10}(?:-[a-z0-9]{5})?)?"
                    + "|default(?:-worker-[0-9a-f]{10}(?:-[a-z0-9]{1,10}(?:-[a-z0-9]{5})?)?)?)$");

    /** Kinds whose object is named exactly like the DaskJob. */
    private static final Set<String> SAME_NAME_KINDS = Set.of("DaskJob", "DaskCluster");
    /** Kinds of the objects the operator derives from the DaskJob's name. */
    private static final Set<String> DERIVED_KINDS = Set.of("Pod", "ReplicaSet", "Deployment", "Service",
            "DaskWorkerGroup");
    /** Normal-type reasons worth showing next to the warnings. */
    private static final Set<String> NOTABLE_NORMAL_REASONS = Set.of("Killing", "Preempted", "Preempting",
            "OOMKilling", "Evicted");

    /** The DaskJob the event is about, if its involved object is one of a DaskJob's objects. */
    public static Optional<JobRef> jobOf(Event event) {
        ObjectReference o = event.getInvolvedObject();
        if (o == null || o.getName() == null || o.getKind() == null) {
            return Optional.empty();
        }
        String namespace = o.getNamespace() != null ? o.getNamespace()
                : event.getMetadata() == null ? null : event.getMetadata().getNamespace();
        if (namespace == null) {
            return Optional.empty();
        }
        if (SAME_NAME_KINDS.contains(o.getKind())) {
            return Optional.of(new JobRef(namespace, o.getName()));
        }
        if (DERIVED_KINDS.contains(o.getKind())) {
            Matcher m = DERIVED_NAME.matcher(o.getName());
            if (m.matches()) {
                return Optional.of(new JobRef(namespace, m.group("job")));
            }
        }
        return Optional.empty();
    }

    /**
     * Whether the event says something about trouble: every non-Normal event (Warning; kopf also writes Error for
     * failed handlers) and a few Normal reasons (Killing, Preempted, Evicted ...). Plain progress events such as
     * Scheduled, Pulled, Started and the operator's Logging lines are dropped.
     */
    public static boolean relevant(Event event) {
        String type = event.getType();
        if (type != null && !"Normal".equals(type)) {
            return true;
        }
        return event.getReason() != null && NOTABLE_NORMAL_REASONS.contains(event.getReason());
    }
}
