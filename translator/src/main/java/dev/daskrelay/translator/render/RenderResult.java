package dev.daskrelay.translator.render;

import java.util.List;
import java.util.stream.Collectors;

/** What {@link DaskJobRenderer#render} returns: a DaskJob, or the reasons there is none. Never both. */
public sealed interface RenderResult {

    /** The task rendered to a DaskJob. */
    record Rendered(RenderedDaskJob job) implements RenderResult {
    }

    /** The task was refused; {@code problems} is never empty and in a stable order. */
    record Rejected(List<RenderProblem> problems) implements RenderResult {
        public Rejected {
            if (problems.isEmpty()) {
                throw new IllegalArgumentException("a rejection needs at least one problem");
            }
            problems = List.copyOf(problems);
        }
    }

    /** The DaskJob, or an {@link IllegalArgumentException} listing every problem (one per line). */
    default RenderedDaskJob orElseThrow() {
        if (this instanceof Rendered rendered) {
            return rendered.job();
        }
        List<RenderProblem> problems = ((Rejected) this).problems();
        throw new IllegalArgumentException(problems.stream().map(RenderProblem::toString)
                .collect(Collectors.joining("\n")));
    }
}
