package dev.daskrelay.watcher.status;

import dev.daskrelay.schemas.serde.WireFormat;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Wraps the status value serializer and adds the CloudEvents {@code ce_dataschema} header once the schema id of
 * the record is known: {@code <registry>/schemas/ids/<id>}, the Confluent REST path that returns the writer's schema
 * ({@code GET /schemas/ids/{id}}). Kafka Streams hands the record's headers to {@link #serialize(String, Headers,
 * Object)}, so the header travels in the same record and transaction. Records that are not in Confluent's wire
 * format (test serdes) get no header.
 *
 * @param <T> the record type
 */
public final class DataSchemaSerializer<T> implements Serializer<T> {

    /** scheme, user info (dropped), the rest. */
    private static final Pattern URL = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*)://([^/@]*@)?(.*)");

    private final Serializer<T> inner;
    private final String base;

    /**
     * @param inner the Confluent wire-format serializer
     * @param base  {@link #baseOf(String)} of the registry URL; null adds no header
     */
    public DataSchemaSerializer(Serializer<T> inner, String base) {
        this.inner = inner;
        this.base = base;
    }

    /**
     * The base the schema URIs are built on: the first URL of {@code schema.registry.url}, without user info (so no
     * credential reaches a header), query or trailing slash. {@code bundled://} gives {@code bundled://} (and
     * URIs {@code bundled:///schemas/ids/<id>}, whose schemas are the ones in the jar), {@code mock://s} gives
     * {@code mock://s}. Null when the URL is empty or not a URI.
     */
    public static String baseOf(String registryUrl) {
        if (registryUrl == null || registryUrl.isBlank()) {
            return null;
        }
        Matcher m = URL.matcher(registryUrl.split(",")[0].trim());
        if (!m.matches()) {
            return null;
        }
        String rest = m.group(3);
        int cut = rest.indexOf('?') >= 0 ? rest.indexOf('?') : rest.indexOf('#');
        rest = cut >= 0 ? rest.substring(0, cut) : rest;
        while (rest.endsWith("/")) {
            rest = rest.substring(0, rest.length() - 1);
        }
        return m.group(1) + "://" + rest;
    }

    /** {@code <base>/schemas/ids/<id>}. */
    public static String dataSchema(String base, int id) {
        return base + "/schemas/ids/" + id;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        inner.configure(configs, isKey);
    }

    @Override
    public byte[] serialize(String topic, T data) {
        return inner.serialize(topic, data);
    }

    @Override
    public byte[] serialize(String topic, Headers headers, T data) {
        byte[] bytes = inner.serialize(topic, headers, data);
        if (base != null && headers != null && bytes != null && bytes.length >= WireFormat.HEADER_LENGTH
                && bytes[0] == WireFormat.MAGIC_BYTE) {
            CloudEventHeaders.add(headers, CloudEventHeaders.DATASCHEMA, dataSchema(base, WireFormat.schemaId(bytes)));
        }
        return bytes;
    }

    @Override
    public void close() {
        inner.close();
    }
}
