package org.cogwork.engine.xgboost;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.XGBoostError;

/**
 * A trained booster's trees walked in Java, for prediction. XGBoost4J's in-place prediction passes its configuration
 * as JSON through JNI on every call, about 55 µs before the first tree (bench/predict-bench.sh); a request of one row
 * paid that for a few microseconds of trees. The trees are read once from the booster's own JSON model (the format
 * XGBoost documents: per tree {@code left_children}, {@code right_children}, {@code split_indices},
 * {@code split_conditions} (a leaf's value at a leaf), {@code default_left}; {@code tree_info} the class of each
 * tree; {@code base_score}) and walked as XGBoost's CPU predictor does: a value below the split goes left, a missing
 * (NaN) value goes the default way; margins summed in float, tree by tree, from the base margin. XgboostEngineTest
 * compares every test row with XGBoost's own prediction. Categorical splits are not read: {@link #of} answers
 * {@code null} for such a model and the booster predicts.
 */
final class Trees {
    private static final ObjectMapper JSON = new ObjectMapper();

    enum Link { IDENTITY, SIGMOID, SOFTMAX }

    private final int[][] left;
    private final int[][] right;
    private final int[][] feature;
    private final float[][] condition;
    private final boolean[][] defaultLeft;
    private final int[] group;
    private final float[] baseMargin;
    private final Link link;

    private Trees(int[][] left, int[][] right, int[][] feature, float[][] condition, boolean[][] defaultLeft, int[] group,
                  float[] baseMargin, Link link) {
        this.left = left;
        this.right = right;
        this.feature = feature;
        this.condition = condition;
        this.defaultLeft = defaultLeft;
        this.group = group;
        this.baseMargin = baseMargin;
        this.link = link;
    }

    /** The booster's model as XGBoost writes it in JSON: its {@code learner} object, read once for the trees and their gains. */
    static JsonNode learner(Booster booster) throws XGBoostError, IOException {
        return JSON.readTree(booster.toByteArray("json")).path("learner");
    }

    /** The first {@code rounds} rounds of {@code booster}'s trees, or {@code null} when its model uses what this does not read. */
    static Trees of(Booster booster, int rounds) throws XGBoostError, IOException {
        return of(learner(booster), rounds);
    }

    /** The first {@code rounds} rounds of the trees of {@code learner} ({@link #learner}), or {@code null} as above. */
    static Trees of(JsonNode learner, int rounds) {
        String objective = learner.path("objective").path("name").asText();
        Link link = switch (objective) {
            case "reg:squarederror" -> Link.IDENTITY;
            case "binary:logistic" -> Link.SIGMOID;
            case "multi:softprob" -> Link.SOFTMAX;
            default -> null;
        };
        JsonNode model = learner.path("gradient_booster").path("model");
        if (link == null || !"gbtree".equals(learner.path("gradient_booster").path("name").asText())) {
            return null;
        }
        int groups = Math.max(1, learner.path("learner_model_param").path("num_class").asInt(0));
        float[] base = baseScores(learner.path("learner_model_param").path("base_score").asText(), groups);
        float[] margin = new float[groups];
        for (int k = 0; k < groups; k++) {
            // base_score is kept in the output's space: the margin of a probability is its logit
            margin[k] = link == Link.SIGMOID ? (float) -Math.log(1.0 / base[k] - 1.0) : base[k];
        }
        JsonNode trees = model.path("trees");
        int count = treeCount(model, rounds, groups);
        int[][] left = new int[count][];
        int[][] right = new int[count][];
        int[][] feature = new int[count][];
        float[][] condition = new float[count][];
        boolean[][] defaultLeft = new boolean[count][];
        int[] group = new int[count];
        for (int t = 0; t < count; t++) {
            JsonNode tree = trees.get(t);
            JsonNode types = tree.path("split_type");
            for (JsonNode type : types) {
                if (type.asInt() != 0) {
                    return null; // a categorical split
                }
            }
            left[t] = ints(tree.path("left_children"));
            right[t] = ints(tree.path("right_children"));
            feature[t] = ints(tree.path("split_indices"));
            JsonNode conditions = tree.path("split_conditions");
            condition[t] = new float[conditions.size()];
            for (int n = 0; n < conditions.size(); n++) {
                condition[t][n] = (float) conditions.get(n).asDouble();
            }
            JsonNode defaults = tree.path("default_left");
            defaultLeft[t] = new boolean[defaults.size()];
            for (int n = 0; n < defaults.size(); n++) {
                defaultLeft[t][n] = defaults.get(n).isBoolean() ? defaults.get(n).asBoolean() : defaults.get(n).asInt() != 0;
            }
            group[t] = model.path("tree_info").get(t).asInt();
        }
        return new Trees(left, right, feature, condition, defaultLeft, group, margin, link);
    }

    /** The trees of the first {@code rounds} rounds (a round holds a tree per class and per parallel tree). */
    private static int treeCount(JsonNode model, int rounds, int groups) {
        JsonNode indptr = model.path("iteration_indptr");
        return indptr.isArray() && indptr.size() > rounds ? indptr.get(rounds).asInt() : Math.min(model.path("trees").size(), rounds * groups);
    }

    /**
     * XGBoost's "gain" importance of each of the {@code width} input slots over the first {@code rounds} rounds' trees:
     * the average loss reduction ({@code loss_changes}) of the splits on the slot, NaN for a slot no tree splits on.
     * The same figures as {@link Booster#getScore(String[], String)}, which writes the whole model as text and parses
     * it back (0.5-0.8 s for a forest of 200 deep trees, as long as XGBoost took to grow it).
     */
    static double[] gain(JsonNode learner, int rounds, int width) {
        JsonNode model = learner.path("gradient_booster").path("model");
        int groups = Math.max(1, learner.path("learner_model_param").path("num_class").asInt(0));
        int count = treeCount(model, rounds, groups);
        double[] total = new double[width];
        int[] splits = new int[width];
        JsonNode trees = model.path("trees");
        for (int t = 0; t < count; t++) {
            JsonNode tree = trees.get(t);
            JsonNode left = tree.path("left_children");
            JsonNode feature = tree.path("split_indices");
            JsonNode loss = tree.path("loss_changes");
            for (int n = 0; n < left.size(); n++) {
                if (left.get(n).asInt() != -1) {
                    int f = feature.get(n).asInt();
                    total[f] += loss.get(n).asDouble();
                    splits[f]++;
                }
            }
        }
        for (int f = 0; f < width; f++) {
            total[f] = splits[f] == 0 ? Double.NaN : total[f] / splits[f];
        }
        return total;
    }

    /** "5E-1" or, for a vector intercept, "[5E-1,2E-1]"; one value stands for every class. */
    private static float[] baseScores(String text, int groups) {
        String[] parts = text.replace("[", "").replace("]", "").split(",");
        float[] out = new float[groups];
        for (int k = 0; k < groups; k++) {
            out[k] = Float.parseFloat(parts[parts.length == groups ? k : 0].trim());
        }
        return out;
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    /** The model's output for the row at {@code offset} of {@code x}: XGBoost's own (a probability per class, or the value). */
    float[] predict(float[] x, int offset) {
        float[] margin = baseMargin.clone();
        for (int t = 0; t < left.length; t++) {
            int[] l = left[t];
            int[] r = right[t];
            int[] f = feature[t];
            float[] c = condition[t];
            int n = 0;
            while (l[n] != -1) {
                float v = x[offset + f[n]];
                n = Float.isNaN(v) ? (defaultLeft[t][n] ? l[n] : r[n]) : v < c[n] ? l[n] : r[n];
            }
            margin[group[t]] += c[n];
        }
        switch (link) {
            case SIGMOID -> margin[0] = (float) (1.0 / (1.0 + Math.exp(-margin[0])));
            case SOFTMAX -> {
                float max = margin[0];
                for (float m : margin) {
                    max = Math.max(max, m);
                }
                double sum = 0;
                for (int k = 0; k < margin.length; k++) {
                    margin[k] = (float) Math.exp(margin[k] - max);
                    sum += margin[k];
                }
                for (int k = 0; k < margin.length; k++) {
                    margin[k] = (float) (margin[k] / sum);
                }
            }
            case IDENTITY -> { }
        }
        return margin;
    }
}
