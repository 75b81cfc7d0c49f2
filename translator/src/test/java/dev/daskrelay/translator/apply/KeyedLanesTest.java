package dev.daskrelay.translator.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;

/** Lanes on a hand-driven executor: what runs when is decided by the test, not by thread timing. */
class KeyedLanesTest {

    /** Queues submitted work; {@link #runNext()} runs one piece. */
    private static final class ManualExecutor implements Executor {
        final ArrayDeque<Runnable> queue = new ArrayDeque<>();

        @Override
        public void execute(Runnable command) {
            queue.add(command);
        }

        void runNext() {
            queue.removeFirst().run();
        }
    }

    @Test
    void oneKeyRunsOneAtATimeInOrderAndOnlyAfterDone() {
        ManualExecutor executor = new ManualExecutor();
        KeyedLanes lanes = new KeyedLanes(executor);
        List<String> ran = new ArrayList<>();
        lanes.submit("t1", () -> ran.add("a"));
        lanes.submit("t1", () -> ran.add("b"));
        lanes.submit("t1", () -> ran.add("c"));
        assertEquals(1, executor.queue.size(), "only the lane's first piece is started");
        executor.runNext();
        assertEquals(0, executor.queue.size(), "b waits until a is done (e.g. after its retries)");
        lanes.done("t1");
        executor.runNext();
        lanes.done("t1");
        executor.runNext();
        assertEquals(List.of("a", "b", "c"), ran);
        assertEquals(1, lanes.busyKeys());
        lanes.done("t1");
        assertEquals(0, lanes.busyKeys(), "an idle lane is removed");
    }

    @Test
    void differentKeysRunConcurrently() {
        ManualExecutor executor = new ManualExecutor();
        KeyedLanes lanes = new KeyedLanes(executor);
        lanes.submit("t1", () -> { });
        lanes.submit("t2", () -> { });
        assertEquals(2, executor.queue.size());
        assertEquals(2, lanes.busyKeys());
    }

    @Test
    void doneOfAnUnknownKeyIsHarmless() {
        ManualExecutor executor = new ManualExecutor();
        KeyedLanes lanes = new KeyedLanes(executor);
        lanes.done("nobody");
        assertEquals(0, lanes.busyKeys());
        assertEquals(0, executor.queue.size());
    }
}
