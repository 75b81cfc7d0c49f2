package dev.daskrelay.submitter.sdk;

import dev.daskrelay.avro.v1.ResourceList;

/**
 * One set of Kubernetes quantities, as flytekit's {@code Resources(cpu=, mem=, gpu=, ephemeral_storage=)}: used
 * as the requests or the limits of a task, a scheduler or a worker group. Quantities are strings as written
 * ({@code "500m"}, {@code "8G"}); null = not set. They are checked by the task validation on build.
 */
public record Resources(String cpu, String memory, String gpu, String ephemeralStorage) {

    /** Nothing set. */
    public static final Resources NONE = new Resources(null, null, null, null);

    /** cpu and memory. */
    public static Resources of(String cpu, String memory) {
        return new Resources(cpu, memory, null, null);
    }

    public Resources withCpu(String value) {
        return new Resources(value, memory, gpu, ephemeralStorage);
    }

    public Resources withMemory(String value) {
        return new Resources(cpu, value, gpu, ephemeralStorage);
    }

    public Resources withGpu(String value) {
        return new Resources(cpu, memory, value, ephemeralStorage);
    }

    public Resources withEphemeralStorage(String value) {
        return new Resources(cpu, memory, gpu, value);
    }

    boolean isEmpty() {
        return cpu == null && memory == null && gpu == null && ephemeralStorage == null;
    }

    /** The Avro list, null when nothing is set (as a task file without that key). */
    static ResourceList toAvro(Resources r) {
        return r == null || r.isEmpty() ? null : new ResourceList(r.cpu, r.memory, r.gpu, r.ephemeralStorage);
    }

    /** The Avro requests/limits pair, null when neither is set. */
    static dev.daskrelay.avro.v1.Resources toAvro(Resources requests, Resources limits) {  // qualified: Resources clashes with another class of that name
        ResourceList req = toAvro(requests);
        ResourceList lim = toAvro(limits);
        return req == null && lim == null ? null : new dev.daskrelay.avro.v1.Resources(req, lim);  // qualified: Resources clashes with another class of that name
    }
}
