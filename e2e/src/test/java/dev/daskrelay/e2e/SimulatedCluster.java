package dev.daskrelay.e2e;

import dev.daskrelay.simulator.DaskOperatorSimulator;
import dev.daskrelay.simulator.InMemoryKubernetes;
import dev.daskrelay.simulator.SimulatorTiming;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The in-memory Kubernetes API with the Dask operator simulator in FULL mode (operator, kubelet/scheduler stand-in,
 * Deployment controller, garbage collector), as {@code daskrelay local} and the fast suite use it, with a timing
 * close to the test bed's kwok stages (pods start in a few hundred milliseconds, runners default to 10 s).
 */
final class SimulatedCluster implements KubeBackend {

    /** Pod start, kubelet step, default run time, kopf's handler retry, GC sweep. */
    static final SimulatorTiming TESTBED_LIKE = new SimulatorTiming(Duration.ofMillis(300), Duration.ofSeconds(1),
            Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofSeconds(1));

    private final InMemoryKubernetes api;
    private final KubernetesClient client;
    private final DaskOperatorSimulator simulator;
    private final Path kubeconfig;

    SimulatedCluster(Path dir) {
        api = InMemoryKubernetes.start(0);
        kubeconfig = api.writeKubeconfig(dir.resolve("kubeconfig"));
        client = api.newClient();
        simulator = DaskOperatorSimulator.builder(client).timing(TESTBED_LIKE)
                .mode(DaskOperatorSimulator.Mode.FULL).start();
    }

    @Override
    public String name() {
        return "simulator";
    }

    @Override
    public Path kubeconfig() {
        return kubeconfig;
    }

    @Override
    public KubernetesClient client() {
        return client;
    }

    @Override
    public void stopOperator() {
        simulator.stopOperator();
    }

    @Override
    public void startOperator() {
        simulator.startOperator();
    }

    @Override
    public void close() {
        simulator.close();
        client.close();
        api.close();
    }
}
