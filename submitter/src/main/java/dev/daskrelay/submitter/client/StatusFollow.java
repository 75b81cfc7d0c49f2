package dev.daskrelay.submitter.client;

import dev.daskrelay.avro.v1.TaskStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;

/**
 * The status events of one task in order, from its first event (as far as the search reached) to its terminal
 * one, read from the one partition of the status topic that holds the task. An {@link Iterator} that blocks
 * until the next event; {@link #next(Duration)} waits at most a given time; {@link #stream()} for the Stream
 * API. Iteration ends after the terminal event. Owns one consumer (no group, nothing committed): use it from
 * one thread and close it.
 *
 * <p>A consumer's poll returns nothing, without an error, when the broker has gone away. So after
 * {@link #SILENCE_CHECK} without a record the follow asks the broker for the partition's end offset; when no answer
 * comes within {@link #CHECK_TIMEOUT}, {@link #next(Duration)} and {@link #hasNext()} throw a
 * {@link DaskRelayException} ("lost contact with Kafka") instead of waiting forever.
 */
public final class StatusFollow implements Iterator<TaskStatus>, AutoCloseable {

    private static final Duration POLL = Duration.ofMillis(200);
    /** Silence after which the follow checks that the broker still answers. */
    public static final Duration SILENCE_CHECK = Duration.ofSeconds(5);
    /** How long that check waits for the broker. */
    public static final Duration CHECK_TIMEOUT = Duration.ofSeconds(5);

    private final Consumer<String, TaskStatus> consumer;
    private final TopicPartition partition;
    private final String taskId;
    private final Clock clock;
    private final ArrayDeque<TaskStatus> pending = new ArrayDeque<>();
    private boolean terminalDelivered;
    private boolean closed;
    private Instant lastContact;

    StatusFollow(Consumer<String, TaskStatus> consumer, TopicPartition partition, long startOffset, String taskId,
                 Clock clock) {
        this.consumer = consumer;
        this.partition = partition;
        this.taskId = taskId;
        this.clock = clock;
        consumer.assign(List.of(partition));
        consumer.seek(partition, startOffset);
        this.lastContact = clock.instant();
    }

    public String taskId() {
        return taskId;
    }

    /** True once the terminal event was returned. */
    public boolean done() {
        return terminalDelivered;
    }

    /** The next event, waiting at most {@code maxWait}; empty on timeout or when the terminal event was returned. */
    public Optional<TaskStatus> next(Duration maxWait) {
        if (terminalDelivered || closed) {
            return Optional.empty();
        }
        Instant deadline = clock.instant().plus(maxWait);
        while (pending.isEmpty()) {
            Duration left = Duration.between(clock.instant(), deadline);
            if (left.isNegative() || left.isZero()) {
                return Optional.empty();
            }
            pollOnce(left.compareTo(POLL) < 0 ? left : POLL);
        }
        TaskStatus s = pending.poll();
        if (s.getTerminal()) {
            terminalDelivered = true;
            pending.clear();
        }
        return Optional.of(s);
    }

    @Override
    public boolean hasNext() {
        if (terminalDelivered || closed) {
            return false;
        }
        while (pending.isEmpty()) {
            pollOnce(POLL);
        }
        return true;
    }

    private void pollOnce(Duration wait) {
        var records = consumer.poll(wait);
        if (!records.isEmpty()) {
            lastContact = clock.instant();
        }
        for (ConsumerRecord<String, TaskStatus> r : records.records(partition)) {
            if (taskId.equals(r.key()) && r.value() != null) {
                pending.add(r.value());
            }
        }
        if (pending.isEmpty() && Duration.between(lastContact, clock.instant()).compareTo(SILENCE_CHECK) >= 0) {
            try {
                consumer.endOffsets(List.of(partition), CHECK_TIMEOUT);
                lastContact = clock.instant();
            } catch (TimeoutException e) {
                throw new DaskRelayException("lost contact with Kafka: the broker did not answer for "
                        + Duration.between(lastContact, clock.instant()).toSeconds() + " s while following "
                        + taskId, e);
            } catch (KafkaException e) {
                throw new DaskRelayException("lost contact with Kafka while following " + taskId + ": "
                        + e.getMessage(), e);
            }
        }
    }

    @Override
    public TaskStatus next() {
        if (!hasNext()) {
            throw new NoSuchElementException("the task " + taskId + " reached its terminal status");
        }
        return next(Duration.ZERO.plusMillis(1)).orElseThrow();
    }

    /** The events as a sequential stream that ends with the terminal event; closing the stream closes this. */
    public Stream<TaskStatus> stream() {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(this, Spliterator.ORDERED | Spliterator.NONNULL), false)
                .onClose(this::close);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            consumer.close();
        }
    }
}
