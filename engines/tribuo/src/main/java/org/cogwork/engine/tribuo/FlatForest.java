package org.cogwork.engine.tribuo;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
 * A random forest or CART tree of this engine, laid out in flat arrays for prediction and saving: each tree a walk over int and
 * double arrays, a row one dense array (Tribuo's ensemble predicted each tree through a sparse vector, a
 * {@code Prediction} with a score map per tree and a combiner over them: 2-4 ms a row for 200 trees on credit_data).
 * {@link ForestLearner} grows forests straight into this form ({@link #of(String[], boolean, List, int[], int[],
 * double[], double[])}); forests saved by earlier versions as Tribuo ensembles are turned into it when loaded
 * ({@link #of(org.tribuo.Model)}), with Tribuo's arithmetic ({@code SplitNode}: greater than the split value goes
 * right, an absent feature is 0; {@code FullyWeightedVotingCombiner} and {@code AveragingCombiner} with equal member
 * weights). It is also the forest's saved form ({@link #write}, {@link ModelFormat#FLAT_FOREST}): Tribuo's protobuf
 * writer found its methods by reflection for every label of every leaf, 1.6 s of a 200-tree credit_data forest's 5 s
 * job, against milliseconds for these arrays.
 */
final class FlatForest {
    private final Map<String, Integer> index = new HashMap<>();
    private final boolean classification;
    /** Classification: the labels in the ensemble's output order (Tribuo's score map order). */
    private final List<String> labels = new ArrayList<>();
    /** Width of a leaf's output: the number of labels, or 1 for a regression value. */
    private final int width;
    /** The root of each tree in {@link #nodes}. */
    private final int[] roots;
    /**
     * Every node of every tree, three ints each, a tree's nodes depth first so that a walk stays in few cache lines:
     * a split node is (feature, node if less or equal, node if greater), a leaf (-1, offset of its output in
     * {@link #values}, 0).
     */
    private final int[] nodes;
    /** The split value of each node (unused for leaves), at the node's index. */
    private final double[] splits;
    /** The leaves' outputs, {@link #width} doubles each. */
    private final double[] values;

    /**
     * The flat form of a Tribuo ensemble of trees (how this engine's forests were trained and saved before
     * ForestLearner), or {@code null} when it is not one.
     */
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

    /**
     * A forest in this layout (see {@link #nodes}): classification when {@code classification}, its leaves then holding
     * a score per label in {@code labels} order. The arrays are taken as they are.
     */
    static FlatForest of(String[] features, boolean classification, List<String> labels, int[] roots, int[] nodes,
                         double[] splits, double[] values) {
        return new FlatForest(features, classification, labels, roots, nodes, splits, values);
    }

    /** A forest read back by {@link #read}, checked there, or grown by ForestLearner. */
    private FlatForest(String[] features, boolean classification, List<String> labels, int[] roots, int[] nodes,
                       double[] splits, double[] values) {
        for (int i = 0; i < features.length; i++) {
            index.put(features[i], i);
        }
        this.classification = classification;
        this.labels.addAll(labels);
        this.width = classification ? labels.size() : 1;
        this.roots = roots;
        this.nodes = nodes;
        this.splits = splits;
        this.values = values;
    }

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
        this.width = classification ? labels.size() : 1;
        List<? extends org.tribuo.Model<?>> members = ensemble.getModels();
        roots = new int[members.size()];
        Builder b = new Builder(labelIds);
        for (int t = 0; t < roots.length; t++) {
            TreeModel<?> tree = (TreeModel<?>) members.get(t);
            Node<?> root = tree instanceof IndependentRegressionTreeModel r ? only(r.getRoots()) : tree.getRoot();
            roots[t] = b.add(root, tree.getFeatureIDMap());
        }
        nodes = b.nodes.stream().mapToInt(Integer::intValue).toArray();
        splits = b.splits.stream().mapToDouble(Double::doubleValue).toArray();
        values = b.values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static Node<?> only(Map<String, Node<Regressor>> roots) {
        if (roots.size() != 1) {
            throw new IllegalArgumentException("a regression forest over " + roots.size() + " targets");
        }
        return roots.values().iterator().next();
    }

    /** Appends trees depth first; a node's children are appended after it (left subtree first). */
    private final class Builder {
        final List<Integer> nodes = new ArrayList<>();
        final List<Double> splits = new ArrayList<>();
        final List<Double> values = new ArrayList<>();
        final Map<String, Integer> labelIds;

        Builder(Map<String, Integer> labelIds) {
            this.labelIds = labelIds;
        }

        int add(Node<?> node, ImmutableFeatureMap memberFeatures) {
            int at = splits.size();
            nodes.add(0);
            nodes.add(0);
            nodes.add(0);
            splits.add(0.0);
            if (node instanceof SplitNode<?> s) {
                nodes.set(3 * at, index.get(memberFeatures.get(s.getFeatureID()).getName()));
                splits.set(at, s.splitValue());
                int le = add(s.getLessThanOrEqual(), memberFeatures);
                int gt = add(s.getGreaterThan(), memberFeatures);
                nodes.set(3 * at + 1, le);
                nodes.set(3 * at + 2, gt);
            } else {
                LeafNode<?> l = (LeafNode<?>) node;
                nodes.set(3 * at, -1);
                nodes.set(3 * at + 1, values.size());
                if (classification) {
                    double[] scores = new double[width];
                    for (Map.Entry<String, ?> e : l.getDistribution().entrySet()) {
                        scores[labelIds.get(e.getKey())] = ((Label) e.getValue()).getScore();
                    }
                    for (double v : scores) {
                        values.add(v);
                    }
                } else {
                    values.add(((Regressor) l.getOutput()).getValues()[0]);
                }
            }
            return at;
        }
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

    /** The offset in {@link #values} of the leaf that {@code x} reaches from {@code root}. */
    private int leafOf(int root, double[] x) {
        int n = root;
        int f;
        while ((f = nodes[3 * n]) >= 0) {
            n = x[f] > splits[n] ? nodes[3 * n + 2] : nodes[3 * n + 1];
        }
        return nodes[3 * n + 1];
    }

    /**
     * Classification: each row's score per label (in {@link #labels()} order), summing to 1. Trees outside, rows
     * inside: a tree's nodes stay in the cache while every row walks it (rows outside missed the cache on nearly
     * every node of a 200-tree forest: 4 MB of nodes for credit_data).
     */
    double[][] scores(List<? extends Example<?>> examples) {
        double[][] x = new double[examples.size()][];
        double[][] score = new double[examples.size()][width];
        for (int r = 0; r < x.length; r++) {
            x[r] = dense(examples.get(r));
        }
        for (int root : roots) {
            for (int r = 0; r < x.length; r++) {
                int leaf = leafOf(root, x[r]);
                for (int k = 0; k < width; k++) {
                    score[r][k] += values[leaf + k];
                }
            }
        }
        for (double[] s : score) {
            double sum = 0;
            for (double v : s) {
                sum += v;
            }
            for (int k = 0; k < width; k++) {
                s[k] /= sum;
            }
        }
        return score;
    }

    List<String> labels() {
        return labels;
    }

    /** Regression: each row's mean over the trees, accumulated as Tribuo's AveragingCombiner does (equal weights). */
    double[] values(List<? extends Example<?>> examples) {
        double[][] x = new double[examples.size()][];
        double[] mean = new double[examples.size()];
        for (int r = 0; r < x.length; r++) {
            x[r] = dense(examples.get(r));
        }
        int seen = 0;
        for (int root : roots) {
            seen++;
            for (int r = 0; r < x.length; r++) {
                mean[r] += (values[leafOf(root, x[r])] - mean[r]) / seen;
            }
        }
        return mean;
    }

    boolean classification() {
        return classification;
    }

    /**
     * Writes what the forest needs to predict: whether it classifies, the feature names by index, the labels, then the
     * roots, the nodes with their split values, and the leaves' values (all counts as int32 before their items).
     */
    void write(DataOutputStream out) throws IOException {
        out.writeBoolean(classification);
        String[] names = new String[index.size()];
        index.forEach((name, i) -> names[i] = name);
        out.writeInt(names.length);
        for (String name : names) {
            writeString(out, name);
        }
        out.writeInt(labels.size());
        for (String label : labels) {
            writeString(out, label);
        }
        out.writeInt(roots.length);
        for (int root : roots) {
            out.writeInt(root);
        }
        out.writeInt(splits.length);
        for (int i = 0; i < splits.length; i++) {
            out.writeInt(nodes[3 * i]);
            out.writeInt(nodes[3 * i + 1]);
            out.writeInt(nodes[3 * i + 2]);
            out.writeDouble(splits[i]);
        }
        out.writeInt(values.length);
        for (double v : values) {
            out.writeDouble(v);
        }
    }

    /**
     * Reads what {@link #write} wrote, checking every count against the bytes there are and every reference between
     * nodes: a split names a feature there is and children after itself (so every walk ends at a leaf), a leaf a
     * whole output in the values.
     *
     * @throws IOException when the bytes end early
     * @throws IllegalArgumentException saying what is inconsistent
     */
    static FlatForest read(byte[] bytes) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
        boolean classification = in.readBoolean();
        String[] features = new String[count(in, 4, "features")];
        for (int i = 0; i < features.length; i++) {
            features[i] = readString(in);
        }
        List<String> labels = new ArrayList<>();
        int labelCount = count(in, 4, "labels");
        for (int i = 0; i < labelCount; i++) {
            labels.add(readString(in));
        }
        if (classification && labels.isEmpty()) {
            throw new IllegalArgumentException("a classification forest without labels");
        }
        int width = classification ? labels.size() : 1;
        int[] roots = new int[count(in, 4, "trees")];
        for (int t = 0; t < roots.length; t++) {
            roots[t] = in.readInt();
        }
        int n = count(in, 20, "nodes");
        int[] nodes = new int[3 * n];
        double[] splits = new double[n];
        for (int i = 0; i < n; i++) {
            nodes[3 * i] = in.readInt();
            nodes[3 * i + 1] = in.readInt();
            nodes[3 * i + 2] = in.readInt();
            splits[i] = in.readDouble();
        }
        double[] values = new double[count(in, 8, "values")];
        for (int i = 0; i < values.length; i++) {
            values[i] = in.readDouble();
        }
        if (roots.length == 0) {
            throw new IllegalArgumentException("a forest without trees");
        }
        for (int root : roots) {
            if (root < 0 || root >= n) {
                throw new IllegalArgumentException("a tree's root " + root + " is not one of the " + n + " nodes");
            }
        }
        for (int i = 0; i < n; i++) {
            int f = nodes[3 * i];
            if (f >= 0) {
                if (f >= features.length || nodes[3 * i + 1] <= i || nodes[3 * i + 1] >= n
                        || nodes[3 * i + 2] <= i || nodes[3 * i + 2] >= n) {
                    throw new IllegalArgumentException("split node " + i + " refers to a feature or node that is not there");
                }
            } else if (f != -1 || nodes[3 * i + 1] < 0 || nodes[3 * i + 1] > values.length - width) {
                throw new IllegalArgumentException("leaf " + i + " refers to values that are not there");
            }
        }
        return new FlatForest(features, classification, labels, roots, nodes, splits, values);
    }

    /** A count of items of at least {@code itemBytes} each, no more than the bytes left can hold. */
    private static int count(DataInputStream in, int itemBytes, String what) throws IOException {
        int n = in.readInt();
        if (n < 0 || (long) n * itemBytes > in.available()) {
            throw new IllegalArgumentException("a count of " + n + " " + what + " that the bytes cannot hold");
        }
        return n;
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String readString(DataInputStream in) throws IOException {
        byte[] b = new byte[count(in, 1, "bytes of a name")];
        in.readFully(b);
        return new String(b, StandardCharsets.UTF_8);
    }
}
