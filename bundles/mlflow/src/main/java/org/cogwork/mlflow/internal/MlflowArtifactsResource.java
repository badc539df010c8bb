package org.cogwork.mlflow.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.servlet.http.HttpServletResponse;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import org.cogwork.api.problem.InvalidFieldException;
import org.cogwork.api.security.Role;
import org.cogwork.api.tracking.ExperimentTracker;
import org.cogwork.runtime.rest.Call;
import org.cogwork.runtime.rest.Reply;
import org.cogwork.runtime.rest.RestResource;
import org.cogwork.runtime.rest.Routes;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * MLflow's artifact proxy API under {@code /api/2.0/mlflow-artifacts/}, over the runs' artifacts in Cogwork's
 * artifact store (the local folder or S3, through the {@link ExperimentTracker}, which verifies each artifact's
 * SHA-256 before a byte goes out). It serves the {@code mlflow-artifacts:/} URIs that the MLflow routes give for
 * runs ({@code artifact_uri}) and model versions ({@code get-download-uri}):
 * <ul>
 * <li>{@code GET artifacts?path=<experiment_id>/<run_id>/artifacts[/<folder>]}: the entries directly below, as
 * MLflow answers ({@code {"files": [{"path": name, "is_dir", "file_size"}]}}; a file or a missing path lists
 * nothing, which is how MLflow clients tell a file from a folder);</li>
 * <li>{@code GET artifacts/<experiment_id>/<run_id>/artifacts/<file>}: the bytes;</li>
 * <li>{@code PUT artifacts/<experiment_id>/<run_id>/artifacts/<file>}: stores the body as an artifact of the run
 * (what MLflow's Python client sends for {@code log_artifact}, {@code log_model} against such a run; any
 * Content-Type, as the runtime's cross-site filter lets PUTs of artifact bytes through), audited.</li>
 * </ul>
 * Paths are checked as MLflow's server checks them (no traversal); paths outside a run are refused, since Cogwork
 * keeps artifacts per run. Errors use MLflow's shape; anything else below the base is ENDPOINT_NOT_FOUND.
 */
@Component(service = RestResource.class)
public class MlflowArtifactsResource implements RestResource {
    static final String BASE = "/api/2.0/mlflow-artifacts/";

    private final ExperimentTracker tracker;

    @Activate
    public MlflowArtifactsResource(@Reference ExperimentTracker tracker) {
        this.tracker = tracker;
    }

    @Override
    public void routes(Routes r) {
        r.errors(MlflowErrors::body).tag("mlflow");
        r.get(BASE + "artifacts").roles(Role.DATA_SCIENTIST).returns(ObjectNode.class).audited(false)
                .query("path", "<experiment_id>/<run_id>/artifacts[/<folder>], as in a mlflow-artifacts:/ URI")
                .summary("lists the artifacts directly below a path of a run (MLflow's artifact proxy)")
                .handle(call -> list(call.query("path")));
        r.get(BASE + "artifacts/{path+}").roles(Role.DATA_SCIENTIST).audited(false)
                .summary("downloads a run's artifact (its checksum verified first; MLflow's artifact proxy)")
                .handle(this::download);
        r.put(BASE + "artifacts/{path+}").roles(Role.DATA_SCIENTIST).streamed().returns(ObjectNode.class)
                .summary("stores the request body as an artifact of the run the path names (MLflow's artifact proxy)")
                .handle(this::upload);
        for (String method : List.of("GET", "POST", "PUT", "PATCH", "DELETE")) {
            r.route(method, BASE + "{endpoint+}").roles(Role.DATA_SCIENTIST).streamed().audited(false)
                    .summary("an MLflow artifact endpoint Cogwork does not implement: 404 ENDPOINT_NOT_FOUND")
                    .handle(call -> {
                        throw new MlflowError(404, "ENDPOINT_NOT_FOUND", "Cogwork does not implement " + call.request().getMethod()
                                + " " + BASE + Artifacts.shown(call.path("endpoint")) + "; see docs/ARCHITECTURE.md for the supported subset");
                    });
        }
    }

    ObjectNode list(String rawPath) {
        String path = Artifacts.safePath(rawPath);
        String[] seg = path.isEmpty() ? new String[0] : path.split("/");
        ObjectNode out = Shapes.JSON.createObjectNode();
        if (seg.length == 2) {
            // a run's folder holds its artifacts folder (locate refuses a path naming no run)
            Artifacts.locate(tracker, path + "/artifacts");
            out.putArray("files").addObject().put("path", "artifacts").put("is_dir", true);
            return out;
        }
        if (seg.length < 2) {
            throw MlflowError.invalid("Cogwork lists artifacts inside a run: path must be <experiment_id>/<run_id>/artifacts[/<folder>], was '"
                    + Artifacts.shown(path) + "'");
        }
        Artifacts.Located l = Artifacts.locate(tracker, path);
        out.set("files", Artifacts.children(tracker.listArtifacts(l.run().id()), l.rel(), ""));
        return out;
    }

    private Object download(Call<Object> call) throws IOException {
        String path = Artifacts.safePath(call.path("path"));
        Artifacts.Located l = Artifacts.locate(tracker, path);
        if (l.rel().isEmpty()) {
            throw folder(path);
        }
        InputStream opened;
        try {
            opened = tracker.openArtifact(l.run().id(), l.rel());
        } catch (FileNotFoundException e) {
            Map<String, Long> all = tracker.listArtifacts(l.run().id());
            if (Artifacts.isFolder(all, l.rel())) {
                throw folder(path);
            }
            throw MlflowError.missing("Artifact '" + Artifacts.shown(l.rel()) + "' of run " + l.run().id() + " not found");
        }
        try (InputStream in = opened) {
            HttpServletResponse resp = call.response();
            resp.setStatus(200);
            resp.setContentType("application/octet-stream");
            resp.setHeader("X-Content-Type-Options", "nosniff");
            String file = l.rel().substring(l.rel().lastIndexOf('/') + 1);
            resp.setHeader("Content-Disposition", "attachment; filename=\"" + file.replaceAll("[^A-Za-z0-9._ -]", "_") + "\"");
            in.transferTo(resp.getOutputStream());
        }
        return Reply.WRITTEN;
    }

    private Object upload(Call<Object> call) throws IOException {
        String path = Artifacts.safePath(call.path("path"));
        Artifacts.Located l = Artifacts.locate(tracker, path);
        if (l.rel().isEmpty()) {
            throw MlflowError.invalid("Invalid path '" + Artifacts.shown(path) + "': name a file below the run's artifacts folder");
        }
        if (Artifacts.isFolder(tracker.listArtifacts(l.run().id()), l.rel())) {
            throw MlflowError.invalid("'" + Artifacts.shown(path) + "' is a folder of artifacts: name a file below it");
        }
        try (InputStream in = call.request().getInputStream()) {
            tracker.logArtifact(l.run().id(), l.rel(), in);
        } catch (InvalidFieldException e) {
            // a deleted run, a path colliding with another artifact's folder: a bad value, whatever the message says
            throw MlflowError.invalid(e.getMessage());
        }
        return Shapes.JSON.createObjectNode();
    }

    private static MlflowError folder(String path) {
        return MlflowError.invalid("'" + Artifacts.shown(path) + "' is a folder of artifacts, not a file: list it with GET "
                + BASE + "artifacts?path=" + Artifacts.shown(path));
    }
}
