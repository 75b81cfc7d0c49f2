package dev.daskrelay.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CloserTest {

    @Test
    void closesInReverseOrderEachOnceAndGoesOnAfterAFailure() {
        List<String> closed = new ArrayList<>();
        Closer closer = new Closer("test");
        closer.own(() -> closed.add("a"));
        closer.own(() -> {
            throw new IllegalStateException("b cannot close");
        });
        closer.own(() -> closed.add("c"));
        closer.close();
        closer.close();
        assertEquals(List.of("c", "a"), closed);
    }
}
