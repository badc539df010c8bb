package org.cogwork.engine.tribuo;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.tribuo.Example;
import org.tribuo.Feature;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.classification.Label;
import org.tribuo.common.tree.LeafNode;
import org.tribuo.common.tree.Node;
import org.tribuo.common.tree.SplitNode;
import org.tribuo.common.tree.TreeModel;
import org.tribuo.ensemble.EnsembleModel;
import org.tribuo.regression.Regressor;
import org.tribuo.regression.rtree.IndependentRegressionTreeModel;

/**
 * A random forest of this engine, laid out in flat arrays for prediction: Tribuo's ensemble predicts each tree
 * through a sparse vector, a {@code Prediction} with a score map per tree and a combiner over them (2-4 ms a row for
 * 200 trees on credit_data); here a row becomes one dense array and each tree a walk over int and double arrays.
 * Same arithmetic as Tribuo's ({@code SplitNode}: greater than the split value goes right, an absent feature is 0;
 * {@code FullyWeightedVotingCombiner} and {@code AveragingCombiner} with the forest's equal member weights), so the
 * answers are Tribuo's own (TribuoEngineTest compares every test row). The forest is the saved form; this is derived
 * from it when a model is made or loaded.
 */
final class FlatForest {
    private final Map<String, Integer> index = new HashMap<>();
    private final boolean classification;
    /** Classification: the labels in the ensemble's output order (Tribuo's score map order). */
    private final List<String> labels = new ArrayList<>();
    private final Tree[] trees;

    /** One tree: node n splits on {@code feature[n]} (-1: a leaf whose output is {@code leaf[n]}). */
    private record Tree(int[] feature, double[] split, int[] lessOrEqual, int[] greater, double[][] leaf) {
    }

    /** The flat form of {@code forest}, or {@code null} when it is not a forest of trees (never for this engine's). */
    static FlatForest of(org.tribuo.Model<?> forest) {
        if (!(forest instanceof EnsembleModel<?> ensemble)) {
            return null;
        }
        for (org.tribuo.Model<?> member : ensemble.getModels()) {
            if (!(member instanceof TreeModel<?>)) {
                return null;
            }
        }
        return new FlatForest(ensemble);
    }

    @SuppressWarnings("unchecked")
    private FlatForest(EnsembleModel<?> ensemble) {
        ImmutableFeatureMap features = ensemble.getFeatureIDMap();
        for (int i = 0; i < features.size(); i++) {
            index.put(features.get(i).getName(), i);
        }
        ImmutableOutputInfo<?> outputs = ensemble.getOutputIDInfo();
        this.classification = outputs.getOutput(0) instanceof Label;
        Map<String, Integer> labelIds = new HashMap<>();
        if (classification) {
            for (int i = 0; i < outputs.size(); i++) {
                String name = ((Label) outputs.getOutput(i)).getLabel();
                labelIds.put(name, i);
                labels.add(name);
            }
        }
        List<? extends org.tribuo.Model<?>> members = ensemble.getModels();
        trees = new Tree[members.size()];
        for (int t = 0; t < trees.length; t++) {
            TreeModel<?> tree = (TreeModel<?>) members.get(t);
            Node<?> root = tree instanceof IndependentRegressionTreeModel r ? only(r.getRoots()) : tree.getRoot();
            trees[t] = flatten(root, tree.getFeatureIDMap(), labelIds);
        }
    }

    private static Node<?> only(Map<String, Node<Regressor>> roots) {
        if (roots.size() != 1) {
            throw new IllegalArgumentException("a regression forest over " + roots.size() + " targets");
        }
        return roots.values().iterator().next();
    }

    private Tree flatten(Node<?> root, ImmutableFeatureMap memberFeatures, Map<String, Integer> labelIds) {
        List<Node<?>> nodes = new ArrayList<>();
        nodes.add(root);
        for (int n = 0; n < nodes.size(); n++) { // breadth first: children are appended as they are met
            if (nodes.get(n) instanceof SplitNode<?> s) {
                nodes.add(s.getLessThanOrEqual());
                nodes.add(s.getGreaterThan());
            }
        }
        int size = nodes.size();
        int[] feature = new int[size];
        double[] split = new double[size];
        int[] le = new int[size];
        int[] gt = new int[size];
        double[][] leaf = new double[size][];
        int next = 1;
        for (int n = 0; n < size; n++) {
            if (nodes.get(n) instanceof SplitNode<?> s) {
                feature[n] = index.get(memberFeatures.get(s.getFeatureID()).getName());
                split[n] = s.splitValue();
                le[n] = next++;
                gt[n] = next++;
            } else {
                feature[n] = -1;
                LeafNode<?> l = (LeafNode<?>) nodes.get(n);
                if (classification) {
                    double[] scores = new double[labels.size()];
                    for (Map.Entry<String, ?> e : l.getDistribution().entrySet()) {
                        scores[labelIds.get(e.getKey())] = ((Label) e.getValue()).getScore();
                    }
                    leaf[n] = scores;
                } else {
                    leaf[n] = new double[] {((Regressor) l.getOutput()).getValues()[0]};
                }
            }
        }
        return new Tree(feature, split, le, gt, leaf);
    }

    /** The example's values at the forest's feature indices (absent: 0, as in Tribuo's sparse vectors). */
    private double[] dense(Example<?> example) {
        double[] x = new double[index.size()];
        boolean known = false;
        for (Feature f : example) {
            Integer i = index.get(f.getName());
            if (i != null) {
                x[i] = f.getValue();
                known = true;
            }
        }
        if (!known) {
            throw new IllegalArgumentException("No features found in Example " + example);
        }
        return x;
    }

    private static int leafOf(Tree t, double[] x) {
        int n = 0;
        while (t.feature[n] >= 0) {
            n = x[t.feature[n]] > t.split[n] ? t.greater[n] : t.lessOrEqual[n];
        }
        return n;
    }

    /** Classification: the score of each label (in {@link #labels()} order), summing to 1. */
    double[] scores(Example<?> example) {
        double[] x = dense(example);
        double[] score = new double[labels.size()];
        double sum = 0;
        for (Tree t : trees) {
            double[] leaf = t.leaf[leafOf(t, x)];
            for (int k = 0; k < leaf.length; k++) {
                score[k] += leaf[k];
                sum += leaf[k];
            }
        }
        for (int k = 0; k < score.length; k++) {
            score[k] /= sum;
        }
        return score;
    }

    List<String> labels() {
        return labels;
    }

    /** Regression: the trees' mean, accumulated as Tribuo's AveragingCombiner does with equal weights. */
    double value(Example<?> example) {
        double[] x = dense(example);
        double mean = 0;
        int seen = 0;
        for (Tree t : trees) {
            seen++;
            mean += (t.leaf[leafOf(t, x)][0] - mean) / seen;
        }
        return mean;
    }

    boolean classification() {
        return classification;
    }
}
