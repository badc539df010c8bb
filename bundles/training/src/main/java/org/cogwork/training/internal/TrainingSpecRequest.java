package org.cogwork.training.internal;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.cogwork.api.problem.InvalidFieldException;
import org.cogwork.runtime.rest.Json;

/**
 * The body of {@code POST /api/trainings}, bound strictly by the REST layer: an unknown field at any depth or a
 * wrong JSON type is a 400 naming its path before this record exists, and each constructor refuses values out of
 * range naming the field ({@code split.testFraction}). Defaults apply only to absent fields (JSON {@code null} counts
 * as absent); nothing the client sent is coerced or replaced. What needs
 * the live system (the source, columns, engine, transforms) is checked by {@link TrainingManager}.
 *
 * <pre>{@code
 * {"name": "credit-risk", "source": "credit", "dataset": "credit_data.csv", "query": {...},
 *  "target": "Status", "task": "classification", "features": ["Age", "Income", ...],
 *  "pipeline": [{"transform": "impute", "params": {"strategy": "median"}}, {"transform": "standardize"}],
 *  "engine": "tribuo", "algorithm": "logistic", "hyperparameters": {"epochs": 10},
 *  "split": {"method": "stratified", "testFraction": 0.2, "validationFraction": 0.2, "timeColumn": "date"},
 *  "test": {"source": "credit", "dataset": "credit_2024.csv", "query": {...}},
 *  "crossValidation": {"folds": 5}, "search": {"method": "grid", "space": {...}, "trials": 10, "metric": "accuracy"},
 *  "seed": 42, "timeLimitSeconds": 600, "experiment": "credit", "register": {"model": "credit-risk", "alias": "staging"}}
 * }</pre>
 * Instead of {@code engine}, {@code algorithm}, {@code hyperparameters} and {@code search.space}, a spec may list
 * {@code candidates}, each with its own. Instead of holding back {@code split.testFraction} of the rows, a spec may
 * name a fixed {@code test} set (its source and dataset default to the spec's, its query to every row): the model then
 * trains on every row of {@code query} and is evaluated on the test set's rows.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TrainingSpecRequest(String name, String source, String dataset, JsonNode query, String target, String task,
        List<String> features, List<Step> pipeline, String engine, String algorithm, Map<String, Object> hyperparameters,
        List<Candidate> candidates, Split split, TestSet test, CrossValidation crossValidation, Search search,
        Long seed, Long timeLimitSeconds,
        String experiment, Register register) {

    static final Set<String> TASKS = Set.of("classification", "regression", "clustering");

    public TrainingSpecRequest {
        optionalName("name", name);
        requiredName("source", source);
        requiredName("dataset", dataset);
        optionalName("target", target);
        optionalName("experiment", experiment);
        if (task != null && !TASKS.contains(task)) {
            throw new InvalidFieldException("task", "task must be classification, regression or clustering, was " + Json.quote(task));
        }
        if (features != null) {
            for (int i = 0; i < features.size(); i++) {
                requiredName("features[" + i + "]", features.get(i));
            }
        }
        if (pipeline != null) {
            for (int i = 0; i < pipeline.size(); i++) {
                if (pipeline.get(i) == null) {
                    throw new InvalidFieldException("pipeline[" + i + "]", "each step must be {\"transform\": ..., \"params\": {...}}");
                }
            }
        }
        if (candidates != null) {
            if (candidates.isEmpty()) {
                throw new InvalidFieldException("candidates", "candidates must be a non-empty array of {engine, algorithm, hyperparameters, space}");
            }
            for (int i = 0; i < candidates.size(); i++) {
                if (candidates.get(i) == null) {
                    throw new InvalidFieldException("candidates[" + i + "]", "each candidate must be {engine, algorithm, hyperparameters, space}");
                }
            }
            for (String f : new String[] {"engine", "algorithm", "hyperparameters"}) {
                Object given = switch (f) {
                    case "engine" -> engine;
                    case "algorithm" -> algorithm;
                    default -> hyperparameters;
                };
                if (given != null) {
                    throw new InvalidFieldException(f, "give " + f + " in each of the candidates, not beside them");
                }
            }
            if (search != null && search.space() != null) {
                throw new InvalidFieldException("search.space", "give the space in each of the candidates, not in search");
            }
        } else {
            requiredName("engine", engine);
            requiredName("algorithm", algorithm);
        }
        if (test != null && split != null && split.testFraction() != null) {
            throw new InvalidFieldException("split.testFraction", "give either split.testFraction or a fixed test set (test), not both");
        }
        if (query != null && !query.isNull() && !query.isObject()) {
            throw new InvalidFieldException("query", "query must be a JSON object ({\"where\": ..., \"orderBy\": ..., \"limit\": ...})");
        }
        if (timeLimitSeconds != null && timeLimitSeconds < 1) {
            throw new InvalidFieldException("timeLimitSeconds", "timeLimitSeconds must be >= 1, was " + timeLimitSeconds);
        }
    }

    /** One pipeline step; its parameters are the transform's to check ({@code pipeline[i].params.<name>}). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Step(String transform, Map<String, Object> params) {
        public Step {
            requiredName("transform", transform);
        }
    }

    /** An engine and algorithm with fixed hyperparameters and optionally a space of values to search. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Candidate(String engine, String algorithm, Map<String, Object> hyperparameters, Map<String, List<Object>> space) {
        public Candidate {
            requiredName("engine", engine);
            requiredName("algorithm", algorithm);
            checkSpace("space", space);
        }
    }

    /** How the rows are split; a time split needs {@code timeColumn}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Split(String method, Double testFraction,
            Double validationFraction, String timeColumn) {
        static final List<String> METHODS = List.of("random", "stratified", "time");

        public Split {
            if (method != null && !METHODS.contains(method)) {
                throw new InvalidFieldException("method", "split.method must be random, stratified or time, was " + Json.quote(method));
            }
            fraction("testFraction", testFraction);
            fraction("validationFraction", validationFraction);
            optionalName("timeColumn", timeColumn);
            if ("time".equals(method) && timeColumn == null) {
                throw new InvalidFieldException("timeColumn", "a time split needs split.timeColumn");
            }
        }

        private static void fraction(String field, Double v) {
            if (v != null && !(v > 0 && v < 1)) {
                throw new InvalidFieldException(field, "split." + field + " must be between 0 and 1 (exclusive), was " + v);
            }
        }
    }

    /**
     * A fixed test set: rows of {@code dataset} of {@code source} selected by {@code query}; source and dataset default to
     * the spec's, the query to every row. Its columns must include the features and the target.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TestSet(String source, String dataset, JsonNode query) {
        public TestSet {
            optionalName("source", source);
            optionalName("dataset", dataset);
            if (query != null && !query.isNull() && !query.isObject()) {
                throw new InvalidFieldException("query", "test.query must be a JSON object ({\"where\": ..., \"orderBy\": ..., \"limit\": ...})");
            }
        }
    }

    /** k-fold cross-validation on the training rows (default 5 folds). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record CrossValidation(Integer folds) {
        public CrossValidation {
            if (folds != null && folds < 2) {
                throw new InvalidFieldException("folds", "crossValidation.folds must be >= 2, was " + folds);
            }
        }
    }

    /** Hyperparameter search: grid or random over {@code space}, scored by {@code metric}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Search(String method, Map<String, List<Object>> space,
            Integer trials, String metric) {
        public Search {
            if (method != null && !method.equals("grid") && !method.equals("random")) {
                throw new InvalidFieldException("method", "search.method must be grid or random, was " + Json.quote(method));
            }
            if (trials != null && trials < 1) {
                throw new InvalidFieldException("trials", "search.trials must be >= 1, was " + trials);
            }
            if (metric != null && !Metrics.HIGHER_IS_BETTER.containsKey(metric)) {
                throw new InvalidFieldException("metric", "unknown metric " + Json.quote(metric) + "; use " + Metrics.HIGHER_IS_BETTER.keySet());
            }
            checkSpace("space", space);
        }
    }

    /** Where to register the trained model: a model name and optionally an alias to point at the new version. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Register(String model, String alias) {
        public Register {
            requiredName("model", model);
            optionalName("alias", alias);
        }
    }

    private static void checkSpace(String field, Map<String, List<Object>> space) {
        if (space != null) {
            space.forEach((k, values) -> {
                if (values == null || values.isEmpty()) {
                    throw new InvalidFieldException(field + "." + k, "must be a non-empty list of values");
                }
            });
        }
    }

    private static void requiredName(String field, String value) {
        if (value == null) {
            throw new InvalidFieldException(field, field + " is required");
        }
        optionalName(field, value);
    }

    private static void optionalName(String field, String value) {
        if (value != null && value.isBlank()) {
            throw new InvalidFieldException(field, field + " must be a non-empty string");
        }
        Json.checkLength(field, value, Json.MAX_NAME_LENGTH);
    }
}
