package dev.daskrelay.schemas.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.daskrelay.avro.v1.TaskCommand;
import dev.daskrelay.avro.v1.TaskStatus;
import dev.daskrelay.schemas.registry.BundledSchemaRegistry;
import dev.daskrelay.schemas.registry.IncompatibleSchemaException;
import dev.daskrelay.schemas.registry.MockSchemaRegistry;
import dev.daskrelay.schemas.registry.RegistryConfig;
import dev.daskrelay.schemas.registry.RegistryForm;
import dev.daskrelay.schemas.registry.SchemaNotRegisteredException;
import dev.daskrelay.schemas.registry.SubjectNameStrategy;
import dev.daskrelay.schemas.registry.UnknownSchemaIdException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The serde factory over the server-less modes (mock://, bundled://) and the configuration keys. */
class AvroSerdesTest {

    private static final String SCOPE = "serdes";

    @AfterEach
    void tearDown() {
        MockSchemaRegistry.dropScope(SCOPE);
        MockSchemaRegistry.dropScope(SCOPE + "-other");
    }

    private static Map<String, Object> mock(Object... more) {
        Map<String, Object> config = new HashMap<>();
        config.put(RegistryConfig.URL, "mock://" + SCOPE);
        for (int i = 0; i < more.length; i += 2) {
            config.put((String) more[i], more[i + 1]);
        }
        return config;
    }

    @Test
    void specificRecordsRoundTripThroughAMockScope() {
        AvroSerde<TaskCommand> commands = AvroSerdes.specific(TaskCommand.class, mock(), false);
        AvroSerde<TaskStatus> statuses = AvroSerdes.specific(TaskStatus.class, mock(), false);
        for (TaskCommand command : List.of(SampleRecords.launch(), SampleRecords.abort())) {
            assertEquals(command, commands.deserializer().deserialize("commands", commands.serializer().serialize("commands", command)));
        }
        assertEquals(SampleRecords.status(), statuses.deserializer().deserialize("status",
                statuses.serializer().serialize("status", SampleRecords.status())));
    }

    @Test
    void mockScopesAreSharedByNameAndIsolatedFromEachOther() {
        byte[] frame = AvroSerdes.specific(TaskStatus.class, mock(), false).serializer().serialize("status", SampleRecords.status());
        // another serde of the same scope (e.g. in another topology) resolves the id
        assertEquals(SampleRecords.status(), AvroSerdes.specific(TaskStatus.class, mock(), false).deserializer().deserialize("status", frame));
        assertSame(MockSchemaRegistry.forScope(SCOPE), RegistryConfig.from(mock()).open());
        // another scope does not know it
        AvroSerde<TaskStatus> other = AvroSerdes.specific(TaskStatus.class,
                Map.of(RegistryConfig.URL, "mock://" + SCOPE + "-other"), false);
        assertThrows(UnknownSchemaIdException.class, () -> other.deserializer().deserialize("status", frame));
    }

    @Test
    void subjectNameStrategiesAcceptConfluentClassNamesAndShortNames() {
        Schema schema = TaskStatus.getClassSchema();
        assertEquals("status-value", SubjectNameStrategy.parse("k", null).subject("status", false, schema));
        assertEquals("status-key", SubjectNameStrategy.parse("k", "io.confluent.kafka.serializers.subject.TopicNameStrategy")
                .subject("status", true, schema));
        assertEquals("dev.daskrelay.avro.v1.TaskStatus", SubjectNameStrategy.parse("k", "RecordNameStrategy")
                .subject("status", false, schema));
        assertEquals("status-dev.daskrelay.avro.v1.TaskStatus",
                SubjectNameStrategy.parse("k", "io.confluent.kafka.serializers.subject.TopicRecordNameStrategy")
                        .subject("status", false, schema));
        assertThrows(ConfigException.class, () -> SubjectNameStrategy.parse("value.subject.name.strategy", "NoSuchStrategy"));

        AvroSerde<TaskStatus> serde = AvroSerdes.specific(TaskStatus.class,
                mock(AvroSerdeConfig.VALUE_SUBJECT_NAME_STRATEGY, "io.confluent.kafka.serializers.subject.RecordNameStrategy"), false);
        serde.serializer().serialize("status", SampleRecords.status());
        MockSchemaRegistry registry = MockSchemaRegistry.forScope(SCOPE);
        assertTrue(registry.latest("dev.daskrelay.avro.v1.TaskStatus").isPresent());
        assertTrue(registry.latest("status-value").isEmpty());
    }

    @Test
    void autoRegisterOffNeedsTheSchemaRegisteredFirst() {
        AvroSerde<TaskStatus> serde = AvroSerdes.specific(TaskStatus.class, mock(AvroSerdeConfig.AUTO_REGISTER_SCHEMAS, "false"), false);
        assertThrows(SchemaNotRegisteredException.class, () -> serde.serializer().serialize("status", SampleRecords.status()));
        int id = MockSchemaRegistry.forScope(SCOPE).register("status-value", TaskStatus.getClassSchema());
        assertEquals(id, WireFormat.schemaId(serde.serializer().serialize("status", SampleRecords.status())),
                "a subject filled by an older daskrelay (the generated text) is still found");
    }

    @Test
    void autoRegisterOffFindsThePublishedRegistryForm() {
        AvroSerde<TaskStatus> serde = AvroSerdes.specific(TaskStatus.class, mock(AvroSerdeConfig.AUTO_REGISTER_SCHEMAS, "false"), false);
        int id = MockSchemaRegistry.forScope(SCOPE).register("status-value",
                new Schema.Parser().parse(RegistryForm.text(TaskStatus.getClassSchema())));
        assertEquals(id, WireFormat.schemaId(serde.serializer().serialize("status", SampleRecords.status())));
    }

    @Test
    void useLatestVersionWritesTheLatestIdOnlyForTheSameSchema() {
        MockSchemaRegistry registry = MockSchemaRegistry.forScope(SCOPE);
        int id = registry.register("status-value", TaskStatus.getClassSchema());
        AvroSerde<TaskStatus> serde = AvroSerdes.specific(TaskStatus.class,
                mock(AvroSerdeConfig.USE_LATEST_VERSION, true, AvroSerdeConfig.AUTO_REGISTER_SCHEMAS, false), false);
        assertEquals(id, WireFormat.schemaId(serde.serializer().serialize("status", SampleRecords.status())));

        registry.register("status2-value", SampleRecords.taskStatusV2());
        assertThrows(IncompatibleSchemaException.class, () -> serde.serializer().serialize("status2", SampleRecords.status()));
        assertThrows(SchemaNotRegisteredException.class, () -> serde.serializer().serialize("status3", SampleRecords.status()));
    }

    @Test
    void evolutionWorksBothWaysInAMockScope() {
        GenericRecord v1 = new GenericData.Record(SampleRecords.widgetV1());
        v1.put("id", "w-1");
        v1.put("size", 3);
        GenericRecord v2 = new GenericData.Record(SampleRecords.widgetV2());
        v2.put("id", "w-2");
        v2.put("size", 4);
        v2.put("color", "red");
        AvroSerde<GenericRecord> writer = AvroSerdes.generic(mock(), false);
        byte[] writtenV1 = writer.serializer().serialize("widgets", v1);
        byte[] writtenV2 = writer.serializer().serialize("widgets", v2);

        GenericRecord readAsV2 = AvroSerdes.generic(SampleRecords.widgetV2(), mock(), false).deserializer().deserialize("widgets", writtenV1);
        assertEquals("blue", readAsV2.get("color").toString());
        GenericRecord readAsV1 = AvroSerdes.generic(SampleRecords.widgetV1(), mock(), false).deserializer().deserialize("widgets", writtenV2);
        assertEquals("w-2", readAsV1.get("id").toString());
        assertEquals(4, readAsV1.get("size"));
    }

    @Test
    void mockRegistryEnforcesCompatibility() {
        MockSchemaRegistry registry = MockSchemaRegistry.forScope(SCOPE);
        int v1 = registry.register("widgets-value", SampleRecords.widgetV1());
        int v2 = registry.register("widgets-value", SampleRecords.widgetV2());
        assertNotEquals(v1, v2);
        assertEquals(v1, registry.register("widgets-value", SampleRecords.widgetV1()), "re-registering keeps the id");
        assertThrows(IncompatibleSchemaException.class, () -> registry.register("widgets-value", SampleRecords.widgetIncompatible()));
        registry.setCompatibility("widgets-value", "NONE");
        registry.register("widgets-value", SampleRecords.widgetIncompatible());
    }

    @Test
    void kafkaClassNameConfigurationWithSpecificAvroReader() {
        AvroSerializer<TaskStatus> serializer = new AvroSerializer<>();
        serializer.configure(mock(), false);
        AvroDeserializer<Object> deserializer = new AvroDeserializer<>();
        deserializer.configure(mock(AvroSerdeConfig.SPECIFIC_AVRO_READER, "true"), false);
        Object read = deserializer.deserialize("status", serializer.serialize("status", SampleRecords.status()));
        assertInstanceOf(TaskStatus.class, read);
        assertEquals(SampleRecords.status(), read);

        AvroDeserializer<Object> generic = new AvroDeserializer<>();
        generic.configure(mock(), false);
        assertInstanceOf(GenericRecord.class, generic.deserialize("status", serializer.serialize("status", SampleRecords.status())));
    }

    @Test
    void badConfigurationNamesTheKey() {
        ConfigException missing = assertThrows(ConfigException.class, () -> AvroSerdes.specific(TaskStatus.class, Map.of(), false));
        assertTrue(missing.getMessage().contains("schema.registry.url"), missing.getMessage());
        ConfigException mixed = assertThrows(ConfigException.class, () -> RegistryConfig.from(
                Map.of(RegistryConfig.URL, "mock://a,http://localhost:8081")));
        assertTrue(mixed.getMessage().contains("schema.registry.url"), mixed.getMessage());
        ConfigException flag = assertThrows(ConfigException.class, () -> AvroSerdeConfig.from(mock(AvroSerdeConfig.AUTO_REGISTER_SCHEMAS, "yes")));
        assertTrue(flag.getMessage().contains("auto.register.schemas"), flag.getMessage());
        ConfigException retries = assertThrows(ConfigException.class, () -> RegistryConfig.from(mock(RegistryConfig.MAX_RETRIES, "-1")));
        assertTrue(retries.getMessage().contains("max.retries"), retries.getMessage());
        ConfigException basic = assertThrows(ConfigException.class, () -> RegistryConfig.from(Map.of(
                RegistryConfig.URL, "http://localhost:8081", RegistryConfig.BASIC_AUTH_SOURCE, "USER_INFO")));
        assertTrue(basic.getMessage().contains("basic.auth.user.info"), basic.getMessage());
    }

    @Test
    void bundledIdsAreDerivedFromTheCanonicalForm() {
        // golden: CRC-64-AVRO of the Parsing Canonical Form 9c0731ebbe3ccda3, folded and masked
        assertEquals(574356552, BundledSchemaRegistry.idOf(SampleRecords.widgetV1()));
        // docs and defaults do not change the id; a structural change does
        Schema documented = new Schema.Parser().parse(
                "{\"type\":\"record\",\"name\":\"Widget\",\"namespace\":\"dev.daskrelay.test\",\"doc\":\"x\","
                        + "\"fields\":[{\"name\":\"id\",\"type\":\"string\",\"doc\":\"y\"},{\"name\":\"size\",\"type\":\"int\",\"default\":1}]}");
        assertEquals(574356552, BundledSchemaRegistry.idOf(documented));
        assertNotEquals(574356552, BundledSchemaRegistry.idOf(SampleRecords.widgetV2()));
        assertTrue(BundledSchemaRegistry.idOf(TaskCommand.getClassSchema()) > 0);
    }

    @Test
    void bundledSetHoldsTheTopicSchemasAndClasspathFiles() {
        BundledSchemaRegistry bundled = BundledSchemaRegistry.instance();
        assertEquals(TaskStatus.getClassSchema(), bundled.schemaById(BundledSchemaRegistry.idOf(TaskStatus.getClassSchema())));
        assertEquals("Widget", bundled.schemaById(574356552).getName(), "loaded from daskrelay/schemas/test/Widget.avsc");
        Schema gadget = bundled.bundledSchemas().values().stream().filter(s -> s.getName().equals("Gadget")).findFirst().orElseThrow();
        assertEquals("Part", gadget.getField("parts").schema().getElementType().getName(), "named type from another file resolved");
        assertThrows(UnknownSchemaIdException.class, () -> bundled.schemaById(BundledSchemaRegistry.idOf(SampleRecords.widgetV2())));
    }

    @Test
    void releasedSchemasOnTheClasspathAreResolvable() throws IOException {
        try (var in = getClass().getResourceAsStream("/daskrelay/schemas/released/v1/TaskStatus.avsc")) {
            Schema released = new Schema.Parser().parse(in);
            assertEquals(TaskStatus.getClassSchema().getFullName(),
                    BundledSchemaRegistry.instance().schemaById(BundledSchemaRegistry.idOf(released)).getFullName());
        }
    }

    @Test
    void credentialsInTheUrlBecomeAHeaderAndLeaveTheUrl() {
        RegistryConfig config = RegistryConfig.from(Map.of(RegistryConfig.URL, "http://ann:p%40ss@registry:8081/api",
                RegistryConfig.BASIC_AUTH_SOURCE, "URL"));
        assertEquals("http://registry:8081/api", config.urls().get(0).toString());
        assertEquals("Basic " + Base64.getEncoder().encodeToString("ann:p@ss".getBytes(StandardCharsets.UTF_8)),
                config.authorizationHeader().orElseThrow());
    }

    @Test
    void bundledModeWorksAcrossProcesses() throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", BundledWriterMain.class.getName())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(60, TimeUnit.SECONDS), "child JVM finished");
        assertEquals(0, child.exitValue(), output);
        List<String> lines = output.lines().toList();
        Map<String, Object> config = Map.of(RegistryConfig.URL, "bundled://");

        TaskCommand command = AvroSerdes.specific(TaskCommand.class, config, false).deserializer()
                .deserialize("commands", HexFormat.of().parseHex(lines.get(0)));
        assertEquals(SampleRecords.launch(), command);

        // read the child's Widget v1 into v2: id resolved from the bundled classpath file, added field defaulted
        GenericRecord widget = AvroSerdes.generic(SampleRecords.widgetV2(), config, false).deserializer()
                .deserialize("widgets", HexFormat.of().parseHex(lines.get(1)));
        assertEquals("from-child", widget.get("id").toString());
        assertEquals("blue", widget.get("color").toString());
    }

    @Test
    void bundledModeResolvesSchemasRegisteredInThisProcess() {
        Map<String, Object> config = Map.of(RegistryConfig.URL, "bundled://");
        GenericRecord v2 = new GenericData.Record(SampleRecords.widgetV2());
        v2.put("id", "local");
        v2.put("size", 1);
        v2.put("color", "green");
        AvroSerde<GenericRecord> serde = AvroSerdes.generic(config, false);
        byte[] frame = serde.serializer().serialize("widgets", v2);
        assertEquals(BundledSchemaRegistry.idOf(SampleRecords.widgetV2()), WireFormat.schemaId(frame));
        assertEquals(v2, serde.deserializer().deserialize("widgets", frame));
    }
}
