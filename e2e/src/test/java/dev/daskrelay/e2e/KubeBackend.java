package dev.daskrelay.e2e;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;

/**
 * Where the DaskJobs run: the real cluster of the test bed ({@link RealCluster}) or the in-memory API with the Dask
 * operator simulator ({@link SimulatedCluster}). The same scenarios run on both; their status timelines are compared.
 */
interface KubeBackend extends AutoCloseable {

    /** A short name for reports: {@code real} or {@code simulator}. */
    String name();

    /** The kubeconfig the translator and watcher child processes use. */
    Path kubeconfig();

    /** A client for the test's own checks and actions. */
    KubernetesClient client();

    /** Stops the Dask operator only (everything else keeps running). */
    void stopOperator();

    /** Starts it again; returns when it is live. */
    void startOperator();

    @Override
    void close();
}
