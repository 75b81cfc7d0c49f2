package dev.daskrelay.schemas;

import java.util.Map;
import java.util.Optional;

/**
 * Where an intent sits on the intents topic, as the applier writes it on the DaskJob it creates
 * ({@link KubernetesLabels#INTENT}, {@code <topic>/<partition>/<offset>}; topic names never contain {@code /}).
 */
public record IntentPosition(String topic, int partition, long offset) {

    public IntentPosition {
        if (topic == null || topic.isEmpty() || topic.indexOf('/') >= 0) {
            throw new IllegalArgumentException("not a topic name: " + topic);
        }
        if (partition < 0 || offset < 0) {
            throw new IllegalArgumentException("partition and offset must be >= 0: " + partition + "/" + offset);
        }
    }

    /** The annotation value. */
    public String annotationValue() {
        return topic + "/" + partition + "/" + offset;
    }

    /** The position an object's annotations name; empty without the annotation or when it is malformed. */
    public static Optional<IntentPosition> of(Map<String, String> annotations) {
        String v = annotations == null ? null : annotations.get(KubernetesLabels.INTENT);
        if (v == null) {
            return Optional.empty();
        }
        String[] parts = v.split("/", -1);
        if (parts.length != 3) {
            return Optional.empty();
        }
        try {
            return Optional.of(new IntentPosition(parts[0], Integer.parseInt(parts[1]), Long.parseLong(parts[2])));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
