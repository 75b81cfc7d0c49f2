package dev.daskrelay.watcher.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class RecentStatesTest {

    private static TaskState state(String taskId) {
        return TaskState.initial(taskId);
    }

    @Test
    void keepsWhatWasStoredUntilForgotten() {
        RecentStates recent = new RecentStates(4);
        TaskState a = state("a");
        recent.stored("a", a);
        assertSame(a, recent.get("a"));
        recent.forget("a");
        assertNull(recent.get("a"));
        assertNull(recent.get("never"));
    }

    @Test
    void theLeastRecentlyUsedTaskGoesFirst() {
        RecentStates recent = new RecentStates(2);
        recent.stored("a", state("a"));
        recent.stored("b", state("b"));
        recent.get("a");                 // a used after b
        recent.stored("c", state("c"));  // over the bound: b goes
        assertEquals(2, recent.size());
        assertNull(recent.get("b"));
        assertEquals("a", recent.get("a").taskId());
        assertEquals("c", recent.get("c").taskId());
    }

    @Test
    void clearForgetsEverything() {
        RecentStates recent = new RecentStates(8);
        recent.stored("a", state("a"));
        recent.stored("b", state("b"));
        recent.clear();
        assertEquals(0, recent.size());
        assertNull(recent.get("a"));
    }

    @Test
    void aCapacityBelowOneIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new RecentStates(0));
    }
}
