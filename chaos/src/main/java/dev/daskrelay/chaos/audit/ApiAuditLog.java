package dev.daskrelay.chaos.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.daskrelay.schemas.KubernetesLabels;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The API server's own record of every DaskJob create and delete (audit log, policy {@code level: Request} for
 * {@code daskjobs}): who asked, what answer they got, and for creates the task id annotation of the object. A create
 * answered 201 is a DaskJob that came into being; the auditor counts them per task.
 */
final class ApiAuditLog {

    /** One create or delete as the API server answered it. */
    record Call(String verb, String namespace, String name, String taskId, int code, String userAgent, String at) {
    }

    private final List<Call> calls;

    private ApiAuditLog(List<Call> calls) {
        this.calls = List.copyOf(calls);
    }

    static ApiAuditLog read(Path file) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<Call> calls = new ArrayList<>();
        Map<String, String> taskOfName = new HashMap<>();
        try (BufferedReader in = Files.newBufferedReader(file)) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode e = json.readTree(line);
                if (!"ResponseComplete".equals(e.path("stage").asText())) {
                    continue;
                }
                JsonNode ref = e.path("objectRef");
                if (!"daskjobs".equals(ref.path("resource").asText())) {
                    continue;
                }
                String verb = e.path("verb").asText();
                String name = ref.path("name").asText(null);
                JsonNode meta = e.path("requestObject").path("metadata");
                if (name == null || name.isEmpty()) {
                    name = meta.path("name").asText(null);
                }
                String taskId = meta.path("annotations").path(KubernetesLabels.TASK_ID).asText(null);
                if (taskId != null && name != null) {
                    taskOfName.put(ref.path("namespace").asText() + "/" + name, taskId);
                }
                calls.add(new Call(verb, ref.path("namespace").asText(), name, taskId,
                        e.path("responseStatus").path("code").asInt(0), e.path("userAgent").asText(""),
                        e.path("requestReceivedTimestamp").asText("")));
            }
        }
        List<Call> resolved = new ArrayList<>();
        for (Call c : calls) {
            String task = c.taskId() != null ? c.taskId() : taskOfName.get(c.namespace() + "/" + c.name());
            resolved.add(new Call(c.verb(), c.namespace(), c.name(), task, c.code(), c.userAgent(), c.at()));
        }
        return new ApiAuditLog(resolved);
    }

    List<Call> calls() {
        return calls;
    }

    /** Successful creates (201) per task id. */
    Map<String, Integer> createdPerTask() {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (Call c : calls) {
            if (c.verb().equals("create") && c.code() == 201) {
                m.merge(String.valueOf(c.taskId()), 1, Integer::sum);
            }
        }
        return m;
    }

    /** Answers to creates by HTTP code. */
    Map<Integer, Integer> createCodes() {
        Map<Integer, Integer> m = new LinkedHashMap<>();
        for (Call c : calls) {
            if (c.verb().equals("create")) {
                m.merge(c.code(), 1, Integer::sum);
            }
        }
        return m;
    }

    /** Successful deletes (200, 202) per task id. */
    Map<String, Integer> deletedPerTask() {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (Call c : calls) {
            if (c.verb().equals("delete") && (c.code() == 200 || c.code() == 202)) {
                m.merge(String.valueOf(c.taskId()), 1, Integer::sum);
            }
        }
        return m;
    }
}
