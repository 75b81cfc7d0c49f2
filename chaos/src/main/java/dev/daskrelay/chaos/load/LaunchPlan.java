package dev.daskrelay.chaos.load;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The launches of one run, decided up front from a seed (pure): which tasks, what each does on the test bed, and
 * which of them are aborted, aborted before their launch, sent twice or invalid. Each task knows the outcome it must
 * end with, which the auditor checks besides the invariants.
 *
 * <table>
 *   <caption>kinds</caption>
 *   <tr><th>kind</th><th>share</th><th>commands</th><th>expected</th><th>DaskJobs</th></tr>
 *   <tr><td>GOOD</td><td>rest</td><td>launch</td><td>its scenario's end</td><td>1</td></tr>
 *   <tr><td>ABORTED</td><td>10 %</td><td>launch of a 2-minute job, abort 5–15 s later</td><td>ABORTED</td><td>1</td></tr>
 *   <tr><td>ABORT_FIRST</td><td>3 %</td><td>abort, then launch 1–3 s later</td><td>ABORTED, nothing created</td><td>0</td></tr>
 *   <tr><td>DUPLICATE_RECORD</td><td>5 %</td><td>the same launch record twice, up to 20 s apart</td><td>its scenario's end</td><td>1</td></tr>
 *   <tr><td>DUPLICATE_LAUNCH</td><td>5 %</td><td>two launches of the task with different command ids</td><td>its scenario's end</td><td>1</td></tr>
 *   <tr><td>INVALID</td><td>7 %</td><td>a launch with invalid content (a hostile record)</td><td>FAILED BadTaskSpecification</td><td>0</td></tr>
 * </table>
 *
 * Scenarios of the launches that run: {@code success} (60 %), {@code runner-exit:N} (25 %), {@code oom} (15 %),
 * running 1–4 s.
 */
public final class LaunchPlan {

    /** What happens to a task. */
    public enum Kind { GOOD, ABORTED, ABORT_FIRST, DUPLICATE_RECORD, DUPLICATE_LAUNCH, INVALID }

    /** One command to send, {@code at} after the start of the launch phase. */
    public record Send(Duration at, int task, Step step) {
    }

    /** What a send is. */
    public enum Step { LAUNCH, LAUNCH_AGAIN_SAME_RECORD, LAUNCH_AGAIN_NEW_ID, ABORT, INVALID }

    /**
     * One planned task.
     *
     * @param index    its number in the run
     * @param name     the execution name ({@code t42})
     * @param kind     what happens to it
     * @param scenario the test bed scenario of its runner (null for INVALID; ABORT_FIRST's launch never runs)
     * @param runFor   how long its runner runs
     */
    public record Task(int index, String name, Kind kind, String scenario, String runFor) {

        /** DaskJobs this task must have created in the end. */
        public int expectedDaskJobs() {
            return kind == Kind.ABORT_FIRST || kind == Kind.INVALID ? 0 : 1;
        }

        /** The phase (and error code) it must end with: {@code SUCCEEDED}, {@code FAILED RunnerExitCode}, … */
        public String expectedEnd() {
            return switch (kind) {
                case ABORTED, ABORT_FIRST -> "ABORTED";
                case INVALID -> "FAILED BadTaskSpecification";
                default -> scenario.equals("success") ? "SUCCEEDED"
                        : scenario.equals("oom") ? "FAILED OOMKilled" : "FAILED RunnerExitCode";
            };
        }
    }

    private final List<Task> tasks;
    private final List<Send> sends;

    private LaunchPlan(List<Task> tasks, List<Send> sends) {
        this.tasks = List.copyOf(tasks);
        this.sends = List.copyOf(sends);
    }

    /**
     * @param launches how many tasks
     * @param rate     launches per second (their first commands are spread evenly)
     * @param seed     the run's seed
     */
    public static LaunchPlan of(int launches, double rate, long seed) {
        Random r = new Random(seed);
        List<Task> tasks = new ArrayList<>();
        List<Send> sends = new ArrayList<>();
        for (int i = 0; i < launches; i++) {
            Duration at = Duration.ofMillis(Math.round(i * 1000.0 / rate));
            double p = r.nextDouble();
            Kind kind = p < 0.10 ? Kind.ABORTED : p < 0.13 ? Kind.ABORT_FIRST : p < 0.18 ? Kind.DUPLICATE_RECORD
                    : p < 0.23 ? Kind.DUPLICATE_LAUNCH : p < 0.30 ? Kind.INVALID : Kind.GOOD;
            String scenario = null;
            String runFor = null;
            if (kind != Kind.INVALID) {
                double s = r.nextDouble();
                scenario = kind == Kind.ABORTED ? "success" : s < 0.60 ? "success"
                        : s < 0.85 ? "runner-exit:" + (1 + r.nextInt(120)) : "oom";
                runFor = kind == Kind.ABORTED ? "120s" : (1 + r.nextInt(4)) + "s";
            }
            Task t = new Task(i, "t" + i, kind, scenario, runFor);
            tasks.add(t);
            switch (kind) {
                case GOOD -> sends.add(new Send(at, i, Step.LAUNCH));
                case ABORTED -> {
                    sends.add(new Send(at, i, Step.LAUNCH));
                    sends.add(new Send(at.plusMillis(5_000 + r.nextInt(10_000)), i, Step.ABORT));
                }
                case ABORT_FIRST -> {
                    sends.add(new Send(at, i, Step.ABORT));
                    sends.add(new Send(at.plusMillis(1_000 + r.nextInt(2_000)), i, Step.LAUNCH));
                }
                case DUPLICATE_RECORD -> {
                    sends.add(new Send(at, i, Step.LAUNCH));
                    sends.add(new Send(at.plusMillis(r.nextInt(20_000)), i, Step.LAUNCH_AGAIN_SAME_RECORD));
                }
                case DUPLICATE_LAUNCH -> {
                    sends.add(new Send(at, i, Step.LAUNCH));
                    sends.add(new Send(at.plusMillis(r.nextInt(20_000)), i, Step.LAUNCH_AGAIN_NEW_ID));
                }
                case INVALID -> sends.add(new Send(at, i, Step.INVALID));
                default -> throw new IllegalStateException(kind.name());
            }
        }
        List<Send> ordered = new ArrayList<>(sends);
        Collections.sort(ordered, (a, b) -> a.at().compareTo(b.at()));
        return new LaunchPlan(tasks, ordered);
    }

    public List<Task> tasks() {
        return tasks;
    }

    /** Every send, in time order. */
    public List<Send> sends() {
        return sends;
    }
}
