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
 * The XGBoost engine's algorithms, each for classification and for regression: gradient-boosted trees
 * ({@code gbtree}, XGBoost's hist method), and random forests ({@code random-forest}: XGBoost's own forest mode, one
 * round of many trees grown in parallel on row and per-split feature samples, averaged). The defaults reach
 * scikit-learn's HistGradientBoosting and RandomForest on credit_data.csv and concrete.csv (README).
 */
enum Algorithm {
    CLASSIFICATION(Task.CLASSIFICATION, "gbtree", "gradient-boosted trees (XGBoost, hist method): binary (logistic) or "
            + "multi-class (softmax) with per-class probabilities; missing values are learnt, not imputed",
            boostingParameters(200, 3, 1.0)),
    REGRESSION(Task.REGRESSION, "gbtree", "gradient-boosted regression trees (XGBoost, hist method, squared error); "
            + "missing values are learnt, not imputed", boostingParameters(500, 5, 0.8)),
    FOREST_CLASSIFICATION(Task.CLASSIFICATION, "random-forest", "random forest (XGBoost's forest mode: the trees grown "
            + "in parallel on the processors, each on a sample of the rows and, at each split, of the features); missing "
            + "values are learnt, not imputed", forestParameters()),
    FOREST_REGRESSION(Task.REGRESSION, "random-forest", "random forest of regression trees (XGBoost's forest mode, "
            + "squared error); missing values are learnt, not imputed", forestParameters());

    final Task task;
    final String name;
    final String description;
    final List<Hyperparameter> parameters;

    Algorithm(Task task, String name, String description, List<Hyperparameter> parameters) {
        this.task = task;
        this.name = name;
        this.description = description;
        this.parameters = parameters;
    }

    AlgorithmInfo info() {
        return new AlgorithmInfo(name, task, description, parameters);
    }

    boolean isForest() {
        return name.equals("random-forest");
    }

    static Optional<Algorithm> find(String name, Task task) {
        return Arrays.stream(values()).filter(a -> a.name.equals(name) && a.task == task).findFirst();
    }

    /** Far more than any useful model, and within the ints XGBoost takes. */
    private static final int MAX_ROUNDS = 100_000;

    /**
     * The boosting hyperparameters, as XGBoost names them in camel case ({@code maxDepth} is {@code max_depth}), with
     * XGBoost's own bounds. {@code nthread} has no declared default: it is the number of processors of the node that
     * trains. The defaults differ by task where the data said so (a sweep over depth, learning rate, rounds and
     * sampling on two seeded 80/20 splits of each set, README): credit risk classification is best with shallow trees
     * (depth 3, 200 rounds), concrete strength regression with deeper ones and more rounds (depth 5, 500 rounds).
     */
    private static List<Hyperparameter> boostingParameters(int rounds, int maxDepth, double colsampleByTree) {
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
                maxBin(),
                Hyperparameter.integer("earlyStoppingRounds", 0, "stop when the validation part's loss has not improved for this "
                        + "many rounds and keep the best round's trees (0: no early stopping, no validation part)")
                        .atLeast(0).atMost(MAX_ROUNDS),
                Hyperparameter.number("validationFraction", 0.1, "share of the training rows held out (with the job's seed) to "
                        + "decide early stopping; used only when earlyStoppingRounds > 0").greaterThan(0).atMost(0.5),
                threads());
    }

    /**
     * The forest hyperparameters. A forest is one XGBoost round of {@code trees} parallel trees with a learning rate
     * of 1 (XGBoost's documented forest mode). XGBoost samples rows without replacement, so {@code subsample} 0.632 is
     * the share of distinct rows a bootstrap sample holds. {@code colsampleByNode} has no declared default: left out,
     * each split sees the square root of the features for classification (Breiman's choice) and half of them for
     * regression. The defaults come from a sweep on a seeded 80/20 split of credit_data.csv and concrete.csv (depth 8
     * to 20, lambda 0 and 1, minimum child weight 0.01 to 1, features per split): lambda 0 (the default 1 halves a
     * one-row leaf: concrete 7.3 against 6.0 MPa), depth 12, half the features for regression (5.44 MPa against 6.05
     * with a third and 5.64 with all).
     */
    private static List<Hyperparameter> forestParameters() {
        return List.of(
                Hyperparameter.integer("trees", 200, "the number of trees, grown in parallel").atLeast(1).atMost(MAX_ROUNDS),
                Hyperparameter.integer("maxDepth", 12, "maximum depth of each tree").atLeast(1).atMost(32),
                Hyperparameter.number("subsample", 0.632, "share of the training rows each tree sees (drawn with the job's "
                        + "seed, without replacement)").greaterThan(0).atMost(1),
                new Hyperparameter("colsampleByNode", Hyperparameter.Type.NUMBER, null, 0.0, false, 1.0, true, List.of(), false,
                        "share of the features each split chooses from (when left out: the square root of the features for "
                                + "classification, half of them for regression)"),
                Hyperparameter.number("minChildWeight", 1.0, "minimum sum of instance weight (hessian) in a child").atLeast(0),
                Hyperparameter.number("lambda", 0.0, "L2 regularisation of the leaf weights").atLeast(0),
                maxBin(),
                threads());
    }

    /**
     * XGBoost's {@code max_bin}, 64 rather than XGBoost's 256 for boosting and forests alike. On five seeded 80/20
     * splits each of credit_data.csv and concrete.csv (the quality bench's, XgboostEngineTest's and three more), 64
     * bins were as accurate on average (forest: concrete RMSE 5.15 against 5.20 MPa, credit accuracy 0.794 against
     * 0.791; boosting: 4.29 against 4.31, 0.807 against 0.803; single splits move either way by up to 1.7 points or
     * 5 %) and trained in a third less time (concrete forest 1.0 s against 1.5 s, boosting 0.15 against 0.24 s): the
     * split search walks every bin of each sampled feature at every node. Larger data with finely graded features
     * may want more.
     */
    private static Hyperparameter maxBin() {
        return Hyperparameter.integer("maxBin", 64, "the most bins a feature's values are put in before splits are "
                + "searched (XGBoost's histogram method): fewer is faster, more finds finer splits").atLeast(2).atMost(65_536);
    }

    private static Hyperparameter threads() {
        return new Hyperparameter("nthread", Hyperparameter.Type.INTEGER, null, 1L, true, 1024L, true, List.of(), false,
                "threads XGBoost trains with (when left out: one on fewer than 10,000 rows, where more cost more than they "
                        + "share; otherwise the processors available to Cogwork)");
    }

    /**
     * The hyperparameters of one request, resolved against the declaration (names, types, bounds, defaults), as
     * XGBoost's parameters: a forest is one round of {@code parallelTrees} trees at a learning rate of 1.
     */
    record Settings(int rounds, int parallelTrees, int maxDepth, double eta, double subsample, double colsampleByTree,
                    double colsampleByNode, double minChildWeight, double lambda, int maxBin, int earlyStoppingRounds,
                    double validationFraction, int nthread, Map<String, Object> resolved) {
        /** Below this many training rows, XGBoost trains on one thread unless told otherwise ({@link #threads}). */
        static final int FEW_ROWS = 10_000;

        /**
         * @throws org.cogwork.api.problem.InvalidFieldException naming {@code hyperparameters.<name>}
         */
        static Settings resolve(EngineInfo info, Algorithm algorithm, Map<String, Object> given) {
            Map<String, Object> p = info.resolve(algorithm.name, algorithm.task, given);
            int nthread = p.containsKey("nthread") ? integer(p, "nthread") : 0; // 0: chosen by threads(rows)
            Map<String, Object> resolved = java.util.Collections.unmodifiableMap(p);
            if (algorithm.isForest()) {
                double byNode = p.containsKey("colsampleByNode") ? decimal(p, "colsampleByNode") : Double.NaN;
                return new Settings(1, integer(p, "trees"), integer(p, "maxDepth"), 1.0, decimal(p, "subsample"), 1.0,
                        byNode, decimal(p, "minChildWeight"), decimal(p, "lambda"), integer(p, "maxBin"), 0, 0.1, nthread, resolved);
            }
            return new Settings(integer(p, "rounds"), 1, integer(p, "maxDepth"), decimal(p, "eta"), decimal(p, "subsample"),
                    decimal(p, "colsampleByTree"), 1.0, decimal(p, "minChildWeight"), decimal(p, "lambda"), integer(p, "maxBin"),
                    integer(p, "earlyStoppingRounds"), decimal(p, "validationFraction"), nthread, resolved);
        }

        /**
         * XGBoost's threads for {@code rows} training rows: as given, else one below {@link #FEW_ROWS} rows and the
         * processors Cogwork sees otherwise. XGBoost grows one tree at a time, also in forest mode (the parallel trees
         * of a round are grown one after another), and splits each node's work between threads; on small data the
         * threads' hand-offs cost more than they share (measured, boosting: credit_data, 3,563 rows, 500 rounds:
         * 123-137 ms on one thread against 185-241 ms on two; concrete, 824 rows: 201-268 against 217-338 ms; forest of
         * 200 trees, jobs from submission to registered model alternating in one runtime: concrete 2.3-2.4 s against
         * 3.0-4.1 s, credit_data 1.4-2.0 s against 2.0-2.7 s, the same model either way).
         */
        int threads(int rows) {
            if (nthread > 0) {
                return nthread;
            }
            return rows < FEW_ROWS ? 1 : Runtime.getRuntime().availableProcessors();
        }

        /** The parameters as resolved, with the threads {@link #threads} chose for {@code rows}. */
        Map<String, Object> resolved(int rows) {
            Map<String, Object> out = new java.util.LinkedHashMap<>(resolved);
            out.put("nthread", (long) threads(rows));
            return java.util.Collections.unmodifiableMap(out);
        }

        /** The share of {@code width} features each split chooses from: as given, or a forest's default for the task. */
        double colsampleByNode(Task task, int width) {
            if (!Double.isNaN(colsampleByNode)) {
                return colsampleByNode;
            }
            int chosen = task == Task.CLASSIFICATION ? (int) Math.max(1, Math.round(Math.sqrt(width))) : Math.max(1, width / 2);
            return Math.min(1.0, (chosen + 0.5) / width); // XGBoost keeps floor(share * width) features
        }

        private static int integer(Map<String, Object> p, String name) {
            return ((Number) p.get(name)).intValue(); // declared within an int
        }

        private static double decimal(Map<String, Object> p, String name) {
            return ((Number) p.get(name)).doubleValue();
        }
    }
}
