package dev.daskrelay.schemas.retention;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import dev.daskrelay.schemas.task.DurationText;
import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * How long a Kafka Streams store keeps what it knows about a finished task, as written in {@code daskrelay.yaml}
 * ({@code translator.fateRetention}, {@code watcher.statusRetention}): {@code auto} (the default), {@code -1} (never
 * forget), or a duration ({@code 30d}, {@code 2160h}).
 *
 * <p>The rule: a store that de-duplicates commands must remember a task for longer than the commands topic keeps the
 * commands of that task, or a command still on the topic (a producer's retry, a re-read after an offset reset) finds
 * nothing and acts a second time. So {@link #resolve} compares the setting with the topic's retention when the broker
 * tells it ({@link TopicRetention}): a fixed value must be longer; {@code auto} is the topic's retention plus a
 * margin, or never when the topic keeps everything or its retention cannot be read. Pure.
 *
 * @param mode   auto, never or fixed
 * @param retain the fixed retention (null unless {@code mode} is FIXED)
 */
@JsonDeserialize(using = StateRetention.FromText.class)
public record StateRetention(Mode mode, Duration retain) {

    /** The three ways to set it. */
    public enum Mode {
        /** Follow the commands topic: its retention plus a margin; never when it is infinite or unknown. */
        AUTO,
        /** Never forget (the stores grow by one entry per task). */
        NEVER,
        /** This long after the entry was last written. */
        FIXED
    }

    public static final StateRetention AUTO = new StateRetention(Mode.AUTO, null);
    public static final StateRetention NEVER = new StateRetention(Mode.NEVER, null);

    /** What {@link #parse} accepts, for error messages. */
    public static final String EXPECTED = "auto, -1 (never) or " + DurationText.EXPECTED + " (longer than 0)";

    public StateRetention {
        Objects.requireNonNull(mode, "mode");
        if (mode == Mode.FIXED && (retain == null || retain.isNegative() || retain.isZero())) {
            throw new IllegalArgumentException("must be " + EXPECTED);
        }
        if (mode != Mode.FIXED) {
            retain = null;
        }
    }

    /** A fixed retention. */
    public static StateRetention of(Duration retain) {
        return new StateRetention(Mode.FIXED, retain);
    }

    /**
     * Reads the setting: {@code auto}, {@code -1} or {@code never}, or a duration greater than 0.
     *
     * @throws IllegalArgumentException saying what is expected
     */
    public static StateRetention parse(String text) {
        String t = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
        if (t.equals("auto")) {
            return AUTO;
        }
        if (t.equals("-1") || t.equals("never")) {
            return NEVER;
        }
        Duration d;
        try {
            d = DurationText.parse(t);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("must be " + EXPECTED);
        }
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("must be " + EXPECTED);
        }
        return of(d);
    }

    /**
     * The retention to use, checked against the retention of the commands topic.
     *
     * @param key      the setting's key path, for messages ({@code translator.fateRetention})
     * @param topic    the commands topic's name, for messages
     * @param commands what the broker said about the topic's retention
     * @param margin   how much longer than the topic {@code auto} keeps entries
     * @throws IllegalArgumentException {@code <key>: ...} when a fixed retention is not longer than the topic's
     */
    public Resolved resolve(String key, String topic, TopicRetention commands, Duration margin) {
        if (mode == Mode.NEVER) {
            return new Resolved(null, key + " = -1: entries are never forgotten");
        }
        if (mode == Mode.AUTO) {
            if (commands instanceof TopicRetention.Finite f) {
                return new Resolved(f.retention().plus(margin), key + " = auto: the retention of " + topic + " ("
                        + text(f.retention()) + ") + " + text(margin));
            }
            if (commands instanceof TopicRetention.Unknown u) {
                return new Resolved(null, key + " = auto: the retention of " + topic + " cannot be read (" + u.why()
                        + "), so entries are never forgotten");
            }
            return new Resolved(null, key + " = auto: " + topic + " keeps its records forever, so entries are never "
                    + "forgotten");
        }
        if (commands instanceof TopicRetention.Finite f) {
            if (retain.compareTo(f.retention()) <= 0) {
                throw new IllegalArgumentException(key + ": " + text(retain) + " must be longer than the retention of "
                        + topic + " (" + text(f.retention()) + "): a command still on the topic would find its task "
                        + "forgotten and be acted on again");
            }
            return new Resolved(retain, key + " = " + text(retain) + " (" + topic + " keeps " + text(f.retention())
                    + ")");
        }
        if (commands instanceof TopicRetention.Unknown u) {
            return new Resolved(retain, key + " = " + text(retain) + "; not checked against " + topic
                    + ": its retention cannot be read (" + u.why() + ")");
        }
        throw new IllegalArgumentException(key + ": " + text(retain) + " cannot outlive " + topic
                + ", which keeps its records forever: use -1 (never), or give the topic a retention.ms shorter than "
                + text(retain));
    }

    /**
     * The outcome of {@link #resolve}.
     *
     * @param retain      how long entries are kept after their last write; null = forever
     * @param explanation one line for the start-up log
     */
    public record Resolved(Duration retain, String explanation) {
        public boolean forever() {
            return retain == null;
        }
    }

    /** A duration as the configuration writes it: {@code 7d}, {@code 36h}, {@code 90m}, {@code 45s}. */
    public static String text(Duration d) {
        long s = d.toSeconds();
        if (s % 86_400 == 0) {
            return s / 86_400 + "d";
        }
        if (s % 3_600 == 0) {
            return s / 3_600 + "h";
        }
        if (s % 60 == 0) {
            return s / 60 + "m";
        }
        return d.toMillis() % 1000 == 0 ? s + "s" : d.toMillis() + "ms";
    }

    @Override
    public String toString() {
        return switch (mode) {
            case AUTO -> "auto";
            case NEVER -> "-1";
            case FIXED -> text(retain);
        };
    }

    /** Reads the setting with {@link #parse}: a number or text. */
    static final class FromText extends StdScalarDeserializer<StateRetention> {
        private static final long serialVersionUID = 1L;

        FromText() {
            super(StateRetention.class);
        }

        @Override
        public StateRetention deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (!p.currentToken().isScalarValue()) {
                return (StateRetention) ctxt.handleUnexpectedToken(StateRetention.class, p);
            }
            String text = p.getText();
            try {
                return parse(text);
            } catch (IllegalArgumentException e) {
                return (StateRetention) ctxt.handleWeirdStringValue(StateRetention.class, text, e.getMessage());
            }
        }
    }
}
