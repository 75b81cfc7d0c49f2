package dev.daskrelay.schemas.evolution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Schema evolution: the current topic value schemas must read data written with every released version and be
 * readable by it (Avro's own {@code SchemaCompatibility}, both directions), so a breaking edit of
 * {@code src/main/avro} fails the build. To release a version, copy the current schemas to
 * {@code schemas/released/vN/} and list them in {@code released/index.txt} (docs/TASK-FILES.md, schemas/README.md).
 */
class ReleasedSchemasTest {

    /** Surefire runs in the module folder. */
    private static final Path RELEASED = Path.of("released");

    static Stream<ReleasedSchemas.Released> released() {
        return ReleasedSchemas.all().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("released")
    void currentSchemaReadsAndIsReadByTheReleasedOne(ReleasedSchemas.Released released) {
        Schema current = ReleasedSchemas.CURRENT.get(released.recordName());
        assertNotNull(current, released.recordName() + " was released but is no topic value any more");
        assertEquals(List.of(), ReleasedSchemas.incompatibilities(released.schema(), current),
                released.version() + "/" + released.recordName());
    }

    @Test
    void theIndexListsExactlyTheReleasedFiles() throws IOException {
        Set<String> onDisk;
        try (Stream<Path> files = Files.walk(RELEASED)) {
            onDisk = files.filter(p -> p.toString().endsWith(".avsc"))
                    .map(p -> RELEASED.relativize(p).toString().replace('\\', '/'))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
        Set<String> indexed = ReleasedSchemas.all().stream()
                .map(r -> r.resource().substring(ReleasedSchemas.CLASSPATH_ROOT.length()))
                .collect(Collectors.toCollection(TreeSet::new));
        assertFalse(onDisk.isEmpty());
        assertEquals(onDisk, indexed);
    }

    @Test
    void everyTopicValueHasBeenReleased() {
        Set<String> releasedNames = ReleasedSchemas.all().stream().map(ReleasedSchemas.Released::recordName)
                .collect(Collectors.toSet());
        assertEquals(ReleasedSchemas.CURRENT.keySet(), releasedNames);
    }

    @Test
    void theReleasedFileNamesItsRecord() {
        for (ReleasedSchemas.Released r : ReleasedSchemas.all()) {
            assertTrue(r.resource().endsWith("/" + r.version() + "/" + r.recordName() + ".avsc"), r.resource());
            assertEquals("dev.daskrelay.avro.v1", r.schema().getNamespace());
        }
    }

    // ---- the check can fail: edits of a released schema standing in for edits of the current one ----

    private static Schema edited(String from, String to) {
        Schema released = ReleasedSchemas.schema("v1", "TaskCommand");
        String text = released.toString(true);
        assertTrue(text.contains(from), from);
        return new Schema.Parser().parse(text.replace(from, to));
    }

    @Test
    void renamingAFieldIsCaughtInBothDirections() {
        List<String> problems = ReleasedSchemas.incompatibilities(ReleasedSchemas.schema("v1", "TaskCommand"),
                edited("\"name\" : \"commandId\"", "\"name\" : \"commandIdentifier\""));
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("current cannot read")), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("released cannot read")), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.contains("READER_FIELD_MISSING_DEFAULT_VALUE")), problems.toString());
    }

    @Test
    void changingAFieldTypeIsCaught() {
        List<String> problems = ReleasedSchemas.incompatibilities(ReleasedSchemas.schema("v1", "TaskCommand"),
                edited("\"name\" : \"retryAttempt\",\n        \"type\" : \"int\",\n        \"default\" : 0",
                        "\"name\" : \"retryAttempt\",\n        \"type\" : \"string\",\n        \"default\" : \"0\""));
        assertFalse(problems.isEmpty());
        assertTrue(problems.stream().anyMatch(p -> p.contains("TYPE_MISMATCH")), problems.toString());
    }

    @Test
    void addingAFieldWithADefaultIsFine() {
        assertEquals(List.of(), ReleasedSchemas.incompatibilities(ReleasedSchemas.schema("v1", "TaskCommand"),
                edited("\"name\" : \"issuedBy\",",
                        "\"name\" : \"priority\", \"type\" : \"int\", \"default\" : 0 }, {\n    \"name\" : \"issuedBy\",")));
    }

    @Test
    void addingAFieldWithoutADefaultBreaksOldDataForNewReaders() {
        List<String> problems = ReleasedSchemas.incompatibilities(ReleasedSchemas.schema("v1", "TaskCommand"),
                edited("\"name\" : \"issuedBy\",",
                        "\"name\" : \"priority\", \"type\" : \"int\" }, {\n    \"name\" : \"issuedBy\","));
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("current cannot read data written with the released schema"));
    }
}
