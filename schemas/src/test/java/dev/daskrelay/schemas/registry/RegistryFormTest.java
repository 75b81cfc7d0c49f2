package dev.daskrelay.schemas.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.daskrelay.avro.v1.DaskJobIntent;
import dev.daskrelay.avro.v1.Observation;
import dev.daskrelay.avro.v1.TaskCommand;
import dev.daskrelay.avro.v1.TaskStatus;
import dev.daskrelay.schemas.serde.AvroSerde;
import dev.daskrelay.schemas.serde.AvroSerdes;
import dev.daskrelay.schemas.serde.SampleRecords;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The registry form: the published files under {@code schemas/registry/} are exactly what the Java serializer
 * registers, they carry no Java-only property, and they are the same schemas as the generated ones.
 */
class RegistryFormTest {

    private static final List<Schema> TOPIC_SCHEMAS = List.of(TaskCommand.getClassSchema(),
            TaskStatus.getClassSchema(), Observation.getClassSchema(), DaskJobIntent.getClassSchema());
    /** The module's directory is the working directory of its tests. */
    private static final Path PUBLISHED = Path.of("registry");
    private static final String SCOPE = "registry-form-test";

    @AfterEach
    void drop() {
        MockSchemaRegistry.dropScope(SCOPE);
    }

    @Test
    void thePublishedFilesAreTheRegistryFormsOfTheTopicSchemas() throws Exception {
        if (Boolean.getBoolean("daskrelay.registryForm.write")) {
            RegistryForm.write(PUBLISHED, TOPIC_SCHEMAS); // after a schema change (schemas/registry/README.md)
        }
        for (Schema s : TOPIC_SCHEMAS) {
            Path file = PUBLISHED.resolve(s.getName() + ".avsc");
            String expected = RegistryForm.text(s);
            assertEquals(expected, Files.readString(file, StandardCharsets.UTF_8), file + " is out of date; rewrite"
                    + " it with RegistryForm.write (see schemas/registry/README.md)");
        }
    }

    @Test
    void theRegistryFormIsTheSameSchemaWithoutJavaOnlyProperties() {
        for (Schema s : TOPIC_SCHEMAS) {
            String text = RegistryForm.text(s);
            assertFalse(text.contains("avro.java"), s.getName() + " still has a Java-only property");
            assertEquals(SchemaNormalization.toParsingForm(s), SchemaNormalization.toParsingForm(RegistryForm.of(s)));
            assertEquals(text, RegistryForm.text(new Schema.Parser().parse(text)), "the form is a fixed point");
            // docs, defaults and logical types stay (they matter to compatibility checks and to readers)
            assertEquals(s.getDoc(), RegistryForm.of(s).getDoc());
        }
        Schema plain = SampleRecords.widgetV1();
        assertSame(plain, RegistryForm.of(plain), "nothing to strip");
    }

    @Test
    void theJavaSerializerRegistersTheRegistryForm() {
        try (AvroSerde<TaskCommand> commands = AvroSerdes.specific(TaskCommand.class,
                Map.of("schema.registry.url", "mock://" + SCOPE), false)) {
            commands.serializer().serialize("p.commands", SampleRecords.launch());
            commands.serializer().serialize("p.commands", SampleRecords.abort());
        }
        try (MockSchemaRegistry registry = MockSchemaRegistry.forScope(SCOPE)) {
            RegisteredSchema latest = registry.latest("p.commands-value").orElseThrow();
            assertEquals(1, latest.version(), "one version for launches and aborts");
            assertEquals(RegistryForm.text(TaskCommand.getClassSchema()), latest.schema().toString());
            // a non-Java producer registering the published text gets the same id, no second version
            Schema published = new Schema.Parser().parse(RegistryForm.text(TaskCommand.getClassSchema()));
            assertEquals(latest.id(), registry.register("p.commands-value", published));
            assertEquals(1, registry.latest("p.commands-value").orElseThrow().version());
        }
    }
}
