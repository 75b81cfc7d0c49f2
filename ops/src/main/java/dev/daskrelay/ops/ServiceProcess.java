package dev.daskrelay.ops;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The wiring pattern of a daskrelay service process ({@code translator}, {@code watcher}), after Strimzi's
 * {@code TopicOperatorMain}: the constructor binds the configuration and does no I/O; {@link #start()} builds and
 * starts the parts in order ({@link #startParts()}, each part registered with {@link #own} as soon as it exists);
 * {@link #close()} stops them in reverse order, is idempotent and is what the shutdown hook calls. A part that fails
 * to start stops whatever was started and the process ends FAILED. The lifecycle is {@link ProcessState}.
 *
 * <p>Conventions shared by both processes:
 * <ul>
 * <li>The Kubernetes client is the caller's: the command creates it from the {@code kubernetes} section, hands it
 *     in, and closes it after the process stopped (in {@code daskrelay local} several parts share it). Everything
 *     else the process creates, it owns and closes.</li>
 * <li>Health checks are named after the part they watch, in lower-case words joined by {@code -}: a liveness check
 *     by the part alone ({@code process}, {@code applier}, {@code status-topology}), a readiness check by the part
 *     and what it must be ({@code applier-polling}, {@code status-topology-running}).</li>
 * </ul>
 */
public abstract class ServiceProcess implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ServiceProcess.class);
    /** How long a second {@link #close()} waits for a stop that a failure began. */
    private static final long STOP_WAIT_SECONDS = 60;

    private final String name;
    private final Lifecycle<ProcessState> lifecycle;
    private final Closer parts;
    private final CountDownLatch stopped = new CountDownLatch(1);

    /** @param name the process in log lines, e.g. {@code translator} */
    protected ServiceProcess(String name) {
        this.name = name;
        this.lifecycle = new Lifecycle<>(name, ProcessState.CREATED);
        this.parts = new Closer(name);
    }

    /**
     * Builds and starts the parts in order; registers each with {@link #own} as soon as it is built. Runs once, from
     * {@link #start()}.
     */
    protected abstract void startParts();

    /** Runs first when the process stops, before any part is closed; after a failure at once, on the failing thread. */
    protected void beforeStop() {
    }

    /** Registers a part to be closed when the process stops (parts registered later are closed earlier). */
    protected final <T extends AutoCloseable> T own(T part) {
        return parts.own(part);
    }

    /**
     * Starts every part; on failure stops whatever was started, ends FAILED and throws the error.
     *
     * @throws IllegalStateException when the process was started or closed before
     */
    public final void start() {
        if (!lifecycle.transitionTo(ProcessState.STARTING)) {
            throw new IllegalStateException(name + " cannot start when " + lifecycle.state());
        }
        try {
            startParts();
        } catch (RuntimeException | Error e) {
            LOG.debug("{} did not start; stopping what was started", name, e);
            parts.close();
            lifecycle.transitionTo(ProcessState.FAILED);
            stopped.countDown();
            throw e;
        }
        if (!lifecycle.transitionTo(ProcessState.RUNNING) && lifecycle.is(ProcessState.STOPPING)) {
            parts.close(); // closed while starting: stop what was started after that
        }
    }

    /**
     * A part failed for good: stop the process with exit code 1, on a fresh thread (this may be called from a part's
     * own thread, e.g. the Lease elector's). Ignored when the process is already stopping or stopped.
     */
    protected final void fail(String why) {
        if (!lifecycle.transitionTo(ProcessState.FAILING)) {
            return;
        }
        LOG.error("{}: stopping with exit code {}", why, ProcessState.FAILED.exitCode());
        runBeforeStop(); // at once, on the caller's thread: e.g. stop publishing before anything else
        Thread t = new Thread(() -> closeParts(ProcessState.FAILED), name + "-stop");
        t.start();
    }

    /** Stops every part in reverse order; idempotent and safe from a shutdown hook. */
    @Override
    public final void close() {
        if (lifecycle.transitionTo(ProcessState.STOPPING)) {
            LOG.info("{} stopping", name);
            runBeforeStop();
            closeParts(ProcessState.STOPPED);
            return;
        }
        if (lifecycle.is(ProcessState.FAILING)) {
            try {
                stopped.await(STOP_WAIT_SECONDS, TimeUnit.SECONDS); // the failure is stopping it already
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void runBeforeStop() {
        try {
            beforeStop();
        } catch (RuntimeException e) {
            LOG.warn("{}: while stopping: {}", name, e.toString());
        }
    }

    private void closeParts(ProcessState end) {
        try {
            parts.close();
        } finally {
            lifecycle.transitionTo(end);
            stopped.countDown();
            LOG.info("{} stopped{}", name, end == ProcessState.FAILED ? " after a failure" : "");
        }
    }

    public final ProcessState state() {
        return lifecycle.state();
    }

    /** 0 while running or after a normal stop; 1 once a failure was recorded. */
    public final int exitCode() {
        return lifecycle.state().exitCode();
    }

    /** True while no failure was recorded and the process was not stopped: the {@code process} liveness check. */
    public final boolean alive() {
        ProcessState s = lifecycle.state();
        return !s.failed() && !s.isTerminal() && s != ProcessState.STOPPING;
    }

    /** Blocks until the process stopped; returns its exit code. */
    public final int awaitStop() throws InterruptedException {
        stopped.await();
        return exitCode();
    }

    /** Waits at most the given time; true when stopped. */
    public final boolean awaitStop(long timeout, TimeUnit unit) throws InterruptedException {
        return stopped.await(timeout, unit);
    }
}
