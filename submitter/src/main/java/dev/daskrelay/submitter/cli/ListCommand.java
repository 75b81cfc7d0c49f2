package dev.daskrelay.submitter.cli;

import dev.daskrelay.avro.v1.TaskCommand;
import dev.daskrelay.avro.v1.TaskStatus;
import dev.daskrelay.schemas.Topics;
import dev.daskrelay.schemas.config.DaskRelayConfig;
import dev.daskrelay.schemas.serde.AvroSerde;
import dev.daskrelay.schemas.serde.AvroSerdes;
import dev.daskrelay.schemas.task.DurationText;
import dev.daskrelay.submitter.client.DaskRelayClient;
import dev.daskrelay.submitter.output.StatusFormat;
import dev.daskrelay.submitter.output.TaskList;
import dev.daskrelay.submitter.query.LenientDeserializer;
import dev.daskrelay.submitter.replay.ReplayFilter;
import dev.daskrelay.submitter.replay.ReplayReader;
import dev.daskrelay.submitter.replay.ReplayRecord;
import dev.daskrelay.submitter.replay.TaskTimeline;
import dev.daskrelay.submitter.replay.TopicValueDeserializer;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code daskrelay list}: the tasks with a launch or a status in the last {@code --since} (default 24h), newest
 * activity first, with their phase, age and latest reason. Reads the commands and status topics of the window
 * once, read-only, like {@code replay}.
 */
@Command(name = "list", mixinStandardHelpOptions = true,
        description = {"List recent tasks: phase, age (since launch), time since the last update, latest reason.",
                "Exit 0 when listed (also when none matched); 1 when Kafka cannot be reached; 2 on bad usage."},
        footerHeading = "%nExamples:%n",
        footer = {"  daskrelay list",
                "  daskrelay list --active                       # not finished yet",
                "  daskrelay list --phase FAILED --since 7d",
                "  daskrelay list --execution flytesnacks/development -o json"})
public final class ListCommand extends ClientCommand {

    @Option(names = "--since", paramLabel = "DURATION", defaultValue = "24h",
            description = "Tasks with records in this last stretch of time (default ${DEFAULT-VALUE}).")
    String since;

    @Option(names = "--phase", paramLabel = "PHASE", split = ",",
            description = "Only tasks whose latest phase is one of these (repeatable or comma-separated; SUBMITTED "
                    + "= launched, no status yet).")
    List<String> phases;

    @Option(names = "--active", description = "Only tasks that have not finished.")
    boolean active;

    @Option(names = "--execution", paramLabel = "PROJECT[/DOMAIN[/NAME]]", description = "Only tasks of this execution.")
    String execution;

    @Option(names = "--namespace", description = "Only tasks targeting this namespace.")
    String namespace;

    @Option(names = "--limit", defaultValue = "50", description = "At most this many rows (default ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = {"-o", "--output"}, defaultValue = "text", description = "text (default) or json (one object per task and line).")
    StatusPrinter.Format output;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "60s",
            description = "Give up when reading makes no progress for this long (default ${DEFAULT-VALUE}).")
    String timeout;

    private Duration window;
    private Duration readTimeout;
    private Set<String> phaseNames = Set.of();
    private ReplayFilter filter;

    @Override
    int validate(DaskRelayConfig config) {
        window = positive("--since", since);
        readTimeout = positive("--timeout", timeout);
        if (limit < 1) {
            throw new IllegalArgumentException("--limit: must be at least 1 (was " + limit + ")");
        }
        if (phases != null) {
            Set<String> names = new LinkedHashSet<>();
            phases.forEach(p -> names.add(TaskList.phaseName(p)));
            phaseNames = names;
        }
        filter = new ReplayFilter(List.of(), execution, namespace);
        return OK;
    }

    @Override
    int run(DaskRelayClient client, DaskRelayConfig config) {
        Instant now = Instant.now();
        Topics topics = config.kafka().topics();
        Map<String, String> registry = config.registry().config();
        List<ReplayRecord> records;
        try (AvroSerde<TaskCommand> commands = AvroSerdes.specific(TaskCommand.class, registry, false);
             AvroSerde<TaskStatus> statuses = AvroSerdes.specific(TaskStatus.class, registry, false);
             KafkaConsumer<String, Object> consumer = new KafkaConsumer<>(
                     DaskRelayClient.readerProperties(config.kafka().clientProperties()), new StringDeserializer(),
                     new TopicValueDeserializer(Map.of(
                             topics.commands(), new LenientDeserializer<>(commands.deserializer()),
                             topics.status(), new LenientDeserializer<>(statuses.deserializer()))))) {
            records = new ReplayReader(consumer, topics, readTimeout).read(now.minus(window), null);
        }
        List<TaskTimeline> timelines = filter.apply(TaskTimeline.group(records));
        List<TaskList.Row> rows = TaskList.rows(timelines, phaseNames, active, limit);
        if (output == StatusPrinter.Format.json) {
            rows.forEach(r -> out().println(StatusFormat.write(TaskList.json(r))));
            return OK;
        }
        if (rows.isEmpty()) {
            out().println("no tasks in the last " + DurationText.format(window)
                    + (phaseNames.isEmpty() && !active && execution == null && namespace == null ? "" : " that match"));
            return OK;
        }
        out().print(TaskList.table(rows, now, interactive() ? terminalWidth() : 0));
        return OK;
    }

    /** The terminal's width from {@code COLUMNS}, else 80. */
    static int terminalWidth() {
        try {
            int c = Integer.parseInt(System.getenv().getOrDefault("COLUMNS", "80").trim());
            return c >= 20 ? c : 80;
        } catch (NumberFormatException e) {
            return 80;
        }
    }
}
