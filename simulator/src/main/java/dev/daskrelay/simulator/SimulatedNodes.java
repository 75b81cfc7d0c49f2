package dev.daskrelay.simulator;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The nodes of the simulated cluster and what the pods placed on them take, as kube-scheduler's resource fit sees
 * it: a pod fits a node when its CPU and memory requests fit the node's allocatable minus the requests of the pods
 * already placed there (pods that ended no longer count) and the node has a pod slot left. Identical nodes, like the
 * test bed's kwok nodes (docs/TESTBED.md); no taints, affinity or priorities. Not thread-safe: the kubelet actor's
 * thread owns it.
 *
 * @param count   number of nodes, named {@code sim-node-0} …
 * @param cpu     each node's allocatable CPU
 * @param memory  each node's allocatable memory
 * @param pods    each node's pod capacity
 */
public record SimulatedNodes(int count, Quantity cpu, Quantity memory, int pods) {

    /** Like the test bed: 3 nodes of 8 CPUs, 32 GiB and 110 pods. */
    public static SimulatedNodes testbed() {
        return new SimulatedNodes(3, new Quantity("8"), new Quantity("32Gi"), 110);
    }

    public SimulatedNodes {
        if (count < 1 || pods < 1) {
            throw new IllegalArgumentException("count and pods: must be >= 1");
        }
    }

    /** A pod's requests: per container its request, or its limit when it has none (the API server's default). */
    public record Requests(BigDecimal cpu, BigDecimal memory) {
        static final Requests NONE = new Requests(BigDecimal.ZERO, BigDecimal.ZERO);

        static Requests of(Pod pod) {
            BigDecimal cpu = BigDecimal.ZERO;
            BigDecimal memory = BigDecimal.ZERO;
            for (Container c : pod.getSpec().getContainers()) {
                cpu = cpu.add(amount(c, "cpu"));
                memory = memory.add(amount(c, "memory"));
            }
            return new Requests(cpu, memory);
        }

        private static BigDecimal amount(Container c, String resource) {
            if (c.getResources() == null) {
                return BigDecimal.ZERO;
            }
            Quantity q = c.getResources().getRequests() == null ? null : c.getResources().getRequests().get(resource);
            if (q == null && c.getResources().getLimits() != null) {
                q = c.getResources().getLimits().get(resource);
            }
            return q == null ? BigDecimal.ZERO : q.getNumericalAmount();
        }
    }

    String nodeName(int index) {
        return "sim-node-" + index;
    }

    /** Which node each placed pod (by uid) is on, and what it takes. */
    static final class Allocation {
        private final SimulatedNodes nodes;
        private final Map<String, Integer> nodeOf = new HashMap<>();
        private final Map<String, Requests> takes = new HashMap<>();

        Allocation(SimulatedNodes nodes) {
            this.nodes = nodes;
        }

        /** Places the pod on the first node it fits; the node's name, or empty with kube-scheduler's message. */
        Placement place(String uid, Requests r) {
            BigDecimal cpuCap = nodes.cpu().getNumericalAmount();
            BigDecimal memCap = nodes.memory().getNumericalAmount();
            Map<String, Integer> reasons = new TreeMap<>();
            boolean couldEverFit = r.cpu().compareTo(cpuCap) <= 0 && r.memory().compareTo(memCap) <= 0;
            for (int i = 0; i < nodes.count(); i++) {
                Requests used = used(i);
                List<String> why = new ArrayList<>();
                if (podsOn(i) >= nodes.pods()) {
                    why.add("Too many pods");
                }
                if (used.cpu().add(r.cpu()).compareTo(cpuCap) > 0) {
                    why.add("Insufficient cpu");
                }
                if (used.memory().add(r.memory()).compareTo(memCap) > 0) {
                    why.add("Insufficient memory");
                }
                if (why.isEmpty()) {
                    nodeOf.put(uid, i);
                    takes.put(uid, r);
                    return new Placement(Optional.of(nodes.nodeName(i)), null);
                }
                why.forEach(w -> reasons.merge(w, 1, Integer::sum));
            }
            StringBuilder sb = new StringBuilder("0/" + nodes.count() + " nodes are available: ");
            List<String> parts = new ArrayList<>();
            reasons.forEach((why, n) -> parts.add(n + " " + why));
            sb.append(String.join(", ", parts)).append(". preemption: 0/").append(nodes.count())
                    .append(" nodes are available: ").append(nodes.count())
                    .append(couldEverFit ? " No preemption victims found for incoming pod."
                            : " Preemption is not helpful for scheduling.");
            return new Placement(Optional.empty(), sb.toString());
        }

        /** The pod ended or is gone: its node gets its resources back. */
        boolean release(String uid) {
            takes.remove(uid);
            return nodeOf.remove(uid) != null;
        }

        private Requests used(int node) {
            BigDecimal cpu = BigDecimal.ZERO;
            BigDecimal memory = BigDecimal.ZERO;
            for (var e : nodeOf.entrySet()) {
                if (e.getValue() == node) {
                    Requests r = takes.getOrDefault(e.getKey(), Requests.NONE);
                    cpu = cpu.add(r.cpu());
                    memory = memory.add(r.memory());
                }
            }
            return new Requests(cpu, memory);
        }

        private long podsOn(int node) {
            return nodeOf.values().stream().filter(n -> n == node).count();
        }
    }

    /** The node a pod was bound to, or kube-scheduler's "0/3 nodes are available: …" message. */
    record Placement(Optional<String> node, String unschedulableMessage) {
    }
}
