package dev.daskrelay.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The real-cluster test bed (testbed/kube/cluster.sh): etcd, kube-apiserver, controller-manager, scheduler, kwok
 * nodes and the real Dask operator, started for the run with an audit log of every DaskJob create and delete
 * (the auditor's record of what reached the cluster), and the two disruptions the suite uses: etcd compaction and
 * an API server restart (which together make every client's watch resume with 410 Gone and relist).
 */
final class TestBed {

    /** How long a restarted API server may take to answer /readyz (the test bed's 120 s is too short at load 10+). */
    static final Duration API_READY_TIMEOUT = Duration.ofMinutes(5);

    /** The audit policy: DaskJob creates and deletes with their request bodies, nothing else. */
    static final String AUDIT_POLICY = """
            apiVersion: audit.k8s.io/v1
            kind: Policy
            omitStages: ["RequestReceived"]
            rules:
            - level: Request
              resources: [{group: "kubernetes.dask.org", resources: ["daskjobs"]}]
              verbs: ["create", "delete"]
            - level: None
            """;

    private final Path repo;
    private final Path dir;
    private final Path logs;
    private final Path audit;
    private Path kubeconfig;

    /**
     * @param dir   the cluster's directory (cluster.sh's state, removed by {@code down})
     * @param logs  where the harness's logs of cluster.sh go
     * @param audit where the API server's audit policy and log go (outside {@code dir}, so they outlive the cluster)
     */
    TestBed(Path repo, Path dir, Path logs, Path audit) {
        this.repo = repo;
        this.dir = dir;
        this.logs = logs;
        this.audit = audit;
    }

    Path dir() {
        return dir;
    }

    Path auditLog() {
        return audit.resolve("daskjobs.log");
    }

    Path kubeconfig() {
        return kubeconfig;
    }

    /** {@code cluster.sh up} with the audit log; returns when the cluster is usable. */
    void up() throws IOException {
        Files.createDirectories(audit);
        Files.writeString(audit.resolve("policy.yaml"), AUDIT_POLICY);
        Map<String, String> env = Map.of("EXTRA_APISERVER_FLAGS", "--audit-policy-file=" + audit.resolve("policy.yaml")
                + " --audit-log-path=" + auditLog() + " --audit-log-format=json --audit-log-mode=blocking"
                + " --audit-log-maxsize=0");
        int rc = Child.run("cluster.sh up", List.of("bash", script().toString(), "up", dir.toString()),
                logs.resolve("cluster-up.log"), env, Duration.ofMinutes(50));
        if (rc != 0) {
            throw new IllegalStateException("cluster.sh up failed (exit " + rc + "); log " + logs.resolve("cluster-up.log"));
        }
        kubeconfig = dir.resolve("kubeconfig");
    }

    /** Compacts etcd to its current revision; returns the revision. */
    long compactEtcd() {
        Path log = logs.resolve("etcd-compact.log");
        int rc = Child.run("cluster.sh etcd-compact", List.of("bash", script().toString(), "etcd-compact", dir.toString()),
                log, Map.of(), Duration.ofMinutes(2));
        if (rc != 0) {
            throw new IllegalStateException("etcd compaction failed; log " + log);
        }
        try {
            List<String> lines = Files.readAllLines(log);
            return Long.parseLong(lines.get(lines.size() - 1).strip());
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Restarts kube-apiserver with the same command line; returns when it is ready again. */
    void restartApiServer() {
        // at a load of 10 and more on two cores a restarted API server can take minutes to be ready: wait up to
        // API_READY_TIMEOUT, within the child's own limit
        int rc = Child.run("cluster.sh apiserver-restart", List.of("bash", script().toString(), "apiserver-restart",
                dir.toString()), logs.resolve("apiserver-restart.log"),
                Map.of("READY_TIMEOUT", Long.toString(API_READY_TIMEOUT.toSeconds())), Duration.ofMinutes(6));
        if (rc != 0) {
            throw new IllegalStateException("API server restart failed; log " + logs.resolve("apiserver-restart.log"));
        }
    }

    /** {@code cluster.sh down}: every process of the cluster stopped, its state removed (its logs kept). */
    void down() {
        Child.run("cluster.sh down", List.of("bash", script().toString(), "down", dir.toString()),
                logs.resolve("cluster-down.log"), Map.of(), Duration.ofMinutes(3));
    }

    private Path script() {
        return repo.resolve("testbed/kube/cluster.sh");
    }

    /** What a kubeconfig of the test bed says: server, CA (PEM), bearer token. */
    record Access(URI server, byte[] caPem, String token) {

        static Access read(Path kubeconfig) {
            try {
                JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(kubeconfig.toFile());
                JsonNode cluster = root.path("clusters").get(0).path("cluster");
                JsonNode user = root.path("users").get(0).path("user");
                return new Access(URI.create(cluster.path("server").asText()),
                        Base64.getDecoder().decode(cluster.path("certificate-authority-data").asText()),
                        user.path("token").asText());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + kubeconfig, e);
            }
        }

        /** A kubeconfig for the same user against {@code server}, trusting {@code caPem}. */
        String kubeconfigFor(URI server, byte[] caPem, String namespace) {
            return """
                    apiVersion: v1
                    kind: Config
                    clusters:
                    - name: chaos
                      cluster:
                        server: %s
                        certificate-authority-data: %s
                    users:
                    - name: chaos
                      user:
                        token: %s
                    contexts:
                    - name: chaos
                      context: {cluster: chaos, user: chaos, namespace: %s}
                    current-context: chaos
                    """.formatted(server, Base64.getEncoder().encodeToString(caPem), token, namespace);
        }
    }
}
