package dev.daskrelay.schemas.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.daskrelay.avro.v1.TaskCommand;
import dev.daskrelay.avro.v1.TaskStatus;
import dev.daskrelay.schemas.serde.AvroDeserializer;
import dev.daskrelay.schemas.serde.AvroSerde;
import dev.daskrelay.schemas.serde.AvroSerdeConfig;
import dev.daskrelay.schemas.serde.AvroSerdes;
import dev.daskrelay.schemas.serde.AvroSerializer;
import dev.daskrelay.schemas.serde.SampleRecords;
import dev.daskrelay.schemas.serde.WireFormat;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Contract tests against a real Confluent-compatible registry: Apicurio Registry 2.4.2.Final's
 * {@code /apis/ccompat/v7}, built by testing/apicurio-runner and started once for this class on 127.0.0.1.
 *
 * <p>The start itself is the "registry down, then up" case: a client asks to register before the server
 * listens, and must succeed by retrying once it is up.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApicurioContractTest {

    private ApicurioRegistryProcess apicurio;
    private RestSchemaRegistryClient earlyClient;
    private Future<Integer> earlyRegistration;
    private ExecutorService executor;
    private RestSchemaRegistryClient rest;
    private SchemaRegistryClient client;

    @BeforeAll
    void startRegistryWhileAClientIsAlreadyWaiting() throws Exception {
        int port = ApicurioRegistryProcess.freePort();
        assertFalse(ApicurioRegistryProcess.listening(port), "port " + port + " should be free");
        String url = "http://127.0.0.1:" + port + "/apis/ccompat/v7";
        earlyClient = new RestSchemaRegistryClient(RegistryConfig.from(Map.of(
                RegistryConfig.URL, url, RegistryConfig.MAX_RETRIES, 200,
                RegistryConfig.RETRIES_WAIT_MS, 100, RegistryConfig.RETRIES_MAX_WAIT_MS, 500)));
        executor = Executors.newSingleThreadExecutor();
        earlyRegistration = executor.submit(() -> earlyClient.register("early-value", SampleRecords.widgetV1()));
        await(() -> earlyClient.retries() >= 1, "the early client to fail once against the closed port");

        apicurio = ApicurioRegistryProcess.launch(port);
        apicurio.awaitReady();
        rest = new RestSchemaRegistryClient(RegistryConfig.from(Map.of(RegistryConfig.URL, apicurio.ccompatUrl())));
        client = new CachingSchemaRegistryClient(rest);
    }

    @AfterAll
    void stop() throws Exception {
        if (executor != null) {
            executor.shutdownNow();
        }
        if (apicurio != null) {
            apicurio.close();
        }
    }

    @Test
    void registryDownThenUpRetriesUntilItAnswers() throws Exception {
        int id = earlyRegistration.get(120, TimeUnit.SECONDS);
        assertTrue(earlyClient.retries() >= 1, "the registration needed retries");
        assertEquals(SampleRecords.widgetV1(), rest.schemaById(id));
    }

    @Test
    void registerTwiceGivesTheSameIdAndLookupAndFetchByIdAgree() {
        Schema schema = TaskCommand.getClassSchema();
        int id = rest.register("contract-commands-value", schema);
        assertEquals(id, rest.register("contract-commands-value", schema), "re-registering returns the same id");

        RegisteredSchema found = rest.lookup("contract-commands-value", schema);
        assertEquals(id, found.id());
        assertEquals(1, found.version());

        Schema fetched = rest.schemaById(id);
        assertEquals(schema, fetched, "GET /schemas/ids/{id} returns the registered schema");
        assertEquals(id, rest.latest("contract-commands-value").orElseThrow().id());
    }

    @Test
    void lookupOfAnUnregisteredSchemaIsTyped() {
        assertThrows(SchemaNotRegisteredException.class, () -> rest.lookup("contract-nobody-value", SampleRecords.widgetV1()));
        assertTrue(rest.latest("contract-nobody-value").isEmpty());
    }

    @Test
    void unknownIdIsTypedAndNotRetried() {
        long before = rest.retries();
        UnknownSchemaIdException e = assertThrows(UnknownSchemaIdException.class, () -> rest.schemaById(987_654));
        assertTrue(e.getMessage().contains("987654"), e.getMessage());
        assertEquals(before, rest.retries());

        byte[] frame = WireFormat.frame(987_654, new byte[]{2, 'a'});
        AvroDeserializer<TaskStatus> deserializer = AvroDeserializer.specific(client, TaskStatus.class);
        assertThrows(UnknownSchemaIdException.class, () -> deserializer.deserialize("status", frame));
    }

    @Test
    void evolutionWorksBothWaysAndIncompatibleRegistrationIsRefused() {
        String subject = "contract-widgets-value";
        client.setCompatibility(subject, "BACKWARD");
        Map<String, Object> config = Map.of(RegistryConfig.URL, apicurio.ccompatUrl());
        AvroSerdeConfig serdeConfig = AvroSerdeConfig.from(config);

        GenericRecord v1 = new GenericData.Record(SampleRecords.widgetV1());
        v1.put("id", "w-1");
        v1.put("size", 3);
        GenericRecord v2 = new GenericData.Record(SampleRecords.widgetV2());
        v2.put("id", "w-2");
        v2.put("size", 4);
        v2.put("color", "red");

        AvroSerializer<GenericRecord> serializer = new AvroSerializer<>(client, serdeConfig, false);
        byte[] writtenV1 = serializer.serialize("contract-widgets", v1);
        assertTrue(client.isCompatible(subject, SampleRecords.widgetV2()));
        byte[] writtenV2 = serializer.serialize("contract-widgets", v2);
        assertEquals(2, rest.latest(subject).orElseThrow().version());

        // old data, new reader: the added field takes its default
        GenericRecord readAsV2 = AvroDeserializer.<GenericRecord>generic(client, SampleRecords.widgetV2(), false)
                .deserialize("contract-widgets", writtenV1);
        assertEquals("w-1", readAsV2.get("id").toString());
        assertEquals("blue", readAsV2.get("color").toString());

        // new data, old reader: the added field is skipped
        GenericRecord readAsV1 = AvroDeserializer.<GenericRecord>generic(client, SampleRecords.widgetV1(), false)
                .deserialize("contract-widgets", writtenV2);
        assertEquals("w-2", readAsV1.get("id").toString());
        assertEquals(4, readAsV1.get("size"));
        assertNull(readAsV1.getSchema().getField("color"));

        // incompatible: refused by the registry (Apicurio: HTTP 409 with error_code 0)
        assertFalse(client.isCompatible(subject, SampleRecords.widgetIncompatible()));
        IncompatibleSchemaException refused = assertThrows(IncompatibleSchemaException.class,
                () -> rest.register(subject, SampleRecords.widgetIncompatible()));
        assertTrue(refused.getMessage().contains("409"), refused.getMessage());
        assertEquals(SchemaSerdeException.Reason.INCOMPATIBLE_SCHEMA, refused.reason());
    }

    @Test
    void generatedRecordsEvolveBothWaysThroughTheRegistry() {
        Map<String, Object> config = new HashMap<>();
        config.put(RegistryConfig.URL, apicurio.ccompatUrl());
        try (AvroSerde<TaskStatus> serde = AvroSerdes.specific(TaskStatus.class, config, false)) {
            TaskStatus status = SampleRecords.status();
            byte[] frame = serde.serializer().serialize("contract-status", status);
            int id = WireFormat.schemaId(frame);
            assertEquals(rest.lookup("contract-status-value", RegistryForm.of(TaskStatus.getClassSchema())).id(), id,
                    "the frame carries the id the registry assigned to the registry form the serializer registered");
            assertEquals(status, serde.deserializer().deserialize("contract-status", frame));

            // a newer producer (TaskStatus + defaulted field) writes; this build's class reads it
            Schema v2 = SampleRecords.taskStatusV2();
            GenericRecord newer = new GenericData.Record(v2);
            GenericRecord asGeneric = SampleRecords.asGeneric(status);
            for (Schema.Field f : TaskStatus.getClassSchema().getFields()) {
                newer.put(f.name(), asGeneric.get(f.name()));
            }
            newer.put("attempt", 2);
            byte[] newerFrame = new AvroSerializer<GenericRecord>(client, AvroSerdeConfig.from(config), false)
                    .serialize("contract-status", newer);
            assertEquals(status, serde.deserializer().deserialize("contract-status", newerFrame));

            // and a newer consumer reads this build's bytes, the new field defaulted
            GenericRecord readByNewer = AvroDeserializer.<GenericRecord>generic(client, v2, false).deserialize("contract-status", frame);
            assertEquals(0, readByNewer.get("attempt"));
            assertEquals(3L, readByNewer.get("sequence"));
        }
    }

    @Test
    void failsOverToTheNextUrlOfTheList() throws Exception {
        int dead = ApicurioRegistryProcess.freePort();
        RestSchemaRegistryClient failover = new RestSchemaRegistryClient(RegistryConfig.from(Map.of(
                RegistryConfig.URL, "http://127.0.0.1:" + dead + "/apis/ccompat/v7, " + apicurio.ccompatUrl(),
                RegistryConfig.RETRIES_WAIT_MS, 10)));
        int id = failover.register("contract-failover-value", SampleRecords.widgetV1());
        assertEquals(SampleRecords.widgetV1(), failover.schemaById(id));
        assertEquals(1, failover.retries(), "one failed attempt on the dead URL, then the live one sticks");
    }

    @Test
    void autoRegisterOffUsesTheRegisteredIdAndRefusesUnknownSchemas() {
        Map<String, Object> config = Map.of(RegistryConfig.URL, apicurio.ccompatUrl(),
                AvroSerdeConfig.AUTO_REGISTER_SCHEMAS, "false");
        AvroSerializer<TaskCommand> serializer = new AvroSerializer<>(client, AvroSerdeConfig.from(config), false);
        assertThrows(SchemaNotRegisteredException.class, () -> serializer.serialize("contract-unregistered", SampleRecords.launch()));

        int id = rest.register("contract-registered-value", TaskCommand.getClassSchema());
        byte[] frame = serializer.serialize("contract-registered", SampleRecords.launch());
        byte[] header = {0, (byte) (id >>> 24), (byte) (id >>> 16), (byte) (id >>> 8), (byte) id};
        assertArrayEquals(header, Arrays.copyOf(frame, 5));
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("timed out waiting for " + what);
            }
            TimeUnit.MILLISECONDS.sleep(20); // polling pace
        }
    }
}
