package org.cogwork.mlflow.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.EOFException;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.cogwork.api.registry.ModelRegistry;
import org.cogwork.api.registry.ModelVersion;
import org.cogwork.api.registry.RegisteredModel;
import org.cogwork.api.tracking.Experiment;
import org.cogwork.api.tracking.ExperimentTracker;
import org.cogwork.api.tracking.MetricPoint;
import org.cogwork.api.tracking.Page;
import org.cogwork.api.tracking.Run;
import org.cogwork.api.tracking.RunQuery;
import org.cogwork.api.tracking.RunStatus;
import org.cogwork.runtime.rest.ApiException;
import org.cogwork.runtime.rest.ErrorBody;
import org.cogwork.runtime.rest.Json;
import org.cogwork.runtime.rest.JsonServlet;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MLflow REST API subset under {@code /api/2.0/mlflow/}: experiments (create, get, get-by-name, search,
 * delete, restore, set-experiment-tag), runs (create, update, get, search, delete, restore, log-metric,
 * log-parameter, log-batch, set-tag, delete-tag), metrics/get-history, registered models (create, get,
 * search, update, delete, set-tag, get-latest-versions, alias set/delete/get), model versions (create, get,
 * search, update, delete, set-tag, get-download-uri). Requests and answers use MLflow's JSON (protobuf field
 * names; 64-bit numbers accepted as numbers or strings) and MLflow's error shape
 * {@code {"error_code", "message"}}, because MLflow clients parse those; everything else in Cogwork uses
 * Cogwork's error shape. Everything is delegated to the platform's {@link ExperimentTracker} and
 * {@link ModelRegistry}.
 */
@Component(name = "org.cogwork.mlflow", service = Servlet.class)
@HttpWhiteboardServletPattern("/api/2.0/mlflow/*")
public class MlflowServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(MlflowServlet.class);

    private final transient ExperimentTracker tracker;
    private final transient ModelRegistry registry;

    @Activate
    public MlflowServlet(@Reference ExperimentTracker tracker, @Reference ModelRegistry registry) {
        this.tracker = tracker;
        this.registry = registry;
    }

    /** A request's parameters: the JSON body merged with the query string (MLflow GETs use the query string). */
    record Req(String method, String path, JsonNode body, HttpServletRequest http) {
        String text(String name, boolean required) {
            JsonNode n = body.get(name);
            String v = n != null && !n.isNull() ? n.asText() : http.getParameter(name);
            if ((v == null || v.isEmpty()) && required) {
                throw MlflowError.invalid("Missing value for required parameter '" + name + "'.");
            }
            return v == null || v.isEmpty() ? null : v;
        }

        Long number(String name) {
            String v = text(name, false);
            if (v == null) {
                return null;
            }
            try {
                return Long.parseLong(v);
            } catch (NumberFormatException e) {
                throw MlflowError.invalid("Invalid value '" + v + "' for parameter '" + name + "': expected an integer.");
            }
        }

        int max(int dflt) {
            Long m = number("max_results");
            return m == null ? dflt : (int) Math.max(1, Math.min(m, 50_000));
        }

        List<String> list(String name) {
            List<String> out = new ArrayList<>();
            JsonNode n = body.get(name);
            if (n != null && n.isArray()) {
                n.forEach(x -> out.add(x.asText()));
            } else if (http.getParameterValues(name) != null) {
                out.addAll(List.of(http.getParameterValues(name)));
            }
            return out;
        }

        String runId() {
            String id = text("run_id", false);
            return id != null ? id : text("run_uuid", true);
        }
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String path = req.getPathInfo() == null ? "" : req.getPathInfo().replaceFirst("^/", "");
        Object answer;
        int status = 200;
        try {
            JsonNode body = "GET".equals(req.getMethod()) ? Shapes.JSON.createObjectNode() : Json.readOptionalObject(req);
            answer = dispatch(new Req(req.getMethod(), path, body, req));
        } catch (MlflowError e) {
            status = e.status;
            answer = error(e.code, e.getMessage());
        } catch (ApiException e) {
            // the body could not be read as a JSON object (Cogwork's reader names what was wrong)
            status = e.status();
            answer = error("body".equals(e.field()) ? "MALFORMED_REQUEST" : "INVALID_PARAMETER_VALUE", e.getMessage());
        } catch (NoSuchElementException e) {
            status = 404;
            answer = error("RESOURCE_DOES_NOT_EXIST", e.getMessage());
        } catch (IllegalArgumentException e) {
            boolean exists = e.getMessage() != null && (e.getMessage().contains("already exists") || e.getMessage().contains("taken"));
            status = 400;
            answer = error(exists ? "RESOURCE_ALREADY_EXISTS" : "INVALID_PARAMETER_VALUE", e.getMessage());
        } catch (JsonProcessingException e) {
            status = 400;
            answer = error("MALFORMED_REQUEST", Json.badRequest(e).getMessage());
        } catch (EOFException e) {
            status = 400;
            answer = error("MALFORMED_REQUEST", "the request body ended before it was complete");
        } catch (RuntimeException | IOException e) {
            LOG.error("MLflow API {} {} failed", req.getMethod(), path, e);
            status = 500;
            answer = error("INTERNAL_ERROR", "internal error (see the server log)");
        }
        resp.setStatus(status);
        JsonServlet.closeIfBodyUnread(req, resp);
        resp.setContentType("application/json");
        resp.setCharacterEncoding("UTF-8");
        Shapes.JSON.writeValue(resp.getOutputStream(), answer);
    }

    private static ObjectNode error(String code, String message) {
        return Shapes.JSON.createObjectNode().put("error_code", code).put("message", ErrorBody.safe(message));
    }

    private ObjectNode dispatch(Req r) throws IOException {
        return switch (r.method() + " " + r.path()) {
            case "POST experiments/create" -> createExperiment(r);
            case "GET experiments/get" -> wrap("experiment", Shapes.experiment(experiment(r.text("experiment_id", true))));
            case "GET experiments/get-by-name" -> wrap("experiment", Shapes.experiment(tracker.experimentByName(r.text("experiment_name", true))
                    .orElseThrow(() -> MlflowError.missing("Could not find experiment with name '" + r.text("experiment_name", true) + "'"))));
            case "POST experiments/search", "GET experiments/search" -> searchExperiments(r);
            case "POST experiments/delete" -> {
                tracker.deleteExperiment(experiment(r.text("experiment_id", true)).id());
                yield empty();
            }
            case "POST experiments/restore" -> {
                tracker.restoreExperiment(r.text("experiment_id", true));
                yield empty();
            }
            case "POST experiments/set-experiment-tag" -> {
                tracker.setExperimentTag(r.text("experiment_id", true), r.text("key", true), r.text("value", false) == null ? "" : r.text("value", false));
                yield empty();
            }
            case "POST runs/create" -> createRun(r);
            case "POST runs/update" -> updateRun(r);
            case "GET runs/get" -> wrap("run", Shapes.run(run(r.runId())));
            case "POST runs/search", "GET runs/search" -> searchRuns(r);
            case "POST runs/delete" -> {
                tracker.deleteRun(r.runId());
                yield empty();
            }
            case "POST runs/restore" -> {
                tracker.restoreRun(r.runId());
                yield empty();
            }
            case "POST runs/log-metric" -> {
                tracker.logMetric(r.runId(), metric(r.body(), "body"));
                yield empty();
            }
            case "POST runs/log-parameter" -> {
                tracker.logParam(r.runId(), r.text("key", true), value(r));
                yield empty();
            }
            case "POST runs/log-batch" -> logBatch(r);
            case "POST runs/set-tag" -> {
                tracker.setTag(r.runId(), r.text("key", true), value(r));
                yield empty();
            }
            case "POST runs/delete-tag" -> {
                tracker.deleteTag(r.runId(), r.text("key", true));
                yield empty();
            }
            case "GET metrics/get-history" -> history(r);
            case "POST registered-models/create" -> {
                RegisteredModel m = registry.createModel(r.text("name", true), r.text("description", false), tagMap(r.body().path("tags")));
                yield wrap("registered_model", Shapes.model(m, null));
            }
            case "GET registered-models/get" -> wrap("registered_model", modelJson(model(r.text("name", true))));
            case "GET registered-models/search", "POST registered-models/search" -> searchModels(r);
            case "PATCH registered-models/update" -> wrap("registered_model",
                    modelJson(registry.updateModel(r.text("name", true), r.text("description", false))));
            case "DELETE registered-models/delete" -> {
                registry.deleteModel(model(r.text("name", true)).name(), "mlflow-api");
                yield empty();
            }
            case "POST registered-models/set-tag" -> {
                registry.setModelTag(r.text("name", true), r.text("key", true), value(r));
                yield empty();
            }
            case "GET registered-models/get-latest-versions", "POST registered-models/get-latest-versions" -> latestVersions(r);
            case "POST registered-models/alias" -> {
                registry.setAlias(r.text("name", true), r.text("alias", true), version(r), "mlflow-api");
                yield empty();
            }
            case "DELETE registered-models/alias" -> {
                registry.deleteAlias(r.text("name", true), r.text("alias", true), "mlflow-api");
                yield empty();
            }
            case "GET registered-models/alias" -> wrap("model_version", Shapes.version(registry.byAlias(r.text("name", true), r.text("alias", true))
                    .orElseThrow(() -> MlflowError.missing("Registered model '" + r.text("name", true) + "' has no alias '" + r.text("alias", true) + "'"))));
            case "POST model-versions/create" -> createVersion(r);
            case "GET model-versions/get" -> wrap("model_version", Shapes.version(versionOf(r)));
            case "GET model-versions/search", "POST model-versions/search" -> searchVersions(r);
            case "PATCH model-versions/update" -> wrap("model_version", Shapes.version(
                    registry.updateVersion(r.text("name", true), version(r), r.text("description", false), null, "mlflow-api")));
            case "DELETE model-versions/delete" -> {
                registry.deleteVersion(r.text("name", true), version(r), "mlflow-api");
                yield empty();
            }
            case "POST model-versions/set-tag" -> {
                registry.setVersionTag(r.text("name", true), version(r), r.text("key", true), value(r));
                yield empty();
            }
            case "GET model-versions/get-download-uri" -> Shapes.JSON.createObjectNode().put("artifact_uri", versionOf(r).source());
            default -> throw new MlflowError(404, "ENDPOINT_NOT_FOUND", "Cogwork does not implement " + r.method() + " /api/2.0/mlflow/"
                    + r.path() + "; see docs/ARCHITECTURE.md for the supported subset");
        };
    }

    private static ObjectNode empty() {
        return Shapes.JSON.createObjectNode();
    }

    private static ObjectNode wrap(String field, JsonNode value) {
        ObjectNode n = Shapes.JSON.createObjectNode();
        n.set(field, value);
        return n;
    }

    private static String value(Req r) {
        String v = r.text("value", false);
        return v == null ? "" : v;
    }

    private static int version(Req r) {
        String v = r.text("version", true);
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw MlflowError.invalid("Invalid model version '" + v + "': expected a number.");
        }
    }

    private Experiment experiment(String id) {
        return tracker.experiment(id).orElseThrow(() -> MlflowError.missing("No Experiment with id=" + id + " exists"));
    }

    private Run run(String id) {
        return tracker.run(id).orElseThrow(() -> MlflowError.missing("Run '" + id + "' not found"));
    }

    private RegisteredModel model(String name) {
        return registry.model(name).orElseThrow(() -> MlflowError.missing("Registered Model with name=" + name + " not found"));
    }

    private ModelVersion versionOf(Req r) {
        String name = r.text("name", true);
        int v = version(r);
        return registry.version(name, v).orElseThrow(() -> MlflowError.missing("Model Version (name=" + name + ", version=" + v + ") not found"));
    }

    private ObjectNode modelJson(RegisteredModel m) {
        List<ModelVersion> versions = registry.versions(m.name());
        ModelVersion latest = versions.stream().max(Comparator.comparingInt(ModelVersion::version)).orElse(null);
        return Shapes.model(m, latest);
    }

    private static Map<String, String> tagMap(JsonNode tags) {
        Map<String, String> out = new LinkedHashMap<>();
        if (tags != null && tags.isArray()) {
            tags.forEach(t -> out.put(t.path("key").asText(), t.path("value").asText("")));
        }
        return out;
    }

    private ObjectNode createExperiment(Req r) {
        String name = r.text("name", true);
        if (tracker.experimentByName(name).isPresent()) {
            throw new MlflowError(400, "RESOURCE_ALREADY_EXISTS", "Experiment '" + name + "' already exists.");
        }
        Experiment e = tracker.createExperiment(name, tagMap(r.body().path("tags")));
        return Shapes.JSON.createObjectNode().put("experiment_id", e.id());
    }

    private ObjectNode searchExperiments(Req r) {
        String viewType = r.text("view_type", false);
        String filter = r.text("filter", false);
        String nameFilter = null;
        if (filter != null) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)^\\s*(?:attribute\\.)?name\\s*(=|LIKE|ILIKE)\\s*'([^']*)'\\s*$").matcher(filter);
            if (!m.matches()) {
                throw MlflowError.invalid("Unsupported experiment filter '" + filter + "': Cogwork supports name = '...' and name LIKE '...'");
            }
            nameFilter = m.group(2);
        }
        Page<Experiment> page = tracker.experiments(nameFilter, "DELETED_ONLY".equals(viewType) || "ALL".equals(viewType),
                r.max(1000), r.text("page_token", false));
        ObjectNode out = Shapes.JSON.createObjectNode();
        ArrayNode a = out.putArray("experiments");
        page.items().forEach(e -> a.add(Shapes.experiment(e)));
        if (page.nextPageToken() != null) {
            out.put("next_page_token", page.nextPageToken());
        }
        return out;
    }

    private ObjectNode createRun(Req r) {
        String experimentId = r.text("experiment_id", false);
        if (experimentId == null) {
            experimentId = tracker.experimentId(ExperimentTracker.DEFAULT_EXPERIMENT);
        }
        Map<String, String> tags = tagMap(r.body().path("tags"));
        String user = r.text("user_id", false);
        if (user != null) {
            tags.putIfAbsent("mlflow.user", user);
        }
        String name = r.text("run_name", false);
        if (name == null) {
            name = tags.get("mlflow.runName");
        }
        Run run = tracker.createRun(experiment(experimentId).id(), name, r.number("start_time"), tags);
        return wrap("run", Shapes.run(run));
    }

    private ObjectNode updateRun(Req r) {
        String status = r.text("status", false);
        RunStatus s = null;
        if (status != null) {
            try {
                s = RunStatus.valueOf(status);
            } catch (IllegalArgumentException e) {
                throw MlflowError.invalid("Invalid run status '" + status + "'");
            }
        }
        Run run = tracker.updateRun(r.runId(), s, r.number("end_time"), r.text("run_name", false));
        return wrap("run_info", Shapes.runInfo(run));
    }

    private ObjectNode searchRuns(Req r) {
        List<String> experiments = r.list("experiment_ids");
        if (experiments.isEmpty()) {
            throw MlflowError.invalid("experiment_ids must name at least one experiment");
        }
        String viewType = r.text("run_view_type", false);
        Page<Run> page = tracker.searchRuns(new RunQuery(experiments, r.text("filter", false), r.list("order_by"),
                r.max(1000), r.text("page_token", false), "ALL".equals(viewType) || "DELETED_ONLY".equals(viewType)));
        ObjectNode out = Shapes.JSON.createObjectNode();
        ArrayNode a = out.putArray("runs");
        page.items().forEach(x -> a.add(Shapes.run(x)));
        if (page.nextPageToken() != null) {
            out.put("next_page_token", page.nextPageToken());
        }
        return out;
    }

    static MetricPoint metric(JsonNode n, String path) {
        String key = n.path("key").asText(null);
        if (key == null || key.isBlank()) {
            throw MlflowError.invalid("Missing value for required parameter 'key' in " + path);
        }
        JsonNode v = n.get("value");
        if (v == null || v.isNull()) {
            throw MlflowError.invalid("Missing value for required parameter 'value' in " + path);
        }
        double value;
        if (v.isNumber()) {
            value = v.doubleValue();
        } else {
            try {
                value = Double.parseDouble(v.asText());
            } catch (NumberFormatException e) {
                throw MlflowError.invalid("Invalid value '" + v.asText() + "' for metric '" + key + "': expected a number");
            }
        }
        long ts = n.hasNonNull("timestamp") ? n.get("timestamp").asLong() : System.currentTimeMillis();
        long step = n.hasNonNull("step") ? n.get("step").asLong() : 0;
        return new MetricPoint(key, value, step, Instant.ofEpochMilli(ts));
    }

    private ObjectNode logBatch(Req r) {
        List<MetricPoint> metrics = new ArrayList<>();
        JsonNode m = r.body().path("metrics");
        for (int i = 0; i < m.size(); i++) {
            metrics.add(metric(m.get(i), "metrics[" + i + "]"));
        }
        Map<String, String> params = new LinkedHashMap<>();
        r.body().path("params").forEach(p -> params.put(p.path("key").asText(), p.path("value").asText("")));
        Map<String, String> tags = tagMap(r.body().path("tags"));
        tracker.logBatch(r.runId(), metrics, params, tags);
        return empty();
    }

    private ObjectNode history(Req r) {
        String runId = r.runId();
        run(runId);
        List<MetricPoint> points = tracker.metricHistory(runId, r.text("metric_key", true));
        ObjectNode out = Shapes.JSON.createObjectNode();
        ArrayNode a = out.putArray("metrics");
        points.forEach(p -> a.add(Shapes.metric(p)));
        return out;
    }

    private ObjectNode searchModels(Req r) {
        String filter = r.text("filter", false);
        String like = null;
        if (filter != null) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)^\\s*name\\s*(=|LIKE|ILIKE)\\s*'([^']*)'\\s*$").matcher(filter);
            if (!m.matches()) {
                throw MlflowError.invalid("Unsupported registered model filter '" + filter + "': Cogwork supports name = '...' and name LIKE '...'");
            }
            like = m.group(2);
        }
        Page<RegisteredModel> page = registry.searchModels(like, r.max(100), r.text("page_token", false));
        ObjectNode out = Shapes.JSON.createObjectNode();
        ArrayNode a = out.putArray("registered_models");
        page.items().forEach(x -> a.add(modelJson(x)));
        if (page.nextPageToken() != null) {
            out.put("next_page_token", page.nextPageToken());
        }
        return out;
    }

    private ObjectNode latestVersions(Req r) {
        RegisteredModel m = model(r.text("name", true));
        ObjectNode out = Shapes.JSON.createObjectNode();
        ArrayNode a = out.putArray("model_versions");
        List<String> stages = r.list("stages");
        if (stages.isEmpty() || stages.stream().anyMatch(s -> s.equalsIgnoreCase("None"))) {
            registry.versions(m.name()).stream().max(Comparator.comparingInt(ModelVersion::version))
                    .ifPresent(v -> a.add(Shapes.version(v)));
        }
        return out;
    }

    private ObjectNode createVersion(Req r) {
        String name = r.text("name", true);
        String source = r.text("source", true);
        String runId = r.text("run_id", false);
        Map<String, Object> provenance = new LinkedHashMap<>();
        if (runId != null) {
            Run run = run(runId);
            provenance.put("run", Map.of("id", run.id(), "experimentId", run.experimentId(), "params", run.params()));
        }
        ModelVersion v = registry.createVersion(name, runId, source, r.text("description", false), provenance,
                tagMap(r.body().path("tags")));
        return wrap("model_version", Shapes.version(v));
    }

    private ObjectNode searchVersions(Req r) {
        Page<ModelVersion> page = registry.searchVersions(r.text("filter", false), r.max(200), r.text("page_token", false));
        ObjectNode out = Shapes.JSON.createObjectNode();
        ArrayNode a = out.putArray("model_versions");
        page.items().forEach(v -> a.add(Shapes.version(v)));
        if (page.nextPageToken() != null) {
            out.put("next_page_token", page.nextPageToken());
        }
        return out;
    }
}
