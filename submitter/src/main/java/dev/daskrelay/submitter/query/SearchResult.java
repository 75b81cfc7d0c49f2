package dev.daskrelay.submitter.query;

import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The outcome of one backwards search.
 *
 * @param record the record found, if any
 * @param partition the partition searched (null when the topic does not exist)
 * @param endOffset the partition's end offset when the search began: nothing at or after it was searched
 * @param recordsRead records the consumer delivered during the search (the cost, for tests and metrics)
 * @param exhausted true when the search stopped at a limit (max records, max age, time) rather than an answer
 */
public record SearchResult<V>(Optional<ConsumerRecord<String, V>> record, TopicPartition partition, long endOffset,
                              long recordsRead, boolean exhausted) {
}
