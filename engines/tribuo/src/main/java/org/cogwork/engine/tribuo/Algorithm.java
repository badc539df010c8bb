package org.cogwork.engine.tribuo;

import java.util.List;
import java.util.Optional;
import org.cogwork.api.engine.AlgorithmInfo;
import org.cogwork.api.engine.Hyperparameter;
import org.cogwork.api.engine.Task;

/**
 * The algorithms this engine offers, with their hyperparameters (typed: defaults and bounds). The same name may appear
 * for two tasks ({@code cart}, {@code random-forest}): an algorithm is identified by name and task.
 */
enum Algorithm {
    LOGISTIC("logistic", Task.CLASSIFICATION,
            "logistic regression (LinearSGDTrainer, LogMulticlass, AdaGrad); numeric features are standardised inside the model",
            Param.LEARNING_RATE, Param.EPOCHS, Param.MINIBATCH),
    LIBLINEAR_LOGISTIC("liblinear-logistic", Task.CLASSIFICATION,
            "L2-regularised logistic regression solved to convergence by LIBLINEAR (trust-region Newton, the solver "
                    + "scikit-learn's liblinear option uses); C is the inverse regularisation strength; numeric features "
                    + "are standardised inside the model; fast on sparse TF-IDF",
            Param.C, Param.TOLERANCE, Param.MAX_ITERATIONS),
    CART_CLASSIFICATION("cart", Task.CLASSIFICATION,
            "a CART decision tree (Gini impurity, exact splits), grown by the forests' learner (one tree on all rows)",
            Param.MAX_DEPTH, Param.MIN_CHILD_WEIGHT, Param.FRACTION_FEATURES),
    FOREST_CLASSIFICATION("random-forest", Task.CLASSIFICATION,
            "a random forest: bagged CART trees (Gini impurity, exact splits) with feature subsampling, probabilities "
                    + "averaged; grown on every core by this engine's own learner, not Tribuo's",
            Param.NUM_TREES, Param.FOREST_MAX_DEPTH, Param.FOREST_FRACTION_FEATURES),
    LINEAR("linear", Task.REGRESSION,
            "linear regression (LinearSGDTrainer, squared loss, AdaGrad); numeric features are standardised inside the model",
            Param.LEARNING_RATE, Param.EPOCHS, Param.MINIBATCH),
    CART_REGRESSION("cart", Task.REGRESSION,
            "a CART regression tree (squared error, exact splits), grown by the forests' learner (one tree on all rows)",
            Param.MAX_DEPTH, Param.MIN_CHILD_WEIGHT, Param.FRACTION_FEATURES),
    FOREST_REGRESSION("random-forest", Task.REGRESSION,
            "a random forest: bagged CART regression trees (squared error, exact splits) with feature subsampling, "
                    + "predictions averaged; grown on every core by this engine's own learner, not Tribuo's",
            Param.NUM_TREES, Param.FOREST_MAX_DEPTH, Param.FOREST_FRACTION_FEATURES),
    KMEANS("kmeans", Task.CLUSTERING, "k-means with k-means++ initialisation (Euclidean distance, one thread)",
            Param.CENTROIDS, Param.ITERATIONS);

    final String algorithmName;
    final Task task;
    final String description;
    final List<Hyperparameter> params;

    Algorithm(String algorithmName, Task task, String description, Hyperparameter... params) {
        this.algorithmName = algorithmName;
        this.task = task;
        this.description = description;
        this.params = List.of(params);
    }

    AlgorithmInfo info() {
        return new AlgorithmInfo(algorithmName, task, description, params);
    }

    boolean linear() {
        return this == LOGISTIC || this == LIBLINEAR_LOGISTIC || this == LINEAR;
    }

    boolean forest() {
        return this == FOREST_CLASSIFICATION || this == FOREST_REGRESSION;
    }

    /** A single tree or a forest: grown by ForestLearner. */
    boolean trees() {
        return forest() || this == CART_CLASSIFICATION || this == CART_REGRESSION;
    }

    /**
     * A forest's fraction of features per split when the spec leaves it out, over {@code features} features: for
     * classification the square root of them (Breiman's choice, scikit-learn's {@code max_features="sqrt"}; Tribuo
     * rounds fraction × features), for regression half.
     */
    static double forestFraction(Task task, int features) {
        if (task != Task.CLASSIFICATION || features <= 2) {
            return 0.5;
        }
        long chosen = Math.max(1, Math.round(Math.sqrt(features)));
        return Math.min(chosen, features - 1) / (double) features;
    }

    static Optional<Algorithm> find(String name, Task task) {
        for (Algorithm a : values()) {
            if (a.algorithmName.equals(name) && a.task == task) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    /**
     * The hyperparameters, declared with the bounds the Tribuo trainers need (their code rejects or misbehaves
     * outside them) and the defaults this engine uses.
     */
    static final class Param {
        static final Hyperparameter LEARNING_RATE = Hyperparameter.number("learningRate", 0.5, "initial AdaGrad learning rate")
                .greaterThan(0);
        static final Hyperparameter EPOCHS = Hyperparameter.integer("epochs", 10, "passes over the training data")
                .atLeast(1).atMost(100_000);
        static final Hyperparameter MINIBATCH = Hyperparameter.integer("minibatchSize", 1, "examples per gradient step")
                .atLeast(1).atMost(Integer.MAX_VALUE);
        static final Hyperparameter C = Hyperparameter.number("C", 1.0,
                "inverse regularisation strength (smaller: stronger L2 penalty), as scikit-learn's C").greaterThan(0);
        static final Hyperparameter TOLERANCE = Hyperparameter.number("tolerance", 0.01,
                "stopping tolerance of the solver (LIBLINEAR's eps)").greaterThan(0);
        static final Hyperparameter MAX_ITERATIONS = Hyperparameter.integer("maxIterations", 1000, "solver iterations at most")
                .atLeast(1).atMost(1_000_000);
        static final Hyperparameter MAX_DEPTH = Hyperparameter.integer("maxDepth", 6, "maximum tree depth").atLeast(1).atMost(1_000);
        static final Hyperparameter MIN_CHILD_WEIGHT = Hyperparameter.number("minChildWeight", 5.0,
                "minimum example weight in a child node").greaterThan(0);
        static final Hyperparameter FRACTION_FEATURES = Hyperparameter.number("fractionFeaturesInSplit", 1.0,
                "fraction of features considered per split").greaterThan(0).atMost(1);
        static final Hyperparameter NUM_TREES = Hyperparameter.integer("numTrees", 50, "number of trees").atLeast(1).atMost(100_000);
        static final Hyperparameter FOREST_MAX_DEPTH = Hyperparameter.integer("maxDepth", 12, "maximum depth of each tree")
                .atLeast(1).atMost(1_000);
        /** No declared default: {@link #forestFraction} when left out. */
        static final Hyperparameter FOREST_FRACTION_FEATURES = new Hyperparameter("fractionFeaturesInSplit", Hyperparameter.Type.NUMBER,
                null, 0.0, false, 1.0, false, List.of(), false, "fraction of features considered per split, below 1 (a forest "
                + "needs subsampling; when left out: the square root of the features for classification, as scikit-learn's "
                + "and the xgboost engine's forests choose, half of them for regression)");
        static final Hyperparameter CENTROIDS = Hyperparameter.integer("centroids", 3, "number of clusters (at most the number of rows)")
                .atLeast(1).atMost(100_000);
        static final Hyperparameter ITERATIONS = Hyperparameter.integer("iterations", 100, "maximum iterations").atLeast(1).atMost(1_000_000);

        private Param() {
        }
    }
}
