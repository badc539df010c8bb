package org.cogwork.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.cogwork.api.data.Dataset;
import org.cogwork.api.data.Row;
import org.cogwork.api.data.Schema;
import org.cogwork.api.engine.Engine;
import org.cogwork.api.engine.Model;
import org.cogwork.api.engine.Task;
import org.cogwork.api.engine.TrainingContext;
import org.cogwork.api.engine.TrainingRequest;
import org.cogwork.api.query.Query;
import org.cogwork.connector.file.FileSource;
import org.cogwork.connector.file.FileSourceConfig;
import org.cogwork.engine.tribuo.BenchAccess;
import org.cogwork.engine.tribuo.TribuoEngine;
import org.cogwork.engine.xgboost.XgboostBenchAccess;
import org.cogwork.engine.xgboost.XgboostEngine;
import org.osgi.util.converter.Converters;
import org.tribuo.Example;

/**
 * In-process predict time of every tabular model (issue 20's aim: at most 50 µs a row), through the engine API
 * ({@code Model.predict}: rows in, predictions out, as serving calls it), side by side with the library's own
 * predict of the same model in the same run (Tribuo's {@code Model.predict(Example)} on examples made beforehand;
 * for XGBoost, XGBoost4J's {@code inplace_predict} on the same rows, which the adapter used before it walked the trees
 * in Java). Median of
 * repeated calls after a warm-up, for one row per call and per row in calls of 100. Run with
 * {@code bench/predict-bench.sh}.
 */
public final class PredictBench {
    private PredictBench() {
    }

    record Case(String file, String target, Task task, Engine engine, String algorithm, Map<String, Object> params) {
    }

    public static void main(String[] args) throws Exception {
        FileSource files = new FileSource(Converters.standardConverter().convert(
                Map.of("cogwork.source.id", "files", "path", TrainingBench.DATA.toString())).to(FileSourceConfig.class));
        TribuoEngine tribuo = new TribuoEngine("bench");
        XgboostEngine xgboost = new XgboostEngine("bench");
        List<Case> cases = List.of(
                new Case("credit_data.csv", "Status", Task.CLASSIFICATION, tribuo, "logistic", Map.of()),
                new Case("credit_data.csv", "Status", Task.CLASSIFICATION, tribuo, "liblinear-logistic", Map.of()),
                new Case("credit_data.csv", "Status", Task.CLASSIFICATION, tribuo, "cart", Map.of()),
                new Case("credit_data.csv", "Status", Task.CLASSIFICATION, tribuo, "random-forest", Map.of("numTrees", 200)),
                new Case("credit_data.csv", "Status", Task.CLASSIFICATION, xgboost, "gbtree", Map.of()),
                new Case("credit_data.csv", "Status", Task.CLASSIFICATION, xgboost, "random-forest", Map.of()),
                new Case("concrete.csv", "compressive_strength", Task.REGRESSION, tribuo, "linear", Map.of()),
                new Case("concrete.csv", "compressive_strength", Task.REGRESSION, tribuo, "random-forest", Map.of("numTrees", 200)),
                new Case("concrete.csv", "compressive_strength", Task.REGRESSION, xgboost, "gbtree", Map.of()),
                new Case("concrete.csv", "compressive_strength", Task.REGRESSION, xgboost, "random-forest", Map.of()));
        System.out.println("In-process predict, median µs (1 row per call | per row in calls of 100); reference: the library's own "
                + "predict of the same model on prepared examples");
        System.out.printf("%-14s %-9s %-19s %12s %12s %14s %14s %9s%n", "data", "engine", "algorithm", "Cogwork 1", "Cogwork /row",
                "library 1", "library /row", "1 row x");
        for (Case c : cases) {
            Dataset data = files.read(c.file(), Query.all());
            List<Row> rows = data.toList();
            Schema schema = data.schema();
            int target = schema.indexOf(c.target());
            List<Row> features = new ArrayList<>();
            for (Row r : rows) {
                Object[] v = r.values().clone();
                v[target] = null;
                features.add(new Row(schema, v));
            }
            try (Model m = c.engine().train(new TrainingRequest(c.task(), c.algorithm(), c.params(), data, c.target(), 42),
                    TrainingContext.none())) {
                List<Row> one = features.subList(0, 1);
                List<Row> hundred = features.subList(100, 200);
                double cw1 = median(() -> m.predict(one), 1);
                double cw100 = median(() -> m.predict(hundred), 100);
                String lib1 = "-";
                String lib100 = "-";
                String ratio = "-";
                org.tribuo.Model<?> plain = c.engine() == tribuo ? BenchAccess.tribuoModel(m) : null;
                if (plain != null) { // a forest has no Tribuo model: this engine grows its own (ForestLearner)
                    @SuppressWarnings("rawtypes") List<Example> e1 = BenchAccess.examples(m, one);
                    @SuppressWarnings("rawtypes") List<Example> e100 = BenchAccess.examples(m, hundred);
                    double l1 = median(() -> predictAll(plain, e1), 1);
                    double l100 = median(() -> predictAll(plain, e100), 100);
                    lib1 = String.format("%.1f", l1);
                    lib100 = String.format("%.2f", l100);
                    ratio = String.format("%.2f", cw1 / l1);
                } else if (c.engine() == xgboost) {
                    double l1 = median(() -> XgboostBenchAccess.predictWithXGBoost(m, one), 1);
                    double l100 = median(() -> XgboostBenchAccess.predictWithXGBoost(m, hundred), 100);
                    lib1 = String.format("%.1f", l1);
                    lib100 = String.format("%.2f", l100);
                    ratio = String.format("%.2f", cw1 / l1);
                }
                System.out.printf("%-14s %-9s %-19s %12.1f %12.2f %14s %14s %9s%n", c.file().replace(".csv", ""), c.engine().info().name(),
                        c.algorithm() + (c.params().isEmpty() ? "" : " " + c.params().values()), cw1, cw100, lib1, lib100, ratio);
            }
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void predictAll(org.tribuo.Model model, List<Example> examples) {
        for (Example e : examples) {
            model.predict(e);
        }
    }

    /** Median microseconds per row of {@code call}, timed after a warm-up of about a second. */
    private static double median(Runnable call, int rowsPerCall) {
        long warm = System.nanoTime() + 1_000_000_000L;
        int calls = 0;
        while (System.nanoTime() < warm) {
            call.run();
            calls++;
        }
        int n = Math.max(200, Math.min(20_000, calls * 2));
        long[] t = new long[n];
        for (int i = 0; i < n; i++) {
            long s = System.nanoTime();
            call.run();
            t[i] = System.nanoTime() - s;
        }
        Arrays.sort(t);
        return t[n / 2] / 1e3 / rowsPerCall;
    }
}
