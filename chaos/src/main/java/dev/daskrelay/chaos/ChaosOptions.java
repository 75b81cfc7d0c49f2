package dev.daskrelay.chaos;

import java.nio.file.Path;
import java.time.Duration;

/**
 * What one chaos run does.
 *
 * @param repo            the repository (testbed/kube/cluster.sh, local/target/daskrelay.jar)
 * @param jar             the daskrelay jar the translators and watchers run from
 * @param dir             the run's directory (logs, state, plan, report)
 * @param launches        planned tasks
 * @param rate            their launches per second
 * @param killMin         shortest time between two kills
 * @param killMax         longest time between two kills
 * @param brokerRestarts  broker restarts (SIGKILL and start again), spread over the launch phase
 * @param relists         forced relists (etcd compaction + API server restart), spread over the launch phase
 * @param faultRate       fraction of API requests of daskrelay's processes that get a fault
 * @param hostile         random hostile records mixed in (plus the corpus, one of each kind)
 * @param wipeState       probability that a restarted process starts with an empty state directory
 * @param drainTimeout    how long to wait after the last command for every task to finish
 * @param seed            the seed of everything random
 * @param partitions      partitions of the five topics
 * @param staticMembership give each process's Kafka Streams consumers a {@code group.instance.id} of its own name
 *                        (Kafka's static membership: a restarted process takes its partitions back without a
 *                        rebalance)
 */
record ChaosOptions(Path repo, Path jar, Path dir, int launches, double rate, Duration killMin, Duration killMax,
                    int brokerRestarts, int relists, double faultRate, int hostile, double wipeState,
                    Duration drainTimeout, long seed, int partitions, boolean staticMembership) {

    /** The shape of the run, for the report. */
    String describe() {
        return launches + " launches at " + rate + "/s, a kill every " + killMin.toSeconds() + "–" + killMax.toSeconds()
                + " s, " + brokerRestarts + " broker restart(s), " + relists + " forced relist(s), " + Math.round(faultRate * 100)
                + " % API faults, " + hostile + " random hostile records + the corpus, seed " + seed
                + (staticMembership ? ", static group membership" : "");
    }
}
