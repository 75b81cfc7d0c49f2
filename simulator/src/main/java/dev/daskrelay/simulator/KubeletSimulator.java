package dev.daskrelay.simulator;

import static dev.daskrelay.simulator.DaskComponents.COMPONENT_JOB_RUNNER;
import static dev.daskrelay.simulator.DaskComponents.COMPONENT_WORKER;
import static dev.daskrelay.simulator.DaskComponents.LABEL_COMPONENT;

import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.LoggerFactory;

/**
 * Kubelet and default-scheduler stand-in for an API server without nodes: moves every pod Pending → Running →
 * Succeeded/Failed with realistic container statuses and Events. What happens is read from the pod's scenario
 * annotations (copied from the DaskJob by the operator): see {@link Scenario.Kind}.
 *
 * <ul>
 *   <li>Runner pods run for run-for, then exit with the scenario's code. With {@code restartPolicy: Never} (or
 *   {@code OnFailure} and exit 0) the pod ends Succeeded/Failed; otherwise the container restarts after a
 *   CrashLoopBackOff back-off and the pod stays Running — the operator's restart trap, as on a real cluster.
 *   A pod without restartPolicy is treated as {@code OnFailure}, the DaskJob CRD's default.</li>
 *   <li>Scheduler and worker pods run (ready) until deleted.</li>
 * </ul>
 */
final class KubeletSimulator extends Actor {

    private static final String HOST_IP = "10.0.0.11";
    static final String UNSCHEDULABLE_RUNNER = "0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are "
            + "available: 3 No preemption victims found for incoming pod.";
    static final String UNSCHEDULABLE_WORKER = "0/3 nodes are available: 3 Insufficient memory. preemption: 0/3 nodes "
            + "are available: 3 No preemption victims found for incoming pod.";

    private final KubernetesClient client;
    private final Clock clock;
    private final SimulatorTiming timing;
    private final String namespace;
    private final EventRecorder events;
    private final Map<String, Run> runs = new HashMap<>();
    private final SimulatedNodes.Allocation allocation;
    /** Pods kube-scheduler could not place yet, oldest first: retried whenever a pod gives its resources back. */
    private final Map<String, Run> unscheduled = new LinkedHashMap<>();

    /** One pod as this kubelet runs it (actor thread only). */
    private static final class Run {
        final Pod pod;
        final Scenario scenario;
        final String role;
        final PodStatuses.Facts facts;
        int restarts;
        Instant startedAt;
        ContainerStateTerminated last;
        ScheduledFuture<?> next;

        Run(Pod pod, Scenario scenario, String role, PodStatuses.Facts facts) {
            this.pod = pod;
            this.scenario = scenario;
            this.role = role;
            this.facts = facts;
        }
    }

    KubeletSimulator(KubernetesClient client, Clock clock, SimulatorTiming timing, String namespace, EventRecorder events,
                     SimulatedNodes nodes) {
        super("kubelet", LoggerFactory.getLogger(KubeletSimulator.class));
        this.allocation = new SimulatedNodes.Allocation(nodes);
        this.client = client;
        this.clock = clock;
        this.timing = timing;
        this.namespace = namespace;
        this.events = events;
    }

    @Override
    void onStart() {
        var pods = namespace == null ? client.pods().inAnyNamespace() : client.pods().inNamespace(namespace);
        watch(pods, this::onPod, this::onPodDeleted);
    }

    private void onPod(Pod pod) {
        if (runs.containsKey(uid(pod)) || pod.isMarkedForDeletion()) {
            return;
        }
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
            return;
        }
        Map<String, String> labels = pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
        String role = labels.getOrDefault(LABEL_COMPONENT, "");
        Scenario scenario = Scenario.lenient(pod.getMetadata().getAnnotations());
        Instant now = clock.instant();
        Run run = new Run(pod, scenario, role, new PodStatuses.Facts(pod.getSpec().getContainers(), HOST_IP, podIp(),
                hex64(), now, PodStatuses.qosClass(pod.getSpec().getContainers())));
        runs.put(uid(pod), run);
        boolean runner = COMPONENT_JOB_RUNNER.equals(role);
        boolean worker = COMPONENT_WORKER.equals(role);
        boolean neverScheduled = runner && scenario.kind() == Scenario.Kind.UNSCHEDULABLE
                || worker && scenario.kind() == Scenario.Kind.WORKERS_NEVER_READY;
        if (phase != null && !phase.isEmpty() && pod.getSpec().getNodeName() != null) {
            // adopted after a restart of the simulator: pick it up from here
            allocation.place(uid(pod), SimulatedNodes.Requests.of(pod));
            if ("Running".equals(phase)) {
                run.startedAt = now;
                scheduleEnd(run);
            } else if ("Pending".equals(phase) && !(runner && (scenario.kind() == Scenario.Kind.IMAGE_PULL_ERROR
                    || scenario.kind() == Scenario.Kind.INVALID_IMAGE))) {
                run.next = later(timing.podStartDelay(), "start " + describe(pod), () -> startContainers(run));
            }
            return;
        }
        if (neverScheduled) {
            String message = runner ? UNSCHEDULABLE_RUNNER : UNSCHEDULABLE_WORKER;
            writeStatus(run, PodStatuses.unschedulable(message, now, run.facts.qosClass()));
            events.warning(pod, "default-scheduler", "FailedScheduling", message);
            return; // stays Pending until deleted
        }
        schedule(run);
    }

    /** kube-scheduler: binds the pod to a node with room for its requests, or reports why none has. */
    private void schedule(Run run) {
        Pod pod = run.pod;
        Instant now = clock.instant();
        SimulatedNodes.Placement placement = allocation.place(uid(pod), SimulatedNodes.Requests.of(pod));
        if (placement.node().isEmpty()) {
            if (unscheduled.put(uid(pod), run) == null) {
                writeStatus(run, PodStatuses.unschedulable(placement.unschedulableMessage(), now, run.facts.qosClass()));
                events.warning(pod, "default-scheduler", "FailedScheduling", placement.unschedulableMessage());
            }
            return; // Pending until some pod gives its resources back
        }
        unscheduled.remove(uid(pod));
        String node = placement.node().get();
        if (!bind(run, node)) {
            return;
        }
        writeStatus(run, PodStatuses.waiting(run.facts, "ContainerCreating", null, now));
        events.normal(pod, "default-scheduler", "Scheduled",
                "Successfully assigned " + pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName() + " to " + node);
        Duration startDelay = run.scenario.startDelay().orElse(timing.podStartDelay());
        run.next = later(startDelay, "start " + describe(pod), () -> startContainers(run));
    }

    /** The binding: {@code spec.nodeName}, as kube-scheduler sets it through the pods/binding subresource. */
    private boolean bind(Run run, String node) {
        try {
            client.pods().inNamespace(run.pod.getMetadata().getNamespace()).withName(run.pod.getMetadata().getName())
                    .patch(JSON_PATCH, set("/spec/nodeName", node));
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                onPodDeleted(run.pod);
                return false;
            }
            throw e;
        }
    }

    /** A pod ended or went away: its node has room again, so pods waiting for one are tried (oldest first). */
    private void release(Pod pod) {
        if (allocation.release(uid(pod)) && !unscheduled.isEmpty()) {
            for (Run waiting : List.copyOf(unscheduled.values())) {
                if (runs.containsKey(uid(waiting.pod))) {
                    schedule(waiting);
                } else {
                    unscheduled.remove(uid(waiting.pod));
                }
            }
        }
    }

    private void startContainers(Run run) {
        Pod pod = run.pod;
        Instant now = clock.instant();
        boolean runner = COMPONENT_JOB_RUNNER.equals(run.role);
        String image = pod.getSpec().getContainers().isEmpty() ? "" : pod.getSpec().getContainers().get(0).getImage();
        if (runner && run.scenario.kind() == Scenario.Kind.IMAGE_PULL_ERROR) {
            String pullError = "Failed to pull image \"{image}\": rpc error: code = NotFound desc = failed to pull and "
                    + "unpack image \"{image}\": not found";
            writeStatus(run, PodStatuses.waiting(run.facts, "ErrImagePull", pullError, now));
            events.normal(pod, "kubelet", "Pulling", "Pulling image \"" + image + "\"");
            events.warning(pod, "kubelet", "Failed", pullError.replace("{image}", image));
            events.warning(pod, "kubelet", "Failed", "Error: ErrImagePull");
            run.next = later(timing.stepDelay(), "back-off " + describe(pod), () -> {
                writeStatus(run, PodStatuses.waiting(run.facts, "ImagePullBackOff", "Back-off pulling image \"{image}\"", clock.instant()));
                events.normal(pod, "kubelet", "BackOff", "Back-off pulling image \"" + image + "\"");
                events.warning(pod, "kubelet", "Failed", "Error: ImagePullBackOff");
            });
            return;
        }
        if (runner && run.scenario.kind() == Scenario.Kind.INVALID_IMAGE) {
            String message = "Failed to apply default image tag \"{image}\": couldn't parse image name \"{image}\": "
                    + "invalid reference format";
            writeStatus(run, PodStatuses.waiting(run.facts, "InvalidImageName", message, now));
            events.warning(pod, "kubelet", "InspectFailed", message.replace("{image}", image));
            events.warning(pod, "kubelet", "Failed", "Error: InvalidImageName");
            return;
        }
        run.startedAt = now;
        writeStatus(run, PodStatuses.running(run.facts, now, true, run.restarts, lastTerminated(run)));
        if (run.restarts == 0) {
            events.normal(pod, "kubelet", "Pulled", "Container image \"" + image + "\" already present on machine");
            events.normal(pod, "kubelet", "Created", "Created container " + pod.getSpec().getContainers().get(0).getName());
            events.normal(pod, "kubelet", "Started", "Started container " + pod.getSpec().getContainers().get(0).getName());
        }
        scheduleEnd(run);
    }

    private static ContainerStateTerminated lastTerminated(Run run) {
        return run.restarts == 0 ? null : run.last;
    }

    private void scheduleEnd(Run run) {
        if (!COMPONENT_JOB_RUNNER.equals(run.role)) {
            return; // schedulers and workers run until deleted
        }
        Optional<Duration> runFor = run.scenario.runFor();
        if (run.scenario.kind() == Scenario.Kind.WORKERS_NEVER_READY && runFor.isEmpty()) {
            return; // waits for workers forever, like Client.wait_for_workers without a timeout
        }
        run.next = later(runFor.orElse(timing.defaultRunFor()), "exit " + describe(run.pod), () -> exit(run));
    }

    private void exit(Run run) {
        Pod pod = run.pod;
        Instant now = clock.instant();
        int code = run.scenario.runnerExitCode();
        String reason = run.scenario.kind() == Scenario.Kind.OOM ? "OOMKilled" : code == 0 ? "Completed" : "Error";
        String policy = pod.getSpec().getRestartPolicy() == null ? "OnFailure" : pod.getSpec().getRestartPolicy();
        boolean restart = "Always".equals(policy) || "OnFailure".equals(policy) && code != 0;
        if (!restart) {
            writeStatus(run, PodStatuses.terminated(run.facts, code, reason, run.startedAt, now, run.restarts));
            release(pod); // kube-scheduler does not count pods that ended
            return;
        }
        ContainerStateTerminated last = PodStatuses.terminatedState(code, reason, run.startedAt, now, PodStatuses.containerId(run.facts, 0, run.restarts));
        run.last = last;
        run.restarts++;
        writeStatus(run, PodStatuses.crashLoopBackOff(run.facts, last, run.restarts, pod.getMetadata().getName(), now));
        events.warning(pod, "kubelet", "BackOff", "Back-off restarting failed container "
                + pod.getSpec().getContainers().get(0).getName() + " in pod " + pod.getMetadata().getName());
        long factor = 1L << Math.min(run.restarts - 1, 4);
        run.next = later(timing.podStartDelay().plus(timing.stepDelay()).multipliedBy(factor), "restart " + describe(pod),
                () -> startContainers(run));
    }

    private void onPodDeleted(Pod pod) {
        Run run = runs.remove(uid(pod));
        unscheduled.remove(uid(pod));
        if (run != null && run.next != null) {
            run.next.cancel(false);
        }
        release(pod);
    }

    private void writeStatus(Run run, PodStatus status) {
        if (!runs.containsKey(uid(run.pod))) {
            return;
        }
        try {
            client.pods().inNamespace(run.pod.getMetadata().getNamespace()).withName(run.pod.getMetadata().getName())
                    .subresource("status").patch(JSON_PATCH, set("/status", status));
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                onPodDeleted(run.pod);
                return;
            }
            throw e;
        }
    }

    private static String podIp() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return "10.244." + r.nextInt(0, 4) + "." + r.nextInt(2, 254);
    }

    private static String hex64() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        StringBuilder sb = new StringBuilder(64);
        for (int i = 0; i < 64; i++) {
            sb.append(Character.forDigit(r.nextInt(16), 16));
        }
        return sb.toString();
    }
}
