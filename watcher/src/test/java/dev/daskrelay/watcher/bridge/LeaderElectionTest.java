package dev.daskrelay.watcher.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class LeaderElectionTest {

    @Test
    void theLeasesRequestsTimeOutWithinTheRetryPeriodAndAreNotRetriedByTheClient() {
        Config processConfig = new ConfigBuilder(Config.empty()).withMasterUrl("https://127.0.0.1:6443")
                .withOauthToken("t0ken").withNamespace("relay").withRequestTimeout(10_000)
                .withConnectionTimeout(10_000).withRequestRetryBackoffLimit(10).build();
        try (KubernetesClient process = new KubernetesClientBuilder().withConfig(processConfig).build();
             KubernetesClient lease = LeaderElection.leaseClient(process, Duration.ofSeconds(2))) {
            Config c = lease.getConfiguration();
            assertEquals(2_000, c.getRequestTimeout());
            assertEquals(2_000, c.getConnectionTimeout());
            assertEquals(0, c.getRequestRetryBackoffLimit());
            assertEquals("https://127.0.0.1:6443/", c.getMasterUrl(), "same API server");
            assertEquals("t0ken", c.getOauthToken(), "same credentials");
            assertEquals(10_000, process.getConfiguration().getRequestTimeout(), "the process's client is unchanged");
            assertTrue(LeaderElection.Timing.DEFAULT.retryPeriod().compareTo(
                    LeaderElection.Timing.DEFAULT.renewDeadline().dividedBy(4)) <= 0,
                    "several renewals fit in the renew deadline");
        }
    }
}
