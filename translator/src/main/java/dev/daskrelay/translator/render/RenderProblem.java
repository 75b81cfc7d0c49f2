package dev.daskrelay.translator.render;

import java.util.Objects;

/**
 * One reason a task cannot be rendered, in the same {@code path: message} shape as task-file validation, e.g.
 * {@code image: "evil.io/x:1" is not allowed by platform.allowedImages [ghcr.io/acme/*]}.
 *
 * @param path the task-file field path ({@code namespace}, {@code dask.workers.image},
 *     {@code resources.limits.cpu}, ...)
 * @param message what is wrong, in words a user can act on
 */
public record RenderProblem(String path, String message) {

    public RenderProblem {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(message, "message");
    }

    @Override
    public String toString() {
        return path + ": " + message;
    }
}
