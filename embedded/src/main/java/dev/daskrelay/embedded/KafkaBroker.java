package dev.daskrelay.embedded;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * A running Kafka broker that tests and the local stack talk to. Two providers: the in-process KRaft broker
 * ({@link EmbeddedKafka}, the default, works everywhere) and a Testcontainers container of the official image
 * ({@link ContainerKafka}), selected with {@code DASKRELAY_TEST_BROKER=container} where a Docker engine exists.
 */
public interface KafkaBroker extends AutoCloseable {

    /** Environment variable that selects the provider of {@link #forTests()}: {@code inprocess} or {@code container}. */
    String PROVIDER_ENV = "DASKRELAY_TEST_BROKER";

    /** {@code host:port} for {@code bootstrap.servers}. */
    String bootstrapServers();

    /** Stops the broker; idempotent. */
    @Override
    void close();

    /** Client properties with {@code bootstrap.servers} set. */
    default Properties clientProperties() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return p;
    }

    /** Creates topics (replication factor 1) unless they exist, and waits until they do. */
    default void createTopics(int partitions, String... names) {
        for (String name : names) {
            createTopic(new NewTopic(name, partitions, (short) 1));
        }
    }

    /** Creates a compacted topic (for latest-value views) unless it exists. */
    default void createCompactedTopic(int partitions, String name) {
        createTopic(new NewTopic(name, partitions, (short) 1).configs(Map.of("cleanup.policy", "compact")));
    }

    /** Creates one topic unless it exists, and waits until it does. */
    default void createTopic(NewTopic topic) {
        try (Admin admin = Admin.create(clientProperties())) {
            admin.createTopics(Set.of(topic)).all().get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create topic " + topic.name() + ": " + e.getCause(), e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("timed out creating topic " + topic.name(), e);
        }
    }

    /**
     * The broker for a test class: in-process unless {@code DASKRELAY_TEST_BROKER=container}. Share one per
     * test class (start in {@code @BeforeAll}, close in {@code @AfterAll}).
     */
    static KafkaBroker forTests() {
        String provider = System.getenv().getOrDefault(PROVIDER_ENV, "inprocess").trim().toLowerCase(Locale.ROOT);
        return switch (provider) {
            case "", "inprocess", "embedded" -> EmbeddedKafka.start(EmbeddedKafka.Options.forTests());
            case "container", "testcontainers" -> ContainerKafka.start();
            default -> throw new IllegalArgumentException(PROVIDER_ENV + ": unknown provider '" + provider
                    + "' (use inprocess or container)");
        };
    }

    /** Default wait for broker readiness. */
    Duration STARTUP_TIMEOUT = Duration.ofSeconds(90);
}
