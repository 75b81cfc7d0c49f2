package dev.daskrelay.bench.render;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * Render throughput per CPU-second of one thread: the same work as {@link RenderBenchmark}, timed with the
 * thread's CPU clock instead of the wall clock, so the figure stays meaningful on a shared, overloaded machine
 * (where JMH's wall-clock scores mostly measure the other tenants). Prints renders per CPU-second for
 * {@code render} and {@code renderToJson} after a warm-up.
 *
 * <pre>java -cp bench/target/benchmarks.jar dev.daskrelay.bench.render.RenderCpuHarness [rounds] [rendersPerRound]</pre>
 */
public final class RenderCpuHarness {

    private RenderCpuHarness() {
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int perRound = args.length > 1 ? Integer.parseInt(args[1]) : 200_000;
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        if (!threads.isCurrentThreadCpuTimeSupported()) {
            throw new IllegalStateException("this JVM has no per-thread CPU clock");
        }
        RenderBenchmark bench = new RenderBenchmark();
        bench.setUp();
        long sink = 0;
        for (int i = 0; i < perRound; i++) { // warm-up: let the JIT settle
            sink += bench.render().specHash().length() + bench.renderToJson().length();
        }
        System.out.printf("%-14s %16s%n", "benchmark", "renders/cpu-s");
        for (int round = 1; round <= rounds; round++) {
            long t0 = threads.getCurrentThreadCpuTime();
            for (int i = 0; i < perRound; i++) {
                sink += bench.render().specHash().length();
            }
            long t1 = threads.getCurrentThreadCpuTime();
            for (int i = 0; i < perRound; i++) {
                sink += bench.renderToJson().length();
            }
            long t2 = threads.getCurrentThreadCpuTime();
            System.out.printf("render         %,16.0f   (round %d)%n", perRound / ((t1 - t0) / 1e9), round);
            System.out.printf("renderToJson   %,16.0f   (round %d)%n", perRound / ((t2 - t1) / 1e9), round);
        }
        if (sink == 42) {
            System.out.println(); // keeps the work observable
        }
    }
}
