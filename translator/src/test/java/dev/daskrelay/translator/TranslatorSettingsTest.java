package dev.daskrelay.translator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.daskrelay.schemas.config.DaskRelayConfig;
import dev.daskrelay.schemas.retention.StateRetention;
import dev.daskrelay.translator.apply.ApplierSettings;
import dev.daskrelay.translator.apply.RetryPolicy;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class TranslatorSettingsTest {

    private static TranslatorSettings translator(String yaml) {
        return DaskRelayConfig.parse(yaml, "test.yaml").section("translator", TranslatorSettings.class);
    }

    @Test
    void defaultsAreTheRuntimeRecordsOwn() {
        TranslatorSettings s = translator("");
        assertEquals(ApplierSettings.defaults("i", "o"), s.applier().settings("i", "o"));
        assertEquals(RetryPolicy.defaults(), s.applier().retryPolicy());
        assertEquals(Duration.ofMillis(100), s.commitInterval());
        assertEquals("p-translator", s.applicationId("p"));
        assertEquals("p-applier", s.applier().groupId("p"));
        assertEquals(9401, s.ops().port());
    }

    @Test
    void durationsAreTyped() {
        TranslatorSettings s = translator("""
                translator:
                  commitInterval: 250ms
                  applier: {initialBackoff: 1s, maxBackoff: 1m, quotaRetryFor: 2h, shutdownGrace: 0}
                """);
        assertEquals(Duration.ofMillis(250), s.commitInterval());
        assertEquals(new RetryPolicy(12, 3, Duration.ofSeconds(1), Duration.ofMinutes(1), Duration.ofHours(2)),
                s.applier().retryPolicy());
        assertEquals(Duration.ZERO, s.applier().shutdownGrace());
    }

    @Test
    void everyProblemIsReportedWithItsKeyPath() {
        var e = assertThrows(DaskRelayConfig.ConfigException.class, () -> translator("""
                translator:
                  topicPartitions: 0
                  streamThreads: two
                  commitInterval: soon
                  applier: {concurrency: 0, initialBackoff: 1s, maxBackoff: 10ms}
                  ops: {port: 70000}
                """));
        assertEquals(List.of(
                "translator.streamThreads: must be a whole number (was \"two\")",
                "translator.commitInterval: must be a duration like 90s, 15m, 2h or 1h30m (was \"soon\")",
                "translator.topicPartitions: must be 1 or more (was 0)",
                "translator.applier.concurrency: must be 1 or more (was 0)",
                "translator.applier.maxBackoff: must not be shorter than initialBackoff",
                "translator.ops.port: must be a port number 0..65535 (was 70000)"), e.problems());
    }

    @Test
    void fateRetentionIsAutoByDefaultAndReadsNeverAndDurations() {
        assertEquals(StateRetention.AUTO, translator("").fateRetention());
        assertEquals(StateRetention.NEVER, translator("translator: {fateRetention: -1}").fateRetention());
        assertEquals(StateRetention.of(Duration.ofDays(100)), translator("translator: {fateRetention: 100d}")
                .fateRetention());
        var e = assertThrows(DaskRelayConfig.ConfigException.class,
                () -> translator("translator: {fateRetention: 0}"));
        assertEquals(List.of("translator.fateRetention: must be " + StateRetention.EXPECTED + " (was \"0\")"),
                e.problems());
    }
}
