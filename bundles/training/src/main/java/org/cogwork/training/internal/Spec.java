package org.cogwork.training.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.cogwork.api.engine.Task;
import org.cogwork.api.feature.PipelineStep;
import org.cogwork.api.query.Query;
import org.cogwork.runtime.rest.ApiException;
import org.cogwork.runtime.rest.Json;
import org.cogwork.sources.query.QueryJson;

/**
 * A training spec, parsed and checked for shape (every mistake a 400 naming its JSON path). Whether the
 * source, columns, engine and algorithm exist is checked against the live system by {@link TrainingManager}.
 *
 * <pre>{@code
 * {"name": "credit-risk", "source": "credit", "dataset": "credit_data.csv", "query": {...},
 *  "target": "Status", "task": "classification", "features": ["Age", "Income", ...],
 *  "pipeline": [{"transform": "impute", "params": {"strategy": "median"}}, {"transform": "standardize"}],
 *  "engine": "tribuo", "algorithm": "logistic", "hyperparameters": {"epochs": 10},
 *  "candidates": [{"engine": "tribuo", "algorithm": "cart", "space": {"maxDepth": [4, 6, 8]}}],
 *  "split": {"method": "stratified", "testFraction": 0.2, "validationFraction": 0.2, "timeColumn": "date"},
 *  "crossValidation": {"folds": 5}, "search": {"method": "grid", "space": {...}, "trials": 10, "metric": "accuracy"},
 *  "seed": 42, "timeLimitSeconds": 600,
 *  "experiment": "credit", "register": {"model": "credit-risk", "alias": "staging"}}
 * }</pre>
 * Every job is tracked as a run of {@code experiment} (default: the spec's name, else "trainings") when the
 * platform's tracker is present; with {@code register} the trained model becomes a new version.
 */
record Spec(String name, String source, String dataset, Query query, JsonNode queryJson, String target, Task task,
            List<String> features, List<PipelineStep> pipeline, List<Candidate> candidates, Split split, int folds,
            Search search, long seed, long timeLimitSeconds, String experiment, Register register, JsonNode json) {

    /** Where to register the trained model: a model name and optionally an alias to point at the new version. */
    record Register(String model, String alias) {
    }

    /** The registry's limit on a tag value, which the spec becomes. */
    static final int MAX_SPEC_LENGTH = 8000;
    private static final Set<String> FIELDS = Set.of("name", "source", "dataset", "query", "target", "task", "features",
            "pipeline", "engine", "algorithm", "hyperparameters", "candidates", "split", "crossValidation", "search",
            "seed", "timeLimitSeconds", "experiment", "register");

    /** An engine + algorithm with fixed hyperparameters and optionally a space to search. */
    record Candidate(String engine, String algorithm, Map<String, Object> hyperparameters, Map<String, List<Object>> space,
                     String path) {
    }

    record Split(String method, double testFraction, double validationFraction, String timeColumn) {
    }

    record Search(String method, int trials, String metric) {
    }

    static Spec parse(JsonNode n, long defaultTimeLimit) {
        if (n == null || !n.isObject()) {
            throw ApiException.badRequest("body", "a training spec must be a JSON object");
        }
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                throw ApiException.badRequest(f, "unknown field " + Json.quote(f) + "; a spec has " + new java.util.TreeSet<>(FIELDS));
            }
        }
        // The spec is kept as a tag of its tracked run (for reproduce): one that cannot be kept is refused here,
        // not lost with the run after the job has started.
        int length = n.toString().length();
        if (length > MAX_SPEC_LENGTH) {
            throw ApiException.badRequest("body", "a training spec must be at most " + MAX_SPEC_LENGTH
                    + " characters of JSON (it is recorded with its run), was " + length);
        }
        String source = text(n, "source", true);
        String dataset = text(n, "dataset", true);
        Query query = QueryJson.parseUnpaged(n.get("query"), "query");
        String taskText = text(n, "task", false);
        Task task = null;
        if (taskText != null) {
            try {
                task = Task.valueOf(taskText.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("task", "task must be classification, regression or clustering, was '" + taskText + "'");
            }
        }
        String target = text(n, "target", task != Task.CLUSTERING);
        List<String> features = strings(n, "features");
        List<PipelineStep> pipeline = new ArrayList<>();
        JsonNode p = n.path("pipeline");
        if (!p.isMissingNode()) {
            if (!p.isArray()) {
                throw ApiException.badRequest("pipeline", "pipeline must be an array of {\"transform\": ..., \"params\": {...}}");
            }
            for (int i = 0; i < p.size(); i++) {
                JsonNode s = p.get(i);
                String path = "pipeline[" + i + "]";
                if (!s.path("transform").isTextual()) {
                    throw ApiException.badRequest(path + ".transform", "each step needs a transform name");
                }
                JsonNode params = s.path("params");
                if (!params.isMissingNode() && !params.isObject()) {
                    throw ApiException.badRequest(path + ".params", "params must be an object");
                }
                pipeline.add(new PipelineStep(s.get("transform").asText(), params.isMissingNode() ? Map.of() : map(params)));
            }
        }
        List<Candidate> candidates = new ArrayList<>();
        JsonNode c = n.path("candidates");
        if (!c.isMissingNode()) {
            if (!c.isArray() || c.isEmpty()) {
                throw ApiException.badRequest("candidates", "candidates must be a non-empty array of {engine, algorithm, hyperparameters, space}");
            }
            for (int i = 0; i < c.size(); i++) {
                candidates.add(candidate(c.get(i), "candidates[" + i + "]", null));
            }
        } else {
            candidates.add(candidate(n, "", n.path("search").path("space")));
        }
        JsonNode sp = n.path("split");
        String method = sp.path("method").asText(task == Task.CLASSIFICATION || task == null ? "stratified" : "random");
        if (!List.of("random", "stratified", "time").contains(method)) {
            throw ApiException.badRequest("split.method", "split.method must be random, stratified or time, was '" + method + "'");
        }
        double test = fraction(sp, "testFraction", 0.2, "split.testFraction");
        double validation = fraction(sp, "validationFraction", 0.2, "split.validationFraction");
        String timeColumn = sp.path("timeColumn").asText(null);
        if (method.equals("time") && timeColumn == null) {
            throw ApiException.badRequest("split.timeColumn", "a time split needs split.timeColumn");
        }
        int folds = 0;
        if (n.has("crossValidation")) {
            folds = n.path("crossValidation").path("folds").asInt(5);
            if (folds < 2) {
                throw ApiException.badRequest("crossValidation.folds", "folds must be >= 2, was " + folds);
            }
        }
        JsonNode se = n.path("search");
        String searchMethod = se.path("method").asText("grid");
        if (!searchMethod.equals("grid") && !searchMethod.equals("random")) {
            throw ApiException.badRequest("search.method", "search.method must be grid or random, was '" + searchMethod + "'");
        }
        int trials = se.path("trials").asInt(10);
        if (trials < 1) {
            throw ApiException.badRequest("search.trials", "trials must be >= 1, was " + trials);
        }
        String metric = se.path("metric").asText(null);
        if (metric != null && !Metrics.HIGHER_IS_BETTER.containsKey(metric)) {
            throw ApiException.badRequest("search.metric", "unknown metric '" + metric + "'; use " + Metrics.HIGHER_IS_BETTER.keySet());
        }
        long seed = n.path("seed").asLong(42);
        long limit = n.path("timeLimitSeconds").asLong(defaultTimeLimit);
        if (limit < 1) {
            throw ApiException.badRequest("timeLimitSeconds", "timeLimitSeconds must be >= 1, was " + limit);
        }
        Register register = null;
        JsonNode reg = n.path("register");
        if (!reg.isMissingNode()) {
            String model = reg.path("model").asText(null);
            if (model == null || model.isBlank()) {
                throw ApiException.badRequest("register.model", "register needs the name of the model to register the result under");
            }
            register = new Register(Json.checkLength("register.model", model, Json.MAX_NAME_LENGTH),
                    Json.checkLength("register.alias", reg.path("alias").asText(null), Json.MAX_NAME_LENGTH));
        }
        String experiment = text(n, "experiment", false);
        String name = text(n, "name", false);
        return new Spec(name, source, dataset, query, n.get("query"), target, task, features, pipeline,
                candidates, new Split(method, test, validation, timeColumn), folds, new Search(searchMethod, trials, metric),
                seed, limit, experiment != null ? experiment : name != null ? name : "trainings", register, n);
    }

    private static Candidate candidate(JsonNode c, String prefix, JsonNode space) {
        String p = prefix.isEmpty() ? "" : prefix + ".";
        String engine = c.path("engine").asText(null);
        if (engine == null || engine.isBlank()) {
            throw ApiException.badRequest(p + "engine", "engine is required (see GET /api/engines)");
        }
        String algorithm = c.path("algorithm").asText(null);
        if (algorithm == null || algorithm.isBlank()) {
            throw ApiException.badRequest(p + "algorithm", "algorithm is required (see GET /api/engines/" + engine + ")");
        }
        JsonNode h = c.path("hyperparameters");
        if (!h.isMissingNode() && !h.isObject()) {
            throw ApiException.badRequest(p + "hyperparameters", "hyperparameters must be an object");
        }
        JsonNode s = space != null ? space : c.path("space");
        Map<String, List<Object>> sp = new LinkedHashMap<>();
        if (s != null && !s.isMissingNode()) {
            String sPath = space != null ? "search.space" : p + "space";
            if (!s.isObject()) {
                throw ApiException.badRequest(sPath, "space must be an object of parameter → list of values");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = s.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isArray() || e.getValue().isEmpty()) {
                    throw ApiException.badRequest(sPath + "." + e.getKey(), "must be a non-empty list of values");
                }
                List<Object> values = new ArrayList<>();
                e.getValue().forEach(v -> values.add(Json.MAPPER.convertValue(v, Object.class)));
                sp.put(e.getKey(), values);
            }
        }
        return new Candidate(engine, algorithm, h.isMissingNode() ? Map.of() : map(h), sp, prefix);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(JsonNode n) {
        return Json.MAPPER.convertValue(n, LinkedHashMap.class);
    }

    private static double fraction(JsonNode n, String f, double dflt, String path) {
        double v = n.path(f).asDouble(dflt);
        if (!(v > 0 && v < 1)) {
            throw ApiException.badRequest(path, path + " must be between 0 and 1 (exclusive), was " + n.path(f));
        }
        return v;
    }

    private static String text(JsonNode n, String f, boolean required) {
        JsonNode v = n.get(f);
        if (v == null || v.isNull()) {
            if (required) {
                throw ApiException.badRequest(f, f + " is required");
            }
            return null;
        }
        if (!v.isTextual() || v.asText().isBlank()) {
            throw ApiException.badRequest(f, f + " must be a non-empty string");
        }
        return Json.checkLength(f, v.asText(), Json.MAX_NAME_LENGTH);
    }

    private static List<String> strings(JsonNode n, String f) {
        JsonNode v = n.get(f);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isArray()) {
            throw ApiException.badRequest(f, f + " must be an array of column names");
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            if (!v.get(i).isTextual()) {
                throw ApiException.badRequest(f + "[" + i + "]", "must be a column name");
            }
            out.add(v.get(i).asText());
        }
        return out;
    }
}
