package org.cogwork.engine.xgboost;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.cogwork.api.engine.AlgorithmInfo;
import org.cogwork.api.engine.EngineInfo;
import org.cogwork.api.engine.Hyperparameter;
import org.cogwork.api.engine.Task;

/**
 * The XGBoost engine's algorithms: gradient-boosted trees ({@code gbtree}, XGBoost's hist method) for classification
 * and for regression, with the same hyperparameters. The defaults reach scikit-learn's HistGradientBoosting on
 * credit_data.csv and concrete.csv (README, "XGBoost engine").
 */
enum Algorithm {
    CLASSIFICATION(Task.CLASSIFICATION, "gradient-boosted trees (XGBoost, hist method): binary (logistic) or multi-class "
            + "(softmax) with per-class probabilities; missing values are learnt, not imputed", parameters(200, 3, 1.0)),
    REGRESSION(Task.REGRESSION, "gradient-boosted regression trees (XGBoost, hist method, squared error); missing values "
            + "are learnt, not imputed", parameters(500, 5, 0.8));

    static final String NAME = "gbtree";

    final Task task;
    final String description;
    final List<Hyperparameter> parameters;

    Algorithm(Task task, String description, List<Hyperparameter> parameters) {
        this.task = task;
        this.description = description;
        this.parameters = parameters;
    }

    AlgorithmInfo info() {
        return new AlgorithmInfo(NAME, task, description, parameters);
    }

    static Optional<Algorithm> find(String name, Task task) {
        return Arrays.stream(values()).filter(a -> NAME.equals(name) && a.task == task).findFirst();
    }

    /** Far more than any useful model, and within the ints XGBoost takes. */
    private static final int MAX_ROUNDS = 100_000;

    /**
     * The hyperparameters, as XGBoost names them in camel case ({@code maxDepth} is {@code max_depth}), with XGBoost's
     * own bounds. {@code nthread} has no declared default: it is the number of processors of the node that trains.
     * The defaults differ by task where the data said so (a sweep over depth, learning rate, rounds and sampling on
     * two seeded 80/20 splits of each set, README): credit risk classification is best with shallow trees (depth 3,
     * 200 rounds), concrete strength regression with deeper ones and more rounds (depth 5, 500 rounds).
     */
    private static List<Hyperparameter> parameters(int rounds, int maxDepth, double colsampleByTree) {
        return List.of(
                Hyperparameter.integer("rounds", rounds, "boosting rounds: the number of trees (per class for multi-class); "
                        + "the most there will be with early stopping").atLeast(1).atMost(MAX_ROUNDS),
                Hyperparameter.integer("maxDepth", maxDepth, "maximum depth of each tree").atLeast(1).atMost(32),
                Hyperparameter.number("eta", 0.1, "learning rate: how much each tree's output is shrunk").greaterThan(0).atMost(1),
                Hyperparameter.number("subsample", 0.8, "share of the training rows each tree sees (drawn with the job's seed)")
                        .greaterThan(0).atMost(1),
                Hyperparameter.number("colsampleByTree", colsampleByTree, "share of the features each tree sees (drawn with the "
                        + "job's seed)").greaterThan(0).atMost(1),
                Hyperparameter.number("minChildWeight", 5.0, "minimum sum of instance weight (hessian) in a child").atLeast(0),
                Hyperparameter.number("lambda", 1.0, "L2 regularisation of the leaf weights").atLeast(0),
                Hyperparameter.integer("earlyStoppingRounds", 0, "stop when the validation part's loss has not improved for this "
                        + "many rounds and keep the best round's trees (0: no early stopping, no validation part)")
                        .atLeast(0).atMost(MAX_ROUNDS),
                Hyperparameter.number("validationFraction", 0.1, "share of the training rows held out (with the job's seed) to "
                        + "decide early stopping; used only when earlyStoppingRounds > 0").greaterThan(0).atMost(0.5),
                new Hyperparameter("nthread", Hyperparameter.Type.INTEGER, null, 1L, true, 1024L, true, List.of(), false,
                        "threads XGBoost trains and predicts with (when left out: the processors available to Cogwork)"));
    }

    /** The hyperparameters of one request, resolved against the declaration (names, types, bounds, defaults). */
    record Settings(int rounds, int maxDepth, double eta, double subsample, double colsampleByTree, double minChildWeight,
                    double lambda, int earlyStoppingRounds, double validationFraction, int nthread,
                    Map<String, Object> resolved) {

        /** @throws org.cogwork.api.problem.InvalidFieldException naming {@code hyperparameters.<name>} */
        static Settings resolve(EngineInfo info, Algorithm algorithm, Map<String, Object> given) {
            Map<String, Object> p = info.resolve(NAME, algorithm.task, given);
            if (!p.containsKey("nthread")) {
                p.put("nthread", (long) Runtime.getRuntime().availableProcessors());
            }
            return new Settings(integer(p, "rounds"), integer(p, "maxDepth"), decimal(p, "eta"), decimal(p, "subsample"),
                    decimal(p, "colsampleByTree"), decimal(p, "minChildWeight"), decimal(p, "lambda"),
                    integer(p, "earlyStoppingRounds"), decimal(p, "validationFraction"), integer(p, "nthread"),
                    java.util.Collections.unmodifiableMap(p));
        }

        private static int integer(Map<String, Object> p, String name) {
            return ((Number) p.get(name)).intValue(); // declared within an int
        }

        private static double decimal(Map<String, Object> p, String name) {
            return ((Number) p.get(name)).doubleValue();
        }
    }
}
