package org.cogwork.engine.xgboost;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.XGBoostError;

/**
 * A trained booster's trees walked in Java, for prediction. XGBoost4J's in-place prediction passes its configuration
 * as JSON through JNI on every call, about 55 µs before the first tree (bench/predict-bench.sh); a request of one row
 * paid that for a few microseconds of trees. The trees are read once from the booster's own model in UBJSON
 * (XGBoost's JSON format in binary: per tree {@code left_children}, {@code right_children}, {@code split_indices},
 * {@code split_conditions} (a leaf's value at a leaf), {@code default_left}; {@code tree_info} the class of each
 * tree; {@code base_score}) and walked as XGBoost's CPU predictor does: a value below the split goes left, a missing
 * (NaN) value goes the default way; margins summed in float, tree by tree, from the base margin. XgboostEngineTest
 * compares every test row with XGBoost's own prediction. Categorical splits are not read: {@link #of} answers
 * {@code null} for such a model and the booster predicts.
 */
final class Trees {
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

    /**
     * What is read of a booster's model, from the UBJSON XGBoost writes ({@link Ubjson}; the same document as its JSON
     * format, with each node array stored as binary numbers): the objective, the booster's name, the classes, the
     * base score (as XGBoost writes it: "5E-1", or "[5E-1,2E-1]" per class), and the trees.
     */
    record Learner(String objective, String booster, int groups, String baseScore, List<Tree> trees, int[] treeInfo,
                   int[] iterationIndptr) {
        /** The trees of the first {@code rounds} rounds (a round holds a tree per class and per parallel tree). */
        int treeCount(int rounds) {
            return iterationIndptr != null && iterationIndptr.length > rounds ? iterationIndptr[rounds]
                    : Math.min(trees.size(), rounds * groups);
        }

        /** The learner of a model document ({@link Ubjson#read} of {@code Booster.toByteArray("ubj")}). */
        static Learner of(Object document) {
            Map<String, Object> learner = map(map(document).get("learner"));
            Map<String, Object> param = map(learner.get("learner_model_param"));
            Map<String, Object> booster = map(learner.get("gradient_booster"));
            Map<String, Object> model = map(booster.get("model"));
            List<Tree> trees = new ArrayList<>();
            if (model.get("trees") instanceof List<?> list) {
                for (Object t : list) {
                    Map<String, Object> tree = map(t);
                    trees.add(new Tree(ints(tree.get("left_children")), ints(tree.get("right_children")),
                            ints(tree.get("split_indices")), floats(tree.get("split_conditions")), ints(tree.get("default_left")),
                            ints(tree.get("split_type")), floats(tree.get("loss_changes"))));
                }
            }
            Object numClass = param.get("num_class");
            return new Learner((String) map(learner.get("objective")).get("name"), (String) booster.get("name"),
                    Math.max(1, numClass == null ? 0 : Integer.parseInt(numClass.toString())), (String) param.get("base_score"),
                    trees, ints(model.get("tree_info")), ints(model.get("iteration_indptr")));
        }
    }

    /** One tree as parallel arrays by node id; a leaf's left child is -1 and its split condition is its value. */
    record Tree(int[] leftChildren, int[] rightChildren, int[] splitIndices, float[] splitConditions, int[] defaultLeft,
                int[] splitType, float[] lossChanges) {
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object v) {
        return v instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    /** An integer array as the reader gives it: a typed array, or a list of numbers; {@code null} when absent. */
    static int[] ints(Object v) {
        if (v instanceof int[] a) {
            return a;
        }
        if (v instanceof long[] a) {
            return java.util.Arrays.stream(a).mapToInt(Math::toIntExact).toArray();
        }
        if (v instanceof List<?> list) {
            return list.stream().mapToInt(n -> ((Number) n).intValue()).toArray();
        }
        return null;
    }

    private static float[] floats(Object v) {
        if (v instanceof float[] a) {
            return a;
        }
        if (v instanceof double[] a) {
            float[] out = new float[a.length];
            for (int i = 0; i < a.length; i++) {
                out[i] = (float) a[i];
            }
            return out;
        }
        if (v instanceof List<?> list) {
            float[] out = new float[list.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = ((Number) list.get(i)).floatValue();
            }
            return out;
        }
        return null;
    }

    /** The booster's model as XGBoost writes it in UBJSON: what {@link #of} and {@link #gain} read of it, read once. */
    static Learner learner(Booster booster) throws XGBoostError {
        return Learner.of(Ubjson.read(booster.toByteArray("ubj")));
    }

    /** The first {@code rounds} rounds of {@code booster}'s trees, or {@code null} when its model uses what this does not read. */
    static Trees of(Booster booster, int rounds) throws XGBoostError {
        return of(learner(booster), rounds);
    }

    /** The first {@code rounds} rounds of the trees of {@code learner} ({@link #learner}), or {@code null} as above. */
    static Trees of(Learner learner, int rounds) {
        Link link = learner.objective() == null ? null : switch (learner.objective()) {
            case "reg:squarederror" -> Link.IDENTITY;
            case "binary:logistic" -> Link.SIGMOID;
            case "multi:softprob" -> Link.SOFTMAX;
            default -> null;
        };
        if (link == null || !"gbtree".equals(learner.booster())) {
            return null;
        }
        int groups = learner.groups();
        float[] base = baseScores(learner.baseScore(), groups);
        float[] margin = new float[groups];
        for (int k = 0; k < groups; k++) {
            // base_score is kept in the output's space: the margin of a probability is its logit
            margin[k] = link == Link.SIGMOID ? (float) -Math.log(1.0 / base[k] - 1.0) : base[k];
        }
        int count = learner.treeCount(rounds);
        int[][] left = new int[count][];
        int[][] right = new int[count][];
        int[][] feature = new int[count][];
        float[][] condition = new float[count][];
        boolean[][] defaultLeft = new boolean[count][];
        int[] group = new int[count];
        for (int t = 0; t < count; t++) {
            Tree tree = learner.trees().get(t);
            if (tree.splitType() != null) {
                for (int type : tree.splitType()) {
                    if (type != 0) {
                        return null; // a categorical split
                    }
                }
            }
            left[t] = tree.leftChildren();
            right[t] = tree.rightChildren();
            feature[t] = tree.splitIndices();
            condition[t] = tree.splitConditions();
            defaultLeft[t] = new boolean[tree.defaultLeft().length];
            for (int n = 0; n < defaultLeft[t].length; n++) {
                defaultLeft[t][n] = tree.defaultLeft()[n] != 0;
            }
            group[t] = learner.treeInfo()[t];
        }
        return new Trees(left, right, feature, condition, defaultLeft, group, margin, link);
    }

    /**
     * XGBoost's "gain" importance of each of the {@code width} input slots over the first {@code rounds} rounds' trees:
     * the average loss reduction ({@code loss_changes}) of the splits on the slot, NaN for a slot no tree splits on.
     * The same figures as {@link Booster#getScore(String[], String)}, which writes the whole model as text and parses
     * it back (0.5-0.8 s for a forest of 200 deep trees, as long as XGBoost took to grow it).
     */
    static double[] gain(Learner learner, int rounds, int width) {
        int count = learner.treeCount(rounds);
        double[] total = new double[width];
        int[] splits = new int[width];
        for (int t = 0; t < count; t++) {
            Tree tree = learner.trees().get(t);
            for (int n = 0; n < tree.leftChildren().length; n++) {
                if (tree.leftChildren()[n] != -1) {
                    int f = tree.splitIndices()[n];
                    total[f] += tree.lossChanges()[n];
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
