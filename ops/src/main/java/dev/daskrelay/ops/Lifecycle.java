package dev.daskrelay.ops;

import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One lifecycle state of a component, behind one lock, that moves only along the transitions its state enum allows
 * (modelled on {@code KafkaStreams.State}: each state names the states it may move to). Components use it instead of
 * separate {@code running}/{@code closed}/{@code failed} flags, whose combinations nobody wrote down.
 *
 * <p>A move the enum does not allow is refused, not thrown: lifecycle events race (a failure reported by a worker
 * while the process is being closed, a second close from the shutdown hook), and the one that comes second is
 * simply too late. {@link #transitionTo} says whether it moved, so the caller acts only when it did.
 *
 * @param <S> the component's state enum
 */
public final class Lifecycle<S extends Enum<S> & Lifecycle.State<S>> {

    private static final Logger LOG = LoggerFactory.getLogger(Lifecycle.class);

    /** A lifecycle state that knows where it may go. */
    public interface State<S> {
        /** True when a component in this state may move to {@code next} (never to itself). */
        boolean canTransitionTo(S next);
    }

    private final String owner;
    private final Object lock = new Object();
    private volatile S state;

    /**
     * @param owner names the component in log lines
     * @param initial the state it starts in
     */
    public Lifecycle(String owner, S initial) {
        this.owner = Objects.requireNonNull(owner, "owner");
        this.state = Objects.requireNonNull(initial, "initial");
    }

    /** The current state. */
    public S state() {
        return state;
    }

    public boolean is(S s) {
        return state == s;
    }

    /**
     * Moves to {@code next} when the current state allows it; returns true when it moved, false when the move was
     * refused (the state is unchanged).
     */
    public boolean transitionTo(S next) {
        Objects.requireNonNull(next, "next");
        S before;
        synchronized (lock) {
            before = state;
            if (!before.canTransitionTo(next)) {
                LOG.debug("{}: {} -> {} refused", owner, before, next);
                return false;
            }
            state = next;
        }
        LOG.debug("{}: {} -> {}", owner, before, next);
        return true;
    }

    @Override
    public String toString() {
        return owner + " " + state;
    }
}
