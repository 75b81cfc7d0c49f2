package dev.daskrelay.chaos.proxy;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** What one proxy saw and did; thread-safe counters. */
public final class ProxyStats {

    private final Map<FaultKind, LongAdder> faults = new EnumMap<>(FaultKind.class);
    private final LongAdder requests = new LongAdder();
    private final LongAdder watches = new LongAdder();
    private final LongAdder lists = new LongAdder();
    private final LongAdder gone = new LongAdder();
    private final LongAdder upstreamUnavailable = new LongAdder();

    public ProxyStats() {
        for (FaultKind k : FaultKind.values()) {
            faults.put(k, new LongAdder());
        }
    }

    void request() {
        requests.increment();
    }

    void watch() {
        watches.increment();
    }

    void list() {
        lists.increment();
    }

    void fault(FaultKind kind) {
        faults.get(kind).increment();
    }

    /** A 410 Gone (HTTP status, or an ERROR event with code 410 in a watch stream) passed to the client. */
    void gone() {
        gone.increment();
    }

    void upstreamUnavailable() {
        upstreamUnavailable.increment();
    }

    public long requests() {
        return requests.sum();
    }

    public long watches() {
        return watches.sum();
    }

    public long lists() {
        return lists.sum();
    }

    public long goneSeen() {
        return gone.sum();
    }

    public long upstreamUnavailableCount() {
        return upstreamUnavailable.sum();
    }

    public long faults(FaultKind kind) {
        return faults.get(kind).sum();
    }

    public long faultsTotal() {
        return faults.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /** Fault counts by kind label, in enum order. */
    public Map<String, Long> faultsByKind() {
        Map<String, Long> m = new LinkedHashMap<>();
        for (FaultKind k : FaultKind.values()) {
            m.put(k.label(), faults(k));
        }
        return m;
    }
}
