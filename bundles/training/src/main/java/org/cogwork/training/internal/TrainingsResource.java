package org.cogwork.training.internal;

import jakarta.servlet.http.HttpServletResponse;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import org.cogwork.api.problem.ConflictException;
import org.cogwork.api.problem.InvalidFieldException;
import org.cogwork.api.problem.NotFoundException;
import org.cogwork.api.security.Role;
import org.cogwork.api.training.TrainingJob;
import org.cogwork.api.training.TrainingService;
import org.cogwork.runtime.rest.Json;
import org.cogwork.runtime.rest.Reply;
import org.cogwork.runtime.rest.RestResource;
import org.cogwork.runtime.rest.Routes;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code /api/trainings}, for data scientists: POST a spec → 202 with the job id; GET a job (status, progress,
 * metrics, provenance; {@code ?waitSeconds=N} answers once the job has ended or N seconds have passed, so a client
 * waits for the end without polling); POST {@code /{id}/cancel} (or DELETE) to stop it; GET {@code /{id}/artifact} for model.zip;
 * POST {@code /reproduce} {@code {"runId": ...}} retrains a tracked run from its recorded spec. The job and its
 * tracked run record the authenticated caller as their user.
 */
@Component(name = "org.cogwork.training.rest", service = RestResource.class)
public class TrainingsResource implements RestResource {
    private final TrainingManager trainings;

    @Activate
    public TrainingsResource(@Reference(service = TrainingService.class) TrainingService trainings) {
        this.trainings = (TrainingManager) trainings;
    }

    /** The body of {@code POST /api/trainings/reproduce}. */
    public record Reproduce(String runId) {
        public Reproduce {
            if (runId == null || runId.isBlank()) {
                throw new InvalidFieldException("runId", "runId is required: the tracked run to reproduce");
            }
            Json.checkLength("runId", runId, Json.MAX_NAME_LENGTH);
        }
    }

    /** What a POST that queues a job answers. */
    public record Queued(String id, String status, String href) {
        static Queued of(String id) {
            return new Queued(id, "QUEUED", "/api/trainings/" + id);
        }
    }

    @Override
    public void routes(Routes r) {
        r.tag("trainings");
        r.get("/api/trainings").roles(Role.DATA_SCIENTIST).returns(List.class)
                .summary("Training jobs, newest first, without their specs and results")
                .handle(call -> trainings.jobs());
        r.post("/api/trainings").roles(Role.DATA_SCIENTIST).body(TrainingSpecRequest.class).returns(Queued.class).status(202)
                .summary("Validates a training spec and queues it as a job")
                .handle(call -> Queued.of(trainings.submit((TrainingSpecRequest) call.body(), call.principal().name())));
        r.post("/api/trainings/reproduce").roles(Role.DATA_SCIENTIST).body(Reproduce.class).returns(Map.class).status(202)
                .summary("Retrains a tracked run from its recorded spec as a new job")
                .handle(call -> {
                    String runId = ((Reproduce) call.body()).runId();
                    String id = trainings.reproduce(runId, call.principal().name());
                    return Map.of("id", id, "status", "QUEUED", "href", "/api/trainings/" + id, "reproduces", runId);
                });
        r.get("/api/trainings/{id}").roles(Role.DATA_SCIENTIST).returns(TrainingJob.class)
                .summary("A job: status, progress, metrics, provenance and its spec; with ?waitSeconds=N (at most "
                        + TrainingManager.MAX_WAIT_SECONDS + ") once it has ended or N seconds have passed")
                .handle(call -> trainings.job(call.path("id"), java.time.Duration.ofSeconds(
                                call.queryInt("waitSeconds", 0, 0, TrainingManager.MAX_WAIT_SECONDS)))
                        .orElseThrow(() -> noJob(call.path("id"))));
        r.delete("/api/trainings/{id}").roles(Role.DATA_SCIENTIST).returns(Map.class).status(202)
                .summary("Stops a queued or running job")
                .handle(call -> cancel(call.path("id")));
        r.post("/api/trainings/{id}/cancel").roles(Role.DATA_SCIENTIST).returns(Map.class).status(202)
                .summary("Stops a queued or running job")
                .handle(call -> cancel(call.path("id")));
        r.get("/api/trainings/{id}/artifact").roles(Role.DATA_SCIENTIST)
                .summary("The trained model of a succeeded job (model.zip)")
                .handle(call -> {
                    String id = call.path("id");
                    try (InputStream in = trainings.openArtifact(id).orElseThrow(() -> new NotFoundException(
                            "no artifact for training " + Json.quote(id) + " (unknown, or not succeeded)"))) {
                        HttpServletResponse resp = call.response();
                        resp.setContentType("application/zip");
                        resp.setHeader("Content-Disposition", "attachment; filename=\"model-" + id + ".zip\"");
                        in.transferTo(resp.getOutputStream());
                    }
                    return Reply.WRITTEN;
                });
    }

    private Map<String, Object> cancel(String id) {
        if (trainings.status(id).isEmpty()) {
            throw noJob(id);
        }
        if (!trainings.cancel(id)) {
            throw new ConflictException("id", "training " + Json.quote(id) + " has already finished ("
                    + trainings.status(id).orElseThrow() + ")");
        }
        return Map.of("id", id, "cancelling", true);
    }

    private static NotFoundException noJob(String id) {
        return new NotFoundException("no training " + Json.quote(id));
    }
}
