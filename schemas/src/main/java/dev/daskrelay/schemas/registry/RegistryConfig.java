package dev.daskrelay.schemas.registry;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/**
 * Registry connection settings, read from a Kafka-style config map with Confluent's key names.
 *
 * <table>
 * <caption>Keys</caption>
 * <tr><td>{@code schema.registry.url}</td><td>comma-separated list (fail-over), or {@code mock://scope}, or {@code bundled://}</td></tr>
 * <tr><td>{@code basic.auth.credentials.source}</td><td>{@code USER_INFO} (with {@code basic.auth.user.info=user:password}) or {@code URL} (user info in the URL)</td></tr>
 * <tr><td>{@code bearer.auth.credentials.source}</td><td>{@code STATIC_TOKEN} (with {@code bearer.auth.token})</td></tr>
 * <tr><td>{@code schema.registry.ssl.truststore.location/.password/.type}</td><td>trust store for https registries</td></tr>
 * <tr><td>{@code max.retries}, {@code retries.wait.ms}, {@code retries.max.wait.ms}</td><td>back-off of transient failures (3, 1000, 2000)</td></tr>
 * <tr><td>{@code http.connect.timeout.ms}, {@code http.read.timeout.ms}</td><td>10000, 30000</td></tr>
 * </table>
 */
public record RegistryConfig(
        List<URI> urls,
        Mode mode,
        Optional<String> authorizationHeader,
        Optional<SSLContext> sslContext,
        Duration connectTimeout,
        Duration requestTimeout,
        RetryPolicy retryPolicy) {

    public static final String URL = "schema.registry.url";
    public static final String BASIC_AUTH_SOURCE = "basic.auth.credentials.source";
    public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";
    public static final String BEARER_AUTH_SOURCE = "bearer.auth.credentials.source";
    public static final String BEARER_AUTH_TOKEN = "bearer.auth.token";
    public static final String TRUSTSTORE_LOCATION = "schema.registry.ssl.truststore.location";
    public static final String TRUSTSTORE_PASSWORD = "schema.registry.ssl.truststore.password";
    public static final String TRUSTSTORE_TYPE = "schema.registry.ssl.truststore.type";
    public static final String MAX_RETRIES = "max.retries";
    public static final String RETRIES_WAIT_MS = "retries.wait.ms";
    public static final String RETRIES_MAX_WAIT_MS = "retries.max.wait.ms";
    public static final String CONNECT_TIMEOUT_MS = "http.connect.timeout.ms";
    public static final String READ_TIMEOUT_MS = "http.read.timeout.ms";

    /** Where schemas live. */
    public enum Mode {
        /** A Confluent-compatible registry over HTTP(S). */
        HTTP,
        /** {@code mock://scope}: in-process, shared per scope within one JVM. */
        MOCK,
        /** {@code bundled://}: no server; ids derived from the schemas bundled with daskrelay. */
        BUNDLED
    }

    public RegistryConfig {
        urls = List.copyOf(urls);
    }

    /** Reads the settings; throws {@link ConfigException} naming the key on any bad value. */
    public static RegistryConfig from(Map<String, ?> config) {
        List<URI> urls = urls(config.get(URL));
        Mode mode = mode(urls);
        int maxRetries = intValue(config, MAX_RETRIES, 3);
        RetryPolicy retry;
        try {
            retry = new RetryPolicy(maxRetries, Duration.ofMillis(intValue(config, RETRIES_WAIT_MS, 1000)),
                    Duration.ofMillis(intValue(config, RETRIES_MAX_WAIT_MS, 2000)));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(MAX_RETRIES, maxRetries, e.getMessage());
        }
        Optional<String> authorization = authorization(config, urls);
        urls = urls.stream().map(RegistryConfig::withoutUserInfo).toList(); // never log or send credentials in URLs
        return new RegistryConfig(urls, mode, authorization,
                mode == Mode.HTTP ? sslContext(config) : Optional.empty(),
                Duration.ofMillis(intValue(config, CONNECT_TIMEOUT_MS, 10_000)),
                Duration.ofMillis(intValue(config, READ_TIMEOUT_MS, 30_000)),
                retry);
    }

    /**
     * The client for these settings: HTTP registries get a {@link RestSchemaRegistryClient} behind a
     * {@link CachingSchemaRegistryClient}; {@code mock://scope} the scope's {@link MockSchemaRegistry};
     * {@code bundled://} the {@link BundledSchemaRegistry}.
     */
    public SchemaRegistryClient open() {
        return switch (mode) {
            case MOCK -> MockSchemaRegistry.forScope(scopeOf(urls.get(0)));
            case BUNDLED -> BundledSchemaRegistry.instance();
            case HTTP -> new CachingSchemaRegistryClient(new RestSchemaRegistryClient(this));
        };
    }

    private static List<URI> urls(Object value) {
        if (value == null || value.toString().isBlank()) {
            throw new ConfigException(URL, value, "required: a comma-separated list of registry URLs, mock://<scope> or bundled://");
        }
        List<String> parts = new ArrayList<>();
        if (value instanceof Collection<?> list) {
            list.forEach(item -> parts.add(String.valueOf(item)));
        } else {
            for (String part : value.toString().split(",")) {
                parts.add(part);
            }
        }
        List<URI> urls = new ArrayList<>();
        for (String part : parts) {
            String trimmed = part.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            try {
                // "bundled://" has an empty authority, which java.net.URI refuses: read it as "bundled:///"
                URI uri = new URI(trimmed.endsWith("://") ? trimmed + "/" : trimmed);
                if (uri.getScheme() == null) {
                    throw new ConfigException(URL, value, "URL without scheme: " + trimmed);
                }
                urls.add(uri);
            } catch (URISyntaxException e) {
                throw new ConfigException(URL, value, "not a URL: " + trimmed + " (" + e.getMessage() + ")");
            }
        }
        if (urls.isEmpty()) {
            throw new ConfigException(URL, value, "no URL given");
        }
        return urls;
    }

    private static Mode mode(List<URI> urls) {
        Mode first = null;
        for (URI uri : urls) {
            Mode mode = switch (uri.getScheme().toLowerCase(Locale.ROOT)) {
                case "http", "https" -> Mode.HTTP;
                case "mock" -> Mode.MOCK;
                case "bundled" -> Mode.BUNDLED;
                default -> throw new ConfigException(URL, urls.toString(), "unsupported scheme " + uri.getScheme()
                        + " (http, https, mock, bundled)");
            };
            if (first != null && first != mode) {
                throw new ConfigException(URL, urls.toString(), "cannot mix " + first + " and " + mode + " URLs");
            }
            first = mode;
        }
        if (first != Mode.HTTP && urls.size() > 1) {
            throw new ConfigException(URL, urls.toString(), "only one mock:// or bundled:// URL is allowed");
        }
        return first;
    }

    private static URI withoutUserInfo(URI uri) {
        if (uri.getRawUserInfo() == null) {
            return uri;
        }
        try {
            return new URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), uri.getPath(), uri.getQuery(), uri.getFragment());
        } catch (URISyntaxException e) {
            throw new ConfigException(URL, "(hidden)", "cannot remove the user info from a URL: " + e.getMessage());
        }
    }

    static String scopeOf(URI uri) {
        String rest = uri.getSchemeSpecificPart();
        while (rest.startsWith("/")) {
            rest = rest.substring(1);
        }
        return rest;
    }

    private static Optional<String> authorization(Map<String, ?> config, List<URI> urls) {
        Object bearerSource = config.get(BEARER_AUTH_SOURCE);
        Object basicSource = config.get(BASIC_AUTH_SOURCE);
        if (bearerSource != null && !bearerSource.toString().isBlank()) {
            if (!"STATIC_TOKEN".equalsIgnoreCase(bearerSource.toString().trim())) {
                throw new ConfigException(BEARER_AUTH_SOURCE, bearerSource, "only STATIC_TOKEN is supported");
            }
            Object token = config.get(BEARER_AUTH_TOKEN);
            if (token == null || token.toString().isBlank()) {
                throw new ConfigException(BEARER_AUTH_TOKEN, "(empty)", "required when " + BEARER_AUTH_SOURCE + "=STATIC_TOKEN");
            }
            return Optional.of("Bearer " + secret(token));
        }
        if (basicSource != null && !basicSource.toString().isBlank()) {
            String source = basicSource.toString().trim().toUpperCase(Locale.ROOT);
            String userInfo = switch (source) {
                case "USER_INFO" -> {
                    Object info = config.get(BASIC_AUTH_USER_INFO);
                    if (info == null || !secret(info).contains(":")) {
                        throw new ConfigException(BASIC_AUTH_USER_INFO, "(hidden)", "required as user:password when "
                                + BASIC_AUTH_SOURCE + "=USER_INFO");
                    }
                    yield secret(info);
                }
                case "URL" -> {
                    String info = urls.get(0).getRawUserInfo();
                    if (info == null) {
                        throw new ConfigException(URL, "(hidden)", "needs user:password@ when " + BASIC_AUTH_SOURCE + "=URL");
                    }
                    yield URLDecoder.decode(info, StandardCharsets.UTF_8);
                }
                default -> throw new ConfigException(BASIC_AUTH_SOURCE, basicSource, "supported: USER_INFO, URL");
            };
            return Optional.of("Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8)));
        }
        return Optional.empty();
    }

    private static Optional<SSLContext> sslContext(Map<String, ?> config) {
        Object location = config.get(TRUSTSTORE_LOCATION);
        if (location == null || location.toString().isBlank()) {
            return Optional.empty();
        }
        Object password = config.get(TRUSTSTORE_PASSWORD);
        Object type = config.get(TRUSTSTORE_TYPE);
        String storeType = type == null || type.toString().isBlank() ? KeyStore.getDefaultType() : type.toString().trim();
        try (InputStream in = Files.newInputStream(Path.of(location.toString()))) {
            KeyStore store = KeyStore.getInstance(storeType);
            store.load(in, password == null ? null : secret(password).toCharArray());
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return Optional.of(context);
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigException(TRUSTSTORE_LOCATION, location, "cannot load " + storeType + " trust store: " + e.getMessage());
        }
    }

    /** Kafka's Password type (config parsed by ConfigDef) hides its value in toString(). */
    private static String secret(Object value) {
        return value instanceof Password p ? p.value() : value.toString();
    }

    private static int intValue(Map<String, ?> config, String key, int defaultValue) {
        Object value = config.get(key);
        if (value == null || value.toString().isBlank()) {
            return defaultValue;
        }
        try {
            int parsed = value instanceof Number n ? n.intValue() : Integer.parseInt(value.toString().trim());
            if (parsed < 0) {
                throw new ConfigException(key, value, "must be >= 0");
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new ConfigException(key, value, "not an integer");
        }
    }

    @Override
    public String toString() {
        return "RegistryConfig[urls=" + urls + ", mode=" + mode + ", auth=" + authorizationHeader.map(h -> h.substring(0, h.indexOf(' '))).orElse("none")
                + ", tls=" + sslContext.isPresent() + ", retry=" + retryPolicy + "]";
    }
}
