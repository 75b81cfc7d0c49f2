package dev.daskrelay.schemas.registry;

import dev.daskrelay.avro.v1.DaskJobIntent;
import dev.daskrelay.avro.v1.Observation;
import dev.daskrelay.avro.v1.TaskCommand;
import dev.daskrelay.avro.v1.TaskStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaNormalization;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registry without a server, for {@code schema.registry.url=bundled://}: the local stack and tools that must
 * agree across processes (e.g. {@code daskrelay local --keep-running} and {@code daskrelay submit} in a second
 * terminal) with nothing to start.
 *
 * <p>A schema's id is a pure function of its Avro Parsing Canonical Form: {@link #idOf(Schema)}. Every process
 * therefore writes the same id for the same schema, and resolves an id by searching the bundled set:
 * the schemas of the generated topic records ({@link TaskCommand}, {@link TaskStatus}, {@link Observation},
 * {@link DaskJobIntent}) plus every {@code .avsc} file on the classpath under {@value #RESOURCE_ROOT}
 * (e.g. released versions kept under {@code schemas/released/}). Schemas registered in this process are
 * resolvable in this process too, but not in others.
 *
 * <p>Compatibility is not enforced here (the bundled set is checked by the schema module's own tests):
 * {@link #isCompatible} answers with Avro's reader/writer check against the subject's last schema
 * registered in this process; {@link #setCompatibility} is accepted and ignored.
 */
public final class BundledSchemaRegistry implements SchemaRegistryClient {

    /** Classpath folder searched recursively for {@code .avsc} files. */
    public static final String RESOURCE_ROOT = "daskrelay/schemas";

    private static final Logger log = LoggerFactory.getLogger(BundledSchemaRegistry.class);
    private static volatile BundledSchemaRegistry instance;

    private final Map<Integer, Schema> bundled;
    private final Map<Integer, Schema> local = new ConcurrentHashMap<>();
    private final Map<String, List<Schema>> subjects = new ConcurrentHashMap<>();

    /** A registry over exactly these schemas (first wins when two have the same canonical form). */
    public BundledSchemaRegistry(Collection<Schema> schemas) {
        Map<Integer, Schema> byId = new LinkedHashMap<>();
        for (Schema schema : schemas) {
            int id = idOf(schema);
            Schema previous = byId.putIfAbsent(id, schema);
            if (previous != null && !SchemaNormalization.toParsingForm(previous).equals(SchemaNormalization.toParsingForm(schema))) {
                throw new IllegalStateException("bundled schemas " + previous.getFullName() + " and " + schema.getFullName()
                        + " collide on derived id " + id + "; rename or drop one");
            }
        }
        this.bundled = Collections.unmodifiableMap(byId);
    }

    /** The process-wide registry over the generated topic schemas and the classpath {@code .avsc} files. */
    public static BundledSchemaRegistry instance() {
        BundledSchemaRegistry current = instance;
        if (current == null) {
            synchronized (BundledSchemaRegistry.class) {
                current = instance;
                if (current == null) {
                    List<Schema> all = new ArrayList<>(currentTopicSchemas());
                    all.addAll(classpathSchemas(Thread.currentThread().getContextClassLoader() != null
                            ? Thread.currentThread().getContextClassLoader() : BundledSchemaRegistry.class.getClassLoader()));
                    current = new BundledSchemaRegistry(all);
                    instance = current;
                    log.debug("Bundled schema registry with {} schemas: {}", current.bundled.size(), current.bundled.keySet());
                }
            }
        }
        return current;
    }

    /** The schemas of the topic records as generated in this build. */
    public static List<Schema> currentTopicSchemas() {
        return List.of(TaskCommand.getClassSchema(), TaskStatus.getClassSchema(), Observation.getClassSchema(),
                DaskJobIntent.getClassSchema());
    }

    /**
     * The derived id: the 64-bit Rabin fingerprint (CRC-64-AVRO) of the schema's Parsing Canonical Form,
     * folded to 32 bits ({@code fp ^ (fp >>> 32)}) and masked to a positive 31-bit int (0 becomes 1).
     * Schemas that differ only in docs, defaults, aliases, logical types or properties share an id; they
     * decode the same bytes identically, which is all a writer id has to tell a reader.
     */
    public static int idOf(Schema schema) {
        long fp = SchemaNormalization.parsingFingerprint64(schema);
        int id = (int) ((fp ^ (fp >>> 32)) & 0x7FFF_FFFFL);
        return id == 0 ? 1 : id;
    }

    /** The ids and schemas this registry resolves without any registration. */
    public Map<Integer, Schema> bundledSchemas() {
        return bundled;
    }

    @Override
    public int register(String subject, Schema schema) {
        int id = idOf(schema);
        if (!bundled.containsKey(id)) {
            local.putIfAbsent(id, schema);
        }
        List<Schema> history = subjects.computeIfAbsent(subject, s -> Collections.synchronizedList(new ArrayList<>()));
        synchronized (history) {
            if (history.stream().noneMatch(s -> idOf(s) == id)) {
                history.add(schema);
            }
        }
        return id;
    }

    /** In bundled mode every schema is implicitly registered under every subject: the id is derived. */
    @Override
    public RegisteredSchema lookup(String subject, Schema schema) {
        List<Schema> history = subjects.getOrDefault(subject, List.of());
        int version;
        synchronized (history) {
            version = 1 + (int) history.stream().takeWhile(s -> idOf(s) != idOf(schema)).count();
        }
        return new RegisteredSchema(subject, idOf(schema), version, schema);
    }

    @Override
    public Schema schemaById(int id) {
        Schema schema = bundled.get(id);
        if (schema == null) {
            schema = local.get(id);
        }
        if (schema == null) {
            throw new UnknownSchemaIdException("schema id " + id + " is not among the " + bundled.size()
                    + " bundled schemas (bundled:// mode derives ids from schemas; was the record written by another"
                    + " daskrelay version, or with a real registry?)");
        }
        return schema;
    }

    @Override
    public Optional<RegisteredSchema> latest(String subject) {
        List<Schema> history = subjects.get(subject);
        if (history == null) {
            return Optional.empty();
        }
        synchronized (history) {
            if (history.isEmpty()) {
                return Optional.empty();
            }
            Schema last = history.get(history.size() - 1);
            return Optional.of(new RegisteredSchema(subject, idOf(last), history.size(), last));
        }
    }

    @Override
    public boolean isCompatible(String subject, Schema schema) {
        return latest(subject).map(last -> SchemaCompatibility
                .checkReaderWriterCompatibility(schema, last.schema()).getType()
                == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE).orElse(true);
    }

    @Override
    public void setCompatibility(String subject, String level) {
        // accepted and ignored: see the class comment
    }

    // ---- classpath loading ----------------------------------------------------------------------------------

    /** Every {@code .avsc} under {@value #RESOURCE_ROOT} on the classpath (directories and jars), parsed. */
    static List<Schema> classpathSchemas(ClassLoader loader) {
        Map<String, String> files = new TreeMap<>();
        try {
            Enumeration<URL> roots = loader.getResources(RESOURCE_ROOT);
            while (roots.hasMoreElements()) {
                collect(roots.nextElement(), files);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + RESOURCE_ROOT + " on the classpath", e);
        }
        return parseAll(files);
    }

    private static void collect(URL root, Map<String, String> files) throws IOException {
        switch (root.getProtocol()) {
            case "file" -> {
                Path dir;
                try {
                    dir = Path.of(root.toURI());
                } catch (URISyntaxException e) {
                    throw new IOException(e);
                }
                try (Stream<Path> walk = Files.walk(dir)) {
                    for (Path p : walk.filter(p -> p.toString().endsWith(".avsc")).toList()) {
                        files.put(dir.relativize(p).toString(), Files.readString(p, StandardCharsets.UTF_8));
                    }
                }
            }
            case "jar" -> {
                JarURLConnection connection = (JarURLConnection) root.openConnection();
                connection.setUseCaches(false);
                try (JarFile jar = connection.getJarFile()) {
                    Enumeration<JarEntry> entries = jar.entries();
                    while (entries.hasMoreElements()) {
                        JarEntry entry = entries.nextElement();
                        if (entry.getName().startsWith(RESOURCE_ROOT + "/") && entry.getName().endsWith(".avsc")) {
                            try (InputStream in = jar.getInputStream(entry)) {
                                files.put(entry.getName(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
                            }
                        }
                    }
                }
            }
            default -> log.warn("Cannot list bundled schemas at {} (protocol {})", root, root.getProtocol());
        }
    }

    /**
     * Parses files that may refer to named types defined in other files: passes over the remaining files
     * until no file parses any more; files still failing are logged and skipped.
     */
    static List<Schema> parseAll(Map<String, String> files) {
        Map<String, Schema> known = new HashMap<>();
        List<Schema> parsed = new ArrayList<>();
        Map<String, String> remaining = new TreeMap<>(files);
        Map<String, String> errors = new TreeMap<>();
        boolean progress = true;
        while (!remaining.isEmpty() && progress) {
            progress = false;
            errors.clear();
            for (var it = remaining.entrySet().iterator(); it.hasNext(); ) {
                var file = it.next();
                Schema.Parser parser = new Schema.Parser();
                parser.addTypes(known.values());
                try {
                    Schema schema = parser.parse(file.getValue());
                    parsed.add(schema);
                    known.putAll(parser.getTypes());
                    it.remove();
                    progress = true;
                } catch (AvroRuntimeException e) {
                    errors.put(file.getKey(), e.getMessage());
                }
            }
        }
        errors.forEach((file, error) -> log.warn("Skipping bundled schema file {}: {}", file, error));
        return parsed;
    }

    @Override
    public String toString() {
        return "BundledSchemaRegistry[" + bundled.size() + " schemas]";
    }
}
