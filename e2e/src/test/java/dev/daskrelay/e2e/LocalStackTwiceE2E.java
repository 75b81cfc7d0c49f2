package dev.daskrelay.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * {@code daskrelay local --kubeconfig <test bed>} with the bundled examples, twice in a row against the same
 * cluster: both runs exit 0, and the second one (new topics, the first run's DaskJobs still there) adopts them and
 * reports the same ends and error codes.
 */
@Order(3)
class LocalStackTwiceE2E {

    @Test
    void bundledExamplesPassTwiceAgainstTheSameCluster() throws IOException {
        RealCluster cluster = RealCluster.shared();
        String ns = "local-twice";
        if (cluster.client().namespaces().withName(ns).get() == null) {
            cluster.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata()
                    .build()).create();
        }
        Path dir = E2eFiles.fresh(E2eFiles.workDir().resolve("local-twice"));
        Path config = dir.resolve("daskrelay.yaml");
        Files.writeString(config, "platform:\n  namespace: " + ns + "\n  allowedNamespaces: [" + ns + "]\n");
        String first = local(cluster, config, dir.resolve("run-1.log"));
        String second = local(cluster, config, dir.resolve("run-2.log"));
        for (String out : new String[] {first, second}) {
            assertTrue(out.contains("RunnerExitCode"), "the failing example ends with the runner's exit code:\n" + out);
            assertTrue(!out.contains("DownstreamSystemError"), out);
        }
    }

    private static String local(RealCluster cluster, Path config, Path log) throws IOException {
        ChildProcess p = ChildProcess.start("daskrelay local", ChildProcess.daskrelay("local", "--kubeconfig",
                cluster.kubeconfig().toString(), "--config", config.toString(), "--kafka-port", "0", "--plain"), log);
        int rc = p.waitFor(Duration.ofMinutes(6));
        String out = Files.readString(log);
        assertEquals(0, rc, "daskrelay local exit code; output:\n" + out);
        return out;
    }
}
