package dev.daskrelay.watcher.bridge;

import static dev.daskrelay.watcher.bridge.K8sFixtures.NS;
import static dev.daskrelay.watcher.bridge.K8sFixtures.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class EventAttributionTest {

    private static Optional<String> job(String kind, String name) {
        return EventAttribution.jobOf(event(kind, name, "Warning", "X", "m", "2026-01-01T10:00:00Z")).map(JobRef::name);
    }

    @Test
    void objectsOfAJobMapToTheJob() {
        assertEquals(Optional.of("relay-a-0"), job("DaskJob", "relay-a-0"));
        assertEquals(Optional.of("relay-a-0"), job("DaskCluster", "relay-a-0"));
        assertEquals(Optional.of("relay-a-0"), job("Pod", "relay-a-0-runner"));
        assertEquals(Optional.of("relay-a-0"), job("Pod", "relay-a-0-scheduler-5d9c7b8f4-abcde"));
        assertEquals(Optional.of("relay-a-0"), job("Pod", "relay-a-0-scheduler"), "2022.12 bare scheduler pod");
        assertEquals(Optional.of("relay-a-0"), job("ReplicaSet", "relay-a-0-scheduler-5d9c7b8f4"));
        assertEquals(Optional.of("relay-a-0"), job("Deployment", "relay-a-0-default-worker-0a1b2c3d4e"));
        assertEquals(Optional.of("relay-a-0"), job("ReplicaSet", "relay-a-0-default-worker-0a1b2c3d4e-6b7c8d9f5"));
        assertEquals(Optional.of("relay-a-0"), job("Pod", "relay-a-0-default-worker-0a1b2c3d4e-6b7c8d9f5-x2v4q"));
        assertEquals(Optional.of("relay-a-0"), job("DaskWorkerGroup", "relay-a-0-default"));
        assertEquals(Optional.of("relay-a-0"), job("Service", "relay-a-0-scheduler"));
    }

    @Test
    void namespaceComesFromTheInvolvedObject() {
        var ref = EventAttribution.jobOf(event("Pod", "j-runner", "Warning", "X", "m", null)).orElseThrow();
        assertEquals(new JobRef(NS, "j"), ref);
    }

    @Test
    void unrelatedObjectsMapToNothing() {
        assertEquals(Optional.empty(), job("Pod", "nginx-7d4f8b9c6-abcde"));
        assertEquals(Optional.empty(), job("Node", "node-1-runner"));
        assertEquals(Optional.empty(), job("Pod", "relay-a-0-default-worker-nothex"));
    }

    @Test
    void relevance() {
        assertTrue(EventAttribution.relevant(event("Pod", "j-runner", "Warning", "BackOff", "m", null)));
        assertTrue(EventAttribution.relevant(event("DaskJob", "j", "Error", "Logging", "m", null)));
        assertTrue(EventAttribution.relevant(event("Pod", "j-runner", "Normal", "Killing", "m", null)));
        assertFalse(EventAttribution.relevant(event("Pod", "j-runner", "Normal", "Pulled", "m", null)));
        assertFalse(EventAttribution.relevant(event("DaskJob", "j", "Normal", "Logging", "created", null)));
    }

    @Test
    void theReasonsLeftOutByTheFieldSelectorAreNeverRelevantAsNormalEvents() {
        for (String reason : BridgeInformers.CHATTY_EVENT_REASONS) {
            assertFalse(EventAttribution.relevant(event("Pod", "j-runner", "Normal", reason, "m", null)), reason);
        }
        assertFalse(BridgeInformers.CHATTY_EVENT_REASONS.contains("Logging"),
                "kopf reports handler errors as type Error, reason Logging");
        assertFalse(BridgeInformers.CHATTY_EVENT_REASONS.contains("Killing"));
    }
}
