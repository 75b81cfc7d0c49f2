package dev.daskrelay.translator.apply;

import dev.daskrelay.avro.v1.DaskJobIntent;
import dev.daskrelay.schemas.KubernetesLabels;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.StatusDetails;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Map;

/**
 * {@link DaskJobApi} on the fabric8 client with generic resources ({@code kubernetes.dask.org/v1 daskjobs}), so no
 * typed model of the DaskJob is needed: the manifest travels as the renderer wrote it.
 *
 * <p>The 409 check is on the HTTP code, not on {@code Status.reason}: a real API server says
 * {@code AlreadyExists}, the fabric8 mock server says {@code Invalid}.
 */
public final class Fabric8DaskJobApi implements DaskJobApi {

    public static final ResourceDefinitionContext DASK_JOBS = new ResourceDefinitionContext.Builder()
            .withGroup("kubernetes.dask.org").withVersion("v1").withKind("DaskJob").withPlural("daskjobs")
            .withNamespaced(true).build();

    private final KubernetesClient client;

    public Fabric8DaskJobApi(KubernetesClient client) {
        this.client = client;
    }

    @Override
    public ApiResponse create(DaskJobIntent intent) {
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
            Map<String, String> annotations = existing.getMetadata().getAnnotations();
            return ApiResponse.exists(annotations == null ? null : annotations.get(KubernetesLabels.SPEC_HASH));
        } catch (KubernetesClientException e) {
            return failure(e);
        }
    }

    @Override
    public ApiResponse delete(DaskJobIntent intent) {
        try {
            List<StatusDetails> deleted = client.genericKubernetesResources(DASK_JOBS)
                    .inNamespace(intent.getNamespace()).withName(intent.getName()).delete();
            return deleted == null || deleted.isEmpty()
                    ? ApiResponse.notFound("DaskJob " + intent.getNamespace() + "/" + intent.getName() + " not found")
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
