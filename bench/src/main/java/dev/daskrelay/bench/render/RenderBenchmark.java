package dev.daskrelay.bench.render;

import dev.daskrelay.avro.v1.ExecutionIdentity;
import dev.daskrelay.avro.v1.LaunchDaskJob;
import dev.daskrelay.bench.TypicalTask;
import dev.daskrelay.translator.render.DaskJobRenderer;
import dev.daskrelay.translator.render.RenderedDaskJob;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Render throughput of one typical task (the example task file of docs/TASK-FILES.md: resources, env, labels,
 * annotations, component resources, interruptible workers, a timeout) against a platform that sets every placement
 * knob. {@code render} is what the command topology does per launch (render + spec hash); {@code renderToJson} adds the
 * compact JSON that travels in the intent. Goal: at least 50,000 renders/s per core.
 *
 * <pre>java -jar bench/target/benchmarks.jar Render -f 1 -wi 3 -i 5 -w 1s -r 1s -t 1</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class RenderBenchmark {

    private DaskJobRenderer renderer;
    private ExecutionIdentity execution;
    private LaunchDaskJob launch;
    private String taskId;

    @Setup
    public void setUp() {
        renderer = TypicalTask.renderer("dask-jobs");
        execution = TypicalTask.execution("a1b2c3");
        taskId = TypicalTask.taskId("a1b2c3");
        launch = TypicalTask.launch("flytesnacks-development", 10);
        renderer.render(taskId, execution, launch).orElseThrow(); // fail fast if the input is refused
    }

    @Benchmark
    public RenderedDaskJob render() {
        return renderer.render(taskId, execution, launch).orElseThrow();
    }

    @Benchmark
    public String renderToJson() {
        return renderer.render(taskId, execution, launch).orElseThrow().toJson();
    }
}
