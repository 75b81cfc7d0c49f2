package dev.daskrelay.translator.apply;

/**
 * What one Kubernetes API call for an intent returned, reduced to what the triage needs.
 *
 * @param kind the class of answer
 * @param httpCode the HTTP status (0 when no response arrived: I/O error or timeout)
 * @param reason the API server's {@code Status.reason} (or the exception class for I/O errors), may be null
 * @param message the API server's message, may be null
 * @param existingSpecHash for {@link Kind#EXISTS}: the spec-hash annotation of the object already there (null when
 *     it has none)
 */
public record ApiResponse(Kind kind, int httpCode, String reason, String message, String existingSpecHash) {

    public enum Kind {
        /** Created (create) or deletion accepted (delete). */
        OK,
        /** Create answered 409 and the existing object was read. */
        EXISTS,
        /**
         * Create answered 409 and the existing object is not this installation's (another installation's label, or
         * none): a conflict whatever its spec hash, never adopted.
         */
        CONFLICT,
        /** Delete: no such object. */
        NOT_FOUND,
        /** The API server answered with an error status. */
        ERROR,
        /** No answer: connection failure or timeout. */
        NO_RESPONSE,
        /** The intent's manifest could not be turned into a request at all. */
        INVALID_MANIFEST
    }

    public static ApiResponse ok(int httpCode) {
        return new ApiResponse(Kind.OK, httpCode, null, null, null);
    }

    public static ApiResponse exists(String existingSpecHash) {
        return new ApiResponse(Kind.EXISTS, 409, "AlreadyExists", null, existingSpecHash);
    }

    /** The object of this name belongs to someone else; {@code reason} becomes the error code. */
    public static ApiResponse conflict(String reason, String message) {
        return new ApiResponse(Kind.CONFLICT, 409, reason, message, null);
    }

    public static ApiResponse notFound(String message) {
        return new ApiResponse(Kind.NOT_FOUND, 404, "NotFound", message, null);
    }

    public static ApiResponse error(int httpCode, String reason, String message) {
        return new ApiResponse(Kind.ERROR, httpCode, reason, message, null);
    }

    public static ApiResponse noResponse(String reason, String message) {
        return new ApiResponse(Kind.NO_RESPONSE, 0, reason, message, null);
    }

    public static ApiResponse invalidManifest(String message) {
        return new ApiResponse(Kind.INVALID_MANIFEST, 0, "InvalidManifest", message, null);
    }
}
