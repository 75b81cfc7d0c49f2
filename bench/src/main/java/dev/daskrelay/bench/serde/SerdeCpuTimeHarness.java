package dev.daskrelay.bench.serde;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Cross-check of {@link SerdeBenchmark} for shared, overloaded machines: runs the same eight operations in
 * interleaved batches (serde, raw, serde, raw, ...) and measures each batch in <em>thread CPU time</em>, so
 * time spent descheduled by other processes does not count and slow phases of the machine hit both sides
 * alike. Prints the median ns/op per operation and the serde/raw speed ratios. Not a test.
 *
 * <pre>java -cp bench/target/benchmarks.jar dev.daskrelay.bench.serde.SerdeCpuTimeHarness [rounds] [batch]</pre>
 */
public final class SerdeCpuTimeHarness {

    private SerdeCpuTimeHarness() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        SerdeBenchmark b = new SerdeBenchmark();
        b.setUp();
        Map<String, Callable<Object>> ops = new LinkedHashMap<>();
        ops.put("serializeLaunch", b::serializeLaunch);
        ops.put("rawEncodeLaunch", b::rawEncodeLaunch);
        ops.put("deserializeLaunch", b::deserializeLaunch);
        ops.put("rawDecodeLaunch", b::rawDecodeLaunch);
        ops.put("serializeStatus", b::serializeStatus);
        ops.put("rawEncodeStatus", b::rawEncodeStatus);
        ops.put("deserializeStatus", b::deserializeStatus);
        ops.put("rawDecodeStatus", b::rawDecodeStatus);
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        Map<String, List<Double>> samples = new LinkedHashMap<>();
        ops.keySet().forEach(k -> samples.put(k, new ArrayList<>()));
        long sink = 0;
        for (int round = -5; round < rounds; round++) { // 5 warm-up rounds
            for (var op : ops.entrySet()) {
                long start = cpu.getCurrentThreadCpuTime();
                for (int i = 0; i < batch; i++) {
                    sink += op.getValue().call().hashCode();
                }
                long used = cpu.getCurrentThreadCpuTime() - start;
                if (round >= 0) {
                    samples.get(op.getKey()).add((double) used / batch);
                }
            }
        }
        Map<String, Double> median = new LinkedHashMap<>();
        samples.forEach((k, v) -> {
            double[] sorted = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            median.put(k, sorted[sorted.length / 2]);
            System.out.printf("%-18s median %8.0f ns/op (cpu time)  p10 %8.0f  p90 %8.0f%n", k, sorted[sorted.length / 2],
                    sorted[sorted.length / 10], sorted[sorted.length * 9 / 10]);
        });
        for (String[] pair : new String[][]{{"serializeLaunch", "rawEncodeLaunch"}, {"deserializeLaunch", "rawDecodeLaunch"},
                {"serializeStatus", "rawEncodeStatus"}, {"deserializeStatus", "rawDecodeStatus"}}) {
            System.out.printf("%-18s speed vs raw: %.2f%n", pair[0], median.get(pair[1]) / median.get(pair[0]));
        }
        System.out.println("(sink " + (sink & 1) + ", rounds " + rounds + ", batch " + batch + ", args " + Arrays.toString(args) + ")");
    }
}
