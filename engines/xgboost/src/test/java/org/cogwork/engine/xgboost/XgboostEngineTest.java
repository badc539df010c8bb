package org.cogwork.engine.xgboost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.cogwork.api.data.Dataset;
import org.cogwork.api.data.Row;
import org.cogwork.api.data.Schema;
import org.cogwork.api.engine.Model;
import org.cogwork.api.engine.Prediction;
import org.cogwork.api.engine.Task;
import org.cogwork.api.engine.TrainingContext;
import org.cogwork.api.engine.TrainingRequest;
import org.cogwork.api.feature.FittedPipeline;
import org.cogwork.api.feature.PipelineStep;
import org.cogwork.api.problem.InvalidFieldException;
import org.cogwork.api.query.Query;
import org.cogwork.connector.file.FileSource;
import org.cogwork.connector.file.FileSourceConfig;
import org.cogwork.features.internal.BuiltIn;
import org.junit.jupiter.api.Test;
import org.osgi.util.converter.Converters;

/**
 * The XGBoost engine on real data from ../shared/data (see its README.md), read through the file connector, split
 * 80/20 with seed 42 as TribuoEngineTest splits it.
 *
 * <p>Reference on the very same rows (scikit-learn 1.2.1 from Debian, defaults, one-hot categories, measured once by
 * hand with this split's test rows written out; bench/sklearn_engine_test_split.py now makes the same split in
 * Python, and its ordinal-coded HistGradientBoosting gets 0.8025): HistGradientBoostingClassifier
 * 0.8013 accuracy on credit, HistGradientBoostingRegressor RMSE 4.745 MPa on concrete. The floors below are those
 * figures: the engine's defaults must do at least as well.
 */
class XgboostEngineTest {
    static final Path DATA = Path.of(System.getProperty("cogwork.data", "../../../shared/data"));
    private final XgboostEngine engine = new XgboostEngine("1.0.0-test");

    @Test
    void creditDataWithDefaultsReachesHistGradientBoosting() throws Exception {
        Split s = split(read("credit_data.csv"), 42);
        Recording progress = new Recording();
        long t0 = System.nanoTime();
        try (Model model = engine.train(new TrainingRequest(Task.CLASSIFICATION, "gbtree", Map.of(), s.train, "Status", 7),
                progress)) {
            double seconds = (System.nanoTime() - t0) / 1e9;
            double accuracy = accuracy(model, s.test, "Status");
            System.out.printf("credit xgboost gbtree, defaults, raw columns: accuracy %.4f, training %.2f s%n", accuracy, seconds);
            assertTrue(accuracy >= 0.81, "accuracy " + accuracy + " (HistGradientBoosting: 0.8013 on these rows)");
            assertEquals(List.of("bad", "good"), model.descriptor().labels());
            assertEquals(200L, progress.steps.get(progress.steps.size() - 1), "progress up to the last round: " + progress.steps);
            assertTrue(progress.last.containsKey("train_logloss"), progress.last.toString());
            @SuppressWarnings("unchecked")
            Map<String, Double> importance = (Map<String, Double>) model.descriptor().provenance().get("featureImportance");
            assertEquals(1.0, importance.values().stream().mapToDouble(Double::doubleValue).sum(), 1e-6);
            assertTrue(importance.containsKey("Income") && importance.keySet().stream().anyMatch(k -> k.startsWith("Records=")),
                    importance.keySet().toString());
            System.out.println("credit feature importance (gain shares): " + importance);
            List<Double> shares = new ArrayList<>(importance.values());
            assertEquals(shares.stream().sorted(Collections.reverseOrder()).toList(), shares, "largest first");
        }
    }

    /**
     * XGBoost's forest mode against scikit-learn 1.2's RandomForest (200 trees) on the same seeded splits
     * ({@code bench/sklearn_engine_test_split.py}: credit accuracy 0.7823 and 0.7834 with seeds 42 and 7, concrete RMSE
     * 5.459 and 5.494 MPa): within a point of accuracy and 5 % of RMSE (issue 20's bar). Progress counts trees.
     */
    @Test
    void randomForestsReachScikitLearnsForests() throws Exception {
        Split credit = split(read("credit_data.csv"), 42);
        Split concrete = split(read("concrete.csv"), 42);
        Recording progress = new Recording();
        try (Model model = engine.train(new TrainingRequest(Task.CLASSIFICATION, "random-forest", Map.of(), credit.train,
                "Status", 7), progress)) {
            double accuracy = accuracy(model, credit.test, "Status");
            System.out.printf("credit xgboost random-forest, defaults: accuracy %.4f%n", accuracy);
            assertTrue(accuracy >= 0.7723, "accuracy " + accuracy + " (scikit-learn's forest: 0.7823 on these rows)");
            assertEquals("random-forest", model.descriptor().algorithm());
            assertEquals(java.util.stream.LongStream.rangeClosed(0, 10).map(k -> 20 * k).boxed().toList(), progress.steps,
                    "progress in trees, as each of the forest's ten parts ends");
        }
        try (Model model = engine.train(new TrainingRequest(Task.REGRESSION, "random-forest", Map.of(), concrete.train,
                "compressive_strength", 7), TrainingContext.none())) {
            double rmse = rmse(model, concrete.test, "compressive_strength");
            System.out.printf("concrete xgboost random-forest, defaults: RMSE %.3f%n", rmse);
            assertTrue(rmse <= 5.459 * 1.05, "RMSE " + rmse + " (scikit-learn's forest: 5.459 MPa on these rows)");
        }
    }

    /** Feature importance read from the model's JSON is XGBoost's own "gain" (which it computes from a text dump). */
    @Test
    void gainImportanceIsXGBoostsOwn() throws Exception {
        Split credit = split(read("credit_data.csv"), 42);
        for (String algorithm : List.of("gbtree", "random-forest")) {
            try (Model model = engine.train(new TrainingRequest(Task.CLASSIFICATION, algorithm, Map.of(), credit.train, "Status", 7),
                    TrainingContext.none())) {
                XgboostModel m = (XgboostModel) model;
                int width = ((Number) model.descriptor().provenance().get("inputWidth")).intValue();
                double[] ours = Trees.gain(Trees.learner(m.booster()), m.rounds(), width);
                String[] ids = new String[width];
                Arrays.setAll(ids, i -> "f" + i);
                Map<String, Double> xgboost = m.booster().getScore(ids, "gain");
                assertFalse(xgboost.isEmpty());
                for (int f = 0; f < width; f++) {
                    Double theirs = xgboost.get("f" + f);
                    if (theirs == null) {
                        assertTrue(Double.isNaN(ours[f]), algorithm + " slot " + f + " has no split in XGBoost's view");
                    } else {
                        assertEquals(theirs, ours[f], 1e-4 * theirs, algorithm + " slot " + f);
                    }
                }
            }
        }
    }

    /** The pipeline as a user writes it (impute + standardize numbers, one-hot categories) changes nothing essential. */
    @Test
    void creditDataThroughAnImputeStandardizeOneHotPipeline() throws Exception {
        Split s = split(read("credit_data.csv"), 42);
        List<String> numeric = List.of("Seniority", "Time", "Age", "Expenses", "Income", "Assets", "Debt", "Amount", "Price");
        List<String> categorical = List.of("Home", "Marital", "Records", "Job");
        FittedPipeline pipeline = BuiltIn.pipelineService().fit(s.train, "Status", List.of(
                new PipelineStep("impute", Map.of("columns", numeric, "strategy", "median")),
                new PipelineStep("standardize", Map.of("columns", numeric)),
                new PipelineStep("onehot", Map.of("columns", categorical))));
        Dataset train = pipeline.applyToTraining(s.train);
        List<Row> test = pipeline.apply(Dataset.of(s.train.schema(), s.test)).toList();
        try (Model model = engine.train(new TrainingRequest(Task.CLASSIFICATION, "gbtree", Map.of(), train, "Status", 7),
                TrainingContext.none())) {
            double accuracy = accuracy(model, test, "Status");
            System.out.printf("credit xgboost gbtree, defaults, impute + standardize + onehot: accuracy %.4f%n", accuracy);
            assertTrue(accuracy >= 0.80, "accuracy " + accuracy + " (HistGradientBoosting: 0.8013 on these rows)");
        }
    }

    @Test
    void concreteRegression() throws Exception {
        Split s = split(read("concrete.csv"), 42);
        long t0 = System.nanoTime();
        try (Model model = engine.train(new TrainingRequest(Task.REGRESSION, "gbtree", Map.of(), s.train,
                "compressive_strength", 3), TrainingContext.none())) {
            double seconds = (System.nanoTime() - t0) / 1e9;
            double rmse = rmse(model, s.test, "compressive_strength");
            System.out.printf("concrete xgboost gbtree, defaults: RMSE %.3f MPa, training %.2f s%n", rmse, seconds);
            assertTrue(rmse < 4.745, "RMSE " + rmse + " (HistGradientBoosting: 4.745 MPa on these rows)");
            try (Model loaded = engine.load(new ByteArrayInputStream(save(model)))) {
                assertEquals(model.predict(s.test), loaded.predict(s.test));
            }
        }
    }

    @Test
    void multiClassGivesAProbabilityPerClass() throws Exception {
        Split s = split(read("sklearn_wine.csv"), 42);
        String target = "cultivar";
        try (Model model = engine.train(new TrainingRequest(Task.CLASSIFICATION, "gbtree", Map.of("rounds", 100), s.train,
                target, 5), TrainingContext.none())) {
            assertEquals(3, model.descriptor().labels().size());
            List<Prediction> p = model.predict(s.test);
            for (Prediction one : p) {
                assertEquals(3, one.scores().size());
                assertEquals(1.0, one.scores().values().stream().mapToDouble(Double::doubleValue).sum(), 1e-5);
                assertEquals(Collections.max(one.scores().entrySet(), Map.Entry.comparingByValue()).getKey(), one.value());
            }
            double accuracy = accuracy(model, s.test, target);
            System.out.printf("wine xgboost gbtree: accuracy %.4f%n", accuracy);
            assertTrue(accuracy >= 0.9, "accuracy " + accuracy);
            try (Model loaded = engine.load(new ByteArrayInputStream(save(model)))) {
                assertEquals(p, loaded.predict(s.test));
            }
        }
    }

    @Test
    void earlyStoppingKeepsTheBestRoundAndIsSeeded() throws Exception {
        Split s = split(read("credit_data.csv"), 42);
        Map<String, Object> params = Map.of("rounds", 2000, "eta", 0.3, "earlyStoppingRounds", 20, "validationFraction", 0.2);
        Recording progress = new Recording();
        try (Model a = engine.train(new TrainingRequest(Task.CLASSIFICATION, "gbtree", params, s.train, "Status", 7), progress);
             Model b = engine.train(new TrainingRequest(Task.CLASSIFICATION, "gbtree", params, s.train, "Status", 7),
                     TrainingContext.none());
             Model other = engine.train(new TrainingRequest(Task.CLASSIFICATION, "gbtree", params, s.train, "Status", 8),
                     TrainingContext.none())) {
            Map<String, Object> p = a.descriptor().provenance();
            int run = ((Number) p.get("roundsRun")).intValue();
            int kept = ((Number) p.get("rounds")).intValue();
            System.out.printf("credit early stopping: %d rounds run, best %d, validation logloss %s, accuracy %.4f%n", run, kept,
                    p.get("bestValidationLogloss"), accuracy(a, s.test, "Status"));
            assertTrue(run < 2000 && kept == run - 20, "stopped 20 rounds after the best: " + p);
            assertEquals(Math.round(s.train.toList().size() * 0.2), ((Number) p.get("validationRows")).longValue());
            assertTrue(progress.last.containsKey("valid_logloss"), progress.last.toString());
            assertEquals(a.predict(s.test), b.predict(s.test), "same seed, same model");
            assertFalse(a.predict(s.test).equals(other.predict(s.test)), "another seed draws another validation part");
            try (Model loaded = engine.load(new ByteArrayInputStream(save(a)))) {
                assertEquals(a.predict(s.test), loaded.predict(s.test), "the saved model predicts with the best round too");
            }
        }
    }

    /**
     * Missing values reach XGBoost as missing (NaN), whatever form they come in, and are not confused with 0: a null
     * Income, a NaN Income and a row lacking nothing but Income's value predict alike; Income 0 is another input.
     */
    @Test
    void missingValuesAreMissingNotZero() throws Exception {
        Split s = split(read("credit_data.csv"), 42);
        try (Model model = engine.train(new TrainingRequest(Task.CLASSIFICATION, "gbtree", Map.of(), s.train, "Status", 7),
                TrainingContext.none())) {
            Columns columns = Columns.fromJson(new ObjectMapperHolder().columnsOf(model));
            Schema schema = s.test.get(0).schema();
            int income = schema.indexOf("Income");
            Object[] values = s.test.get(0).values();
            values[income] = null;
            Row withNull = new Row(schema, values);
            float[] x = new float[columns.width()];
            columns.encode(withNull, x, 0);
            int slot = columns.slotNames().indexOf("Income");
            assertTrue(Float.isNaN(x[slot]), "a null is NaN in the matrix, was " + x[slot]);

            Schema doubles = new Schema(schema.fields().stream().map(f -> f.name().equals("Income")
                    ? new org.cogwork.api.data.Field("Income", org.cogwork.api.data.DataType.DOUBLE, true) : f).toList());
            Object[] nan = s.test.get(0).values();
            nan[income] = Double.NaN;
            Object[] zero = s.test.get(0).values();
            zero[income] = 0L;
            List<Prediction> p = model.predict(List.of(withNull, new Row(doubles, nan), new Row(schema, zero)));
            assertEquals(p.get(0), p.get(1), "null and NaN are both missing");

            // over the test rows: setting Income to 0 changes predictions that setting it missing does not
            int differ = 0;
            for (Row r : s.test) {
                Object[] a = r.values();
                a[income] = null;
                Object[] b = r.values();
                b[income] = 0L;
                if (!model.predict(List.of(new Row(schema, a))).get(0).scores()
                        .equals(model.predict(List.of(new Row(schema, b))).get(0).scores())) {
                    differ++;
                }
            }
            assertTrue(differ > s.test.size() / 10, "missing and 0 are different inputs for " + differ + " rows");
        }
    }

    /**
     * Predictions walk the trees in Java (Trees): for binary, multi-class and regression models, one cut short by
     * early stopping, with missing values, and after a save and load, every test row gets what XGBoost's own
     * predictor answers (the label, and scores or value to float precision).
     */
    @Test
    void treesWalkedInJavaPredictWhatXGBoostPredicts() throws Exception {
        Split credit = split(read("credit_data.csv"), 42);
        Split concrete = split(read("concrete.csv"), 42);
        Split wine = split(read("sklearn_wine.csv"), 42);
        List<Row> creditTest = new java.util.ArrayList<>(credit.test);
        Schema schema = creditTest.get(0).schema();
        for (int i = 0; i < creditTest.size(); i += 3) { // a third of the rows with a missing Income, a sixth also Job
            Object[] v = creditTest.get(i).values();
            v[schema.indexOf("Income")] = null;
            if (i % 2 == 0) {
                v[schema.indexOf("Job")] = null;
            }
            creditTest.set(i, new Row(schema, v));
        }
        record Case(TrainingRequest request, List<Row> test) {
        }
        for (Case c : List.of(
                new Case(new TrainingRequest(Task.CLASSIFICATION, "gbtree", Map.of(), credit.train, "Status", 7), creditTest),
                new Case(new TrainingRequest(Task.CLASSIFICATION, "gbtree", Map.of("rounds", 500, "earlyStoppingRounds", 10),
                        credit.train, "Status", 7), creditTest),
                new Case(new TrainingRequest(Task.CLASSIFICATION, "gbtree", Map.of("rounds", 60), wine.train, "cultivar", 7), wine.test),
                new Case(new TrainingRequest(Task.REGRESSION, "gbtree", Map.of(), concrete.train, "compressive_strength", 7), concrete.test),
                new Case(new TrainingRequest(Task.CLASSIFICATION, "random-forest", Map.of("trees", 50), credit.train, "Status", 7), creditTest),
                new Case(new TrainingRequest(Task.CLASSIFICATION, "random-forest", Map.of("trees", 30), wine.train, "cultivar", 7), wine.test),
                new Case(new TrainingRequest(Task.REGRESSION, "random-forest", Map.of("trees", 50), concrete.train, "compressive_strength", 7), concrete.test))) {
            try (Model trained = engine.train(c.request(), TrainingContext.none());
                 Model loaded = engine.load(new ByteArrayInputStream(save(trained)))) {
                for (Model m : List.of(trained, loaded)) {
                    List<Prediction> java = ((XgboostModel) m).predict(c.test(), true);
                    assertEquals(java.subList(0, 5), m.predict(c.test().subList(0, 5)), "a few rows are walked in Java");
                    List<Prediction> xgboost = ((XgboostModel) m).predict(c.test(), false);
                    for (int i = 0; i < java.size(); i++) {
                        String row = "row " + i + " of " + c.request().target() + " " + c.request().hyperparameters();
                        if (c.request().task() == Task.REGRESSION) {
                            assertEquals((Double) xgboost.get(i).value(), (Double) java.get(i).value(), 1e-4, row);
                        } else {
                            assertEquals(xgboost.get(i).value(), java.get(i).value(), row);
                            for (Map.Entry<String, Double> e : xgboost.get(i).scores().entrySet()) {
                                assertEquals(e.getValue(), java.get(i).scores().get(e.getKey()), 1e-6, row);
                            }
                        }
                    }
                }
            }
        }
    }

    /** {@code maxBin} reaches XGBoost: two bins leave one cut per feature, which a boosted model feels at once. */
    @Test
    void binsBoundTheSplitsXGBoostCanChoose() throws Exception {
        Split s = split(read("concrete.csv"), 42);
        try (Model coarse = engine.train(new TrainingRequest(Task.REGRESSION, "gbtree", Map.of("maxBin", 2), s.train,
                "compressive_strength", 3), TrainingContext.none());
             Model usual = engine.train(new TrainingRequest(Task.REGRESSION, "gbtree", Map.of(), s.train,
                     "compressive_strength", 3), TrainingContext.none())) {
            assertEquals(64L, parameters(usual).get("maxBin"), "the default, recorded in the provenance");
            double coarseRmse = rmse(coarse, s.test, "compressive_strength");
            double usualRmse = rmse(usual, s.test, "compressive_strength");
            assertTrue(coarseRmse > usualRmse + 1, "2 bins: RMSE " + coarseRmse + ", 64 bins: " + usualRmse);
        }
    }

    @Test
    void hyperparametersAreCheckedByName() throws Exception {
        Dataset iris = read("sklearn_iris.csv");
        Map<String, Object> bad = Map.of("rounds", 0, "maxDepth", 1.5, "eta", 0, "subsample", 1.5, "colsampleByTree", -1,
                "minChildWeight", -1, "lambda", "1", "earlyStoppingRounds", -1, "validationFraction", 0.9, "nthread", 0);
        for (Map.Entry<String, Object> one : bad.entrySet()) {
            InvalidFieldException e = assertThrows(InvalidFieldException.class, () -> engine.train(new TrainingRequest(
                    Task.CLASSIFICATION, "gbtree", Map.of(one.getKey(), one.getValue()), iris, "species", 1), TrainingContext.none()));
            assertEquals("hyperparameters." + one.getKey(), e.field(), e.getMessage());
        }
        assertEquals("hyperparameters.maxBin", assertThrows(InvalidFieldException.class, () -> engine.checkHyperparameters(
                "random-forest", Task.REGRESSION, Map.of("maxBin", 1))).field());
        assertEquals("maxDepth must be an integer in [1, 32], was 0", assertThrows(InvalidFieldException.class,
                () -> engine.checkHyperparameters("gbtree", Task.REGRESSION, Map.of("maxDepth", 0))).getMessage());
        IllegalArgumentException alias = assertThrows(IllegalArgumentException.class, () -> engine.checkHyperparameters(
                "xgboost", Task.CLASSIFICATION, Map.of()));
        assertEquals("engine 'xgboost' has no classification algorithm 'xgboost'; use gbtree, random-forest", alias.getMessage());
    }

    @Test
    void fewRowsTrainOnOneThreadUnlessToldOtherwise() throws Exception {
        Dataset iris = read("sklearn_iris.csv");
        int processors = Runtime.getRuntime().availableProcessors();
        try (Model chosen = engine.train(new TrainingRequest(Task.CLASSIFICATION, "gbtree", Map.of("rounds", 5), iris, "species", 1),
                TrainingContext.none());
             Model told = engine.train(new TrainingRequest(Task.CLASSIFICATION, "gbtree", Map.of("rounds", 5, "nthread", 3), iris, "species", 1),
                     TrainingContext.none());
             Model forest = engine.train(new TrainingRequest(Task.CLASSIFICATION, "random-forest", Map.of("trees", 5), iris, "species", 1),
                     TrainingContext.none())) {
            assertEquals(1L, parameters(chosen).get("nthread"), "150 rows: one thread, recorded in the provenance");
            assertEquals(3L, ((Number) parameters(told).get("nthread")).longValue());
            assertEquals(1L, parameters(forest).get("nthread"), "a forest's parts, too, each on one XGBoost thread");
            assertEquals(5, forest.descriptor().provenance().get("forestParts"), "a part per tree below ten trees");
        }
        for (Algorithm algorithm : List.of(Algorithm.CLASSIFICATION, Algorithm.FOREST_REGRESSION)) {
            Algorithm.Settings settings = Algorithm.Settings.resolve(engine.info(), algorithm, Map.of());
            assertEquals(1, settings.threads(Algorithm.Settings.FEW_ROWS - 1), algorithm.name);
            assertEquals(processors, settings.threads(Algorithm.Settings.FEW_ROWS), algorithm.name);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> parameters(Model m) {
        return (Map<String, Object>) m.descriptor().provenance().get("parameters");
    }

    @Test
    void nothingOfXGBoostLoadsUntilTheFirstTraining() {
        // the engine's own class names no XGBoost type: registering the service must not load the native host's classes
        for (java.lang.reflect.Field f : XgboostEngine.class.getDeclaredFields()) {
            assertFalse(f.getType().getName().startsWith("ml.dmlc"), f.toString());
        }
        for (java.lang.reflect.Method m : XgboostEngine.class.getDeclaredMethods()) {
            assertFalse(m.getReturnType().getName().startsWith("ml.dmlc"), m.toString());
        }
    }

    /** Reads the model's saved header back, to get at its input layout. */
    private static final class ObjectMapperHolder {
        com.fasterxml.jackson.databind.JsonNode columnsOf(Model model) throws IOException {
            byte[] bytes = save(model);
            java.io.DataInputStream in = new java.io.DataInputStream(new ByteArrayInputStream(bytes));
            in.readNBytes("COGWORK-XGBOOST\n".length());
            in.readInt();
            byte[] json = in.readNBytes(in.readInt());
            return ModelFile.JSON.readTree(json).path("inputs");
        }
    }

    record Split(Dataset train, List<Row> test) {
    }

    /** A seeded 80/20 split, as TribuoEngineTest's. */
    static Split split(Dataset d, long seed) {
        List<Row> rows = new ArrayList<>(d.toList());
        Collections.shuffle(rows, new Random(seed));
        int n = (int) Math.round(rows.size() * 0.8);
        return new Split(Dataset.of(d.schema(), rows.subList(0, n)), List.copyOf(rows.subList(n, rows.size())));
    }

    static Dataset read(String file) throws Exception {
        FileSource files = new FileSource(Converters.standardConverter().convert(Map.of("cogwork.source.id", "data",
                "path", DATA.resolve(file).toString())).to(FileSourceConfig.class));
        return files.read(file, Query.all());
    }

    static double accuracy(Model model, List<Row> rows, String target) {
        List<Prediction> p = model.predict(rows);
        int correct = 0;
        for (int i = 0; i < rows.size(); i++) {
            if (p.get(i).value().equals(String.valueOf(rows.get(i).get(target)))) {
                correct++;
            }
        }
        return (double) correct / rows.size();
    }

    static double rmse(Model model, List<Row> rows, String target) {
        List<Prediction> p = model.predict(rows);
        double ss = 0;
        for (int i = 0; i < p.size(); i++) {
            ss += Math.pow(((Number) rows.get(i).get(target)).doubleValue() - (Double) p.get(i).value(), 2);
        }
        return Math.sqrt(ss / p.size());
    }

    static byte[] save(Model m) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        m.save(out);
        return out.toByteArray();
    }

    static final class Recording implements TrainingContext {
        final List<Long> steps = new ArrayList<>();
        Map<String, Double> last = Map.of();

        @Override
        public boolean isCancelled() {
            return false;
        }

        @Override
        public synchronized void progress(long step, long totalSteps, Map<String, Double> metrics) {
            steps.add(step);
            if (!metrics.isEmpty()) {
                last = metrics;
            }
        }
    }
}
