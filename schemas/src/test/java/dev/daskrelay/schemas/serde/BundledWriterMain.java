package dev.daskrelay.schemas.serde;

import dev.daskrelay.avro.v1.TaskCommand;
import dev.daskrelay.schemas.registry.BundledSchemaRegistry;
import dev.daskrelay.schemas.registry.RegistryConfig;
import java.util.HexFormat;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/** Run in a separate JVM by {@link AvroSerdesTest}: writes records with {@code bundled://} and prints them in hex. */
public final class BundledWriterMain {

    private BundledWriterMain() {
    }

    public static void main(String[] args) {
        Map<String, Object> config = Map.of(RegistryConfig.URL, "bundled://");
        System.out.println(HexFormat.of().formatHex(
                AvroSerdes.specific(TaskCommand.class, config, false).serializer().serialize("commands", SampleRecords.launch())));
        Schema widget = BundledSchemaRegistry.instance().schemaById(BundledSchemaRegistry.idOf(SampleRecords.widgetV1()));
        GenericRecord record = new GenericData.Record(widget);
        record.put("id", "from-child");
        record.put("size", 7);
        System.out.println(HexFormat.of().formatHex(AvroSerdes.generic(config, false).serializer().serialize("widgets", record)));
    }
}
