package dev.daskrelay.local;

import dev.daskrelay.schemas.Topics;
import dev.daskrelay.schemas.config.KafkaSettings;

/**
 * How {@code daskrelay local --keep-running} prints commands to copy into another terminal: with exactly the
 * settings the other commands need to find this stack ({@code DASKRELAY_BOOTSTRAP_SERVERS} when the broker is not on
 * the default port, {@code DASKRELAY_TOPIC_PREFIX} when the topic prefix is not the default), so a pasted command
 * works as printed.
 */
final class CopyPaste {

    /** The command when the stack uses the defaults. */
    static final String PLAIN = "bin/daskrelay";

    private CopyPaste() {
    }

    static String cli(String bootstrapServers, String topicPrefix) {
        StringBuilder b = new StringBuilder();
        if (!KafkaSettings.LOCAL_STACK_BOOTSTRAP.equals(bootstrapServers)) {
            b.append("DASKRELAY_BOOTSTRAP_SERVERS=").append(bootstrapServers).append(' ');
        }
        if (!Topics.DEFAULT_PREFIX.equals(topicPrefix)) {
            b.append("DASKRELAY_TOPIC_PREFIX=").append(topicPrefix).append(' ');
        }
        return b.append(PLAIN).toString();
    }
}
