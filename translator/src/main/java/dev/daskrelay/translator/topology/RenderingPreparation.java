package dev.daskrelay.translator.topology;

import dev.daskrelay.avro.v1.TaskCommand;
import dev.daskrelay.schemas.config.Installation;
import dev.daskrelay.schemas.config.PlatformConfig;
import dev.daskrelay.schemas.task.TaskValidator;
import dev.daskrelay.schemas.task.ValidationResult;
import dev.daskrelay.translator.render.DaskJobRenderer;
import dev.daskrelay.translator.render.RenderProblem;
import dev.daskrelay.translator.render.RenderResult;
import dev.daskrelay.translator.render.RenderedDaskJob;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The production {@link LaunchPreparation}: the task validation shared with the task-file loader and the SDK
 * ({@link TaskValidator}), then the renderer ({@link DaskJobRenderer}) with the platform configuration and the
 * installation. A launch
 * is rejected with the problems of both, each listed once, in that order.
 */
public final class RenderingPreparation implements LaunchPreparation {

    private final PlatformConfig platform;
    private final DaskJobRenderer renderer;

    public RenderingPreparation(PlatformConfig platform, Installation installation) {
        this.platform = platform;
        this.renderer = new DaskJobRenderer(platform, installation);
    }

    @Override
    public PreparedLaunch prepare(TaskCommand command) {
        ValidationResult validation = TaskValidator.validate(command, platform);
        Set<String> problems = new LinkedHashSet<>(validation.lines());
        RenderResult rendered;
        try {
            rendered = renderer.render(command);
        } catch (RuntimeException e) {
            if (problems.isEmpty()) {
                throw e; // a renderer bug on a valid task: dead-lettered by the processor, not hidden
            }
            return new PreparedLaunch.Rejected(new ArrayList<>(problems));
        }
        if (rendered instanceof RenderResult.Rejected rejected) {
            for (RenderProblem p : rejected.problems()) {
                problems.add(p.toString());
            }
        }
        if (!problems.isEmpty()) {
            return new PreparedLaunch.Rejected(List.copyOf(problems));
        }
        RenderedDaskJob job = ((RenderResult.Rendered) rendered).job();
        return new PreparedLaunch.Accepted(job.name(), job.namespace(), job.toJson(), job.specHash());
    }
}
