package dev.daskrelay.submitter.cli;

import dev.daskrelay.avro.v1.Observation;
import dev.daskrelay.avro.v1.TaskCommand;
import dev.daskrelay.avro.v1.TaskStatus;
import dev.daskrelay.schemas.ExitCodes;
import dev.daskrelay.schemas.Topics;
import dev.daskrelay.schemas.config.DaskRelayConfig;
import dev.daskrelay.schemas.serde.AvroSerde;
import dev.daskrelay.schemas.serde.AvroSerdes;
import dev.daskrelay.submitter.client.DaskRelayClient;
import dev.daskrelay.submitter.output.StatusFormat;
import dev.daskrelay.submitter.query.LenientDeserializer;
import dev.daskrelay.submitter.replay.ObservedOutcome;
import dev.daskrelay.submitter.replay.ReplayFilter;
import dev.daskrelay.submitter.replay.ReplayReader;
import dev.daskrelay.submitter.replay.ReplayRecord;
import dev.daskrelay.submitter.replay.ReplayReport;
import dev.daskrelay.submitter.replay.TimeArg;
import dev.daskrelay.submitter.replay.TimelineHtml;
import dev.daskrelay.submitter.replay.TimelineText;
import dev.daskrelay.submitter.replay.TopicValueDeserializer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code daskrelay replay}: audit the commands and status topics over a time range. Read-only: an assigned
 * consumer without a group; it never writes a record nor commits an offset.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = {"Audit: read commands and status between two times, print per-task timelines and check them "
                + "for anomalies (sequence gaps, events after a terminal phase, launches without a terminal status, "
                + "duplicate event ids, phase regressions). Never writes to any topic, never commits offsets.",
                "Launches younger than --in-flight-grace (default 24h) may still be running and are not anomalies.",
                "Exit 0 when no anomaly was found; 1 when anomalies were found or Kafka cannot be reached; 2 on bad "
                + "usage."},
        footerHeading = "%nExamples:%n",
        footer = {"  daskrelay replay                                   # everything, as a table",
                "  daskrelay replay --from -2h --task TASK_ID",
                "  daskrelay replay --from 2026-11-27 --to 2026-11-28 --execution flytesnacks/development -o json",
                "  daskrelay replay -o html --out replay.html",
                "  daskrelay replay --in-flight-grace 0s              # strict: every launch must have ended"})
public final class ReplayCommand extends ClientCommand {

    enum Output { table, json, html }

    @Option(names = "--from", paramLabel = "TIME", description = "Start (inclusive): " + TimeArg.EXPECTED + "; default: the beginning.")
    String from;

    @Option(names = "--to", paramLabel = "TIME", description = "End (exclusive), same forms; default: now.")
    String to;

    @Option(names = "--task", paramLabel = "TASK_ID", description = "Only this task (repeatable).")
    List<String> tasks;

    @Option(names = "--execution", paramLabel = "PROJECT/DOMAIN/NAME", description = "Only tasks of this execution (or project[/domain]).")
    String execution;

    @Option(names = "--namespace", description = "Only tasks targeting this namespace.")
    String namespace;

    @Option(names = {"-o", "--output"}, defaultValue = "table",
            description = "table (default), json (JSON lines, ending with a summary object) or html.")
    Output output;

    @Option(names = "--out", paramLabel = "FILE", description = "Write the report to FILE instead of stdout (required for html).")
    Path outFile;

    @Option(names = "--in-flight-grace", paramLabel = "DURATION", defaultValue = "24h",
            description = "Launches younger than this at the end of the range may still run: not reported as "
                    + "without terminal status (default ${DEFAULT-VALUE}; 0s = every launch must have ended).")
    String inFlightGrace;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "60s",
            description = "Give up when reading makes no progress for this long (default ${DEFAULT-VALUE}).")
    String timeout;

    private Instant now;
    private Instant fromTime;
    private Instant toTime;
    private ReplayFilter filter;
    private Duration grace;
    private Duration readTimeout;

    @Override
    int validate(DaskRelayConfig config) {
        now = Instant.now();
        fromTime = from == null ? null : time("--from", from);
        toTime = to == null ? null : time("--to", to);
        if (fromTime != null && toTime != null && !fromTime.isBefore(toTime)) {
            throw new IllegalArgumentException("--from must be before --to (was " + StatusFormat.iso(fromTime) + " .. "
                    + StatusFormat.iso(toTime) + ")");
        }
        if (output == Output.html && outFile == null) {
            throw new IllegalArgumentException("-o html needs --out FILE");
        }
        if (tasks != null) {
            taskIds(tasks);
        }
        filter = new ReplayFilter(tasks, execution, namespace);
        grace = nonNegative("--in-flight-grace", inFlightGrace);
        readTimeout = positive("--timeout", timeout);
        return OK;
    }

    private Instant time(String option, String text) {
        try {
            return TimeArg.parse(text, now);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + ": " + e.getMessage());
        }
    }

    @Override
    int run(DaskRelayClient client, DaskRelayConfig config) {
        Topics topics = config.kafka().topics();
        Map<String, String> registry = config.registry().config();
        List<ReplayRecord> records;
        List<ObservedOutcome> outcomes = List.of();
        try (AvroSerde<TaskCommand> commands = AvroSerdes.specific(TaskCommand.class, registry, false);
             AvroSerde<TaskStatus> statuses = AvroSerdes.specific(TaskStatus.class, registry, false);
             AvroSerde<Observation> observations = AvroSerdes.specific(Observation.class, registry, false);
             KafkaConsumer<String, Object> consumer = new KafkaConsumer<>(
                     DaskRelayClient.readerProperties(config.kafka().clientProperties()), new StringDeserializer(),
                     new TopicValueDeserializer(Map.of(
                             topics.commands(), new LenientDeserializer<>(commands.deserializer()),
                             topics.status(), new LenientDeserializer<>(statuses.deserializer()),
                             topics.observations(), new LenientDeserializer<>(observations.deserializer()))))) {
            ReplayReader reader = new ReplayReader(consumer, topics, readTimeout);
            records = reader.read(fromTime, toTime);
            try {
                outcomes = reader.readOutcomes(fromTime, toTime);
            } catch (AuthorizationException e) {
                err().println("note: " + topics.observations() + " is not readable (" + e.getMessage()
                        + "): status and cluster agreement not checked");
            }
        }
        Instant end = toTime == null ? now : toTime;
        ReplayReport report = ReplayReport.of(records, outcomes, filter, fromTime, toTime, end.minus(grace));
        String text = switch (output) {
            case table -> TimelineText.table(report);
            case json -> String.join("\n", TimelineText.jsonLines(report)) + "\n";
            case html -> TimelineHtml.render(report);
        };
        String counts = TimelineText.count(report.timelines().size(), "task") + ", "
                + TimelineText.count(report.anomalies().size(), "anomaly");
        if (outFile != null) {
            try {
                Files.writeString(outFile, text);
            } catch (IOException e) {
                err().println("error: cannot write " + outFile + ": " + e.getMessage());
                return ExitCodes.FAILURE;
            }
            out().println("wrote " + outFile + ": " + counts);
        } else {
            out().print(text);
        }
        if (!report.anomalies().isEmpty()) {
            err().println(TimelineText.count(report.anomalies().size(), "anomaly") + " found");
            return FAILED;
        }
        return ExitCodes.OK;
    }
}
