package dev.daskrelay.submitter.replay;

import java.util.Map;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;

/** Picks the value deserializer by topic, so one replay consumer reads commands and status alike. */
public final class TopicValueDeserializer implements Deserializer<Object> {

    private final Map<String, Deserializer<?>> byTopic;

    public TopicValueDeserializer(Map<String, Deserializer<?>> byTopic) {
        this.byTopic = Map.copyOf(byTopic);
    }

    @Override
    public Object deserialize(String topic, byte[] data) {
        return deserialize(topic, null, data);
    }

    @Override
    public Object deserialize(String topic, Headers headers, byte[] data) {
        Deserializer<?> d = byTopic.get(topic);
        if (d == null) {
            return null;
        }
        return headers == null ? d.deserialize(topic, data) : d.deserialize(topic, headers, data);
    }
}
