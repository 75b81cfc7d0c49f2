package dev.daskrelay.translator.apply;

import dev.daskrelay.avro.v1.DaskJobIntent;
import dev.daskrelay.schemas.IntentPosition;
import dev.daskrelay.schemas.KubernetesLabels;
import dev.daskrelay.schemas.config.Installation;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.StatusDetails;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link DaskJobApi} on the fabric8 client with generic resources ({@code kubernetes.dask.org/v1 daskjobs}), so no
 * typed model of the DaskJob is needed: the manifest travels as the renderer wrote it.
 *
 * <p>The 409 check is on the HTTP code, not on {@code Status.reason}: a real API server says
 * {@code AlreadyExists}, the fabric8 mock server says {@code Invalid}.
 *
 * <p>Installations: it acts only on DaskJobs of its own installation (label {@value KubernetesLabels#INSTALLATION}).
 * Every DaskJob it creates carries the label (an intent rendered before the label existed gets it here). An existing
 * DaskJob of the same name with another installation's label, or none, is a conflict ({@link #INSTALLATION_CONFLICT},
 * never adopted); a delete leaves such a DaskJob alone and answers "not found" (this installation has none of that
 * name), and deletes its own only at the version it read.
 */
public final class Fabric8DaskJobApi implements DaskJobApi {

    public static final ResourceDefinitionContext DASK_JOBS = new ResourceDefinitionContext.Builder()
            .withGroup("kubernetes.dask.org").withVersion("v1").withKind("DaskJob").withPlural("daskjobs")
            .withNamespaced(true).build();

    /** Error code of a create that found another installation's DaskJob (or one without installation). */
    public static final String INSTALLATION_CONFLICT = "InstallationConflict";

    private final KubernetesClient client;
    private final Installation installation;

    public Fabric8DaskJobApi(KubernetesClient client, Installation installation) {
        this.client = client;
        this.installation = installation;
    }

    @Override
    public ApiResponse create(DaskJobIntent intent, IntentPosition position) {
        GenericKubernetesResource job;
        try {
            job = Serialization.unmarshal(intent.getManifest(), GenericKubernetesResource.class);
        } catch (RuntimeException e) {
            return ApiResponse.invalidManifest("the intent's manifest is not a Kubernetes object: " + e.getMessage());
        }
        if (job == null || job.getMetadata() == null || !intent.getName().equals(job.getMetadata().getName())) {
            return ApiResponse.invalidManifest("the intent's manifest does not name DaskJob " + intent.getName());
        }
        job.getMetadata().setNamespace(intent.getNamespace());
        Map<String, String> labels = job.getMetadata().getLabels() == null ? new LinkedHashMap<>()
                : new LinkedHashMap<>(job.getMetadata().getLabels());
        String rendered = labels.putIfAbsent(KubernetesLabels.INSTALLATION, installation.id());
        if (rendered != null && !rendered.equals(installation.id())) {
            return ApiResponse.invalidManifest("the intent's DaskJob " + intent.getName() + " was rendered for "
                    + "installation \"" + rendered + "\", this translator is installation \"" + installation + "\"");
        }
        job.getMetadata().setLabels(labels);
        Map<String, String> annotations = job.getMetadata().getAnnotations() == null ? new LinkedHashMap<>()
                : new LinkedHashMap<>(job.getMetadata().getAnnotations());
        annotations.put(KubernetesLabels.INTENT, position.annotationValue());
        job.getMetadata().setAnnotations(annotations);
        var jobs = client.genericKubernetesResources(DASK_JOBS).inNamespace(intent.getNamespace());
        try {
            jobs.resource(job).create();
            return ApiResponse.ok(201);
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                return failure(e);
            }
        }
        try {
            GenericKubernetesResource existing = jobs.withName(intent.getName()).get();
            if (existing == null) {
                return ApiResponse.error(409, "Conflict", "DaskJob " + intent.getName()
                        + " existed at create but is gone now (being deleted?)");
            }
            String owner = Installation.of(existing.getMetadata().getLabels());
            if (!installation.id().equals(owner)) {
                return ApiResponse.conflict(INSTALLATION_CONFLICT, conflictMessage(intent, owner));
            }
            Map<String, String> existingAnnotations = existing.getMetadata().getAnnotations();
            return ApiResponse.exists(existingAnnotations == null ? null
                    : existingAnnotations.get(KubernetesLabels.SPEC_HASH));
        } catch (KubernetesClientException e) {
            return failure(e);
        }
    }

    private String conflictMessage(DaskJobIntent intent, String owner) {
        String job = "DaskJob " + intent.getNamespace() + "/" + intent.getName();
        return (owner == null
                ? job + " exists without a " + KubernetesLabels.INSTALLATION + " label (created before installations "
                        + "were labelled, or not by daskrelay)"
                : job + " exists and belongs to installation \"" + owner + "\"")
                + "; this is installation \"" + installation + "\", which never adopts another's DaskJob: it is left "
                + "untouched";
    }

    @Override
    public ApiResponse delete(DaskJobIntent intent) {
        String job = "DaskJob " + intent.getNamespace() + "/" + intent.getName();
        try {
            var resource = client.genericKubernetesResources(DASK_JOBS)
                    .inNamespace(intent.getNamespace()).withName(intent.getName());
            GenericKubernetesResource existing = resource.get();
            if (existing == null) {
                return ApiResponse.notFound(job + " not found");
            }
            String owner = Installation.of(existing.getMetadata().getLabels());
            if (!installation.id().equals(owner)) {
                return ApiResponse.notFound(job + " is not this installation's (\"" + installation + "\"; its "
                        + KubernetesLabels.INSTALLATION + " is " + (owner == null ? "not set" : "\"" + owner + "\"")
                        + "): not deleted");
            }
            String rv = existing.getMetadata().getResourceVersion();
            // exactly the version read: a DaskJob re-created meanwhile under the name (by anyone) is not deleted
            List<StatusDetails> deleted = rv == null ? resource.delete() : resource.lockResourceVersion(rv).delete();
            return deleted == null || deleted.isEmpty()
                    ? ApiResponse.notFound(job + " not found")
                    : ApiResponse.ok(200);
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return ApiResponse.notFound(e.getMessage());
            }
            return failure(e);
        }
    }

    private static ApiResponse failure(KubernetesClientException e) {
        if (e.getCode() <= 0) {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            return ApiResponse.noResponse(root.getClass().getSimpleName(), e.getMessage());
        }
        String reason = e.getStatus() == null ? null : e.getStatus().getReason();
        String message = e.getStatus() != null && e.getStatus().getMessage() != null
                ? e.getStatus().getMessage() : e.getMessage();
        return ApiResponse.error(e.getCode(), reason, message);
    }
}
