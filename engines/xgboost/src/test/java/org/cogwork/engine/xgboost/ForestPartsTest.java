package org.cogwork.engine.xgboost;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import org.cogwork.api.engine.EngineException;
import org.cogwork.api.engine.TrainingContext;
import org.cogwork.xgboost.host.XGBoostHost;
import org.junit.jupiter.api.Test;

/**
 * A forest grown in parts and joined is one forest of all their trees: XGBoost's own predictions of the joined booster
 * are what each part, grown alone as a forest of its own trees, predicts, weighted by its share of the trees.
 */
class ForestPartsTest {
    /** concrete.csv: its eight numeric columns and the strength, as XGBoost's matrix. */
    static Boosting.Matrix concrete() throws Exception {
        List<String> lines = Files.readAllLines(XgboostEngineTest.DATA.resolve("concrete.csv"));
        int n = lines.size() - 1;
        int width = lines.get(0).split(",").length - 1;
        float[] x = new float[n * width];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            String[] v = lines.get(i + 1).split(",");
            for (int j = 0; j < width; j++) {
                x[i * width + j] = Float.parseFloat(v[j]);
            }
            y[i] = Float.parseFloat(v[width]);
        }
        return new Boosting.Matrix(x, y, n, width);
    }

    static Map<String, Object> params() {
        Map<String, Object> p = new HashMap<>();
        p.put("booster", "gbtree");
        p.put("tree_method", "hist");
        p.put("objective", "reg:squarederror");
        p.put("max_depth", 8);
        p.put("subsample", 0.632);
        p.put("colsample_bynode", 0.5);
        p.put("lambda", 0.0);
        p.put("max_bin", 64);
        p.put("nthread", 1);
        p.put("verbosity", 0);
        return p;
    }

    @Test
    void partsShareTheTreesAndSeedsAreFixed() {
        assertArrayEquals(new int[] {20, 20, 20, 20, 20, 20, 20, 20, 20, 20}, ForestParts.sizes(200));
        assertArrayEquals(new int[] {3, 3, 3, 3, 3, 2, 2, 2, 2, 2}, ForestParts.sizes(25));
        assertArrayEquals(new int[] {1, 1, 1}, ForestParts.sizes(3));
    }

    @Test
    void theJoinedForestIsEveryPartsForestWeightedByItsShareOfTheTrees() throws Exception {
        XGBoostHost.load();
        Boosting.Matrix m = concrete();
        int trees = 25;
        long seed = 7;
        List<byte[]> parts = ForestParts.train(params(), m, trees, seed, 2, TrainingContext.none());
        assertEquals(10, parts.size());
        Booster joined = XGBoost.loadModel(ForestParts.join(parts));
        DMatrix d = Boosting.matrix(m);
        try {
            Trees.Learner learner = Trees.learner(joined);
            assertEquals(trees, learner.trees().size());
            assertArrayEquals(new int[] {0, trees}, learner.iterationIndptr());
            float base = Float.parseFloat(learner.baseScore().replace("[", "").replace("]", ""));
            float[][] got = joined.predict(d);
            // each part alone, at a learning rate of 1: a forest of its own trees (the same trees: same seed)
            int[] sizes = ForestParts.sizes(trees);
            double[] expected = new double[m.n()];
            java.util.Arrays.fill(expected, base);
            for (int k = 0; k < sizes.length; k++) {
                Map<String, Object> p = params();
                p.put("num_parallel_tree", sizes[k]);
                p.put("eta", 1.0);
                p.put("seed", seed + k * ForestParts.SEED_STEP);
                Booster alone = XGBoost.train(d, p, 1, Map.of(), null, null);
                float[][] own = alone.predict(d);
                for (int i = 0; i < m.n(); i++) {
                    expected[i] += sizes[k] / (double) trees * (own[i][0] - base);
                }
                alone.dispose();
            }
            double worst = 0;
            for (int i = 0; i < m.n(); i++) {
                worst = Math.max(worst, Math.abs(expected[i] - got[i][0]));
            }
            assertTrue(worst < 1e-3, "the joined forest predicts the parts' weighted forests: largest difference " + worst);
            // and a forest, not a sum: its error is a forest's, not 25 trees' worth of leaves added up
            double sse = 0;
            for (int i = 0; i < m.n(); i++) {
                sse += (got[i][0] - m.y()[i]) * (got[i][0] - m.y()[i]);
            }
            assertTrue(Math.sqrt(sse / m.n()) < 8, "training RMSE " + Math.sqrt(sse / m.n()));
        } finally {
            d.dispose();
            joined.dispose();
        }
    }

    @Test
    void theSameSeedGrowsTheSameForestWhateverTheThreadsAndACancelStopsBetweenParts() throws Exception {
        XGBoostHost.load();
        Boosting.Matrix m = concrete();
        byte[] one = ForestParts.join(ForestParts.train(params(), m, 20, 3, 1, TrainingContext.none()));
        byte[] two = ForestParts.join(ForestParts.train(params(), m, 20, 3, 2, TrainingContext.none()));
        assertArrayEquals(one, two, "parts and their seeds are fixed; threads only decide how many grow at once");

        AtomicInteger reports = new AtomicInteger();
        List<Long> steps = new ArrayList<>();
        TrainingContext cancelling = new TrainingContext() {
            @Override
            public boolean isCancelled() {
                return reports.get() >= 3;
            }

            @Override
            public void progress(long step, long totalSteps, Map<String, Double> metrics) {
                steps.add(step);
                reports.incrementAndGet();
            }
        };
        EngineException e = assertThrows(EngineException.class,
                () -> ForestParts.train(params(), m, 200, 3, 1, cancelling));
        assertTrue(e.getMessage().contains("cancelled"), e.getMessage());
        assertTrue(steps.size() >= 3 && steps.size() < 10, "stopped between parts: " + steps);
        assertEquals(List.of(20L, 40L, 60L), steps.subList(0, 3), "progress in trees, part by part");
    }
}
