package dev.daskrelay.schemas;

import java.util.List;

/**
 * The topic names of one daskrelay installation (docs/ARCHITECTURE.md, Topics). Every topic is keyed by the
 * task id, so one task's records stay in one partition and in order.
 *
 * @param prefix the common prefix, e.g. {@code daskrelay}
 */
public record Topics(String prefix) {

    public static final String DEFAULT_PREFIX = "daskrelay";

    public Topics {
        if (prefix == null || prefix.isBlank()) {
            prefix = DEFAULT_PREFIX;
        }
        if (!prefix.matches("[A-Za-z0-9._-]{1,200}")) {
            throw new IllegalArgumentException("kafka.topicPrefix: must match [A-Za-z0-9._-]{1,200} (was \"" + prefix + "\")");
        }
    }

    /** {@code TaskCommand}: launch or abort, written by orchestrators and the submitter. */
    public String commands() {
        return prefix + ".commands";
    }

    /** {@code DaskJobIntent}: what the applier makes true in Kubernetes. */
    public String intents() {
        return prefix + ".intents";
    }

    /** {@code Observation}: facts from the command topology, the applier and the watcher bridge. */
    public String observations() {
        return prefix + ".observations";
    }

    /** {@code TaskStatus}: written only by the status topology. */
    public String status() {
        return prefix + ".status";
    }

    /** Undecodable records: original key and bytes, error headers ({@link DeadLetterHeaders}). */
    public String deadLetters() {
        return prefix + ".dead-letters";
    }

    /** Every topic, in pipeline order. */
    public List<String> all() {
        return List.of(commands(), intents(), observations(), status(), deadLetters());
    }
}
