package org.cogwork.engine.tribuo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.cogwork.api.data.DataType;
import org.cogwork.api.data.Dataset;
import org.cogwork.api.data.Field;
import org.cogwork.api.data.Row;
import org.cogwork.api.data.Schema;
import org.cogwork.api.engine.TrainingContext;
import org.junit.jupiter.api.Test;
import org.tribuo.Example;
import org.tribuo.Feature;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.Output;
import org.tribuo.OutputFactory;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuo.regression.RegressionFactory;
import org.tribuo.regression.Regressor;

/**
 * The forest learner's trees against a plain CART written here the slow, obvious way (every feature, every threshold
 * between two neighbouring values, the largest Gini or squared-error decrease), on real data.
 */
class ForestLearnerTest {

    /**
     * Without bootstrap and with every feature per split, each tree is the one CART tree of the data: every training
     * row of credit_data (classification) and concrete (regression) gets the label fractions or the mean of the same
     * leaf as in the reference tree, to depth 8 (deep enough that nodes sort their rows instead of counting them per
     * value).
     */
    @Test
    void growsTheTreeThatExhaustiveCartGrows() throws Exception {
        for (double minChild : new double[] {1, 5}) {
            for (String set : List.of("credit_data.csv", "concrete.csv")) {
                growsTheTreeThatExhaustiveCartGrows(set, minChild);
            }
        }
    }

    /** The same with children of at least {@code minChild} rows (the engine's {@code cart} asks for 5). */
    private void growsTheTreeThatExhaustiveCartGrows(String set, double minChild) throws Exception {
        {
            boolean classification = set.startsWith("credit");
            Dataset rows = TribuoEngineTest.read(set);
            String target = classification ? "Status" : "compressive_strength";
            TrainingData<?> data = classification ? data(rows, target, new LabelFactory(), v -> new Label(String.valueOf(v)))
                    : data(rows, target, new RegressionFactory(), v -> new Regressor(target, ((Number) v).doubleValue()));
            List<String> labels = classification ? List.of("bad", "good") : List.of();
            int depth = 8;
            FlatForest forest = ForestLearner.train(data, labels, new ForestLearner.Settings(2, depth, 1.0, minChild, false, 1),
                    TrainingContext.none());

            ImmutableFeatureMap features = data.getFeatureIDMap();
            double[][] x = new double[data.size()][features.size()];
            double[] y = new double[data.size()];
            List<Example<?>> examples = new ArrayList<>();
            int r = 0;
            for (Example<?> e : data) {
                for (Feature f : e) {
                    x[r][features.getID(f.getName())] = f.getValue();
                }
                y[r] = classification ? labels.indexOf(((Label) e.getOutput()).getLabel()) : ((Regressor) e.getOutput()).getValues()[0];
                examples.add(e);
                r++;
            }
            double[][] expected = new double[x.length][];
            int[] all = new int[x.length];
            Arrays.setAll(all, i -> i);
            new Reference(x, y, labels.size(), depth, minChild, expected).grow(all, 0);
            if (classification) {
                @SuppressWarnings("unchecked")
                double[][] scores = forest.scores((List<? extends Example<?>>) (List<?>) examples);
                for (int i = 0; i < x.length; i++) {
                    assertEquals(expected[i][0], scores[i][0], 1e-9, set + " row " + i);
                    assertEquals(expected[i][1], scores[i][1], 1e-9, set + " row " + i);
                }
            } else {
                double[] values = forest.values(examples);
                for (int i = 0; i < x.length; i++) {
                    assertEquals(expected[i][0], values[i], 1e-9, set + " row " + i);
                }
            }
            // and the tree is not a stump: the reference split this deep
            long leaves = Arrays.stream(expected).map(Arrays::toString).distinct().count();
            assertTrue(leaves > 30, set + ": " + leaves + " distinct leaf outputs");
        }
    }

    /**
     * The threshold lies halfway between the two values on either side (0 and 10 here: 5), and a row exactly there goes
     * left; the leaves hold the label fractions (pure here) and, for regression, the mean.
     */
    @Test
    void splitsHalfwayAndLeavesHoldFractionsAndMeans() throws Exception {
        Schema schema = Schema.of(Field.of("x", DataType.DOUBLE), Field.of("noise", DataType.DOUBLE), Field.of("y", DataType.CATEGORICAL),
                Field.of("v", DataType.DOUBLE));
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            boolean high = i % 2 == 0;
            rows.add(new Row(schema, high ? 10.0 : 0.0, 1.0, high ? "b" : "a", high ? 3.0 + (i % 4 == 0 ? 1 : -1) : 1.0));
        }
        Dataset d = Dataset.of(schema, rows);
        Schema inputs = Schema.of(schema.fields().get(0), schema.fields().get(1));
        Features features = new Features(inputs);
        List<Row> probes = new ArrayList<>();
        for (double v : new double[] {4.99, 5.0, 5.01}) {
            probes.add(new Row(inputs, v, 1.0));
        }
        TrainingData<Label> labelled = new TrainingData<>(new SimpleDataSourceProvenance("test", new LabelFactory()), new LabelFactory());
        TrainingData<Regressor> valued = new TrainingData<>(new SimpleDataSourceProvenance("test", new RegressionFactory()),
                new RegressionFactory());
        for (Row row : d.toList()) {
            Row in = new Row(inputs, row.get("x"), row.get("noise"));
            labelled.add(features.encode(in, new Label((String) row.get("y"))));
            valued.add(features.encode(in, new Regressor("v", (Double) row.get("v"))));
        }
        ForestLearner.Settings settings = new ForestLearner.Settings(3, 10, 1.0, 1.0, false, 7);
        FlatForest c = ForestLearner.train(labelled.seal(), List.of("a", "b"), settings, TrainingContext.none());
        FlatForest r = ForestLearner.train(valued.seal(), List.of(), settings, TrainingContext.none());
        List<Example<Label>> asLabelled = probes.stream().<Example<Label>>map(p -> features.encode(p, LabelFactory.UNKNOWN_LABEL)).toList();
        double[][] scores = c.scores(asLabelled);
        assertEquals(List.of(1.0, 0.0), List.of(scores[0][0], scores[0][1]));
        assertEquals(List.of(1.0, 0.0), List.of(scores[1][0], scores[1][1]), "5.0 is not greater than the threshold");
        assertEquals(List.of(0.0, 1.0), List.of(scores[2][0], scores[2][1]));
        double[] values = r.values(probes.stream().map(p -> features.encode(p, RegressionFactory.UNKNOWN_REGRESSOR)).toList());
        assertEquals(1.0, values[0], 1e-12);
        assertEquals(3.0, values[2], 1e-12, "the mean of the high rows' 2s and 4s");
    }

    /** The same seed gives the same bytes whichever thread grew which tree; another seed another forest. */
    @Test
    void sameSeedSameForestAnotherSeedAnother() throws Exception {
        Dataset rows = TribuoEngineTest.read("credit_data.csv");
        TrainingData<Label> data = data(rows, "Status", new LabelFactory(), v -> new Label(String.valueOf(v)));
        List<String> labels = List.of("bad", "good");
        byte[] a = bytes(ForestLearner.train(data, labels, new ForestLearner.Settings(30, 12, 0.2, 1.0, true, 5), TrainingContext.none()));
        byte[] b = bytes(ForestLearner.train(data, labels, new ForestLearner.Settings(30, 12, 0.2, 1.0, true, 5), TrainingContext.none()));
        byte[] c = bytes(ForestLearner.train(data, labels, new ForestLearner.Settings(30, 12, 0.2, 1.0, true, 6), TrainingContext.none()));
        assertTrue(Arrays.equals(a, b));
        assertFalse(Arrays.equals(a, c));
    }

    /** Data the learner cannot hold in a quarter of the heap is refused with what to do instead. */
    @Test
    void refusesDataItCannotHold() throws Exception {
        long gb = 1L << 30;
        ForestLearner.checkMemory(30, 4_000, gb); // credit_data: 1.4 MB
        org.cogwork.api.engine.EngineException e = org.junit.jupiter.api.Assertions.assertThrows(
                org.cogwork.api.engine.EngineException.class, () -> ForestLearner.checkMemory(20_000, 8_000, gb));
        assertEquals("random-forest holds every feature of every row: 20,000 features x 8,000 rows need 1,831 MB, more than"
                + " a quarter of the 1,024 MB Java heap; use fewer features (e.g. tfidf's maxFeatures), a larger heap"
                + " (COGWORK_HEAP), or the xgboost engine's random-forest, which reads sparse rows", e.getMessage());
    }

    private static byte[] bytes(FlatForest f) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        f.write(new DataOutputStream(out));
        return out.toByteArray();
    }

    /** The rows as the engine hands them to its learners: encoded by Features, the target as {@code output} makes it. */
    static <T extends Output<T>> TrainingData<T> data(Dataset rows, String target, OutputFactory<T> factory,
                                                              java.util.function.Function<Object, T> output) {
        Schema inputs = new Schema(rows.schema().fields().stream().filter(f -> !f.name().equals(target)).toList());
        Features features = new Features(inputs);
        TrainingData<T> data = new TrainingData<>(new SimpleDataSourceProvenance("test", factory), factory);
        for (Row row : rows.toList()) {
            Object[] values = inputs.fields().stream().map(f -> row.get(f.name())).toArray();
            Example<T> e = features.encode(new Row(inputs, values), output.apply(row.get(target)));
            if (e.size() > 0) {
                data.add(e);
            }
        }
        return data.seal();
    }

    /** CART by exhaustive search: each node tries every feature and every threshold, and keeps the best (first) one. */
    private record Reference(double[][] x, double[] y, int classes, int maxDepth, double minChild, double[][] out) {
        void grow(int[] rows, int depth) {
            double[] stats = stats(rows, rows.length);
            double parent = score(stats, rows.length);
            boolean pure = classes > 0 ? Arrays.stream(stats).max().orElseThrow() == rows.length
                    : Math.abs(sumSquares(rows) - parent) <= 1e-12 * Math.max(1, sumSquares(rows));
            double best = parent + 1e-9 * Math.abs(parent) + 1e-12;
            int bestFeature = -1;
            double bestThreshold = 0;
            for (int f = 0; depth < maxDepth && !pure && rows.length >= 2 * minChild && f < x[0].length; f++) {
                int feature = f;
                Integer[] sorted = Arrays.stream(rows).boxed().sorted(Comparator.comparingDouble(i -> x[i][feature])).toArray(Integer[]::new);
                for (int k = 1; k < sorted.length; k++) {
                    double lo = x[sorted[k - 1]][f];
                    double hi = x[sorted[k]][f];
                    if (lo == hi || k < minChild || sorted.length - k < minChild) {
                        continue;
                    }
                    int[] left = Arrays.stream(sorted, 0, k).mapToInt(Integer::intValue).toArray();
                    int[] right = Arrays.stream(sorted, k, sorted.length).mapToInt(Integer::intValue).toArray();
                    double s = score(stats(left, left.length), left.length) + score(stats(right, right.length), right.length);
                    if (s > best) {
                        best = s;
                        bestFeature = f;
                        bestThreshold = (lo + hi) / 2;
                    }
                }
            }
            if (bestFeature < 0) {
                double[] leaf = classes > 0 ? Arrays.stream(stats).map(v -> v / rows.length).toArray()
                        : new double[] {stats[0] / rows.length};
                for (int i : rows) {
                    out[i] = leaf;
                }
                return;
            }
            int f = bestFeature;
            double t = bestThreshold;
            grow(Arrays.stream(rows).filter(i -> x[i][f] <= t).toArray(), depth + 1);
            grow(Arrays.stream(rows).filter(i -> x[i][f] > t).toArray(), depth + 1);
        }

        double[] stats(int[] rows, int n) {
            double[] s = new double[Math.max(1, classes)];
            for (int i = 0; i < n; i++) {
                if (classes > 0) {
                    s[(int) y[rows[i]]]++;
                } else {
                    s[0] += y[rows[i]];
                }
            }
            return s;
        }

        double score(double[] stats, double w) {
            return classes > 0 ? Arrays.stream(stats).map(v -> v * v).sum() / w : stats[0] * stats[0] / w;
        }

        double sumSquares(int[] rows) {
            return Arrays.stream(rows).mapToDouble(i -> y[i] * y[i]).sum();
        }
    }
}
