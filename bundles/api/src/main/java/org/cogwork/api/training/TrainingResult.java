package org.cogwork.api.training;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.cogwork.api.engine.Task;

/**
 * What a succeeded training job produced, as the {@code result} of {@code GET /api/trainings/{id}} shows it. A field
 * that does not apply is {@code null} and left out of the JSON: clustering has no {@code metrics} and no
 * {@code worstPredictions}; regression no {@code perClass} and no {@code confusionMatrix}; {@code crossValidation} only
 * when the configuration was chosen by k-fold cross-validation, {@code search} only when there was more than one
 * configuration or cross-validation, {@code tracking} only when a tracker recorded the job, {@code reproduction} only
 * for a job that reproduces a run.
 *
 * @param task what was learnt
 * @param engine the chosen configuration's engine
 * @param algorithm its algorithm
 * @param hyperparameters its hyperparameters (name → value as the engine takes it)
 * @param selectionMetric the metric configurations are ranked by
 * @param selection how the configuration was chosen
 * @param metrics metric name → value on the test rows (or the fixed test set); {@code null} for clustering or an
 *     empty test part. The names are the task's ({@code accuracy}, {@code f1_macro}, {@code roc_auc}, {@code log_loss},
 *     ... for classification; {@code mse}, {@code rmse}, {@code mae}, {@code r2} for regression)
 * @param perClass class label → its precision, recall, F1 and support (classification only)
 * @param confusionMatrix the confusion matrix on the test rows (classification only)
 * @param crossValidation the chosen configuration's cross-validated scores, or {@code null}
 * @param search every configuration tried with its score, in order, or {@code null}
 * @param rows how many rows were read, trained on and tested on
 * @param worstPredictions the test rows the model got most wrong, worst first ({@code null} for clustering)
 * @param provenance everything needed to tell how the model was made (engine and bundle versions, seed, features,
 *     pipeline, data source and hash, split, the model's own description, Java and OS, times, spec). It is an open
 *     JSON document by design: its content grows with the platform and differs between engines, so it stays a map
 *     (JSON types: strings, numbers, booleans, lists, maps) and is stored with the model version as it is
 * @param artifact where to download the model
 * @param tracking the run that records the job and the version it registered, or {@code null}
 * @param reproduction for a reproducing job, how it compares with the original run, or {@code null}
 * @since 0.5
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"task", "engine", "algorithm", "hyperparameters", "selectionMetric", "selection", "metrics", "perClass",
        "confusionMatrix", "crossValidation", "search", "rows", "worstPredictions", "provenance", "artifact", "tracking", "reproduction"})
public record TrainingResult(Task task, String engine, String algorithm, Map<String, Object> hyperparameters, String selectionMetric,
                             Selection selection, Map<String, Double> metrics, Map<String, ClassMetrics> perClass,
                             ConfusionMatrix confusionMatrix, CrossValidationScores crossValidation, List<SearchTrial> search, Rows rows,
                             List<WorstPrediction> worstPredictions, Map<String, Object> provenance, Artifact artifact,
                             Tracking tracking, Reproduction reproduction) {

    /** This result with its tracking (set once the job's run has recorded it). */
    public TrainingResult withTracking(Tracking tracking) {
        return new TrainingResult(task, engine, algorithm, hyperparameters, selectionMetric, selection, metrics, perClass,
                confusionMatrix, crossValidation, search, rows, worstPredictions, provenance, artifact, tracking, reproduction);
    }

    /** This result with how it compares with the run it reproduces. */
    public TrainingResult withReproduction(Reproduction reproduction) {
        return new TrainingResult(task, engine, algorithm, hyperparameters, selectionMetric, selection, metrics, perClass,
                confusionMatrix, crossValidation, search, rows, worstPredictions, provenance, artifact, tracking, reproduction);
    }

    /**
     * How the configuration was chosen.
     *
     * @param method {@code none} (one configuration, no cross-validation, or clustering), {@code cross-validation} or
     *     {@code validation-split}
     * @param folds the folds of {@code cross-validation}, else {@code null}
     * @param validationFraction the share of training rows held out by {@code validation-split}, else {@code null}
     * @param metric the metric configurations were ranked by; {@code null} for {@code none}
     * @param configurations how many configurations there were
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"method", "folds", "validationFraction", "metric", "configurations"})
    public record Selection(String method, Integer folds, Double validationFraction, String metric, int configurations) {
    }

    /** One class's precision, recall, F1 and support (its number of true rows, as a number with a fraction). */
    @JsonPropertyOrder({"precision", "recall", "f1", "support"})
    public record ClassMetrics(double precision, double recall, double f1, double support) {
    }

    /**
     * A confusion matrix: {@code matrix[i][j]} counts the rows of true class {@code labels[i]} predicted as
     * {@code labels[j]}; {@code note} says so in words.
     */
    @JsonPropertyOrder({"labels", "matrix", "note"})
    public record ConfusionMatrix(List<String> labels, List<List<Long>> matrix, String note) {
        public static final String NOTE = "rows are the true class, columns the predicted class";

        public static ConfusionMatrix of(List<String> labels, List<List<Long>> matrix) {
            return new ConfusionMatrix(labels, matrix, NOTE);
        }
    }

    /** The mean and standard deviation of each metric over {@code folds} folds of the training rows. */
    @JsonPropertyOrder({"folds", "mean", "std"})
    public record CrossValidationScores(int folds, Map<String, Double> mean, Map<String, Double> std) {
    }

    /**
     * One configuration tried by the search, with its score on {@code metric} (the cross-validated mean, or the score on
     * the validation rows). In JSON the score is a field named after the metric:
     * {@code {"engine": ..., "algorithm": ..., "hyperparameters": {...}, "accuracy": 0.91}}.
     */
    public record SearchTrial(String engine, String algorithm, Map<String, Object> hyperparameters, String metric, double score) {
        private static final Set<String> FIXED = Set.of("engine", "algorithm", "hyperparameters");

        /** The JSON form, the score named after its metric. */
        @JsonValue
        public Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("engine", engine);
            m.put("algorithm", algorithm);
            m.put("hyperparameters", hyperparameters);
            m.put(metric, score);
            return m;
        }

        /** Reads the JSON form. */
        @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
        @SuppressWarnings("unchecked")
        public static SearchTrial of(Map<String, Object> json) {
            String metric = null;
            for (String k : json.keySet()) {
                if (!FIXED.contains(k)) {
                    if (metric != null) {
                        throw new IllegalArgumentException("a search trial has one score, found " + metric + " and " + k);
                    }
                    metric = k;
                }
            }
            if (metric == null) {
                throw new IllegalArgumentException("a search trial needs a score named after its metric");
            }
            Object score = json.get(metric);
            double s = score instanceof Number n ? n.doubleValue() : Double.parseDouble(String.valueOf(score)); // "NaN"
            Object hp = json.get("hyperparameters");
            return new SearchTrial((String) json.get("engine"), (String) json.get("algorithm"),
                    hp == null ? Map.of() : (Map<String, Object>) hp, metric, s);
        }
    }

    /**
     * Row counts.
     *
     * @param used rows read with a target (all rows for clustering)
     * @param withoutTarget rows read and skipped for lack of a target
     * @param train rows trained on
     * @param test rows tested on (held out, or of the fixed test set)
     * @param testWithoutTarget with a fixed test set, its rows skipped for lack of a target; else {@code null}
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"used", "withoutTarget", "train", "test", "testWithoutTarget"})
    public record Rows(long used, long withoutTarget, long train, long test, Long testWithoutTarget) {
    }

    /**
     * A row the model got badly wrong.
     *
     * @param row its position among the rows read (of the training data, or of the fixed test set)
     * @param actual its target as read
     * @param predicted what the model predicted
     * @param logLoss classification: the row's log loss (or 0/1 without scores); else {@code null}
     * @param absoluteError regression: |actual − predicted|; else {@code null}
     * @param scores class → score, when the model gives scores; else {@code null}
     * @param features column → value as read (long strings abbreviated), the target left out
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"row", "actual", "predicted", "logLoss", "absoluteError", "scores", "features"})
    public record WorstPrediction(long row, Object actual, Object predicted, Double logLoss, Double absoluteError,
                                  Map<String, Double> scores, Map<String, Object> features) {
    }

    /** The trained {@code model.zip}: where to download it, its size and its SHA-256. */
    @JsonPropertyOrder({"path", "bytes", "sha256"})
    public record Artifact(String path, long bytes, String sha256) {
    }

    /**
     * The run that records the job, and the model version it registered.
     *
     * @param runId the tracked run
     * @param experimentId its experiment
     * @param artifactUri where the run's artifact store keeps {@code model.zip}; {@code null} for an evaluation
     * @param model the registered model, or {@code null} when the spec registers nothing
     * @param version the new version of {@code model}, or {@code null}
     * @param alias the alias moved to the new version, or {@code null}
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"runId", "experimentId", "artifactUri", "model", "version", "alias"})
    public record Tracking(String runId, String experimentId, String artifactUri, String model, Integer version, String alias) {
    }

    /**
     * How a reproducing job compares with the run it reproduces.
     *
     * @param run the original run
     * @param metricsMatch whether every metric came out the same
     * @param dataMatch whether the rows read hash to the original run's {@code cogwork.data.sha256}
     * @param differences metric → the original and reproduced value, for each metric that differs
     */
    @JsonPropertyOrder({"run", "metricsMatch", "dataMatch", "differences"})
    public record Reproduction(String run, boolean metricsMatch, boolean dataMatch, Map<String, Difference> differences) {
    }

    /**
     * A metric that came out differently.
     *
     * @param original the original run's value: a number, or the string {@code "missing"} when the run lacks the metric
     * @param reproduced the reproduction's value
     */
    @JsonPropertyOrder({"original", "reproduced"})
    public record Difference(Object original, Double reproduced) {
        public static final String MISSING = "missing";
    }
}
