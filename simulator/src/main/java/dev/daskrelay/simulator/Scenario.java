package dev.daskrelay.simulator;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the simulated world does with one DaskJob, read from the DaskJob's annotations (the scenario table of
 * simulator/README.md). The operator copies the annotations to the runner and worker pods, so the kubelet stand-in
 * reads them from the pod.
 *
 * @param kind       the scenario
 * @param exitCode   the runner's exit code ({@code runner-exit:<code>}; 0 for success, 137 for oom)
 * @param runFor     how long the runner runs before it ends; empty = the timing default
 * @param startDelay extra delay before the pod's containers start (slow start); empty = the timing default
 */
public record Scenario(Kind kind, int exitCode, Optional<Duration> runFor, Optional<Duration> startDelay) {

    /** {@code simulator.daskrelay.dev/scenario}: one of {@link Kind}'s names, or {@code runner-exit:<code>}. */
    public static final String SCENARIO_ANNOTATION = "simulator.daskrelay.dev/scenario";
    /** {@code simulator.daskrelay.dev/run-for}: a duration such as {@code 2s}, {@code 500ms}, {@code 1m30s}. */
    public static final String RUN_FOR_ANNOTATION = "simulator.daskrelay.dev/run-for";
    /** {@code simulator.daskrelay.dev/start-delay}: simulator extension, a slow start of the job's pods. */
    public static final String START_DELAY_ANNOTATION = "simulator.daskrelay.dev/start-delay";

    public static final Scenario DEFAULT = new Scenario(Kind.SUCCESS, 0, Optional.empty(), Optional.empty());

    public enum Kind {
        /** The runner runs for run-for and exits 0. */
        SUCCESS("success"),
        /** The runner runs for run-for and exits with the given code. */
        RUNNER_EXIT("runner-exit"),
        /** The runner runs for run-for and is OOM-killed (exit 137, reason OOMKilled). */
        OOM("oom"),
        /** The runner image cannot be pulled: waiting ErrImagePull, then ImagePullBackOff; the pod stays Pending. */
        IMAGE_PULL_ERROR("image-pull-error"),
        /** The runner image name is invalid: waiting InvalidImageName; the pod stays Pending. */
        INVALID_IMAGE("invalid-image"),
        /** The runner cannot be scheduled: PodScheduled=False/Unschedulable and a FailedScheduling Event. */
        UNSCHEDULABLE("unschedulable"),
        /** The worker pods cannot be scheduled; the runner runs until run-for (then exit 1) or forever. */
        WORKERS_NEVER_READY("workers-never-ready"),
        /** The operator marks the DaskJob JobCreated and never does anything else with it. */
        OPERATOR_STUCK("operator-stuck");

        private final String value;

        Kind(String value) {
            this.value = value;
        }

        public String value() {
            return value;
        }
    }

    private static final Pattern RUNNER_EXIT = Pattern.compile("runner-exit:(\\d{1,3})");
    private static final Pattern DURATION_PART = Pattern.compile("(\\d+)(ms|s|m|h)");

    public Scenario {
        if (exitCode < 0 || exitCode > 255) {
            throw new IllegalArgumentException("exitCode: must be 0..255, was " + exitCode);
        }
    }

    /**
     * Reads the scenario from annotations. Missing annotations give the defaults.
     *
     * @throws IllegalArgumentException naming the annotation path when a value is not understood
     */
    public static Scenario fromAnnotations(Map<String, String> annotations) {
        Map<String, String> a = annotations == null ? Map.of() : annotations;
        Kind kind = Kind.SUCCESS;
        int exit = 0;
        String raw = a.get(SCENARIO_ANNOTATION);
        if (raw != null && !raw.isBlank()) {
            String value = raw.trim();
            Matcher m = RUNNER_EXIT.matcher(value);
            if (m.matches()) {
                kind = Kind.RUNNER_EXIT;
                exit = Integer.parseInt(m.group(1));
                if (exit > 255) {
                    throw invalid(SCENARIO_ANNOTATION, raw, "exit code must be 0..255");
                }
            } else {
                kind = null;
                for (Kind k : Kind.values()) {
                    if (k != Kind.RUNNER_EXIT && k.value.equals(value)) {
                        kind = k;
                    }
                }
                if (kind == null) {
                    throw invalid(SCENARIO_ANNOTATION, raw, "expected one of success, runner-exit:<code>, oom, "
                            + "image-pull-error, invalid-image, unschedulable, workers-never-ready, operator-stuck");
                }
                exit = kind == Kind.OOM ? 137 : 0;
            }
        }
        return new Scenario(kind, exit, duration(a, RUN_FOR_ANNOTATION), duration(a, START_DELAY_ANNOTATION));
    }

    /** Like {@link #fromAnnotations} but falls back to {@link #DEFAULT} (keeping what parsed) on bad input. */
    public static Scenario lenient(Map<String, String> annotations) {
        try {
            return fromAnnotations(annotations);
        } catch (IllegalArgumentException e) {
            return DEFAULT;
        }
    }

    /** The runner's exit code when it ends; meaningful for SUCCESS, RUNNER_EXIT, OOM and WORKERS_NEVER_READY. */
    public int runnerExitCode() {
        return kind == Kind.WORKERS_NEVER_READY ? 1 : exitCode;
    }

    /** Parses Go-style durations made of ms/s/m/h parts, e.g. {@code 2s}, {@code 1m30s}, {@code 250ms}. */
    public static Duration parseDuration(String text) {
        String s = text.trim();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty duration");
        }
        Matcher m = DURATION_PART.matcher(s);
        Duration total = Duration.ZERO;
        int end = 0;
        while (m.lookingAt()) {
            long n = Long.parseLong(m.group(1));
            total = total.plus(switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            });
            end = m.end();
            m.region(end, s.length());
        }
        if (end != s.length()) {
            throw new IllegalArgumentException("not a duration: '" + text + "' (use e.g. 2s, 500ms, 1m30s)");
        }
        return total;
    }

    private static Optional<Duration> duration(Map<String, String> a, String key) {
        String raw = a.get(key);
        if (raw == null || raw.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(parseDuration(raw));
        } catch (IllegalArgumentException e) {
            throw invalid(key, raw, e.getMessage());
        }
    }

    private static IllegalArgumentException invalid(String key, String raw, String why) {
        return new IllegalArgumentException("metadata.annotations[\"" + key + "\"]: invalid value '" + raw + "': " + why);
    }
}
