package dev.daskrelay.translator;

import dev.daskrelay.avro.v1.LaunchDaskJob;
import dev.daskrelay.avro.v1.TaskCommand;
import dev.daskrelay.translator.topology.LaunchPreparation;
import dev.daskrelay.translator.topology.PreparedLaunch;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A small stand-in for validation + rendering in topology tests: the image must start with {@code ok/}, at least
 * one worker, and the task id must be usable as a name. Produces a minimal DaskJob carrying the spec-hash
 * annotation. The topology's behaviour does not depend on what the renderer puts in the manifest.
 */
public final class TestPreparation implements LaunchPreparation {

    @Override
    public PreparedLaunch prepare(TaskCommand command) {
        LaunchDaskJob launch = (LaunchDaskJob) command.getPayload();
        List<String> problems = new ArrayList<>();
        if (launch.getImage() == null || !launch.getImage().startsWith("ok/")) {
            problems.add("image: \"" + launch.getImage() + "\" is not allowed");
        }
        if (launch.getDask().getWorkers().getNumberOfWorkers() < 1) {
            problems.add("dask.workers.numberOfWorkers: must be >= 1 (was "
                    + launch.getDask().getWorkers().getNumberOfWorkers() + ")");
        }
        if (!problems.isEmpty()) {
            return new PreparedLaunch.Rejected(problems);
        }
        String name = command.getTaskId().toLowerCase(Locale.ROOT);
        String hash = Integer.toHexString((launch.getImage() + launch.getArgs()).hashCode());
        String manifest = """
                {"apiVersion":"kubernetes.dask.org/v1","kind":"DaskJob","metadata":{"name":"%s","namespace":"default",\
                "labels":{"app.kubernetes.io/managed-by":"daskrelay"},"annotations":{"daskrelay.dev/spec-hash":"%s"}},\
                "spec":{"job":{"spec":{"containers":[{"name":"job-runner","image":"%s"}]}}}}"""
                .formatted(name, hash, launch.getImage());
        return new PreparedLaunch.Accepted(name, "default", manifest, hash);
    }
}
