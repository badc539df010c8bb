package org.cogwork.engine.tribuo;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.cogwork.api.engine.AlgorithmInfo;
import org.cogwork.api.engine.Task;

/**
 * The algorithms this engine offers, with their parameters, defaults and bounds. The same name may appear
 * for two tasks ({@code cart}, {@code random-forest}): an algorithm is identified by name and task.
 */
enum Algorithm {
    LOGISTIC("logistic", Task.CLASSIFICATION,
            "logistic regression (LinearSGDTrainer, LogMulticlass, AdaGrad); numeric features are standardised inside the model",
            Param.LEARNING_RATE, Param.EPOCHS, Param.MINIBATCH),
    CART_CLASSIFICATION("cart", Task.CLASSIFICATION, "a CART decision tree (Gini impurity)",
            Param.MAX_DEPTH, Param.MIN_CHILD_WEIGHT, Param.FRACTION_FEATURES),
    FOREST_CLASSIFICATION("random-forest", Task.CLASSIFICATION,
            "a random forest: bagged CART trees with feature subsampling, probabilities averaged",
            Param.NUM_TREES, Param.FOREST_MAX_DEPTH, Param.FOREST_FRACTION_FEATURES),
    LINEAR("linear", Task.REGRESSION,
            "linear regression (LinearSGDTrainer, squared loss, AdaGrad); numeric features are standardised inside the model",
            Param.LEARNING_RATE, Param.EPOCHS, Param.MINIBATCH),
    CART_REGRESSION("cart", Task.REGRESSION, "a CART regression tree (mean squared error)",
            Param.MAX_DEPTH, Param.MIN_CHILD_WEIGHT, Param.FRACTION_FEATURES),
    FOREST_REGRESSION("random-forest", Task.REGRESSION,
            "a random forest: bagged CART regression trees with feature subsampling, predictions averaged",
            Param.NUM_TREES, Param.FOREST_MAX_DEPTH, Param.FOREST_FRACTION_FEATURES),
    KMEANS("kmeans", Task.CLUSTERING, "k-means with k-means++ initialisation (Euclidean distance, one thread)",
            Param.CENTROIDS, Param.ITERATIONS);

    final String algorithmName;
    final Task task;
    final String description;
    final List<Param> params;

    Algorithm(String algorithmName, Task task, String description, Param... params) {
        this.algorithmName = algorithmName;
        this.task = task;
        this.description = description;
        this.params = List.of(params);
    }

    AlgorithmInfo info() {
        Map<String, String> p = new LinkedHashMap<>();
        for (Param param : params) {
            p.put(param.key, param.description + " (default " + param.defaultValue + ")");
        }
        return new AlgorithmInfo(algorithmName, task, description, p);
    }

    boolean linear() {
        return this == LOGISTIC || this == LINEAR;
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
     * The effective parameters: defaults overlaid with the request's values, validated.
     *
     * @throws IllegalArgumentException naming the parameter that is unknown or out of range
     */
    Map<String, Number> resolve(Map<String, Object> requested) {
        for (String key : requested.keySet()) {
            if (params.stream().noneMatch(p -> p.key.equals(key))) {
                throw new IllegalArgumentException("unknown parameter '" + key + "' for " + algorithmName + "; use "
                        + String.join(", ", params.stream().map(p -> p.key).toList()));
            }
        }
        Map<String, Number> out = new LinkedHashMap<>();
        for (Param p : params) {
            out.put(p.key, p.parse(requested.get(p.key)));
        }
        return out;
    }

    /** A hyperparameter with its bounds; integer parameters reject fractions. */
    enum Param {
        LEARNING_RATE("learningRate", "initial AdaGrad learning rate, > 0", 0.5, false, 0, false, Double.MAX_VALUE, true),
        EPOCHS("epochs", "passes over the training data, >= 1", 10, true, 1, true, 100_000, true),
        MINIBATCH("minibatchSize", "examples per gradient step, >= 1", 1, true, 1, true, Integer.MAX_VALUE, true),
        MAX_DEPTH("maxDepth", "maximum tree depth, >= 1", 6, true, 1, true, 1_000, true),
        MIN_CHILD_WEIGHT("minChildWeight", "minimum example weight in a child node, > 0", 5.0, false, 0, false, Double.MAX_VALUE, true),
        FRACTION_FEATURES("fractionFeaturesInSplit", "fraction of features considered per split, in (0, 1]", 1.0, false, 0, false, 1, true),
        NUM_TREES("numTrees", "number of trees, >= 1", 50, true, 1, true, 100_000, true),
        FOREST_MAX_DEPTH("maxDepth", "maximum depth of each tree, >= 1", 12, true, 1, true, 1_000, true),
        FOREST_FRACTION_FEATURES("fractionFeaturesInSplit",
                "fraction of features considered per split, in (0, 1) (a forest needs subsampling)", 0.5, false, 0, false, 1, false),
        CENTROIDS("centroids", "number of clusters, >= 1", 3, true, 1, true, 100_000, true),
        ITERATIONS("iterations", "maximum iterations, >= 1", 100, true, 1, true, 1_000_000, true);

        final String key;
        final String description;
        final Number defaultValue;
        final boolean integer;
        final double min;
        final boolean minInclusive;
        final double max;
        final boolean maxInclusive;

        Param(String key, String description, Number defaultValue, boolean integer, double min, boolean minInclusive,
              double max, boolean maxInclusive) {
            this.key = key;
            this.description = description;
            this.defaultValue = defaultValue;
            this.integer = integer;
            this.min = min;
            this.minInclusive = minInclusive;
            this.max = max;
            this.maxInclusive = maxInclusive;
        }

        Number parse(Object value) {
            if (value == null) {
                return defaultValue;
            }
            double d;
            if (value instanceof Number n) {
                d = n.doubleValue();
            } else if (value instanceof String s) {
                try {
                    d = Double.parseDouble(s.trim());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(key + " must be a number, was '" + s + "'");
                }
            } else {
                throw new IllegalArgumentException(key + " must be a number, was " + value);
            }
            String shown = integer && d == Math.rint(d) && !Double.isInfinite(d) ? Long.toString((long) d) : String.valueOf(d);
            if (Double.isNaN(d) || (integer && (d != Math.rint(d) || Double.isInfinite(d)))) {
                throw new IllegalArgumentException(key + " must be " + (integer ? "an integer" : "a number") + ", was " + value);
            }
            if (minInclusive ? d < min : d <= min) {
                throw new IllegalArgumentException(key + " must be " + (minInclusive ? ">= " : "> ") + fmt(min) + ", was " + shown);
            }
            if (maxInclusive ? d > max : d >= max) {
                throw new IllegalArgumentException(key + " must be " + (maxInclusive ? "<= " : "< ") + fmt(max) + ", was " + shown);
            }
            return integer ? (Number) (int) d : (Number) d;
        }

        private String fmt(double d) {
            return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
        }
    }
}
