package dev.daskrelay.schemas.quantity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class QuantityTest {

    /** The canonical forms of Flyte's worker {@code --memory-limit} (docs/RENDERING.md) plus CPU forms. */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "17G, 17G", "2G, 2G", "15G, 15G", "10Gi, 10Gi", "1024Mi, 1Gi", "2048Mi, 2Gi", "1000M, 1G",
            "1.5Gi, 1536Mi", "0.5Gi, 512Mi", "1500M, 1500M", "8G, 8G", "24G, 24G",
            "0.5, 500m", "500m, 500m", "2500m, 2500m", "1.5, 1500m", "2, 2", "1000m, 1", "10, 10",
            "1Ki, 1Ki", "1048576Ki, 1Gi", "0, 0", "0Gi, 0", "1e3, 1e3", "12e6, 12e6", "1000k, 1M",
            "100Mi, 100Mi", "1536Mi, 1536Mi", "0.1, 100m", "1n, 1n", "1u, 1u"})
    void canonicalFormMatchesKubernetes(String input, String canonical) {
        assertEquals(canonical, Quantity.parse(input).canonical());
    }

    @ParameterizedTest(name = "ceil {0} = {1}")
    @CsvSource({"8, 8", "2, 2", "10, 10", "500m, 1", "2500m, 3", "0.5, 1", "1, 1", "1001m, 2", "3000m, 3"})
    void ceilingForNthreads(String input, long expected) {
        assertEquals(expected, Quantity.parse(input).ceilValue());
    }

    @Test
    void comparesByValueAcrossNotations() {
        assertEquals(0, Quantity.parse("1Gi").compareTo(Quantity.parse("1024Mi")));
        assertEquals(Quantity.parse("1Gi"), Quantity.parse("1024Mi"));
        assertTrue(Quantity.parse("1G").compareTo(Quantity.parse("1Gi")) < 0);
        assertTrue(Quantity.parse("16").compareTo(Quantity.parse("10")) > 0);
        assertTrue(Quantity.parse("500m").compareTo(Quantity.parse("1")) < 0);
        assertEquals(new BigDecimal("1073741824"), Quantity.parse("1Gi").value());
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "", "1.2.3", "1GB", "1 G", "G", "--1", "1Gii", "1e", "1mi", "one"})
    void rejectsWhatKubernetesRejects(String input) {
        assertFalse(Quantity.isValid(input));
        QuantityFormatException e = assertThrows(QuantityFormatException.class, () -> Quantity.parse(input));
        assertFalse(e.getMessage().isBlank());
    }

    @Test
    void negativeAndZeroAreParsedButFlagged() {
        assertTrue(Quantity.parse("-1").isNegative());
        assertTrue(Quantity.parse("0m").isZero());
    }
}
