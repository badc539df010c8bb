package org.cogwork.mlflow.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cogwork.api.problem.InvalidFieldException;
import org.cogwork.api.registry.ModelRegistry;
import org.cogwork.api.registry.ModelVersion;
import org.cogwork.api.registry.RegisteredModel;
import org.cogwork.api.security.Role;
import org.cogwork.api.tracking.Experiment;
import org.cogwork.api.tracking.ExperimentTracker;
import org.cogwork.api.tracking.MetricPoint;
import org.cogwork.api.tracking.Page;
import org.cogwork.api.tracking.Run;
import org.cogwork.api.tracking.RunQuery;
import org.cogwork.api.tracking.RunStatus;
import org.cogwork.runtime.rest.Call;
import org.cogwork.runtime.rest.Json;
import org.cogwork.runtime.rest.RestResource;
import org.cogwork.runtime.rest.Route;
import org.cogwork.runtime.rest.Routes;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The MLflow REST API subset under {@code /api/2.0/mlflow/}: experiments (create, get, get-by-name, search,
 * delete, restore, set-experiment-tag), runs (create, update, get, search, delete, restore, log-metric,
 * log-parameter, log-batch, set-tag, delete-tag), metrics/get-history, registered models (create, get,
 * search, update, delete, set-tag, get-latest-versions, alias set/delete/get), model versions (create, get,
 * search, update, delete, set-tag, get-download-uri), artifacts/list. Run and experiment artifact locations are given
 * as {@code mlflow-artifacts:/} URIs, which MLflow clients fetch from {@link MlflowArtifactsResource}; a version's
 * download URI is its folder there ({@link #downloadUri}). Requests and answers use MLflow's JSON (protobuf field
 * names; 64-bit numbers accepted as numbers or strings, as MLflow's Java client sends them, so bodies are read
 * as trees, not bound to records) and MLflow's error shape {@code {"error_code", "message"}} ({@link MlflowErrors}),
 * because MLflow clients parse those. Everything is delegated to the platform's {@link ExperimentTracker} and
 * {@link ModelRegistry}; the actor of registry changes and the user of a new run are the signed-in caller
 * (MLflow's {@code user_id} and {@code mlflow.user} from the client are not recorded).
 */
@Component(service = RestResource.class)
public class MlflowResource implements RestResource {
    static final String BASE = "/api/2.0/mlflow/";
    /** The run tag MLflow reads its {@code user_id} from. */
    static final String USER_TAG = "mlflow.user";

    private final ExperimentTracker tracker;
    private final ModelRegistry registry;

    @Activate
    public MlflowResource(@Reference ExperimentTracker tracker, @Reference ModelRegistry registry) {
        this.tracker = tracker;
        this.registry = registry;
    }

    /** What an MLflow endpoint does with its request. */
    @FunctionalInterface
    interface Endpoint {
        ObjectNode answer(Req r) throws IOException;
    }

    /**
     * A request's parameters: the JSON body merged with the query string (MLflow GETs, and DELETEs from some
     * clients, use the query string), and who calls.
     */
    record Req(JsonNode body, Call<?> call) {
        /** A string parameter: a JSON string (a number or an object is a 400, as MLflow's protobuf parsing says). */
        String text(String name, boolean required) {
            JsonNode n = body.get(name);
            if (n != null && !n.isNull() && !n.isTextual()) {
                throw MlflowError.invalid("Invalid value for parameter '" + name + "': expected a string.");
            }
            String v = n != null && !n.isNull() ? n.asText() : call.query(name);
            if ((v == null || v.isEmpty()) && required) {
                throw MlflowError.invalid("Missing value for required parameter '" + name + "'.");
            }
            return v == null || v.isEmpty() ? null : v;
        }

        /** An int64 parameter: a JSON integer or, as protobuf JSON writes int64, a string of digits. */
        Long number(String name) {
            JsonNode n = body.get(name);
            if (n != null && n.isIntegralNumber() && n.canConvertToLong()) {
                return n.asLong();
            }
            if (n != null && !n.isNull() && !n.isTextual()) {
                throw MlflowError.invalid("Invalid value for parameter '" + name + "': expected an integer.");
            }
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
                for (JsonNode x : n) {
                    if (!x.isTextual()) {
                        throw MlflowError.invalid("Invalid value for parameter '" + name + "': expected a list of strings.");
                    }
                    out.add(x.asText());
                }
                return out;
            }
            if (n != null && !n.isNull()) {
                throw MlflowError.invalid("Invalid value for parameter '" + name + "': expected a list of strings.");
            }
            String[] given = call.request().getParameterValues(name);
            if (given != null) {
                out.addAll(List.of(given));
            }
            return out;
        }

        String runId() {
            String id = text("run_id", false);
            return id != null ? id : text("run_uuid", true);
        }

        /** The signed-in caller: the actor of registry changes, the user of new runs. */
        String actor() {
            return call.principal().name();
        }
    }

    @Override
    public void routes(Routes r) {
        r.errors(MlflowErrors::body).tag("mlflow");
        on(r, "POST", "experiments/create", "creates an experiment", this::createExperiment);
        on(r, "GET", "experiments/get", "one experiment", q -> wrap("experiment", Shapes.experiment(experiment(q.text("experiment_id", true)))));
        on(r, "GET", "experiments/get-by-name", "one experiment by name", q -> wrap("experiment", Shapes.experiment(
                tracker.experimentByName(q.text("experiment_name", true)).orElseThrow(() -> MlflowError.missing(
                        "Could not find experiment with name '" + q.text("experiment_name", true) + "'")))));
        on(r, "GET", "experiments/search", "searches experiments", this::searchExperiments);
        read(r, "experiments/search", "searches experiments", this::searchExperiments);
        on(r, "POST", "experiments/delete", "deletes an experiment (soft)", q -> {
            tracker.deleteExperiment(experiment(q.text("experiment_id", true)).id());
            return empty();
        });
        on(r, "POST", "experiments/restore", "restores an experiment", q -> {
            tracker.restoreExperiment(q.text("experiment_id", true));
            return empty();
        });
        on(r, "POST", "experiments/set-experiment-tag", "sets an experiment tag", q -> {
            tracker.setExperimentTag(q.text("experiment_id", true), q.text("key", true), value(q));
            return empty();
        });
        on(r, "POST", "runs/create", "starts a run, created by the caller", this::createRun);
        on(r, "POST", "runs/update", "ends or renames a run", this::updateRun);
        on(r, "GET", "runs/get", "one run", q -> wrap("run", Shapes.run(run(q.runId()))));
        on(r, "GET", "runs/search", "searches runs", this::searchRuns);
        read(r, "runs/search", "searches runs", this::searchRuns);
        on(r, "POST", "runs/delete", "deletes a run (soft)", q -> {
            tracker.deleteRun(q.runId());
            return empty();
        });
        on(r, "POST", "runs/restore", "restores a run", q -> {
            tracker.restoreRun(q.runId());
            return empty();
        });
        on(r, "POST", "runs/log-metric", "logs a metric point", q -> {
            tracker.logMetric(q.runId(), metric(q.body(), "body"));
            return empty();
        });
        on(r, "POST", "runs/log-parameter", "logs a parameter", q -> {
            tracker.logParam(q.runId(), q.text("key", true), value(q));
            return empty();
        });
        on(r, "POST", "runs/log-batch", "logs metrics, parameters and tags at once", this::logBatch);
        on(r, "POST", "runs/set-tag", "sets a run tag", q -> {
            tracker.setTag(q.runId(), q.text("key", true), value(q));
            return empty();
        });
        on(r, "POST", "runs/delete-tag", "deletes a run tag", q -> {
            tracker.deleteTag(q.runId(), q.text("key", true));
            return empty();
        });
        on(r, "GET", "metrics/get-history", "a metric's history", this::history);
        on(r, "POST", "registered-models/create", "registers a model", q -> wrap("registered_model", Shapes.model(
                registry.createModel(q.text("name", true), q.text("description", false), callerTags(tagMap(q.body().path("tags"))), q.actor()), null)));
        on(r, "GET", "registered-models/get", "one registered model", q -> wrap("registered_model", modelJson(model(q.text("name", true)))));
        on(r, "GET", "registered-models/search", "searches registered models", this::searchModels);
        read(r, "registered-models/search", "searches registered models", this::searchModels);
        on(r, "PATCH", "registered-models/update", "changes a model's description", q -> wrap("registered_model",
                modelJson(registry.updateModel(q.text("name", true), q.text("description", false), q.actor()))));
        on(r, "DELETE", "registered-models/delete", "deletes a model (soft, audited)", q -> {
            registry.deleteModel(model(q.text("name", true)).name(), q.actor());
            return empty();
        });
        on(r, "POST", "registered-models/set-tag", "sets a model tag", q -> {
            registry.setModelTag(q.text("name", true), RegisteredModel.checkCallerTagKey(q.text("key", true), "key"), value(q));
            return empty();
        });
        on(r, "GET", "registered-models/get-latest-versions", "a model's latest version", this::latestVersions);
        read(r, "registered-models/get-latest-versions", "a model's latest version", this::latestVersions);
        on(r, "POST", "registered-models/alias", "points an alias at a version (audited)", q -> {
            registry.setAlias(q.text("name", true), q.text("alias", true), version(q), q.actor());
            return empty();
        });
        on(r, "DELETE", "registered-models/alias", "removes an alias (audited)", q -> {
            registry.deleteAlias(q.text("name", true), q.text("alias", true), q.actor());
            return empty();
        });
        on(r, "GET", "registered-models/alias", "the version an alias names", q -> wrap("model_version", Shapes.version(
                registry.byAlias(q.text("name", true), q.text("alias", true)).orElseThrow(() -> MlflowError.missing(
                        "Registered model '" + q.text("name", true) + "' has no alias '" + q.text("alias", true) + "'")))));
        on(r, "POST", "model-versions/create", "registers a version", this::createVersion);
        on(r, "GET", "model-versions/get", "one version", q -> wrap("model_version", Shapes.version(versionOf(q))));
        on(r, "GET", "model-versions/search", "searches versions", this::searchVersions);
        read(r, "model-versions/search", "searches versions", this::searchVersions);
        on(r, "PATCH", "model-versions/update", "changes a version's description (audited)", q -> wrap("model_version", Shapes.version(
                registry.updateVersion(q.text("name", true), version(q), q.text("description", false), null, q.actor()))));
        on(r, "DELETE", "model-versions/delete", "deletes a version (soft, audited)", q -> {
            registry.deleteVersion(q.text("name", true), version(q), q.actor());
            return empty();
        });
        on(r, "POST", "model-versions/set-tag", "sets a version tag", q -> {
            registry.setVersionTag(q.text("name", true), version(q), q.text("key", true), value(q));
            return empty();
        });
        on(r, "GET", "model-versions/get-download-uri", "where a version's files are, as a URI MLflow clients resolve",
                q -> Shapes.JSON.createObjectNode().put("artifact_uri", downloadUri(versionOf(q))));
        on(r, "GET", "artifacts/list", "lists a run's artifacts below a path", this::listArtifacts);
        // anything else below the base: MLflow's own "no such endpoint", which its clients understand
        for (String method : List.of("GET", "POST", "PUT", "PATCH", "DELETE")) {
            builder(r, method, "{endpoint+}").roles(Role.DATA_SCIENTIST).streamed().audited(false)
                    .summary("an MLflow endpoint Cogwork does not implement: 404 ENDPOINT_NOT_FOUND")
                    .handle(call -> {
                        throw new MlflowError(404, "ENDPOINT_NOT_FOUND", "Cogwork does not implement " + call.request().getMethod() + " "
                                + BASE + call.path("endpoint") + "; see docs/ARCHITECTURE.md for the supported subset");
                    });
        }
    }

    private static Route.Builder builder(Routes r, String method, String endpoint) {
        String path = BASE + endpoint;
        return switch (method) {
            case "GET" -> r.get(path);
            case "POST" -> r.post(path);
            case "PUT" -> r.put(path);
            case "PATCH" -> r.patch(path);
            case "DELETE" -> r.delete(path);
            default -> throw new IllegalArgumentException(method);
        };
    }

    /**
     * Declares an endpoint for data scientists. POST and PATCH carry a JSON object; GET reads the query string;
     * DELETE reads a JSON object when there is one (MLflow's Python client sends one, other clients the query string).
     */
    private static void on(Routes r, String method, String endpoint, String summary, Endpoint e) {
        route(r, method, endpoint, summary, e, !"GET".equals(method));
    }

    /** A search or other read that MLflow also serves by POST: not audited. */
    private static void read(Routes r, String endpoint, String summary, Endpoint e) {
        route(r, "POST", endpoint, summary, e, false);
    }

    private static void route(Routes r, String method, String endpoint, String summary, Endpoint e, boolean audited) {
        Route.Builder b = builder(r, method, endpoint).roles(Role.DATA_SCIENTIST).returns(ObjectNode.class).summary(summary).audited(audited);
        switch (method) {
            case "POST", "PATCH" -> b.body(ObjectNode.class).<ObjectNode>handle(call -> e.answer(new Req(call.body(), call)));
            case "DELETE" -> b.streamed().handle(call -> e.answer(new Req(Json.readOptionalObject(call.request()), call)));
            default -> b.handle(call -> e.answer(new Req(Shapes.JSON.createObjectNode(), call)));
        }
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

    /** A model's tags as a caller sent them: none in the platform's namespace. */
    private static Map<String, String> callerTags(Map<String, String> tags) {
        tags.keySet().forEach(k -> RegisteredModel.checkCallerTagKey(k, "tags"));
        return tags;
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
        // MLflow clients send user_id and an mlflow.user tag with the local account name: the caller signed in is who
        tags.put(USER_TAG, r.actor());
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

    /**
     * A version's files as MLflow clients fetch them: a {@code mlflow-artifacts:/} folder URI, served by
     * {@link MlflowArtifactsResource}. Cogwork's training registers the model file itself
     * ({@code cogwork-artifacts:/.../artifacts/model/model.zip}); MLflow clients download a version's folder (its
     * {@code models:/} URIs resolve to it), so a source naming a logged file gives the folder holding it. A
     * {@code runs:/<run_id>/<path>} source resolves to that run's artifacts, as MLflow's server resolves it at
     * registration. Any other source (s3://, http://, a file the client can read) is given unchanged.
     */
    String downloadUri(ModelVersion v) {
        String source = v.source();
        if (source == null) {
            throw MlflowError.missing("Model Version (name=" + v.modelName() + ", version=" + v.version() + ") has no source");
        }
        try {
            if (source.startsWith(Artifacts.COGWORK_SCHEME)) {
                String path = Artifacts.safePath(source.substring(Artifacts.COGWORK_SCHEME.length()));
                Artifacts.Located l = Artifacts.locate(tracker, path);
                if (!l.rel().isEmpty() && tracker.listArtifacts(l.run().id()).containsKey(l.rel())) {
                    path = path.substring(0, path.lastIndexOf('/'));
                }
                return Artifacts.MLFLOW_SCHEME + path;
            }
            if (source.startsWith(Artifacts.RUNS_SCHEME)) {
                String rest = source.substring(Artifacts.RUNS_SCHEME.length());
                int slash = rest.indexOf('/');
                String rel = Artifacts.safePath(slash < 0 ? "" : rest.substring(slash + 1));
                String root = tracker.run(slash < 0 ? rest : rest.substring(0, slash)).map(Artifacts::root).orElse(null);
                if (root != null) {
                    return Artifacts.MLFLOW_SCHEME + root + (rel.isEmpty() ? "" : "/" + rel);
                }
            }
        } catch (MlflowError e) {
            // a source outside any run's artifacts, or with a path no client could fetch: given as it was registered
        }
        return source;
    }

    /** MLflow's {@code artifacts/list}: paths relative to the run's artifact root, which is {@code root_uri}. */
    private ObjectNode listArtifacts(Req r) {
        Run run = run(r.runId());
        String root = Artifacts.root(run);
        String path = Artifacts.safePath(r.text("path", false));
        ObjectNode out = Shapes.JSON.createObjectNode();
        out.put("root_uri", Artifacts.toMlflow(run.artifactUri()));
        out.set("files", root == null ? Shapes.JSON.createArrayNode()
                : Artifacts.children(tracker.listArtifacts(run.id()), path, path.isEmpty() ? "" : path + "/"));
        return out;
    }

    private ObjectNode searchRuns(Req r) {
        List<String> experiments = r.list("experiment_ids");
        if (experiments.isEmpty()) {
            throw MlflowError.invalid("experiment_ids must name at least one experiment");
        }
        String viewType = r.text("run_view_type", false);
        Page<Run> page;
        try {
            page = tracker.searchRuns(new RunQuery(experiments, r.text("filter", false), r.list("order_by"),
                    r.max(1000), r.text("page_token", false), "ALL".equals(viewType) || "DELETED_ONLY".equals(viewType)));
        } catch (InvalidFieldException e) {
            // a filter the parser refused says what it refused; the code is always a bad value (never "already exists")
            throw MlflowError.invalid(e.getMessage());
        }
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
                tagMap(r.body().path("tags")), r.actor());
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
