package dev.daskrelay.watcher.bridge;

import dev.daskrelay.avro.v1.Observation;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Publishes observations with an idempotent producer ({@code acks=all}, {@code enable.idempotence=true}), keyed by
 * the task id, so one task's observations stay in one partition and in the order the bridge sent them. The value
 * serializer is injected (the Confluent-format Avro serializer in production).
 */
public final class KafkaObservationPublisher implements ObservationPublisher {

    private final KafkaProducer<String, Observation> producer;
    private final String topic;
    private final AtomicBoolean healthy = new AtomicBoolean(true);
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * @param clientProperties at least {@code bootstrap.servers}; security settings pass through
     * @param topic the observations topic
     * @param valueSerializer serializer of {@link Observation} values, already configured
     */
    public KafkaObservationPublisher(Properties clientProperties, String topic, Serializer<Observation> valueSerializer) {
        Properties p = new Properties();
        p.putAll(clientProperties);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "daskrelay-watcher-bridge");
        this.producer = new KafkaProducer<>(p, new StringSerializer(), valueSerializer);
        this.topic = topic;
    }

    @Override
    public CompletableFuture<Void> publish(Observation observation) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            producer.send(new ProducerRecord<>(topic, observation.getTaskId(), observation), (meta, error) -> {
                if (error == null) {
                    healthy.set(true);
                    done.complete(null);
                } else {
                    healthy.set(false);
                    done.completeExceptionally(error);
                }
            });
        } catch (RuntimeException e) {
            healthy.set(false);
            done.completeExceptionally(e);
        }
        return done;
    }

    @Override
    public boolean healthy() {
        return healthy.get() && !closed.get();
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            producer.close(Duration.ofSeconds(10));
        }
    }
}
