package dev.daskrelay.translator.render;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.util.StringQuotingChecker;
import java.io.UncheckedIOException;
import org.yaml.snakeyaml.nodes.NodeId;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * How a rendered manifest is printed. Every form is a pure function of the tree, so the same render always prints
 * the same bytes. Quantities and named ports are JSON strings in the tree and stay strings in every form (YAML
 * quotes strings that would otherwise read as numbers or booleans).
 */
public enum ManifestFormat {
    /** One line of JSON, fields in rendering order: what travels in a DaskJobIntent. */
    JSON_COMPACT,
    /** Indented JSON ({@code "key": value}), for people ({@code daskrelay render -o json}). */
    JSON,
    /** YAML without a document marker ({@code daskrelay render}, the default). */
    YAML,
    /** One line of JSON with object keys sorted at every level ({@link CanonicalJson}): the input of the spec hash. */
    CANONICAL_JSON;

    private static final ObjectMapper JSON_MAPPER = new ObjectMapper();
    private static final ObjectWriter COMPACT_WRITER = JSON_MAPPER.writer();
    private static final ObjectWriter PRETTY_WRITER = JSON_MAPPER.writer(new DefaultPrettyPrinter()
            .withSeparators(Separators.createDefaultInstance()
                    .withObjectFieldValueSpacing(Separators.Spacing.AFTER))
            .withObjectIndenter(DefaultIndenter.SYSTEM_LINEFEED_INSTANCE.withLinefeed("\n"))
            .withArrayIndenter(DefaultIndenter.SYSTEM_LINEFEED_INSTANCE.withLinefeed("\n")));
    private static final ObjectWriter YAML_WRITER = new ObjectMapper(YAMLFactory.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .stringQuotingChecker(new Yaml11QuotingChecker())
            .build()).writer();

    /**
     * Quotes every string a YAML 1.1 reader (kubectl, Go's yaml) would read as something else: besides Jackson's
     * booleans, nulls and numbers also timestamps ({@code 2026-11-27}), octal/hex/sexagesimal numbers, {@code <<}
     * and {@code =}. Decided by SnakeYAML's own YAML 1.1 resolver.
     */
    private static final class Yaml11QuotingChecker extends StringQuotingChecker.Default {
        private static final long serialVersionUID = 1L;
        private static final Resolver RESOLVER = new Resolver();

        @Override
        public boolean needToQuoteName(String name) {
            return super.needToQuoteName(name) || !readsAsString(name);
        }

        @Override
        public boolean needToQuoteValue(String value) {
            return super.needToQuoteValue(value) || !readsAsString(value);
        }

        private static boolean readsAsString(String text) {
            return Tag.STR.equals(RESOLVER.resolve(NodeId.scalar, text, true));
        }
    }

    /** Prints a manifest tree in this format (JSON forms without a trailing newline, YAML with one). */
    public String print(JsonNode manifest) {
        try {
            return switch (this) {
                case JSON_COMPACT -> COMPACT_WRITER.writeValueAsString(manifest);
                case JSON -> PRETTY_WRITER.writeValueAsString(manifest);
                case YAML -> YAML_WRITER.writeValueAsString(manifest);
                case CANONICAL_JSON -> CanonicalJson.print(manifest);
            };
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("a JSON tree always prints", e);
        }
    }
}
