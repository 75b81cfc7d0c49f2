package dev.daskrelay.translator.render;

import dev.daskrelay.schemas.quantity.Quantity;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Parsed quantities and their canonical strings by the text they were written as. Both are pure functions of the
 * text, and tasks repeat the same few values ({@code "2"}, {@code "8G"}), so rendering parses each text once.
 * Bounded: past {@value #MAX_ENTRIES} distinct texts, values are computed without being kept. Thread-safe.
 */
final class QuantityCache {

    static final int MAX_ENTRIES = 4096;

    private static final ConcurrentHashMap<String, Quantity> PARSED = new ConcurrentHashMap<>();
    private static final ConcurrentHashMap<String, String> CANONICAL = new ConcurrentHashMap<>();

    private QuantityCache() {
    }

    /** {@link Quantity#parse}, cached; invalid texts are never cached (the exception is thrown every time). */
    static Quantity parse(String text) {
        Quantity q = PARSED.get(text);
        if (q == null) {
            q = Quantity.parse(text);
            if (PARSED.size() < MAX_ENTRIES) {
                PARSED.putIfAbsent(text, q);
            }
        }
        return q;
    }

    /** {@link Quantity#canonical} of a quantity, cached by the text it was parsed from. */
    static String canonical(Quantity q) {
        String text = q.original();
        String canonical = CANONICAL.get(text);
        if (canonical == null) {
            canonical = q.canonical();
            if (CANONICAL.size() < MAX_ENTRIES) {
                CANONICAL.putIfAbsent(text, canonical);
            }
        }
        return canonical;
    }
}
