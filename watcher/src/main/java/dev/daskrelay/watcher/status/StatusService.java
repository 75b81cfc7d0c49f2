package dev.daskrelay.watcher.status;

import dev.daskrelay.schemas.registry.SchemaSerdeException;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the status topology: owns its {@link KafkaStreams} instance, always with exactly_once_v2, and answers
 * readiness (RUNNING) and liveness (not failed) for {@code /readyz} and {@code /healthz}. An uncaught exception
 * (store or broker trouble; bad records never get here, they are dead-lettered) shuts the client down, which
 * fails liveness, so the process is restarted and resumes from its last committed transaction.
 */
public final class StatusService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StatusService.class);

    private final KafkaStreams streams;
    private boolean started;
    private boolean closed;

    /**
     * @param clientProperties Kafka and Kafka Streams properties passed through (bootstrap servers, security,
     *                         state.dir, …); {@code processing.guarantee} is always exactly_once_v2
     */
    public StatusService(StatusSettings settings, StatusSerdes serdes, MeterRegistry registry, String applicationId,
                         String bootstrapServers, Properties clientProperties) {
        this(settings, serdes, registry, applicationId, bootstrapServers, clientProperties, null);
    }

    /**
     * @param clientProperties as above
     * @param retention        how long a finished task is remembered after its last change; null = forever
     */
    public StatusService(StatusSettings settings, StatusSerdes serdes, MeterRegistry registry, String applicationId,
                         String bootstrapServers, Properties clientProperties, Duration retention) {
        Properties p = StatusTopology.streamsProperties(applicationId, bootstrapServers);
        if (clientProperties != null) {
            p.putAll(clientProperties);
        }
        Object guarantee = p.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG);
        if (!StreamsConfig.EXACTLY_ONCE_V2.equals(guarantee)) {
            LOG.warn("processing.guarantee={} ignored: the status topology runs exactly_once_v2", guarantee);
            p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        }
        this.streams = new KafkaStreams(new StatusTopology(settings, serdes, registry, retention).build(), p);
        this.streams.setUncaughtExceptionHandler(e -> {
            if (SchemaSerdeException.isTransient(e)) {
                LOG.warn("status topology: schema registry unavailable ({}); replacing the stream thread", e.toString());
                return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
            }
            LOG.error("status topology failed; shutting the client down", e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
    }

    public synchronized StatusService start() {
        if (!started) {
            started = true;
            streams.start();
        }
        return this;
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    /** Ready once the tasks are assigned and restored. */
    public boolean isReady() {
        return streams.state() == KafkaStreams.State.RUNNING;
    }

    /** Alive unless the client failed or stopped. */
    public boolean isAlive() {
        KafkaStreams.State s = streams.state();
        return s != KafkaStreams.State.ERROR && s != KafkaStreams.State.PENDING_ERROR
                && (!started || s != KafkaStreams.State.NOT_RUNNING) && s != KafkaStreams.State.PENDING_SHUTDOWN;
    }

    /** Stops processing and leaves the group, so another instance takes the partitions at once. Idempotent. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            streams.close(new KafkaStreams.CloseOptions().leaveGroup(true).timeout(Duration.ofSeconds(30)));
        }
    }
}
