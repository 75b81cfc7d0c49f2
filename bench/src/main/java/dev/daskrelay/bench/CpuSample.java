package dev.daskrelay.bench;

import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * CPU time at one instant, for the harnesses: this JVM's process CPU, the CPU of other processes on this machine
 * (the API server and etcd, from {@code /proc/PID/stat}), and this JVM's live threads grouped by what they do. Two
 * samples give the CPU each part used in between ({@link #until}), so a run on a shared machine reports work done
 * per unit, not only wall time.
 *
 * @param wallNanos {@link System#nanoTime()}
 * @param processNanos CPU of this JVM (all threads, GC and JIT included)
 * @param serverNanos CPU of the other processes given
 * @param threadNanos CPU of live threads by thread id
 * @param threadGroups group of each thread id
 * @param loadAverage the 1-minute load average
 */
public record CpuSample(long wallNanos, long processNanos, long serverNanos, Map<Long, Long> threadNanos,
                        Map<Long, String> threadGroups, double loadAverage) {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** The CPU used between two samples. */
    public record Use(double wallSeconds, double processSeconds, double serverSeconds, Map<String, Double> groups,
                      double loadAverageBefore, double loadAverageAfter) {

        /** The process CPU not seen in live threads: GC, JIT, threads that ended meanwhile. */
        public double unattributedSeconds() {
            return processSeconds - groups.values().stream().mapToDouble(Double::doubleValue).sum();
        }

        /** One line: wall, process and server CPU, and per group milliseconds of CPU per unit of work. */
        public String describe(long units, String unit) {
            StringBuilder b = new StringBuilder(String.format(
                    "wall %.2f s; CPU: this JVM %.2f s (%.2f ms per %s)", wallSeconds, processSeconds,
                    processSeconds * 1e3 / units, unit));
            if (serverSeconds > 0) {
                b.append(String.format(", API server + etcd %.2f s (%.2f ms per %s; %.0f%% of the CPU used)",
                        serverSeconds, serverSeconds * 1e3 / units, unit,
                        100 * serverSeconds / (serverSeconds + processSeconds)));
            }
            b.append(String.format("; load average %.1f → %.1f%n    per %s (ms of CPU):", loadAverageBefore,
                    loadAverageAfter, unit));
            groups.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                    .forEach(e -> b.append(String.format(" %s %.3f;", e.getKey(), e.getValue() * 1e3 / units)));
            b.append(String.format(" GC/JIT/ended threads %.3f", unattributedSeconds() * 1e3 / units));
            return b.toString();
        }
    }

    /**
     * Thread groups of the daskrelay harnesses by thread name; anything else (the in-process Kafka broker's
     * threads above all) is {@code broker/other}.
     */
    public static final Function<String, String> GROUPS = name -> {
        if (name.contains("StreamThread")) {
            return "Kafka Streams";
        }
        if (name.startsWith("applier")) {
            return "applier";
        }
        if (name.startsWith("vert.x")) {
            return "HTTP client (vert.x)";
        }
        if (name.startsWith("kafka-producer-network-thread")) {
            return "producer I/O";
        }
        if (name.startsWith("daskrelay-informer")) {
            return "informer dispatch";
        }
        if (name.startsWith("daskrelay-bridge")) {
            return "bridge worker";
        }
        if (name.startsWith("load-") || name.equals("main")) {
            return "load generator";
        }
        return "broker/other";
    };

    public static CpuSample take(List<String> serverPids) {
        return take(serverPids, GROUPS);
    }

    public static CpuSample take(List<String> serverPids, Function<String, String> groups) {
        Map<Long, Long> cpu = new LinkedHashMap<>();
        Map<Long, String> group = new LinkedHashMap<>();
        for (ThreadInfo t : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (t == null) {
                continue;
            }
            long c = THREADS.getThreadCpuTime(t.getThreadId());
            if (c >= 0) {
                cpu.put(t.getThreadId(), c);
                group.put(t.getThreadId(), groups.apply(t.getThreadName()));
            }
        }
        return new CpuSample(System.nanoTime(), processCpuNanos(), serverCpuNanos(serverPids), cpu, group,
                currentLoadAverage());
    }

    /** The CPU used from this sample until {@code later}. */
    public Use until(CpuSample later) {
        Map<String, Double> groups = new TreeMap<>();
        later.threadNanos.forEach((id, nanos) -> {
            long before = threadNanos.getOrDefault(id, 0L);
            groups.merge(later.threadGroups.get(id), (nanos - before) / 1e9, Double::sum);
        });
        return new Use((later.wallNanos - wallNanos) / 1e9, (later.processNanos - processNanos) / 1e9,
                (later.serverNanos - serverNanos) / 1e9, groups, loadAverage, later.loadAverage);
    }

    public static long processCpuNanos() {
        return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** utime + stime of the processes, from /proc/PID/stat (fields 14 and 15, in ticks of 1/100 s). */
    public static long serverCpuNanos(List<String> pids) {
        long ticks = 0;
        for (String pid : pids) {
            try {
                String stat = Files.readString(Path.of("/proc", pid.trim(), "stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read /proc/" + pid + "/stat", e);
            }
        }
        return ticks * 10_000_000L;
    }

    public static double currentLoadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (IOException e) {
            return Double.NaN;
        }
    }
}
