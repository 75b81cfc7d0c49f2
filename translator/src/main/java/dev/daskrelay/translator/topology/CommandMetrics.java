package dev.daskrelay.translator.topology;

import dev.daskrelay.avro.v1.CommandOutcomeKind;
import dev.daskrelay.avro.v1.IntentAction;
import dev.daskrelay.schemas.DeadLetterHeaders;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * Meters of the command topology. Tags are closed sets (command type, outcome kind, intent action), never a task.
 * <ul>
 *   <li>{@code daskrelay.translator.commands} {type=launch|abort}</li>
 *   <li>{@code daskrelay.translator.command.outcomes} {kind}</li>
 *   <li>{@code daskrelay.translator.rejections}</li>
 *   <li>{@code daskrelay.translator.dead.letters} {stage}</li>
 *   <li>{@code daskrelay.translator.intents} {action}</li>
 *   <li>{@code daskrelay.translator.commands.rerouted}: commands the repartition moved to another partition than
 *       the producer chose (producers that do not partition by {@code murmur2(taskId)}, e.g. librdkafka's CRC32)</li>
 *   <li>{@code daskrelay.translator.fates.expired}: task fates forgotten after {@code translator.fateRetention}</li>
 * </ul>
 */
public final class CommandMetrics {

    private final Counter launches;
    private final Counter aborts;
    private final Counter rejections;
    private final Map<DeadLetterHeaders.Stage, Counter> deadLetters = new EnumMap<>(DeadLetterHeaders.Stage.class);
    private final Counter rerouted;
    private final Counter fatesExpired;
    private final Map<CommandOutcomeKind, Counter> outcomes = new EnumMap<>(CommandOutcomeKind.class);
    private final Map<IntentAction, Counter> intents = new EnumMap<>(IntentAction.class);

    public CommandMetrics(MeterRegistry registry) {
        launches = Counter.builder("daskrelay.translator.commands").tag("type", "launch")
                .description("commands read").register(registry);
        aborts = Counter.builder("daskrelay.translator.commands").tag("type", "abort")
                .description("commands read").register(registry);
        rejections = Counter.builder("daskrelay.translator.rejections")
                .description("launches rejected as invalid").register(registry);
        for (DeadLetterHeaders.Stage s : DeadLetterHeaders.Stage.values()) {
            deadLetters.put(s, Counter.builder("daskrelay.translator.dead.letters").tag("stage", s.value())
                    .description("records sent to the dead-letter topic").register(registry));
        }
        rerouted = Counter.builder("daskrelay.translator.commands.rerouted")
                .description("commands moved to their task's partition by the repartition").register(registry);
        fatesExpired = Counter.builder("daskrelay.translator.fates.expired")
                .description("task fates forgotten after the fate retention").register(registry);
        for (CommandOutcomeKind k : CommandOutcomeKind.values()) {
            outcomes.put(k, Counter.builder("daskrelay.translator.command.outcomes")
                    .tag("kind", k.name().toLowerCase(Locale.ROOT)).register(registry));
        }
        for (IntentAction a : IntentAction.values()) {
            intents.put(a, Counter.builder("daskrelay.translator.intents")
                    .tag("action", a.name().toLowerCase(Locale.ROOT)).description("intents emitted").register(registry));
        }
    }

    void command(boolean launch) {
        (launch ? launches : aborts).increment();
    }

    void outcome(CommandOutcomeKind kind) {
        outcomes.get(kind).increment();
        if (kind == CommandOutcomeKind.LAUNCH_REJECTED) {
            rejections.increment();
        }
    }

    void intent(IntentAction action) {
        intents.get(action).increment();
    }

    void rerouted() {
        rerouted.increment();
    }

    void fatesExpired(int n) {
        fatesExpired.increment(n);
    }

    void deadLetter(DeadLetterHeaders.Stage stage) {
        deadLetters.get(stage).increment();
    }
}
