package org.cogwork.registry.internal;

import jakarta.servlet.http.HttpServletResponse;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cogwork.api.problem.ApiException;
import org.cogwork.api.problem.InvalidFieldException;
import org.cogwork.api.problem.NotFoundException;
import org.cogwork.api.security.Role;
import org.cogwork.api.tracking.ExperimentTracker;
import org.cogwork.api.tracking.MetricPoint;
import org.cogwork.api.tracking.Run;
import org.cogwork.api.tracking.RunQuery;
import org.cogwork.api.tracking.RunStatus;
import org.cogwork.api.training.TrainingService;
import org.cogwork.runtime.rest.Call;
import org.cogwork.runtime.rest.Reply;
import org.cogwork.runtime.rest.RestResource;
import org.cogwork.runtime.rest.Routes;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * {@code /api/runs}: search, create, update and (soft) delete runs; log metrics, parameters, tags and artifacts
 * to them; reproduce one through the training bundle when it is installed. The run's creator
 * ({@code mlflow.user}) is the signed-in caller.
 */
@Component(service = RestResource.class)
public class RunsResource implements RestResource {
    private final ExperimentTracker tracker;
    private volatile TrainingService training;

    /** POST /api/runs; {@code startTime} in epoch milliseconds. */
    record CreateRun(String experimentId, String name, Long startTime, Map<String, String> tags) {
    }

    /** PATCH /api/runs/{id}; {@code endTime} in epoch milliseconds. */
    record UpdateRun(RunStatus status, Long endTime, String name) {
    }

    /** One metric point; {@code step} defaults to 0 and {@code timestamp} (epoch milliseconds) to now. */
    record Metric(String key, Double value, Long step, Long timestamp) {
        Metric {
            if (value == null) {
                throw new InvalidFieldException("value", "value is required");
            }
        }

        MetricPoint point() {
            return new MetricPoint(key, value, step == null ? 0 : step, timestamp == null ? Instant.now() : Instant.ofEpochMilli(timestamp));
        }
    }

    record KeyValue(String key, String value) {
    }

    record Batch(List<Metric> metrics, Map<String, String> params, Map<String, String> tags) {
    }

    @Activate
    public RunsResource(@Reference ExperimentTracker tracker) {
        this.tracker = tracker;
    }

    /** Training, when installed, reproduces the runs it produced. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    void setTraining(TrainingService t) {
        this.training = t;
    }

    void unsetTraining(TrainingService t) {
        if (this.training == t) {
            this.training = null;
        }
    }

    @Override
    public void routes(Routes r) {
        r.get("/api/runs").roles(Role.DATA_SCIENTIST).returns(Map.class)
                .query("experiment", "experiment ids, repeated or comma-separated (default: the Default experiment, 0)")
                .query("filter", "MLflow's search syntax, e.g. metrics.accuracy > 0.9 and params.alpha = '0.5'")
                .query("orderBy", "e.g. metrics.accuracy DESC, repeated or comma-separated")
                .query("max", "page size, 1..50000 (default 1000)")
                .query("pageToken", "the nextPageToken of the previous page")
                .query("deleted", "true to include deleted runs")
                .summary("searches runs")
                .handle(this::search);
        r.post("/api/runs").roles(Role.DATA_SCIENTIST).body(CreateRun.class).returns(Run.class).status(201)
                .summary("starts a run, created by the caller")
                .<CreateRun>handle(call -> {
                    CreateRun c = call.body();
                    Map<String, String> tags = new LinkedHashMap<>();
                    if (c.tags() != null) {
                        tags.putAll(c.tags());
                    }
                    tags.put(Tracking.USER_TAG, call.principal().name());
                    return tracker.createRun(c.experimentId(), c.name(), c.startTime(), tags);
                });
        r.get("/api/runs/{id}").roles(Role.DATA_SCIENTIST).returns(Run.class)
                .summary("one run: parameters, tags and the latest value of each metric")
                .handle(call -> find(call.path("id")));
        r.patch("/api/runs/{id}").roles(Role.DATA_SCIENTIST).body(UpdateRun.class).returns(Run.class)
                .summary("ends or renames a run")
                .<UpdateRun>handle(call -> tracker.updateRun(call.path("id"), call.body().status(), call.body().endTime(), call.body().name()));
        r.delete("/api/runs/{id}").roles(Role.DATA_SCIENTIST).returns(Run.class)
                .summary("deletes a run (soft: it can be restored)")
                .handle(call -> {
                    tracker.deleteRun(call.path("id"));
                    return find(call.path("id"));
                });
        r.post("/api/runs/{id}/restore").roles(Role.DATA_SCIENTIST).returns(Run.class)
                .summary("restores a deleted run")
                .handle(call -> {
                    tracker.restoreRun(call.path("id"));
                    return find(call.path("id"));
                });
        r.post("/api/runs/{id}/reproduce").roles(Role.DATA_SCIENTIST).returns(Map.class).status(202)
                .summary("trains again from the run's recorded spec and compares (needs the training bundle)")
                .handle(call -> {
                    TrainingService t = training;
                    if (t == null) {
                        throw new ApiException(503, "the training bundle is not installed: runs cannot be reproduced", null, null);
                    }
                    String id = find(call.path("id")).id();
                    String job = t.reproduce(id, call.principal().name());
                    return Map.of("id", job, "status", "QUEUED", "href", "/api/trainings/" + job, "reproduces", id);
                });
        r.post("/api/runs/{id}/metrics").roles(Role.DATA_SCIENTIST).body(Metric.class).returns(Map.class).status(201)
                .summary("logs a metric point")
                .<Metric>handle(call -> {
                    tracker.logMetric(call.path("id"), call.body().point());
                    return Map.of("run", call.path("id"), "key", call.body().key());
                });
        r.post("/api/runs/{id}/params").roles(Role.DATA_SCIENTIST).body(KeyValue.class).returns(Map.class).status(201)
                .summary("logs a parameter (parameters are immutable)")
                .<KeyValue>handle(call -> {
                    tracker.logParam(call.path("id"), call.body().key(), call.body().value());
                    return Map.of("run", call.path("id"), "key", call.body().key());
                });
        r.post("/api/runs/{id}/tags").roles(Role.DATA_SCIENTIST).body(KeyValue.class).returns(Map.class).status(201)
                .summary("sets a tag")
                .<KeyValue>handle(call -> {
                    tracker.setTag(call.path("id"), call.body().key(), call.body().value());
                    return Map.of("run", call.path("id"), "key", call.body().key());
                });
        r.post("/api/runs/{id}/batch").roles(Role.DATA_SCIENTIST).body(Batch.class).returns(Map.class).status(201)
                .summary("logs metrics, parameters and tags in one transaction")
                .handle(this::batch);
        r.get("/api/runs/{id}/metrics/{key}").roles(Role.DATA_SCIENTIST).returns(Map.class)
                .summary("the history of one metric")
                .handle(call -> Map.of("run", call.path("id"), "key", call.path("key"),
                        "history", tracker.metricHistory(call.path("id"), call.path("key"))));
        r.get("/api/runs/{id}/artifacts").roles(Role.DATA_SCIENTIST).returns(Map.class)
                .summary("the run's artifacts: path to size in bytes")
                .handle(call -> tracker.listArtifacts(call.path("id")));
        r.get("/api/runs/{id}/artifacts/{path+}").roles(Role.DATA_SCIENTIST)
                .summary("downloads an artifact (its checksum verified first)")
                .handle(this::download);
        r.put("/api/runs/{id}/artifacts/{path+}").roles(Role.DATA_SCIENTIST).streamed().returns(Map.class).status(201)
                .summary("stores the request body as an artifact of the run")
                .handle(call -> {
                    String id = call.path("id");
                    String path = call.path("path");
                    try (InputStream in = call.request().getInputStream()) {
                        return Map.of("run", id, "path", path, "uri", tracker.logArtifact(id, path, in));
                    }
                });
    }

    private Object batch(Call<Batch> call) {
        Batch b = call.body();
        List<MetricPoint> points = new ArrayList<>();
        if (b.metrics() != null) {
            for (int i = 0; i < b.metrics().size(); i++) {
                if (b.metrics().get(i) == null) {
                    throw new InvalidFieldException("metrics[" + i + "]", "metrics[" + i + "]: expected an object");
                }
                points.add(b.metrics().get(i).point());
            }
        }
        tracker.logBatch(call.path("id"), points, b.params(), b.tags());
        return Map.of("run", call.path("id"), "metrics", points.size());
    }

    private Object download(Call<Object> call) throws IOException {
        String path = call.path("path");
        InputStream opened;
        try {
            opened = tracker.openArtifact(call.path("id"), path);
        } catch (FileNotFoundException e) {
            // the tracker's contract: a missing artifact is an IOException; for the caller it is a 404
            throw new ApiException(404, e.getMessage(), "path", null);
        }
        try (InputStream in = opened) {
            HttpServletResponse resp = call.response();
            resp.setStatus(200);
            resp.setContentType("application/octet-stream");
            String file = path.substring(path.lastIndexOf('/') + 1).replace("\"", "");
            resp.setHeader("Content-Disposition", "attachment; filename=\"" + file + "\"");
            in.transferTo(resp.getOutputStream());
        }
        return Reply.WRITTEN;
    }

    private Object search(Call<Object> call) {
        List<String> experiments = values(call, "experiment");
        if (experiments.isEmpty()) {
            experiments.add(Tracking.DEFAULT_ID);
        }
        var page = tracker.searchRuns(new RunQuery(experiments, call.query("filter"), values(call, "orderBy"),
                call.queryInt("max", 1000, 1, 50_000), call.query("pageToken"), call.queryBoolean("deleted", false)));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("runs", page.items());
        if (page.nextPageToken() != null) {
            out.put("nextPageToken", page.nextPageToken());
        }
        return out;
    }

    /** A query parameter given repeatedly or comma-separated (or both), blanks dropped. */
    private static List<String> values(Call<?> call, String name) {
        List<String> out = new ArrayList<>();
        String[] given = call.request().getParameterValues(name);
        if (given != null) {
            for (String v : given) {
                Arrays.stream(v.split(",")).map(String::strip).filter(s -> !s.isEmpty()).forEach(out::add);
            }
        }
        return out;
    }

    private Run find(String id) {
        return tracker.run(id).orElseThrow(() -> new NotFoundException("no run with id '" + id + "'"));
    }
}
