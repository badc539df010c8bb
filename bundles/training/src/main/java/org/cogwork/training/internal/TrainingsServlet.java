package org.cogwork.training.internal;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.cogwork.api.training.TrainingService;
import org.cogwork.runtime.rest.ApiException;
import org.cogwork.runtime.rest.ErrorBody;
import org.cogwork.runtime.rest.Json;
import org.cogwork.runtime.rest.JsonServlet;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

/**
 * {@code /api/trainings}: POST a spec → 202 with the job id; GET a job (status, progress, metrics,
 * provenance); POST {@code /{id}/cancel} (or DELETE) to stop it; GET {@code /{id}/artifact} for model.zip;
 * POST {@code /reproduce} {@code {"runId": ...}} retrains a tracked run from its recorded spec.
 */
@Component(name = "org.cogwork.training.rest", service = Servlet.class)
@HttpWhiteboardServletPattern({"/api/trainings", "/api/trainings/*"})
public class TrainingsServlet extends JsonServlet {
    private static final long serialVersionUID = 1L;

    private final transient TrainingManager trainings;

    @Activate
    public TrainingsServlet(@Reference(service = TrainingService.class) TrainingService trainings) {
        this.trainings = (TrainingManager) trainings;
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String path = req.getPathInfo() == null ? "" : req.getPathInfo();
        if ("GET".equals(req.getMethod()) && path.endsWith("/artifact") && path.length() > "/artifact".length()) {
            String id = path.substring(1, path.length() - "/artifact".length());
            Path file = trainings.artifact(id).orElse(null);
            if (file == null || !Files.exists(file)) {
                resp.setStatus(404);
                resp.setContentType("application/json");
                Json.MAPPER.writeValue(resp.getOutputStream(), new ErrorBody("no artifact for training '" + id
                        + "' (unknown, or not succeeded)", "id", null));
                return;
            }
            resp.setContentType("application/zip");
            resp.setHeader("Content-Disposition", "attachment; filename=\"model-" + id + ".zip\"");
            resp.setContentLengthLong(Files.size(file));
            Files.copy(file, resp.getOutputStream());
            return;
        }
        super.service(req, resp);
    }

    @Override
    protected Reply handle(String method, String path, HttpServletRequest req) throws IOException {
        String p = path.startsWith("/") ? path.substring(1) : path;
        if (p.isEmpty()) {
            return switch (method) {
                case "GET" -> Reply.ok(trainings.jobs());
                case "POST" -> {
                    try {
                        String id = trainings.submitJson(Json.readObject(req));
                        yield new Reply(202, Map.of("id", id, "status", "QUEUED", "href", "/api/trainings/" + id));
                    } catch (SpecException e) {
                        throw ApiException.badRequest(e.field(), e.getMessage());
                    }
                }
                default -> throw methodNotAllowed(method, path);
            };
        }
        if (p.equals("reproduce") && method.equals("POST")) {
            String runId = Json.readObject(req).path("runId").asText(null);
            if (runId == null || runId.isBlank()) {
                throw ApiException.badRequest("runId", "runId is required: the tracked run to reproduce");
            }
            Json.checkLength("runId", runId, Json.MAX_NAME_LENGTH);
            try {
                String id = trainings.reproduce(runId);
                return new Reply(202, Map.of("id", id, "status", "QUEUED", "href", "/api/trainings/" + id, "reproduces", runId));
            } catch (java.util.NoSuchElementException e) {
                throw ApiException.notFound(e.getMessage());
            } catch (SpecException e) {
                throw ApiException.badRequest(e.field(), e.getMessage());
            }
        }
        String[] seg = p.split("/");
        String id = seg[0];
        if (seg.length == 1 && method.equals("GET")) {
            return Reply.ok(trainings.job(id).orElseThrow(() -> ApiException.notFound("no training '" + id + "'")));
        }
        if ((seg.length == 1 && method.equals("DELETE")) || (seg.length == 2 && seg[1].equals("cancel") && method.equals("POST"))) {
            if (trainings.status(id).isEmpty()) {
                throw ApiException.notFound("no training '" + id + "'");
            }
            boolean stopped = trainings.cancel(id);
            return new Reply(stopped ? 202 : 409, stopped ? Map.of("id", id, "cancelling", true)
                    : Map.of("error", "training '" + id + "' has already finished", "status", trainings.status(id).get()));
        }
        throw ApiException.notFound("no such resource: " + method + " /api/trainings" + path);
    }
}
