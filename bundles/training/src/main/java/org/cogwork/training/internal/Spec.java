package org.cogwork.training.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.cogwork.api.engine.Task;
import org.cogwork.api.feature.PipelineStep;
import org.cogwork.api.problem.InvalidFieldException;
import org.cogwork.api.query.Query;
import org.cogwork.runtime.rest.Json;
import org.cogwork.sources.query.QueryJson;

/**
 * A training spec as a job runs it: a {@link TrainingSpecRequest} (bound strictly, each field checked alone) with
 * the rules between fields checked and every default filled in. Whether the source, columns, engine, algorithm
 * and transforms exist is checked against the live system by {@link TrainingManager}.
 *
 * <p>Every job is tracked as a run of {@code experiment} (default: the spec's name, else "trainings") when the
 * platform's tracker is present; with {@code register} the trained model becomes a new version.
 *
 * @param test the fixed test set, or {@code null} when {@code split.testFraction} of the rows is held back
 * @param json the request as bound (absent fields left out): what the job shows and its run records for reproduction
 */
record Spec(String name, String source, String dataset, Query query, JsonNode queryJson, String target, Task task,
            List<String> features, List<PipelineStep> pipeline, List<Candidate> candidates, Split split, TestSet test, int folds,
            Search search, long seed, long timeLimitSeconds, String experiment, TrainingSpecRequest.Register register,
            JsonNode json) {

    /** The registry's limit on a tag value, which the spec becomes. */
    static final int MAX_SPEC_LENGTH = 8000;
    static final long DEFAULT_SEED = 42;

    /** An engine + algorithm with fixed hyperparameters and optionally a space to search; {@code path} names it in errors. */
    record Candidate(String engine, String algorithm, Map<String, Object> hyperparameters, Map<String, List<Object>> space,
                     String path) {
    }

    record Split(String method, double testFraction, double validationFraction, String timeColumn) {
    }

    record Search(String method, int trials, String metric) {
    }

    /** A fixed test set with its defaults filled in; {@code queryJson} as given (or {@code null}), for the record. */
    record TestSet(String source, String dataset, Query query, JsonNode queryJson) {
    }

    /**
     * Checks the rules between fields and fills in defaults (only for absent fields).
     *
     * @throws org.cogwork.api.problem.InvalidFieldException naming the JSON path at fault
     */
    static Spec of(TrainingSpecRequest r, long defaultTimeLimit) {
        JsonNode json = Json.MAPPER.valueToTree(r);
        // The spec is kept as a tag of its tracked run (for reproduce): one that cannot be kept is refused here,
        // not lost with the run after the job has started.
        int length = json.toString().length();
        if (length > MAX_SPEC_LENGTH) {
            throw new InvalidFieldException("body", "a training spec must be at most " + MAX_SPEC_LENGTH
                    + " characters of JSON (it is recorded with its run), was " + length);
        }
        Query query = QueryJson.parseUnpaged(r.query(), "query");
        Task task = r.task() == null ? null : Task.valueOf(r.task().toUpperCase(Locale.ROOT));
        if (r.target() == null && task != Task.CLUSTERING) {
            throw new InvalidFieldException("target", "target is required (unless the task is clustering)");
        }
        List<PipelineStep> pipeline = new ArrayList<>();
        if (r.pipeline() != null) {
            r.pipeline().forEach(s -> pipeline.add(new PipelineStep(s.transform(), s.params())));
        }
        List<Candidate> candidates = new ArrayList<>();
        if (r.candidates() != null) {
            for (int i = 0; i < r.candidates().size(); i++) {
                TrainingSpecRequest.Candidate c = r.candidates().get(i);
                candidates.add(new Candidate(c.engine(), c.algorithm(), orEmpty(c.hyperparameters()), orEmpty(c.space()),
                        "candidates[" + i + "]"));
            }
        } else {
            candidates.add(new Candidate(r.engine(), r.algorithm(), orEmpty(r.hyperparameters()),
                    r.search() == null ? Map.of() : orEmpty(r.search().space()), ""));
        }
        TrainingSpecRequest.Split sp = r.split();
        String method = sp != null && sp.method() != null ? sp.method()
                : task == Task.CLASSIFICATION || task == null ? "stratified" : "random";
        Split split = new Split(method, sp == null || sp.testFraction() == null ? 0.2 : sp.testFraction(),
                sp == null || sp.validationFraction() == null ? 0.2 : sp.validationFraction(), sp == null ? null : sp.timeColumn());
        TestSet test = null;
        if (r.test() != null) {
            TrainingSpecRequest.TestSet t = r.test();
            JsonNode tq = t.query() == null || t.query().isNull() ? null : t.query();
            test = new TestSet(t.source() != null ? t.source() : r.source(), t.dataset() != null ? t.dataset() : r.dataset(),
                    QueryJson.parseUnpaged(tq, "test.query"), tq);
            JsonNode trainingQuery = r.query() == null || r.query().isNull() ? null : r.query();
            if (test.source().equals(r.source()) && test.dataset().equals(r.dataset()) && java.util.Objects.equals(tq, trainingQuery)) {
                throw new InvalidFieldException("test", "the test set is the training set: give test.dataset, test.source or a "
                        + "test.query that selects other rows");
            }
        }
        int folds = r.crossValidation() == null ? 0 : r.crossValidation().folds() == null ? 5 : r.crossValidation().folds();
        TrainingSpecRequest.Search se = r.search();
        Search search = new Search(se == null || se.method() == null ? "grid" : se.method(),
                se == null || se.trials() == null ? 10 : se.trials(), se == null ? null : se.metric());
        String experiment = r.experiment() != null ? r.experiment() : r.name() != null ? r.name() : "trainings";
        return new Spec(r.name(), r.source(), r.dataset(), query, r.query(), r.target(), task,
                r.features() == null ? null : List.copyOf(r.features()), pipeline, candidates, split, test, folds, search,
                r.seed() == null ? DEFAULT_SEED : r.seed(), r.timeLimitSeconds() == null ? defaultTimeLimit : r.timeLimitSeconds(),
                experiment, r.register(), json);
    }

    private static <K, V> Map<K, V> orEmpty(Map<K, V> m) {
        return m == null ? Map.of() : new LinkedHashMap<>(m);
    }
}
