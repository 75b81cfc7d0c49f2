package dev.daskrelay.schemas;

import java.util.Map;
import java.util.Optional;

/**
 * Where an intent sits on the intents topic, as the applier writes it on the DaskJob it creates
 * ({@link KubernetesLabels#INTENT}, {@code <partition>/<offset>}).
 */
public record IntentPosition(int partition, long offset) {

    public IntentPosition {
        if (partition < 0 || offset < 0) {
            throw new IllegalArgumentException("partition and offset must be >= 0: " + partition + "/" + offset);
        }
    }

    /** The annotation value. */
    public String annotationValue() {
        return partition + "/" + offset;
    }

    /** The position an object's annotations name; empty without the annotation or when it is malformed. */
    public static Optional<IntentPosition> of(Map<String, String> annotations) {
        String v = annotations == null ? null : annotations.get(KubernetesLabels.INTENT);
        if (v == null) {
            return Optional.empty();
        }
        int slash = v.indexOf('/');
        try {
            return slash <= 0 ? Optional.empty() : Optional.of(new IntentPosition(
                    Integer.parseInt(v.substring(0, slash)), Long.parseLong(v.substring(slash + 1))));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
