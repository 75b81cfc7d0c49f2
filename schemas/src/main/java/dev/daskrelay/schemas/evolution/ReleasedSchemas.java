package dev.daskrelay.schemas.evolution;

import dev.daskrelay.avro.v1.DaskJobIntent;
import dev.daskrelay.avro.v1.Observation;
import dev.daskrelay.avro.v1.TaskCommand;
import dev.daskrelay.avro.v1.TaskStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;

/**
 * The topic value schemas as released, kept as full resolved {@code .avsc} files under {@code schemas/released/}
 * and on the classpath under {@value #CLASSPATH_ROOT} (listed in {@code index.txt} there), and the check that the
 * current schemas stay compatible with every one of them in both directions: the current schema reads data
 * written with a released one (new consumers, old data: replays), and a released schema reads data written with
 * the current one (old consumers, new producers: rolling upgrades).
 */
public final class ReleasedSchemas {

    /** Classpath folder of the released schemas, e.g. {@code /daskrelay/schemas/released/v1/TaskCommand.avsc}. */
    public static final String CLASSPATH_ROOT = "/daskrelay/schemas/released/";

    /** The value schema of each topic as the code has it now, by record name. */
    public static final Map<String, Schema> CURRENT = Map.of(
            "TaskCommand", TaskCommand.getClassSchema(),
            "DaskJobIntent", DaskJobIntent.getClassSchema(),
            "Observation", Observation.getClassSchema(),
            "TaskStatus", TaskStatus.getClassSchema());

    /**
     * One released schema.
     *
     * @param version release folder, e.g. {@code v1}
     * @param recordName the record's simple name, e.g. {@code TaskCommand}
     * @param resource classpath resource it was read from
     * @param schema the parsed schema
     */
    public record Released(String version, String recordName, String resource, Schema schema) {
    }

    private ReleasedSchemas() {
    }

    /** Every released schema listed in the classpath index, in index order. */
    public static List<Released> all() {
        List<Released> result = new ArrayList<>();
        for (String line : read(CLASSPATH_ROOT + "index.txt").lines().toList()) {
            String entry = line.strip();
            if (entry.isEmpty() || entry.startsWith("#")) {
                continue;
            }
            String resource = CLASSPATH_ROOT + entry;
            Schema schema = new Schema.Parser().parse(read(resource));
            String version = entry.substring(0, entry.indexOf('/'));
            result.add(new Released(version, schema.getName(), resource, schema));
        }
        return result;
    }

    /** The released schema of a record in a version, e.g. {@code ("v1", "TaskCommand")}. */
    public static Schema schema(String version, String recordName) {
        return all().stream().filter(r -> r.version().equals(version) && r.recordName().equals(recordName))
                .map(Released::schema).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no released schema " + version + "/" + recordName));
    }

    /**
     * What keeps a current schema from being fully compatible with a released one; empty when data flows both
     * ways. Each entry names the direction and Avro's own description of the incompatibility.
     */
    public static List<String> incompatibilities(Schema released, Schema current) {
        List<String> problems = new ArrayList<>();
        describe("current cannot read data written with the released schema",
                SchemaCompatibility.checkReaderWriterCompatibility(current, released), problems);
        describe("released cannot read data written with the current schema",
                SchemaCompatibility.checkReaderWriterCompatibility(released, current), problems);
        return problems;
    }

    private static void describe(String direction, SchemaPairCompatibility result, List<String> problems) {
        if (result.getType() == SchemaCompatibilityType.COMPATIBLE) {
            return;
        }
        result.getResult().getIncompatibilities().forEach(i -> problems.add(direction + ": " + i.getType()
                + " at " + i.getLocation() + ": " + i.getMessage()));
        if (result.getResult().getIncompatibilities().isEmpty()) {
            problems.add(direction + ": " + result.getDescription());
        }
    }

    private static String read(String resource) {
        try (InputStream in = ReleasedSchemas.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("not on the classpath: " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
