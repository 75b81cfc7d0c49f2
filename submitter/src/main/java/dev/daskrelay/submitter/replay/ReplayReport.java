package dev.daskrelay.submitter.replay;

import java.time.Instant;
import java.util.List;

/**
 * The outcome of a replay: the timelines shown and the anomalies found in them.
 *
 * @param from lower bound asked for (null = the beginning)
 * @param to upper bound asked for (null = the end when the replay started)
 */
public record ReplayReport(Instant from, Instant to, List<TaskTimeline> timelines, List<Anomaly> anomalies) {

    public ReplayReport {
        timelines = List.copyOf(timelines);
        anomalies = List.copyOf(anomalies);
    }

    /** Groups, filters and checks the records read (pure). */
    public static ReplayReport of(List<ReplayRecord> records, ReplayFilter filter, Instant from, Instant to,
                                  Instant inFlightCutoff) {
        return of(records, List.of(), filter, from, to, inFlightCutoff);
    }

    /** {@link #of(List, ReplayFilter, Instant, Instant, Instant)} with the observed outcomes for the cluster checks. */
    public static ReplayReport of(List<ReplayRecord> records, List<ObservedOutcome> outcomes, ReplayFilter filter,
                                  Instant from, Instant to, Instant inFlightCutoff) {
        List<TaskTimeline> timelines = filter.apply(TaskTimeline.group(records));
        return new ReplayReport(from, to, timelines, AnomalyCheck.check(timelines, outcomes, inFlightCutoff));
    }
}
