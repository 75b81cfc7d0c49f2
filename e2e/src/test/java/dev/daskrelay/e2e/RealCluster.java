package dev.daskrelay.e2e;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The test bed's real cluster (testbed/kube/cluster.sh): etcd, kube-apiserver, kube-controller-manager,
 * kube-scheduler, kwok nodes and the real Dask Kubernetes Operator. Started once per test JVM with
 * {@code cluster.sh up} and stopped with {@code cluster.sh down}; or, with {@code -De2e.kubeconfig=FILE}, a cluster
 * somebody already started with cluster.sh (then {@code -De2e.clusterDir=DIR} names its directory, for the
 * operator's stop/start), which the suite leaves running.
 */
final class RealCluster implements KubeBackend {

    private static final Logger LOG = LoggerFactory.getLogger(RealCluster.class);
    static final Duration UP_TIMEOUT = Duration.ofMinutes(45); // includes a cold Go build of the binaries

    private static RealCluster shared;

    private final Path dir;
    private final Path kubeconfig;
    private final boolean owned;
    private final KubernetesClient client;
    private boolean closed;

    private RealCluster(Path dir, Path kubeconfig, boolean owned) {
        this.dir = dir;
        this.kubeconfig = kubeconfig;
        this.owned = owned;
        this.client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(null, read(kubeconfig),
                kubeconfig.toString())).build();
    }

    /** The suite's cluster, started on first use; a shutdown hook takes it down when the JVM ends. */
    static synchronized RealCluster shared() {
        if (shared == null) {
            shared = start();
            Runtime.getRuntime().addShutdownHook(new Thread(shared::close, "e2e-cluster-down"));
        }
        return shared;
    }

    private static RealCluster start() {
        String external = System.getProperty("e2e.kubeconfig");
        if (external != null && !external.isBlank()) {
            Path dir = Path.of(System.getProperty("e2e.clusterDir", Path.of(external).getParent().toString()));
            LOG.info("using the running test bed cluster of {}", external);
            return new RealCluster(dir, Path.of(external), false);
        }
        Path dir = E2eFiles.workDir().resolve("cluster");
        long t0 = System.nanoTime();
        String out = ChildProcess.run("cluster.sh up", List.of("bash", script().toString(), "up", dir.toString()),
                E2eFiles.workDir().resolve("logs/cluster-up.log"), UP_TIMEOUT);
        String[] lines = out.strip().split("\n");
        Path kubeconfig = Path.of(lines[lines.length - 1].strip());
        LOG.info("test bed cluster up in {} s: {}", (System.nanoTime() - t0) / 1_000_000_000, kubeconfig);
        return new RealCluster(dir, kubeconfig, true);
    }

    static Path script() {
        return E2eFiles.repo().resolve("testbed/kube/cluster.sh");
    }

    @Override
    public String name() {
        return "real";
    }

    @Override
    public Path kubeconfig() {
        return kubeconfig;
    }

    @Override
    public KubernetesClient client() {
        return client;
    }

    Path dir() {
        return dir;
    }

    @Override
    public void stopOperator() {
        clusterSh("operator-stop");
    }

    @Override
    public void startOperator() {
        clusterSh("operator-start");
    }

    /** kubectl (built by the test bed) against this cluster; its output, or an exception with it. */
    String kubectl(String... args) {
        List<String> cmd = new ArrayList<>(List.of(dir.resolve("kubectl").toString()));
        cmd.addAll(List.of(args));
        return ChildProcess.run("kubectl", cmd, E2eFiles.workDir().resolve("logs/kubectl-" + System.nanoTime() + ".log"),
                Duration.ofMinutes(2));
    }

    private void clusterSh(String command) {
        ChildProcess.run("cluster.sh " + command, List.of("bash", script().toString(), command, dir.toString()),
                E2eFiles.workDir().resolve("logs/cluster-" + command + ".log"), Duration.ofMinutes(3));
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        client.close();
        if (owned) {
            ChildProcess.run("cluster.sh down", List.of("bash", script().toString(), "down", dir.toString()),
                    E2eFiles.workDir().resolve("logs/cluster-down.log"), Duration.ofMinutes(2));
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
