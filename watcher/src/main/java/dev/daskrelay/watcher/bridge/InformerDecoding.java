package dev.daskrelay.watcher.bridge;

/** How the bridge's informers turn the API server's JSON into the objects their caches keep. */
public enum InformerDecoding {
    /**
     * The streaming decoder ({@link SlimDecoding}): slim objects built straight from the JSON, skipping pod specs,
     * managed fields and DaskJob pod templates while parsing. The default.
     */
    STREAMING,
    /** fabric8's own decoding into its full model classes, slimmed afterwards by {@link SlimItemStore}. */
    FABRIC8
}
