package dev.daskrelay.schemas.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Client of the Confluent Schema Registry REST API over {@code java.net.http} (no Confluent jars).
 * Works against Confluent Schema Registry, Apicurio's {@code /apis/ccompat/v7}, Karapace and Redpanda.
 *
 * <p>No caching here: wrap it in {@link CachingSchemaRegistryClient} (as {@link RegistryConfig#open()} does).
 *
 * <p>Failures: 401/403 → {@link RegistryAuthException}; 404 → {@link UnknownSchemaIdException} or
 * {@link SchemaNotRegisteredException}; 409 → {@link IncompatibleSchemaException} (judged by the HTTP status:
 * Apicurio answers 409 with {@code error_code} 0, Confluent with 409); 422 → {@link InvalidSchemaException};
 * IO errors, 408, 429 and 5xx are retried with {@link RetryPolicy} back-off, moving to the next URL of the
 * list on each retry, then → {@link RegistryUnavailableException}. Nothing retries forever.
 */
public final class RestSchemaRegistryClient implements SchemaRegistryClient {

    private static final Logger log = LoggerFactory.getLogger(RestSchemaRegistryClient.class);
    static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final String ACCEPT =
            "application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json; qs=0.9, application/json; qs=0.5";

    private final RegistryConfig config;
    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper();
    private final AtomicInteger preferredUrl = new AtomicInteger();
    private final AtomicLong retries = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();

    public RestSchemaRegistryClient(RegistryConfig config) {
        if (config.urls().isEmpty()) {
            throw new IllegalArgumentException("no registry URL");
        }
        this.config = config;
        HttpClient.Builder builder = HttpClient.newBuilder()
                .connectTimeout(config.connectTimeout())
                .followRedirects(HttpClient.Redirect.NORMAL);
        config.sslContext().ifPresent(builder::sslContext);
        this.http = builder.build();
    }

    @Override
    public int register(String subject, Schema schema) {
        JsonNode body = send("POST", "/subjects/" + encode(subject) + "/versions", schemaBody(schema),
                (status, error) -> null);
        return requireInt(body, "id");
    }

    @Override
    public RegisteredSchema lookup(String subject, Schema schema) {
        JsonNode body = send("POST", "/subjects/" + encode(subject), schemaBody(schema), (status, error) ->
                status == 404 ? new SchemaNotRegisteredException("schema " + schema.getFullName()
                        + " is not registered under subject '" + subject + "' (" + error + ")") : null);
        return new RegisteredSchema(subject, requireInt(body, "id"), requireInt(body, "version"), schema);
    }

    @Override
    public Schema schemaById(int id) {
        JsonNode body = send("GET", "/schemas/ids/" + id, null, (status, error) ->
                status == 404 ? new UnknownSchemaIdException("schema id " + id + " is unknown to the registry (" + error + ")") : null);
        return parseSchema(body, "schema id " + id);
    }

    @Override
    public Optional<RegisteredSchema> latest(String subject) {
        JsonNode body = send("GET", "/subjects/" + encode(subject) + "/versions/latest", null,
                (status, error) -> status == 404 ? NOT_FOUND : null);
        if (body == null) {
            return Optional.empty();
        }
        return Optional.of(new RegisteredSchema(subject, requireInt(body, "id"), requireInt(body, "version"),
                parseSchema(body, "latest of subject '" + subject + "'")));
    }

    @Override
    public boolean isCompatible(String subject, Schema schema) {
        JsonNode body = send("POST", "/compatibility/subjects/" + encode(subject) + "/versions/latest",
                schemaBody(schema), (status, error) -> status == 404 ? NOT_FOUND : null);
        if (body == null) {
            return true; // nothing registered yet: anything is compatible
        }
        JsonNode value = body.get("is_compatible");
        if (value == null || !value.isBoolean()) {
            throw new RegistryProtocolException("compatibility answer without is_compatible: " + body);
        }
        return value.booleanValue();
    }

    @Override
    public void setCompatibility(String subject, String level) {
        ObjectNode body = json.createObjectNode().put("compatibility", level);
        send("PUT", "/config/" + encode(subject), body.toString(), (status, error) -> null);
    }

    /** Retries done so far (for tests and metrics). */
    public long retries() {
        return retries.get();
    }

    /** HTTP requests sent so far, retries included (for tests and metrics). */
    public long requests() {
        return requests.get();
    }

    // ---- transport ------------------------------------------------------------------------------------------

    /** Maps a non-2xx status to a specific exception (or {@link #NOT_FOUND}), or null for the default handling. */
    private interface StatusMapping {
        RuntimeException map(int status, String error);
    }

    /** Marker: the caller turns this 404 into an empty result. */
    private static final RuntimeException NOT_FOUND = new RuntimeException("not found", null, false, false) {
    };

    private JsonNode send(String method, String path, String body, StatusMapping mapping) {
        List<URI> urls = config.urls();
        int start = Math.floorMod(preferredUrl.get(), urls.size());
        String lastProblem = "";
        RetryPolicy policy = config.retryPolicy();
        for (int attempt = 0; attempt <= policy.maxRetries(); attempt++) {
            if (attempt > 0) {
                retries.incrementAndGet();
                Duration wait = policy.waitBeforeRetry(attempt, ThreadLocalRandom.current().nextDouble());
                log.warn("Schema registry {} {} failed ({}); retry {}/{} in {} ms", method, path, lastProblem,
                        attempt, policy.maxRetries(), wait.toMillis());
                sleep(wait);
            }
            int index = (start + attempt) % urls.size();
            URI base = urls.get(index);
            HttpResponse<String> response;
            try {
                requests.incrementAndGet();
                response = http.send(request(base, method, path, body), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                lastProblem = base + ": " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage());
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RegistryUnavailableException("interrupted while calling the schema registry at " + base, e);
            }
            int status = response.statusCode();
            if (status >= 200 && status < 300) {
                preferredUrl.set(index);
                return parse(response.body(), method, path);
            }
            if (status >= 500 || status == 408 || status == 429) {
                lastProblem = base + ": HTTP " + status + " " + abbreviate(response.body());
                continue;
            }
            preferredUrl.set(index);
            String error = "HTTP " + status + " from " + base + path + ": " + abbreviate(response.body());
            RuntimeException mapped = mapping.map(status, error);
            if (mapped == NOT_FOUND) {
                return null;
            }
            if (mapped != null) {
                throw mapped;
            }
            throw switch (status) {
                case 401, 403 -> new RegistryAuthException("schema registry refused the credentials: " + error);
                case 404 -> new SchemaNotRegisteredException("not found: " + error);
                case 409 -> new IncompatibleSchemaException("schema registry refused the schema as incompatible: " + error);
                case 422 -> new InvalidSchemaException("schema registry rejected the schema: " + error);
                default -> new RegistryProtocolException("unexpected answer: " + error);
            };
        }
        throw new RegistryUnavailableException("schema registry " + method + " " + path + " failed after "
                + (policy.maxRetries() + 1) + " attempts over " + urls + "; last: " + lastProblem);
    }

    private HttpRequest request(URI base, String method, String path, String body) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(stripSlash(base.toString()) + path))
                .timeout(config.requestTimeout())
                .header("Accept", ACCEPT);
        config.authorizationHeader().ifPresent(value -> builder.header("Authorization", value));
        if (body == null) {
            builder.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            builder.header("Content-Type", CONTENT_TYPE)
                    .method(method, HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        }
        return builder.build();
    }

    private JsonNode parse(String text, String method, String path) {
        try {
            return text == null || text.isBlank() ? json.createObjectNode() : json.readTree(text);
        } catch (IOException e) {
            throw new RegistryProtocolException("schema registry answered " + method + " " + path
                    + " with a body that is not JSON: " + abbreviate(text), e);
        }
    }

    private String schemaBody(Schema schema) {
        return json.createObjectNode().put("schema", schema.toString()).toString();
    }

    private static Schema parseSchema(JsonNode body, String what) {
        JsonNode schema = body.get("schema");
        if (schema == null || !schema.isTextual()) {
            throw new RegistryProtocolException("registry answer for " + what + " has no schema: " + abbreviate(body.toString()));
        }
        JsonNode type = body.get("schemaType");
        if (type != null && type.isTextual() && !"AVRO".equalsIgnoreCase(type.asText())) {
            throw new RegistryProtocolException(what + " is a " + type.asText() + " schema, not Avro");
        }
        try {
            return new Schema.Parser().setValidateDefaults(false).parse(schema.asText());
        } catch (SchemaParseException e) {
            throw new RegistryProtocolException(what + " is not a parseable Avro schema: " + e.getMessage(), e);
        }
    }

    private static int requireInt(JsonNode body, String field) {
        JsonNode value = body == null ? null : body.get(field);
        if (value == null || !value.canConvertToInt()) {
            throw new RegistryProtocolException("registry answer without integer '" + field + "': " + body);
        }
        return value.intValue();
    }

    private static String encode(String subject) {
        return URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    private static String abbreviate(String text) {
        if (text == null) {
            return "";
        }
        return text.length() <= 300 ? text : text.substring(0, 300) + "...";
    }

    private static void sleep(Duration wait) {
        try {
            Thread.sleep(wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryUnavailableException("interrupted while waiting to retry the schema registry", e);
        }
    }

    @Override
    public String toString() {
        return "RestSchemaRegistryClient" + config.urls();
    }
}
