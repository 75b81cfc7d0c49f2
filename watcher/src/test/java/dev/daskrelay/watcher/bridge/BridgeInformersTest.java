package dev.daskrelay.watcher.bridge;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** The informers' failure policy: the bridge's informers never give up (fabric8 stops after a failed first list). */
class BridgeInformersTest {

    @Test
    void aFailedFirstListOrWatchIsTriedAgainWhateverTheFailure() {
        assertTrue(BridgeInformers.KEEP_TRYING.retryAfterException(false, new TimeoutException()),
                "a first list that timed out on a busy API server");
        assertTrue(BridgeInformers.KEEP_TRYING.retryAfterException(false,
                new KubernetesClientException("Forbidden", 403, null)), "a list refused before the RBAC is applied");
        assertTrue(BridgeInformers.KEEP_TRYING.retryAfterException(true, new KubernetesClientException("Gone", 410,
                null)), "a watch that ended");
    }
}
