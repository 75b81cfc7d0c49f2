package dev.daskrelay.watcher.bridge;

import dev.daskrelay.ops.Lifecycle;

/**
 * The lifecycle of the {@link ObservationBridge}.
 *
 * <pre>
 * CREATED ─start()─▶ STANDBY ─startPublishing()─▶ PUBLISHING
 *    │                  ▲ │                            │
 *    │                  │ └─────────close()──────┐      │
 *    │                  └──stopPublishing()──────┼──────┤
 *    └────────────────close()──────────────────▶ CLOSED ◀┘ close()
 * </pre>
 *
 * STANDBY keeps the informer caches warm and publishes nothing; PUBLISHING (the Lease holder) publishes every
 * change. PUBLISHING → STANDBY happens when the process stops publishing on its way out after losing the Lease
 * (a new leader may already be publishing); a later {@code startPublishing()} would publish again with a full
 * re-observation. CLOSED is terminal.
 */
public enum BridgeState implements Lifecycle.State<BridgeState> {
    /** Built; informers not started. */
    CREATED,
    /** Informers running, caches warm, nothing published. */
    STANDBY,
    /** Leading: every change is published. */
    PUBLISHING,
    /** Worker and informers stopped. Terminal. */
    CLOSED;

    @Override
    public boolean canTransitionTo(BridgeState next) {
        return switch (this) {
            case CREATED -> next == STANDBY || next == CLOSED;
            case STANDBY -> next == PUBLISHING || next == CLOSED;
            case PUBLISHING -> next == STANDBY || next == CLOSED;
            case CLOSED -> false;
        };
    }
}
