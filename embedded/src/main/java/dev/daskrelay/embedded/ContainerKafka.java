package dev.daskrelay.embedded;

import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The official {@code apache/kafka} image run by Testcontainers, for machines with a Docker engine
 * ({@code DASKRELAY_TEST_BROKER=container}; image override: {@code DASKRELAY_TEST_KAFKA_IMAGE}). The container
 * provider configures a single-node KRaft broker with replication factor 1 for internal topics.
 */
public final class ContainerKafka implements KafkaBroker {

    public static final String DEFAULT_IMAGE = "apache/kafka:4.1.1";

    private final KafkaContainer container;

    private ContainerKafka(KafkaContainer container) {
        this.container = container;
    }

    public static ContainerKafka start() {
        String image = System.getenv().getOrDefault("DASKRELAY_TEST_KAFKA_IMAGE", DEFAULT_IMAGE);
        KafkaContainer c = new KafkaContainer(DockerImageName.parse(image).asCompatibleSubstituteFor("apache/kafka"))
                .withEnv("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "1")
                .withEnv("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "1")
                .withEnv("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "1")
                .withEnv("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0")
                .withStartupTimeout(STARTUP_TIMEOUT);
        c.start();
        return new ContainerKafka(c);
    }

    @Override
    public String bootstrapServers() {
        return container.getBootstrapServers();
    }

    @Override
    public void close() {
        container.close();
    }
}
