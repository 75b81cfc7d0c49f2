package dev.daskrelay.schemas.retention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class StateRetentionTest {

    private static final String KEY = "translator.fateRetention";
    private static final String TOPIC = "daskrelay.commands";
    private static final Duration MARGIN = Duration.ofDays(1);
    private static final TopicRetention SEVEN_DAYS = new TopicRetention.Finite(Duration.ofDays(7));

    @Test
    void parsesAutoNeverAndDurations() {
        assertEquals(StateRetention.AUTO, StateRetention.parse("auto"));
        assertEquals(StateRetention.AUTO, StateRetention.parse(" AUTO "));
        assertEquals(StateRetention.NEVER, StateRetention.parse("-1"));
        assertEquals(StateRetention.NEVER, StateRetention.parse("never"));
        assertEquals(StateRetention.of(Duration.ofDays(30)), StateRetention.parse("30d"));
        assertEquals(StateRetention.of(Duration.ofHours(2160)), StateRetention.parse("2160h"));
        for (String bad : new String[] {"0", "-5d", "soon", "", "10x"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StateRetention.parse(bad));
            assertEquals("must be " + StateRetention.EXPECTED, e.getMessage(), bad);
        }
    }

    @Test
    void autoIsTheTopicsRetentionPlusTheMarginOrForeverWhenTheTopicKeepsEverythingOrCannotBeRead() {
        StateRetention.Resolved finite = StateRetention.AUTO.resolve(KEY, TOPIC, SEVEN_DAYS, MARGIN);
        assertEquals(Duration.ofDays(8), finite.retain());
        assertEquals("translator.fateRetention = auto: the retention of daskrelay.commands (7d) + 1d",
                finite.explanation());
        assertTrue(StateRetention.AUTO.resolve(KEY, TOPIC, new TopicRetention.Infinite(), MARGIN).forever());
        StateRetention.Resolved unknown = StateRetention.AUTO.resolve(KEY, TOPIC,
                new TopicRetention.Unknown("TopicAuthorizationException: denied"), MARGIN);
        assertTrue(unknown.forever());
        assertTrue(unknown.explanation().contains("cannot be read (TopicAuthorizationException: denied)"),
                unknown.explanation());
    }

    @Test
    void aFixedRetentionMustOutliveTheTopic() {
        assertEquals(Duration.ofDays(30), StateRetention.parse("30d").resolve(KEY, TOPIC, SEVEN_DAYS, MARGIN).retain());
        IllegalArgumentException shorter = assertThrows(IllegalArgumentException.class,
                () -> StateRetention.parse("7d").resolve(KEY, TOPIC, SEVEN_DAYS, MARGIN));
        assertEquals("translator.fateRetention: 7d must be longer than the retention of daskrelay.commands (7d): a "
                + "command still on the topic would find its task forgotten and be acted on again", shorter.getMessage());
        IllegalArgumentException forever = assertThrows(IllegalArgumentException.class,
                () -> StateRetention.parse("30d").resolve(KEY, TOPIC, new TopicRetention.Infinite(), MARGIN));
        assertTrue(forever.getMessage().startsWith("translator.fateRetention: 30d cannot outlive daskrelay.commands,"),
                forever.getMessage());
        StateRetention.Resolved unchecked = StateRetention.parse("30d").resolve(KEY, TOPIC,
                new TopicRetention.Unknown("no answer within 30 s"), MARGIN);
        assertEquals(Duration.ofDays(30), unchecked.retain());
        assertTrue(unchecked.explanation().contains("not checked"), unchecked.explanation());
    }

    @Test
    void neverIsForeverWhateverTheTopic() {
        assertNull(StateRetention.NEVER.resolve(KEY, TOPIC, SEVEN_DAYS, MARGIN).retain());
    }

    @Test
    void theTopicsRetentionComesFromRetentionMsAndTheCleanupPolicy() {
        assertEquals(SEVEN_DAYS, TopicRetention.of("604800000", "delete"));
        assertEquals(new TopicRetention.Infinite(), TopicRetention.of("-1", "delete"));
        assertEquals(new TopicRetention.Infinite(), TopicRetention.of("604800000", "compact"));
        assertEquals(SEVEN_DAYS, TopicRetention.of("604800000", "compact, delete"));
        assertTrue(TopicRetention.of("many", "delete") instanceof TopicRetention.Unknown);
        assertTrue(TopicRetention.of(null, null) instanceof TopicRetention.Unknown);
    }
}
