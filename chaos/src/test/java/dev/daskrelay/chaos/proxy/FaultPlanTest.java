package dev.daskrelay.chaos.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FaultPlanTest {

    private static final String WATCH = "/api/v1/namespaces/chaos/pods?labelSelector=a%3Db&watch=true&resourceVersion=9";
    private static final String LIST = "/api/v1/namespaces/chaos/pods?limit=500";
    private static final String CREATE = "/apis/kubernetes.dask.org/v1/namespaces/chaos/daskjobs";

    private static Map<FaultKind, Integer> draw(FaultPlan plan, String method, String target, int n) {
        SplittableRandom r = new SplittableRandom(1);
        Map<FaultKind, Integer> kinds = new EnumMap<>(FaultKind.class);
        for (int i = 0; i < n; i++) {
            FaultPlan.Decision d = plan.decide(method, target, r);
            if (d.faulty()) {
                kinds.merge(d.kind(), 1, Integer::sum);
            }
        }
        return kinds;
    }

    @Test
    void aFifthOfRequestsGetAFault() {
        int faults = draw(FaultPlan.standard(0.2), "GET", LIST, 20_000).values().stream().mapToInt(i -> i).sum();
        assertTrue(faults > 3_800 && faults < 4_200, "about 20 % of 20,000, was " + faults);
        assertTrue(draw(FaultPlan.standard(0), "POST", CREATE, 1_000).isEmpty());
        assertEquals(1_000, draw(FaultPlan.standard(1), "POST", CREATE, 1_000).values().stream()
                .mapToInt(i -> i).sum());
    }

    @Test
    void onlyAMutationCanTakeEffectAndLoseItsAnswer() {
        Map<FaultKind, Integer> create = draw(FaultPlan.standard(1), "POST", CREATE, 5_000);
        assertTrue(create.containsKey(FaultKind.RESET_AFTER) && create.containsKey(FaultKind.TIMEOUT_AFTER), create.toString());
        Map<FaultKind, Integer> list = draw(FaultPlan.standard(1), "GET", LIST, 5_000);
        assertFalse(list.containsKey(FaultKind.RESET_AFTER) || list.containsKey(FaultKind.TIMEOUT_AFTER), list.toString());
        assertFalse(list.containsKey(FaultKind.WATCH_DROP));
    }

    @Test
    void watchesAreRefusedOrDroppedNeverDelayedOrAnsweredLate() {
        Map<FaultKind, Integer> watch = draw(FaultPlan.standard(1), "GET", WATCH, 5_000);
        assertTrue(watch.containsKey(FaultKind.WATCH_DROP), watch.toString());
        for (FaultKind k : new FaultKind[] {FaultKind.LATENCY, FaultKind.RESET_AFTER, FaultKind.TIMEOUT_AFTER}) {
            assertFalse(watch.containsKey(k), k + " in " + watch);
        }
    }

    @Test
    void delaysStayInTheirRanges() {
        FaultPlan plan = FaultPlan.standard(1).only(FaultKind.LATENCY, FaultKind.WATCH_DROP);
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < 2_000; i++) {
            FaultPlan.Decision latency = plan.decide("GET", LIST, r);
            assertEquals(FaultKind.LATENCY, latency.kind());
            assertTrue(!latency.delay().minus(Duration.ofSeconds(1)).isNegative()
                    && latency.delay().compareTo(Duration.ofSeconds(5)) <= 0, latency.toString());
            FaultPlan.Decision drop = plan.decide("GET", WATCH, r);
            assertEquals(FaultKind.WATCH_DROP, drop.kind());
            assertTrue(drop.delay().compareTo(Duration.ofSeconds(2)) >= 0
                    && drop.delay().compareTo(Duration.ofSeconds(30)) <= 0, drop.toString());
        }
    }

    @Test
    void aWatchIsRecognisedByItsQuery() {
        assertTrue(FaultPlan.isWatch(WATCH));
        assertTrue(FaultPlan.isWatch("/api/v1/watch/namespaces/x/pods"));
        assertFalse(FaultPlan.isWatch(LIST));
        assertFalse(FaultPlan.isWatch("/api/v1/pods?watchless=true"));
        assertTrue(FaultProxy.isCollection(LIST));
        assertTrue(FaultProxy.isCollection(CREATE));
        assertTrue(FaultProxy.isCollection("/api/v1/pods"));
        assertFalse(FaultProxy.isCollection(CREATE + "/some-job"));
        assertFalse(FaultProxy.isCollection("/apis/coordination.k8s.io/v1/namespaces/chaos/leases/daskrelay-watcher"));
    }
}
