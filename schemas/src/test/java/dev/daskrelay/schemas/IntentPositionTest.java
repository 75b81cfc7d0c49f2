package dev.daskrelay.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The two formats the applier writes and the janitor reads: the DaskJob annotation and the commit metadata. */
class IntentPositionTest {

    @Test
    void theAnnotationRoundTripsAndAnythingMalformedIsNoPosition() {
        IntentPosition at = new IntentPosition("daskrelay.intents", 7, 123_456_789_012L);
        assertEquals("daskrelay.intents/7/123456789012", at.annotationValue());
        assertEquals(Optional.of(at), IntentPosition.of(Map.of(KubernetesLabels.INTENT, at.annotationValue())));
        for (String bad : List.of("", "7/12", "t/x/1", "t/1/x", "t/-1/3", "t/1/-3", "/1/2", "t/1/2/3")) {
            assertEquals(Optional.empty(), IntentPosition.of(Map.of(KubernetesLabels.INTENT, bad)), bad);
        }
        assertEquals(Optional.empty(), IntentPosition.of(null));
        assertThrows(IllegalArgumentException.class, () -> new IntentPosition("a/b", 0, 0));
    }

    @Test
    void finishedAboveRoundTripsAndSaysWhichIntentsAreDone() {
        FinishedAbove f = FinishedAbove.decode(100, FinishedAbove.encode(100, 140, List.of(105L, 139L)));
        assertEquals(new FinishedAbove(100, 140, Set.of(105L, 139L)), f);
        assertTrue(f.applied(99));
        assertFalse(f.applied(100), "the committed offset is the lowest unfinished intent");
        assertTrue(f.applied(101));
        assertFalse(f.applied(105));
        assertFalse(f.applied(139));
        assertFalse(f.applied(140));
        assertEquals(FinishedAbove.none(100), FinishedAbove.decode(100, "garbage"));
        assertEquals(FinishedAbove.none(100), FinishedAbove.decode(100, null));
    }
}
