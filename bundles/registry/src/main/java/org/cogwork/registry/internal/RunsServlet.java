package org.cogwork.registry.internal;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
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
import java.util.NoSuchElementException;
import org.cogwork.api.tracking.ExperimentTracker;
import org.cogwork.api.tracking.MetricPoint;
import org.cogwork.api.tracking.Run;
import org.cogwork.api.tracking.RunQuery;
import org.cogwork.api.tracking.RunStatus;
import org.cogwork.runtime.rest.ApiException;
import org.cogwork.runtime.rest.ErrorBody;
import org.cogwork.runtime.rest.Json;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.cogwork.api.training.TrainingService;

/**
 * {@code /api/runs}: GET searches ({@code ?experiment=1,2&filter=&orderBy=metrics.acc DESC&max=&pageToken=&deleted=true};
 * experiment defaults to the Default experiment "0"), POST {"experimentId", "name", "startTime", "tags"} starts a
 * run; {@code /{id}}: GET (params, tags, latest metrics), PATCH {"status", "endTime", "name"}, DELETE (soft);
 * POST {@code /{id}/metrics} {"key", "value", "step", "timestamp"}, {@code /{id}/params} {"key", "value"},
 * {@code /{id}/tags} {"key", "value"}, {@code /{id}/batch} {"metrics", "params", "tags"}; GET
 * {@code /{id}/metrics/{key}} (history); GET {@code /{id}/artifacts} (path → size), GET/PUT
 * {@code /{id}/artifacts/{path}} (raw bytes; a download is checksum-verified first).
 */
@Component(name = "org.cogwork.registry.rest.runs", service = Servlet.class)
@HttpWhiteboardServletPattern({"/api/runs", "/api/runs/*"})
public class RunsServlet extends RestSupport {
    private static final long serialVersionUID = 1L;

    private final transient ExperimentTracker tracker;

    record CreateRun(String experimentId, String name, Long startTime, Map<String, String> tags) {
    }

    record UpdateRun(RunStatus status, Long endTime, String name) {
    }

    record Metric(String key, Double value, Long step, Long timestamp) {
        MetricPoint point(String field) {
            if (value == null) {
                throw ApiException.badRequest(field + ".value", field + ".value is required");
            }
            return new MetricPoint(key, value, step == null ? 0 : step, timestamp == null ? Instant.now() : Instant.ofEpochMilli(timestamp));
        }
    }

    record KeyValue(String key, String value) {
    }

    record Batch(List<Metric> metrics, Map<String, String> params, Map<String, String> tags) {
    }

    private transient volatile TrainingService training;

    @Activate
    public RunsServlet(@Reference ExperimentTracker tracker) {
        this.tracker = tracker;
    }

    /** Training, when installed, reproduces runs it produced ({@code POST /api/runs/{id}/reproduce}). */
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
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        List<String> seg = segments(req.getPathInfo() == null ? "" : req.getPathInfo());
        if (seg.size() >= 3 && seg.get(1).equals("artifacts") && req.getMethod().equals("GET")) {
            String path = String.join("/", seg.subList(2, seg.size()));
            try (InputStream in = tracker.openArtifact(seg.get(0), path)) {
                resp.setContentType("application/octet-stream");
                resp.setHeader("Content-Disposition", "attachment; filename=\"" + seg.get(seg.size() - 1).replace("\"", "") + "\"");
                in.transferTo(resp.getOutputStream());
            } catch (NoSuchElementException | FileNotFoundException e) {
                error(resp, 404, e.getMessage(), "path");
            } catch (InvalidField e) {
                error(resp, 400, e.getMessage(), e.field());
            } catch (IOException e) {
                // a corrupt artifact: our fault, not the caller's, and never served
                error(resp, 500, e.getMessage(), "path");
            }
            return;
        }
        super.service(req, resp);
    }

    private static void error(HttpServletResponse resp, int status, String message, String field) throws IOException {
        resp.setStatus(status);
        resp.setContentType("application/json");
        Json.MAPPER.writeValue(resp.getOutputStream(), new ErrorBody(message, field, null));
    }

    @Override
    protected Reply serve(String method, List<String> seg, HttpServletRequest req) throws IOException {
        if (seg.isEmpty()) {
            return switch (method) {
                case "GET" -> Reply.ok(search(req));
                case "POST" -> {
                    CreateRun c = Json.readObject(req, CreateRun.class);
                    yield new Reply(201, tracker.createRun(c.experimentId(), c.name(), c.startTime(), c.tags()));
                }
                default -> throw methodNotAllowed(method, "");
            };
        }
        String id = seg.get(0);
        if (seg.size() == 1) {
            switch (method) {
                case "GET":
                    return Reply.ok(find(id));
                case "PATCH": {
                    UpdateRun u = Json.readObject(req, UpdateRun.class);
                    return Reply.ok(tracker.updateRun(id, u.status(), u.endTime(), u.name()));
                }
                case "DELETE":
                    tracker.deleteRun(id);
                    return Reply.ok(find(id));
                default:
                    throw methodNotAllowed(method, id);
            }
        }
        String what = seg.get(1);
        if (seg.size() == 2 && method.equals("POST")) {
            switch (what) {
                case "reproduce": {
                    TrainingService t = training;
                    if (t == null) {
                        throw new ApiException(503, "the training bundle is not installed: runs cannot be reproduced", null, null);
                    }
                    String job = t.reproduce(id);
                    return new Reply(202, Map.of("id", job, "status", "QUEUED", "href", "/api/trainings/" + job, "reproduces", id));
                }
                case "metrics": {
                    Metric m = Json.readObject(req, Metric.class);
                    tracker.logMetric(id, m.point("body"));
                    return new Reply(201, Map.of("run", id, "key", m.key()));
                }
                case "params": {
                    KeyValue kv = Json.readObject(req, KeyValue.class);
                    tracker.logParam(id, kv.key(), kv.value());
                    return new Reply(201, Map.of("run", id, "key", kv.key()));
                }
                case "tags": {
                    KeyValue kv = Json.readObject(req, KeyValue.class);
                    tracker.setTag(id, kv.key(), kv.value());
                    return new Reply(201, Map.of("run", id, "key", kv.key()));
                }
                case "batch": {
                    Batch b = Json.readObject(req, Batch.class);
                    List<MetricPoint> points = new ArrayList<>();
                    if (b.metrics() != null) {
                        for (int i = 0; i < b.metrics().size(); i++) {
                            if (b.metrics().get(i) == null) {
                                throw ApiException.badRequest("metrics[" + i + "]", "metrics[" + i + "]: expected an object");
                            }
                            points.add(b.metrics().get(i).point("metrics[" + i + "]"));
                        }
                    }
                    tracker.logBatch(id, points, b.params(), b.tags());
                    return new Reply(201, Map.of("run", id, "metrics", points.size()));
                }
                case "restore":
                    tracker.restoreRun(id);
                    return Reply.ok(find(id));
                default:
                    break;
            }
        }
        if (what.equals("metrics") && seg.size() == 3 && method.equals("GET")) {
            return Reply.ok(Map.of("run", id, "key", seg.get(2), "history", tracker.metricHistory(id, seg.get(2))));
        }
        if (what.equals("artifacts") && seg.size() == 2 && method.equals("GET")) {
            return Reply.ok(tracker.listArtifacts(id));
        }
        if (what.equals("artifacts") && seg.size() >= 3 && method.equals("PUT")) {
            String path = String.join("/", seg.subList(2, seg.size()));
            String uri = tracker.logArtifact(id, path, req.getInputStream());
            return new Reply(201, Map.of("run", id, "path", path, "uri", uri));
        }
        throw notFound(method, "/api/runs/" + String.join("/", seg));
    }

    private Run find(String id) {
        return tracker.run(id).orElseThrow(() -> ApiException.notFound("no run with id '" + id + "'"));
    }

    private Object search(HttpServletRequest req) {
        List<String> exps = new ArrayList<>();
        String[] values = req.getParameterValues("experiment");
        if (values != null) {
            for (String v : values) {
                Arrays.stream(v.split(",")).map(String::strip).filter(s -> !s.isEmpty()).forEach(exps::add);
            }
        }
        if (exps.isEmpty()) {
            exps.add(Tracking.DEFAULT_ID);
        }
        List<String> order = new ArrayList<>();
        String[] orders = req.getParameterValues("orderBy");
        if (orders != null) {
            for (String o : orders) {
                Arrays.stream(o.split(",")).map(String::strip).filter(s -> !s.isEmpty()).forEach(order::add);
            }
        }
        var page = tracker.searchRuns(new RunQuery(exps, req.getParameter("filter"), order, intParam(req, "max", 1000),
                req.getParameter("pageToken"), "true".equals(req.getParameter("deleted"))));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("runs", page.items());
        if (page.nextPageToken() != null) {
            out.put("nextPageToken", page.nextPageToken());
        }
        return out;
    }
}
