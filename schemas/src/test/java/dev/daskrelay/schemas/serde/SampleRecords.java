package dev.daskrelay.schemas.serde;

import dev.daskrelay.avro.v1.AbortDaskJob;
import dev.daskrelay.avro.v1.DaskScheduler;
import dev.daskrelay.avro.v1.DaskSpec;
import dev.daskrelay.avro.v1.DaskWorkerGroup;
import dev.daskrelay.avro.v1.EnvVar;
import dev.daskrelay.avro.v1.ExecutionIdentity;
import dev.daskrelay.avro.v1.LaunchDaskJob;
import dev.daskrelay.avro.v1.ResourceList;
import dev.daskrelay.avro.v1.Resources;
import dev.daskrelay.avro.v1.TaskCommand;
import dev.daskrelay.avro.v1.TaskPhase;
import dev.daskrelay.avro.v1.TaskStatus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/** Fixed records for serde tests: a typical launch command, an abort, a status event, and a small evolving schema. */
public final class SampleRecords {

    private SampleRecords() {
    }

    public static ExecutionIdentity execution() {
        return ExecutionIdentity.newBuilder().setProject("flytesnacks").setDomain("development").setName("a1b2c3")
                .setNodeId("n0").setRetryAttempt(0).build();
    }

    public static TaskCommand launch() {
        ResourceList requests = ResourceList.newBuilder().setCpu("2").setMemory("8G").build();
        ResourceList limits = ResourceList.newBuilder().setCpu("8").setMemory("17G").build();
        LaunchDaskJob launch = LaunchDaskJob.newBuilder()
                .setNamespace("flytesnacks-development")
                .setServiceAccount("default")
                .setImage("ghcr.io/example/dask-app:1.4")
                .setArgs(List.of("python", "-m", "app.main"))
                .setResources(Resources.newBuilder().setRequests(requests).setLimits(limits).build())
                .setEnv(List.of(EnvVar.newBuilder().setName("FOO").setValue("bar").build()))
                .setLabels(Map.of("team", "data"))
                .setAnnotations(Map.of("region", "SEA"))
                .setTimeoutSeconds(7200L)
                .setDask(DaskSpec.newBuilder()
                        .setScheduler(DaskScheduler.newBuilder().setImage("ghcr.io/example/dask-sched:1.4")
                                .setResources(Resources.newBuilder().setLimits(ResourceList.newBuilder().setCpu("1").setMemory("2Gi").build()).build())
                                .build())
                        .setWorkers(DaskWorkerGroup.newBuilder().setNumberOfWorkers(10)
                                .setResources(Resources.newBuilder().setLimits(ResourceList.newBuilder().setCpu("4").setMemory("10Gi").build()).build())
                                .build())
                        .build())
                .build();
        return TaskCommand.newBuilder()
                .setCommandId("cmd-0001")
                .setTaskId("flytesnacks-development-a1b2c3-n0-0")
                .setExecution(execution())
                .setIssuedAt(Instant.parse("2026-11-27T12:00:00Z"))
                .setIssuedBy("flyte-propeller")
                .setPayload(launch)
                .build();
    }

    public static TaskCommand abort() {
        return TaskCommand.newBuilder().setCommandId("cmd-0002").setTaskId("flytesnacks-development-a1b2c3-n0-0")
                .setExecution(execution()).setIssuedAt(Instant.parse("2026-11-27T12:05:00Z"))
                .setPayload(AbortDaskJob.newBuilder().setReason("user asked").build()).build();
    }

    public static TaskStatus status() {
        return TaskStatus.newBuilder()
                .setEventId("flytesnacks-development-a1b2c3-n0-0:3")
                .setTaskId("flytesnacks-development-a1b2c3-n0-0")
                .setExecution(execution())
                .setSequence(3)
                .setPhase(TaskPhase.RUNNING)
                .setPhaseVersion(1)
                .setReason("workers ready 10/10")
                .setDaskJobName("dr-flytesnacks-development-a1b2c3-n0-0")
                .setDaskJobNamespace("flytesnacks-development")
                .setOccurredAt(Instant.parse("2026-11-27T12:01:00Z"))
                .setObservedAt(Instant.parse("2026-11-27T12:01:00.250Z"))
                .build();
    }

    /** A generated record as a GenericRecord of the same schema (timestamps as longs), via Avro binary. */
    public static GenericRecord asGeneric(SpecificRecord record) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
            new SpecificDatumWriter<SpecificRecord>(record.getSchema()).write(record, encoder);
            encoder.flush();
            return new GenericDatumReader<GenericRecord>(record.getSchema())
                    .read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A small record, version 1. */
    public static Schema widgetV1() {
        return SchemaBuilder.record("Widget").namespace("dev.daskrelay.test").fields()
                .requiredString("id").requiredInt("size").endRecord();
    }

    /** Version 2 of {@link #widgetV1()}: a field added with a default (backward and forward compatible). */
    public static Schema widgetV2() {
        return SchemaBuilder.record("Widget").namespace("dev.daskrelay.test").fields()
                .requiredString("id").requiredInt("size")
                .name("color").type().stringType().stringDefault("blue").endRecord();
    }

    /** An incompatible change of {@link #widgetV1()}: size becomes a string. */
    public static Schema widgetIncompatible() {
        return SchemaBuilder.record("Widget").namespace("dev.daskrelay.test").fields()
                .requiredString("id").requiredString("size").endRecord();
    }

    /** {@link TaskStatus}'s schema plus a defaulted field, as a later release might add. */
    public static Schema taskStatusV2() {
        String v1 = TaskStatus.getClassSchema().toString();
        String v2 = v1.substring(0, v1.lastIndexOf(']'))
                + ",{\"name\":\"attempt\",\"type\":\"int\",\"default\":0}]}";
        return new Schema.Parser().parse(v2);
    }
}
