package dev.daskrelay.simulator;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Dask Kubernetes Operator (2025.4.3) simulator for any Kubernetes API, plus — in {@link Mode#FULL} — the
 * control-plane parts an in-memory API lacks (kubelet/scheduler, Deployment controller, garbage collector).
 *
 * <pre>{@code
 * try (var k8s = InMemoryKubernetes.start();
 *      var sim = DaskOperatorSimulator.start(k8s.client(), SimulatorTiming.fast())) {
 *     // create DaskJobs; they go JobCreated → ClusterCreated → Running → Successful
 * }
 * }</pre>
 *
 * {@link #stop()} then {@link #start()} simulates an operator restart (in-process memory lost, catch-up from the
 * objects' state). Behaviour, scenarios and differences from the real operator: docs/SIMULATOR.md.
 */
public final class DaskOperatorSimulator implements AutoCloseable {

    /** Annotation choosing the scenario; see {@link Scenario.Kind}. */
    public static final String SCENARIO_ANNOTATION = Scenario.SCENARIO_ANNOTATION;
    /** Annotation setting how long the runner runs, e.g. {@code 2s}. */
    public static final String RUN_FOR_ANNOTATION = Scenario.RUN_FOR_ANNOTATION;
    /** Annotation delaying the start of the job's pods, e.g. {@code 5s} (simulator extension). */
    public static final String START_DELAY_ANNOTATION = Scenario.START_DELAY_ANNOTATION;

    /** What to simulate. */
    public enum Mode {
        /** Operator + kubelet/scheduler + Deployment controller + owner-reference GC: for the in-memory API. */
        FULL,
        /** Only the operator: for a real cluster that has no Dask operator installed. */
        OPERATOR_ONLY
    }

    private static final Logger LOG = LoggerFactory.getLogger(DaskOperatorSimulator.class);

    private final KubernetesClient client;
    private final SimulatorTiming timing;
    private final Clock clock;
    private final Mode mode;
    private final String namespace;
    private final boolean events;
    private final SimulatedNodes nodes;
    private final List<Actor> actors = new ArrayList<>();

    private DaskOperatorSimulator(Builder b) {
        this.client = b.client;
        this.timing = b.timing;
        this.clock = b.clock;
        this.mode = b.mode;
        this.namespace = b.namespace;
        this.events = b.events;
        this.nodes = b.nodes;
    }

    /** Starts a {@link Mode#FULL} simulator on all namespaces with the system clock. */
    public static DaskOperatorSimulator start(KubernetesClient client, SimulatorTiming timing) {
        return builder(client).timing(timing).build().start();
    }

    public static Builder builder(KubernetesClient client) {
        return new Builder(client);
    }

    /** Starts the simulated processes; no-op if running. */
    public synchronized DaskOperatorSimulator start() {
        if (!actors.isEmpty()) {
            return this;
        }
        EventRecorder recorder = new EventRecorder(client, clock, events);
        actors.add(new DaskOperator(client, clock, timing, namespace, recorder, mode == Mode.FULL));
        if (mode == Mode.FULL) {
            actors.add(new DeploymentController(client, namespace, recorder));
            actors.add(new KubeletSimulator(client, clock, timing, namespace, recorder, nodes));
            actors.add(new GarbageCollector(client, namespace, timing));
        }
        actors.forEach(Actor::start);
        LOG.info("Dask operator simulator started ({}, namespace {}, {})", mode, namespace == null ? "all" : namespace, timing);
        return this;
    }

    /**
     * Stops only the operator (kubelet, controllers and GC go on), as when the real operator's pod is down: nothing
     * handles DaskJobs until {@link #startOperator()}. No-op when not running.
     */
    public synchronized void stopOperator() {
        for (int i = actors.size() - 1; i >= 0; i--) {
            if (actors.get(i) instanceof DaskOperator op) {
                op.stop();
                actors.remove(i);
                LOG.info("Dask operator simulator: operator stopped");
            }
        }
    }

    /** Starts the operator again after {@link #stopOperator()}: it catches up from the objects' state. */
    public synchronized void startOperator() {
        if (actors.isEmpty() || actors.stream().anyMatch(a -> a instanceof DaskOperator)) {
            return;
        }
        DaskOperator op = new DaskOperator(client, clock, timing, namespace, new EventRecorder(client, clock, events),
                mode == Mode.FULL);
        actors.add(0, op);
        op.start();
        LOG.info("Dask operator simulator: operator started");
    }

    public synchronized boolean operatorRunning() {
        return actors.stream().anyMatch(a -> a instanceof DaskOperator);
    }

    /** Stops everything it started; idempotent. Objects stay as they are (e.g. a DaskCluster being deleted keeps its finalizer). */
    public synchronized void stop() {
        for (int i = actors.size() - 1; i >= 0; i--) {
            actors.get(i).stop();
        }
        if (!actors.isEmpty()) {
            LOG.info("Dask operator simulator stopped");
        }
        actors.clear();
    }

    public synchronized boolean isRunning() {
        return !actors.isEmpty();
    }

    public Mode mode() {
        return mode;
    }

    @Override
    public void close() {
        stop();
    }

    /**
     * Options; defaults: {@link SimulatorTiming#fast()}, system UTC clock, {@link Mode#FULL}, all namespaces, events on,
     * the test bed's nodes.
     */
    public static final class Builder {
        private final KubernetesClient client;
        private SimulatorTiming timing = SimulatorTiming.fast();
        private Clock clock = Clock.systemUTC();
        private Mode mode = Mode.FULL;
        private String namespace;
        private boolean events = true;
        private SimulatedNodes nodes = SimulatedNodes.testbed();

        private Builder(KubernetesClient client) {
            this.client = Objects.requireNonNull(client, "client");
        }

        public Builder timing(SimulatorTiming timing) {
            this.timing = Objects.requireNonNull(timing, "timing");
            return this;
        }

        /** The clock for status timestamps (startTime/endTime), pod times and Events. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public Builder mode(Mode mode) {
            this.mode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /** Watch only this namespace (null = all namespaces, the default). */
        public Builder namespace(String namespace) {
            this.namespace = namespace;
            return this;
        }

        /** Write Kubernetes Events like the operator, kubelet and scheduler (default true). */
        public Builder events(boolean events) {
            this.events = events;
            return this;
        }

        /** The nodes pods are scheduled on (FULL mode; default {@link SimulatedNodes#testbed()}). */
        public Builder nodes(SimulatedNodes nodes) {
            this.nodes = Objects.requireNonNull(nodes, "nodes");
            return this;
        }

        public DaskOperatorSimulator build() {
            return new DaskOperatorSimulator(this);
        }

        public DaskOperatorSimulator start() {
            return build().start();
        }
    }
}
