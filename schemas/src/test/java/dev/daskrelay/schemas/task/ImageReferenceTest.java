package dev.daskrelay.schemas.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.daskrelay.schemas.config.PlatformConfig;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Image references as container runtimes read them; the allow-list sees only references that pass. */
class ImageReferenceTest {

    @ParameterizedTest
    @ValueSource(strings = {"img:1", "dask", "ghcr.io/example/dask-app:1.4", "localhost:5000/app", "localhost/app:v1",
            "registry.example.com:443/team/sub/app_x.y__z--w:2024.1-rc_1", "docker.io/library/python:3.12-slim",
            "ghcr.io/example/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "ghcr.io/example/app:1@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "[::1]:5000/app:1"})
    void validReferences(String image) {
        assertEquals(Optional.empty(), ImageReference.problem(image), image);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ghcr.io/example/../evil:1", "ghcr.io/example/./x:1", "ghcr.io//x:1", "ghcr.io/Example/x:1",
            "x:", "x:-1", "x:.hidden", ":1", "ghcr.io/x/:1", "/x:1", "x@sha256:short", "x@", "-bad.io/x:1",
            "ghcr.io/example/app:1:2", "app_:1", "_app:1", "ghcr.io/ex..ample/x"})
    void invalidReferences(String image) {
        assertTrue(ImageReference.problem(image).isPresent(), image);
    }

    @Test
    void aDotDotPathDoesNotPassTheAllowList() {
        PlatformConfig platform = new PlatformConfig(null, null, null, null, null, List.of("ghcr.io/example/*"), null,
                null, null, null, null, null, null, null, null, null, null);
        assertTrue(platform.imageAllowed("ghcr.io/example/../evil:1"), "the glob alone would let it through");
        TaskFile.Checked c = TaskFile.check("t.yaml", """
                execution: {project: p, domain: d, name: n, nodeId: n0}
                image: ghcr.io/example/../evil:1
                dask: {workers: {numberOfWorkers: 1, image: ghcr.io/example/ok:1}}
                """, platform, java.time.Clock.systemUTC());
        assertEquals(List.of("t.yaml: image: not a valid image reference: the repository path component '..' must be "
                + "lowercase letters and digits joined by '.', '_', '__' or '-' (was \"ghcr.io/example/../evil:1\")"),
                c.lines());
    }
}
