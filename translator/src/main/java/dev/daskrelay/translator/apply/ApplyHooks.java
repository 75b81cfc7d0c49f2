package dev.daskrelay.translator.apply;

import dev.daskrelay.avro.v1.DaskJobIntent;

/** Test seam: called on the worker thread right after each API call, before anything is reported. */
@FunctionalInterface
public interface ApplyHooks {

    ApplyHooks NONE = (intent, answer) -> { };

    void afterApiCall(DaskJobIntent intent, ApiResponse answer);
}
