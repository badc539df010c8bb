package org.cogwork.engine.tribuo;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.cogwork.api.engine.EngineException;
import org.cogwork.api.engine.TrainingContext;
import org.tribuo.Dataset;
import org.tribuo.Example;
import org.tribuo.Feature;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.classification.Label;
import org.tribuo.regression.Regressor;

/**
 * This engine's tree learner: random forests (bagged CART trees with exact splits, grown on every core) and single
 * CART trees (a forest of one tree grown on every row once, {@code bootstrap} false), laid out as a {@link FlatForest}. Tribuo's CART ({@code CARTClassificationTrainer}) splits every feature's sorted lists at every
 * node, whichever share of the features the node evaluates (70 % of a credit_data forest's CPU went to
 * {@code InvertedFeature.split}; 4-5 times scikit-learn's fit); here a node looks only at the features it draws.
 *
 * <p>The trees are scikit-learn's and Breiman's: each grows on a bootstrap sample (n rows drawn with replacement,
 * carried as counts); each node draws features without replacement until it has evaluated {@code features per split}
 * that vary within it (a constant one does not count, as in scikit-learn) and takes the split with the largest
 * decrease of Gini impurity (classification) or squared error (regression); the threshold is the midpoint between the
 * two values on either side, and an equal decrease goes to the lower feature (the tree does not depend on the order
 * the features were drawn in). A node stays a leaf at the maximum depth, when it is pure, or when no split leaves both
 * children at least {@code minChildWeight} rows. A leaf holds its rows' label fractions (averaged over the trees, as
 * scikit-learn's {@code predict_proba} and Tribuo's voting combiner) or their mean target. Features are read as
 * Tribuo encoded them; an absent feature is 0, as FlatForest reads it.
 *
 * <p>A node over more rows than its feature has distinct values counts the rows into per-value buckets (the values'
 * ranks are computed once per forest), otherwise it sorts its rows' ranks: each node costs about its rows times the
 * features it evaluates. Tree t grows from its own random stream (seed + {@link #TREE_SEED_STEP} × t), so the same
 * seed gives the same forest on one thread or many. The trees are grown in {@link #PARTS} parts on as many threads as
 * there are cores; the job hears the trees grown after each part and a cancel stops the forest between trees.
 */
final class ForestLearner {
    static final int PARTS = 10;
    static final long TREE_SEED_STEP = 1_000_003L;

    /**
     * What the spec chose: trees, their depth, the share of the features each split evaluates; {@code bootstrap}
     * false grows every tree on all rows once each (scikit-learn's {@code bootstrap=False}; the engine always samples).
     */
    record Settings(int trees, int maxDepth, double fractionFeatures, double minChildWeight, boolean bootstrap, long seed) {
    }

    private final Settings settings;
    /** The feature names by index, as FlatForest looks them up. */
    private final String[] names;
    /** The labels in output order (empty for regression). */
    private final List<String> labels;
    private final int rows;
    private final int featureCount;
    /** Classes (0 for regression). */
    private final int classes;
    /** Features evaluated per split. */
    private final int perSplit;
    /** Each feature's distinct values, ascending. */
    private final double[][] distinct;
    /** Each feature's rank of each row's value in {@link #distinct}: [feature][row]. */
    private final int[][] rank;
    /** The class index of each row (classification). */
    private final int[] label;
    /** The target of each row (regression). */
    private final double[] target;

    private ForestLearner(Settings settings, String[] names, List<String> labels, double[][] columns, int[] label,
                          double[] target) {
        this.settings = settings;
        this.names = names;
        this.labels = List.copyOf(labels);
        int classes = labels.size();
        this.featureCount = columns.length;
        this.rows = label != null ? label.length : target.length;
        this.classes = classes;
        this.label = label;
        this.target = target;
        this.perSplit = (int) Math.max(1, Math.min(featureCount, Math.round(settings.fractionFeatures() * featureCount)));
        this.distinct = new double[featureCount][];
        this.rank = new int[featureCount][];
        for (int f = 0; f < featureCount; f++) {
            double[] sorted = columns[f].clone();
            Arrays.sort(sorted);
            int unique = 0;
            for (int i = 0; i < sorted.length; i++) {
                if (i == 0 || sorted[i] != sorted[unique - 1]) {
                    sorted[unique++] = sorted[i];
                }
            }
            distinct[f] = Arrays.copyOf(sorted, unique);
            rank[f] = new int[rows];
            for (int i = 0; i < rows; i++) {
                rank[f][i] = Arrays.binarySearch(distinct[f], columns[f][i]);
            }
            columns[f] = null; // the ranks say everything the trees need
        }
    }

    /**
     * Grows a forest on {@code data}: classification when {@code labels} are given (the forest's output order),
     * regression on the examples' single target otherwise.
     */
    static FlatForest train(Dataset<?> data, List<String> labels, Settings settings, TrainingContext context)
            throws EngineException {
        return of(data, labels, settings).grow(context);
    }

    /**
     * A learner holding {@code data}'s features as ranks, ready to {@link #grow}: the caller may let go of the examples
     * (the engine clears them, so that the rows are held once while the trees grow).
     */
    static ForestLearner of(Dataset<?> data, List<String> labels, Settings settings) throws EngineException {
        ImmutableFeatureMap featureMap = data.getFeatureIDMap();
        String[] names = new String[featureMap.size()];
        for (int i = 0; i < names.length; i++) {
            names[i] = featureMap.get(i).getName();
        }
        boolean classification = !labels.isEmpty();
        int n = data.size();
        checkMemory(names.length, n, Runtime.getRuntime().maxMemory());
        double[][] columns = new double[names.length][n]; // absent features stay 0
        int[] label = classification ? new int[n] : null;
        double[] target = classification ? null : new double[n];
        Map<String, Integer> labelIds = new java.util.HashMap<>();
        for (int k = 0; k < labels.size(); k++) {
            labelIds.put(labels.get(k), k);
        }
        int r = 0;
        for (Example<?> example : data) {
            for (Feature f : example) {
                int id = featureMap.getID(f.getName());
                if (id >= 0 && Double.isFinite(f.getValue())) { // (a vector's NaN: absent, as a scalar's is)
                    columns[id][r] = f.getValue();
                }
            }
            if (classification) {
                label[r] = labelIds.get(((Label) example.getOutput()).getLabel());
            } else {
                target[r] = ((Regressor) example.getOutput()).getValues()[0];
            }
            r++;
        }
        return new ForestLearner(settings, names, labels, columns, label, target);
    }

    /**
     * Refuses data whose features the learner cannot hold: it keeps every feature of every row (a value while ranking
     * it, then its rank), and TF-IDF's tens of thousands of sparse features over thousands of rows would fill the heap.
     */
    static void checkMemory(int features, int rows, long maxHeap) throws EngineException {
        long need = (long) features * rows * (Double.BYTES + Integer.BYTES);
        if (need > maxHeap / 4) {
            throw new EngineException(String.format(java.util.Locale.ROOT,
                    "random-forest holds every feature of every row: %,d features x %,d rows need %,d MB, more than a"
                    + " quarter of the %,d MB Java heap; use fewer features (e.g. tfidf's maxFeatures), a larger heap"
                    + " (COGWORK_HEAP), or the xgboost engine's random-forest, which reads sparse rows",
                    features, rows, need >> 20, maxHeap >> 20));
        }
    }

    /** Grows the trees on every core and lays them out as one FlatForest. */
    FlatForest grow(TrainingContext context) throws EngineException {
        int trees = settings.trees();
        int parts = Math.min(PARTS, trees);
        int threads = Math.max(1, Math.min(parts, Runtime.getRuntime().availableProcessors()));
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "cogwork-forest");
            t.setDaemon(true);
            return t;
        });
        Tree[] grown = new Tree[trees];
        AtomicInteger done = new AtomicInteger();
        Object reporting = new Object(); // parts end on several threads; the context hears one report at a time
        List<Future<Boolean>> futures = new ArrayList<>();
        try {
            int first = 0;
            for (int p = 0; p < parts; p++) {
                int from = first;
                int to = from + trees / parts + (p < trees % parts ? 1 : 0);
                first = to;
                futures.add(pool.submit(() -> {
                    Grower grower = new Grower();
                    for (int t = from; t < to; t++) {
                        if (context.isCancelled()) {
                            return false;
                        }
                        grown[t] = grower.tree(settings.seed() + TREE_SEED_STEP * t);
                    }
                    int now = done.addAndGet(to - from);
                    synchronized (reporting) {
                        context.progress(now, trees, Map.of("trees", (double) now));
                    }
                    return true;
                }));
            }
            for (Future<Boolean> f : futures) {
                if (!f.get() || context.isCancelled()) {
                    throw new EngineException("training cancelled");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EngineException("training cancelled");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error error) {
                throw error; // an OutOfMemoryError reaches the job as such: it names the heap setting
            }
            throw new EngineException("random forest training failed: " + cause, cause);
        } finally {
            pool.shutdownNow();
        }
        return join(grown);
    }

    /** The trees one after another in FlatForest's arrays (node and value references shifted by what precedes). */
    private FlatForest join(Tree[] trees) {
        int nodeCount = 0;
        int valueCount = 0;
        for (Tree t : trees) {
            nodeCount += t.splits.size;
            valueCount += t.values.size;
        }
        int[] roots = new int[trees.length];
        int[] nodes = new int[3 * nodeCount];
        double[] splits = new double[nodeCount];
        double[] values = new double[valueCount];
        int nodeAt = 0;
        int valueAt = 0;
        for (int t = 0; t < trees.length; t++) {
            Tree tree = trees[t];
            roots[t] = nodeAt;
            for (int i = 0; i < tree.splits.size; i++) {
                int feature = tree.nodes.data[3 * i];
                nodes[3 * (nodeAt + i)] = feature;
                if (feature >= 0) {
                    nodes[3 * (nodeAt + i) + 1] = tree.nodes.data[3 * i + 1] + nodeAt;
                    nodes[3 * (nodeAt + i) + 2] = tree.nodes.data[3 * i + 2] + nodeAt;
                } else {
                    nodes[3 * (nodeAt + i) + 1] = tree.nodes.data[3 * i + 1] + valueAt;
                }
            }
            System.arraycopy(tree.splits.data, 0, splits, nodeAt, tree.splits.size);
            System.arraycopy(tree.values.data, 0, values, valueAt, tree.values.size);
            nodeAt += tree.splits.size;
            valueAt += tree.values.size;
        }
        return FlatForest.of(names, classes > 0, labels, roots, nodes, splits, values);
    }

    /** One tree in FlatForest's layout, its references local to it. */
    private record Tree(Ints nodes, Doubles splits, Doubles values) {
    }

    /** Grows trees one after another on one thread, reusing its buffers. */
    private final class Grower {
        /** Each row's bootstrap count in the tree being grown. */
        private final double[] weight = new double[rows];
        /** The in-bag rows, each node a range of them. */
        private final int[] members = new int[rows];
        private final int[] spare = new int[rows];
        private final long[] keys = new long[rows];
        private final int[] order = new int[featureCount];
        /** Per distinct value of a feature: weight, and class weights (classification) or weighted target sum. */
        private final double[] bucketWeight;
        private final double[] bucketStats;
        private final int width = Math.max(1, classes);
        /** Left and whole-node statistics during a scan (class weights, or weighted target sum). */
        private final double[] left = new double[width];
        private final double[] node = new double[width];
        private SplittableRandom random;
        private Ints nodes;
        private Doubles splits;
        private Doubles values;
        // the best split found at the current node
        private double bestScore;
        private int bestFeature;
        private int bestRank;
        private double bestThreshold;

        Grower() {
            int most = 0;
            for (double[] d : distinct) {
                most = Math.max(most, d.length);
            }
            bucketWeight = new double[most];
            bucketStats = new double[most * width];
        }

        Tree tree(long seed) {
            random = new SplittableRandom(seed);
            Arrays.fill(weight, settings.bootstrap() ? 0 : 1);
            for (int i = 0; settings.bootstrap() && i < rows; i++) {
                weight[random.nextInt(rows)]++;
            }
            int in = 0;
            for (int i = 0; i < rows; i++) {
                if (weight[i] > 0) {
                    members[in++] = i;
                }
            }
            for (int f = 0; f < featureCount; f++) {
                order[f] = f;
            }
            nodes = new Ints();
            splits = new Doubles();
            values = new Doubles();
            grow(0, in, 0);
            return new Tree(nodes, splits, values);
        }

        /** Appends the subtree over members[from, to) depth first; returns its node. */
        private int grow(int from, int to, int depth) {
            int at = splits.size;
            nodes.add(-1, 0, 0);
            splits.add(0);
            Arrays.fill(node, 0);
            double total = 0;
            double squares = 0;
            for (int j = from; j < to; j++) {
                int i = members[j];
                double w = weight[i];
                total += w;
                add(node, 0, i, w);
                if (classes == 0) {
                    squares += w * target[i] * target[i];
                }
            }
            double parent = score(node, total);
            boolean pure = classes > 0 ? max(node) >= total : squares - parent <= 1e-12 * Math.max(1, squares);
            if (depth < settings.maxDepth() && !pure && total >= 2 * settings.minChildWeight() && split(from, to, total, parent)) {
                int feature = bestFeature;
                int threshold = bestRank;
                double value = bestThreshold;
                int middle = partition(from, to, feature, threshold);
                int le = grow(from, middle, depth + 1);
                int gt = grow(middle, to, depth + 1);
                nodes.set(3 * at, feature, le, gt);
                splits.data[at] = value;
                return at;
            }
            nodes.set(3 * at, -1, values.size, 0);
            for (int k = 0; k < width; k++) {
                values.add(classes > 0 ? node[k] / total : node[0] / total);
            }
            return at;
        }

        /** Adds row i at weight w to the statistics from {@code stats[at]}: its class's weight, or its weighted target. */
        private void add(double[] stats, int at, int i, double w) {
            if (classes > 0) {
                stats[at + label[i]] += w;
            } else {
                stats[at] += w * target[i];
            }
        }

        /** Σ class weight² / weight (Gini), or (Σ w·y)² / weight (squared error): the larger, the purer. */
        private double score(double[] stats, double w) {
            if (classes == 0) {
                return stats[0] * stats[0] / w;
            }
            double s = 0;
            for (int k = 0; k < classes; k++) {
                s += stats[k] * stats[k];
            }
            return s / w;
        }

        private double max(double[] stats) {
            double m = 0;
            for (double v : stats) {
                m = Math.max(m, v);
            }
            return m;
        }

        /** Finds the best split of the node into {@link #bestFeature} and friends; false when none improves it. */
        private boolean split(int from, int to, double total, double parent) {
            bestScore = parent + 1e-9 * Math.abs(parent) + 1e-12;
            bestFeature = -1;
            int evaluated = 0;
            for (int drawn = 0; drawn < featureCount && evaluated < perSplit; drawn++) {
                int j = drawn + random.nextInt(featureCount - drawn);
                int f = order[j];
                order[j] = order[drawn];
                order[drawn] = f;
                boolean varies = distinct[f].length <= to - from ? byBuckets(f, from, to, total) : bySorting(f, from, to, total);
                if (varies) {
                    evaluated++;
                }
            }
            return bestFeature >= 0;
        }

        /** Scans feature f's values counted per distinct value; false when it does not vary in the node. */
        private boolean byBuckets(int f, int from, int to, double total) {
            int values = distinct[f].length;
            int[] ranks = rank[f];
            Arrays.fill(bucketWeight, 0, values, 0);
            Arrays.fill(bucketStats, 0, values * width, 0);
            int low = Integer.MAX_VALUE;
            int high = -1;
            for (int j = from; j < to; j++) {
                int i = members[j];
                int r = ranks[i];
                double w = weight[i];
                bucketWeight[r] += w;
                add(bucketStats, r * width, i, w);
                low = Math.min(low, r);
                high = Math.max(high, r);
            }
            if (low == high) {
                return false;
            }
            Arrays.fill(left, 0);
            double leftWeight = 0;
            int previous = -1;
            for (int r = low; r <= high; r++) {
                if (bucketWeight[r] == 0) {
                    continue;
                }
                if (previous >= 0) {
                    consider(f, previous, r, leftWeight, total);
                }
                leftWeight += bucketWeight[r];
                for (int k = 0; k < width; k++) {
                    left[k] += bucketStats[r * width + k];
                }
                previous = r;
            }
            return true;
        }

        /** Scans feature f's values by sorting the node's rows by rank; false when it does not vary in the node. */
        private boolean bySorting(int f, int from, int to, double total) {
            int[] ranks = rank[f];
            int m = to - from;
            for (int j = 0; j < m; j++) {
                int i = members[from + j];
                keys[j] = ((long) ranks[i] << 32) | i;
            }
            Arrays.sort(keys, 0, m);
            if ((int) (keys[0] >>> 32) == (int) (keys[m - 1] >>> 32)) {
                return false;
            }
            Arrays.fill(left, 0);
            double leftWeight = 0;
            int j = 0;
            while (j < m) {
                int r = (int) (keys[j] >>> 32);
                if (j > 0) {
                    consider(f, (int) (keys[j - 1] >>> 32), r, leftWeight, total);
                }
                while (j < m && (int) (keys[j] >>> 32) == r) {
                    int i = (int) keys[j];
                    double w = weight[i];
                    leftWeight += w;
                    add(left, 0, i, w);
                    j++;
                }
            }
            return true;
        }

        /**
         * The split of f with values up to rank {@code below} on the left and from rank {@code above} on the right,
         * {@link #left} holding the left's statistics.
         */
        private void consider(int f, int below, int above, double leftWeight, double total) {
            double rightWeight = total - leftWeight;
            if (leftWeight < settings.minChildWeight() || rightWeight < settings.minChildWeight()) {
                return;
            }
            double s;
            if (classes == 0) {
                double rightSum = node[0] - left[0];
                s = left[0] * left[0] / leftWeight + rightSum * rightSum / rightWeight;
            } else {
                double l = 0;
                double r = 0;
                for (int k = 0; k < classes; k++) {
                    l += left[k] * left[k];
                    double right = node[k] - left[k];
                    r += right * right;
                }
                s = l / leftWeight + r / rightWeight;
            }
            // an equal decrease goes to the lower feature (then the lower threshold): the same tree whatever order the
            // features were drawn in
            if (s > bestScore || (s == bestScore && bestFeature >= 0 && f < bestFeature)) {
                bestScore = s;
                bestFeature = f;
                bestRank = below;
                double lo = distinct[f][below];
                double hi = distinct[f][above];
                double mid = lo + (hi - lo) / 2;
                bestThreshold = mid < hi ? mid : lo; // "greater than the threshold" must send hi right and lo left
            }
        }

        /** Puts the node's rows with feature f at most rank {@code threshold} first; returns where the rest begin. */
        private int partition(int from, int to, int f, int threshold) {
            int[] ranks = rank[f];
            int l = from;
            int r = 0;
            for (int j = from; j < to; j++) {
                int i = members[j];
                if (ranks[i] <= threshold) {
                    members[l++] = i;
                } else {
                    spare[r++] = i;
                }
            }
            System.arraycopy(spare, 0, members, l, r);
            return l;
        }
    }

    /** A growable int array. */
    private static final class Ints {
        int[] data = new int[96];
        int size;

        void add(int a, int b, int c) {
            if (size + 3 > data.length) {
                data = Arrays.copyOf(data, data.length * 2);
            }
            data[size++] = a;
            data[size++] = b;
            data[size++] = c;
        }

        void set(int at, int a, int b, int c) {
            data[at] = a;
            data[at + 1] = b;
            data[at + 2] = c;
        }
    }

    /** A growable double array. */
    private static final class Doubles {
        double[] data = new double[32];
        int size;

        void add(double v) {
            if (size == data.length) {
                data = Arrays.copyOf(data, data.length * 2);
            }
            data[size++] = v;
        }
    }
}
