package dev.daskrelay.translator.topology;

import java.util.List;
import java.util.Objects;

/** What validating and rendering one launch gave: a DaskJob to create, or every reason there is none. */
public sealed interface PreparedLaunch {

    /**
     * @param name DaskJob name
     * @param namespace DaskJob namespace
     * @param manifestJson the full DaskJob as JSON
     * @param specHash the spec hash, also in the manifest's {@code daskrelay.dev/spec-hash} annotation
     */
    record Accepted(String name, String namespace, String manifestJson, String specHash) implements PreparedLaunch {
        public Accepted {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(namespace, "namespace");
            Objects.requireNonNull(manifestJson, "manifestJson");
            Objects.requireNonNull(specHash, "specHash");
        }
    }

    /** @param problems every problem, each {@code field.path: message}; never empty */
    record Rejected(List<String> problems) implements PreparedLaunch {
        public Rejected {
            if (problems == null || problems.isEmpty()) {
                throw new IllegalArgumentException("a rejection needs at least one problem");
            }
            problems = List.copyOf(problems);
        }
    }
}
