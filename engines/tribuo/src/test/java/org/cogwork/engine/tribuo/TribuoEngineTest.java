package org.cogwork.engine.tribuo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.cogwork.api.data.DataType;
import org.cogwork.api.data.Dataset;
import org.cogwork.api.data.Field;
import org.cogwork.api.data.Row;
import org.cogwork.api.data.Schema;
import org.cogwork.api.data.Vector;
import org.cogwork.api.engine.AlgorithmInfo;
import org.cogwork.api.engine.EngineException;
import org.cogwork.api.engine.Hyperparameter;
import org.cogwork.api.engine.Model;
import org.cogwork.api.engine.Prediction;
import org.cogwork.api.engine.Task;
import org.cogwork.api.engine.TrainingContext;
import org.cogwork.api.engine.TrainingRequest;
import org.cogwork.api.problem.InvalidFieldException;
import org.junit.jupiter.api.Test;
import org.tribuo.Tribuo;

/** The Tribuo engine on real data from ../shared/data (see its README.md for the datasets). */
class TribuoEngineTest {
    private static final Path DATA = Path.of("../../../shared/data");
    /** credit_data.csv: 3200 good of 4454 rows. */
    private static final double CREDIT_MAJORITY = 3200 / 4454.0;
    private final TribuoEngine engine = new TribuoEngine("1.2.3");

    @Test
    void infoListsAlgorithmsWithTheirParameters() {
        assertEquals("tribuo", engine.info().name());
        assertEquals("1.2.3", engine.info().version());
        assertEquals(java.util.Set.of(Task.CLASSIFICATION, Task.REGRESSION, Task.CLUSTERING), engine.info().tasks());
        Map<Task, List<String>> byTask = new HashMap<>();
        for (AlgorithmInfo a : engine.info().algorithms()) {
            byTask.computeIfAbsent(a.task(), t -> new ArrayList<>()).add(a.name());
            assertFalse(a.hyperparameters().isEmpty(), a.name());
            for (Hyperparameter h : a.hyperparameters()) {
                // every one has a default, but a forest's features per split, which depends on the data (left out: the
                // square root of the features or half of them, as its description says)
                if (!(a.name().equals("random-forest") && h.name().equals("fractionFeaturesInSplit"))) {
                    assertNotNull(h.defaultValue(), a.name() + "." + h.name());
                } else {
                    assertTrue(h.description().contains("when left out"), h.description());
                }
                assertFalse(h.description().isBlank(), a.name() + "." + h.name());
                assertTrue(h.type() == Hyperparameter.Type.INTEGER || h.type() == Hyperparameter.Type.NUMBER, h.toString());
                assertNotNull(h.min(), "every Tribuo hyperparameter has a lower bound: " + h);
            }
        }
        assertEquals(List.of("logistic", "liblinear-logistic", "cart", "random-forest"), byTask.get(Task.CLASSIFICATION));
        assertEquals(List.of("linear", "cart", "random-forest"), byTask.get(Task.REGRESSION));
        assertEquals(List.of("kmeans"), byTask.get(Task.CLUSTERING));
    }

    @Test
    void logisticOnCreditData() throws Exception {
        double accuracy = creditAccuracy("logistic", Map.of());
        assertTrue(accuracy >= 0.75 && accuracy > CREDIT_MAJORITY, "logistic accuracy " + accuracy);
    }

    /**
     * LIBLINEAR's logistic regression at scikit-learn's defaults (C = 1) reaches what SGD does; C is the
     * regularisation strength, and a tiny C (a huge penalty) shrinks the weights until the model predicts little
     * better than the majority class.
     */
    @Test
    void liblinearLogisticOnCreditDataWithItsRegularisation() throws Exception {
        double accuracy = creditAccuracy("liblinear-logistic", Map.of());
        assertTrue(accuracy >= 0.79, "liblinear-logistic accuracy " + accuracy);
        double shrunk = creditAccuracy("liblinear-logistic", Map.of("C", 1e-5));
        assertTrue(shrunk < accuracy - 0.02, "C=1e-5 accuracy " + shrunk + " against " + accuracy + " at C=1");
    }

    /**
     * Linear models standardise numeric features inside Tribuo, unless the features already are (the pipeline's
     * standardize): then Tribuo's copy of every example would divide by 1, and is skipped. Either way the model is the
     * same problem: the two agree on the test rows.
     */
    @Test
    void alreadyStandardisedFeaturesAreNotStandardisedAgain() throws Exception {
        Split raw = split(read("credit_data.csv"), 42);
        Schema schema = raw.train.schema();
        List<String> numeric = schema.fields().stream().filter(f -> f.type().isNumeric() && !f.name().equals("Status"))
                .map(Field::name).toList();
        Map<String, double[]> stats = new java.util.HashMap<>(); // mean and sample standard deviation on the training rows
        for (String c : numeric) {
            double[] v = raw.train.toList().stream().map(r -> r.get(c)).filter(x -> x instanceof Number)
                    .mapToDouble(x -> ((Number) x).doubleValue()).toArray();
            double mean = java.util.Arrays.stream(v).average().orElseThrow();
            double sd = Math.sqrt(java.util.Arrays.stream(v).map(x -> (x - mean) * (x - mean)).sum() / (v.length - 1));
            stats.put(c, new double[] {mean, sd});
        }
        java.util.function.UnaryOperator<Row> standardise = r -> {
            Object[] v = r.values();
            for (String c : numeric) {
                int i = schema.indexOf(c);
                if (v[i] instanceof Number n) {
                    v[i] = (n.doubleValue() - stats.get(c)[0]) / stats.get(c)[1];
                }
            }
            return new Row(schema, v);
        };
        Dataset scaledTrain = Dataset.of(schema, raw.train.toList().stream().map(standardise).toList());
        List<Row> scaledTest = raw.test.stream().map(standardise).toList();
        try (Model a = engine.train(new TrainingRequest(Task.CLASSIFICATION, "liblinear-logistic", Map.of(), raw.train, "Status", 7),
                TrainingContext.none());
             Model b = engine.train(new TrainingRequest(Task.CLASSIFICATION, "liblinear-logistic", Map.of(), scaledTrain, "Status", 7),
                     TrainingContext.none())) {
            @SuppressWarnings("unchecked")
            List<String> inside = (List<String>) a.descriptor().provenance().get("standardisedFeatures");
            assertEquals(new java.util.TreeSet<>(numeric), new java.util.TreeSet<>(inside), "raw numbers are standardised by Tribuo");
            assertEquals(List.of(), b.descriptor().provenance().get("standardisedFeatures"), "standardised numbers are not");
            List<Prediction> pa = a.predict(raw.test);
            List<Prediction> pb = b.predict(scaledTest);
            int same = 0;
            for (int i = 0; i < pa.size(); i++) {
                same += pa.get(i).value().equals(pb.get(i).value()) ? 1 : 0;
                assertEquals(pa.get(i).scores().get("good"), pb.get(i).scores().get("good"), 0.01, "row " + i);
            }
            assertTrue(same >= pa.size() - 2, same + " of " + pa.size() + " test rows agree");
        }
        assertTrue(TribuoEngine.standardised(100, 0.0004, 99 * 1.0009 * 1.0009));
        assertFalse(TribuoEngine.standardised(100, 0.002, 99.0), "mean off by 0.002");
        assertFalse(TribuoEngine.standardised(100, 0.0, 99 * 1.01 * 1.01), "spread off by 1 %");
        assertFalse(TribuoEngine.standardised(1, 0.0, 0.0), "one value says nothing");
    }

    /** A feature writes itself as Tribuo writes a RealIDInfo, and reads back as one. */
    @Test
    void featuresAreWrittenAsTribuoWritesThem() throws Exception {
        RealFeature feature = new RealFeature("review@great", 1234, 0.31, 0.002, 0.08, 4.5);
        org.tribuo.RealIDInfo numbered = feature.makeIDInfo(17);
        assertEquals(RealFeature.Numbered.class, numbered.getClass());
        org.tribuo.RealIDInfo tribuos = new org.tribuo.RealIDInfo("review@great", 1234, 0.31, 0.002, 0.08, 4.5, 17);
        assertEquals(tribuos.serialize(), numbered.serialize());
        org.tribuo.VariableInfo back = org.tribuo.protos.ProtoUtil.deserialize(numbered.serialize());
        assertEquals(tribuos, back);
        assertEquals(numbered.makeIDInfo(3).serialize(), new org.tribuo.RealIDInfo(tribuos, 3).serialize());
    }

    @Test
    void cartOnCreditData() throws Exception {
        double accuracy = creditAccuracy("cart", Map.of("maxDepth", 6));
        assertTrue(accuracy >= 0.75 && accuracy > CREDIT_MAJORITY, "cart accuracy " + accuracy);
    }

    @Test
    void randomForestOnCreditData() throws Exception {
        double accuracy = creditAccuracy("random-forest", Map.of("numTrees", 30));
        assertTrue(accuracy >= 0.75 && accuracy > CREDIT_MAJORITY, "random-forest accuracy " + accuracy);
    }

    private double creditAccuracy(String algorithm, Map<String, Object> params) throws Exception {
        Split s = split(read("credit_data.csv"), 42);
        long t0 = System.nanoTime();
        RecordingContext ctx = new RecordingContext();
        try (Model m = engine.train(new TrainingRequest(Task.CLASSIFICATION, algorithm, params, s.train, "Status", 7), ctx)) {
            double trainSeconds = (System.nanoTime() - t0) / 1e9;
            List<Prediction> p = m.predict(s.test);
            int right = 0;
            for (int i = 0; i < p.size(); i++) {
                assertEquals(1.0, p.get(i).scores().values().stream().mapToDouble(Double::doubleValue).sum(), 1e-6);
                if (p.get(i).value().equals(s.test.get(i).get("Status"))) {
                    right++;
                }
            }
            double accuracy = right / (double) p.size();
            System.out.printf("credit %s: accuracy %.4f on %d test rows, training %.2f s%n", algorithm, accuracy, p.size(), trainSeconds);
            assertEquals(List.of("bad", "good"), m.descriptor().labels());
            assertEquals("Status", m.descriptor().target());
            assertEquals(13, m.descriptor().inputSchema().size());
            assertEquals(Tribuo.VERSION, m.descriptor().provenance().get("tribuoVersion"));
            assertEquals(7L, ((Number) m.descriptor().provenance().get("seed")).longValue());
            // trees and forests are grown by this engine's own learner, every other model by Tribuo
            assertNotNull(m.descriptor().provenance().get(List.of("cart", "random-forest").contains(algorithm) ? "learner" : "tribuoModel"));
            assertTrue(ctx.steps.size() >= 2 && ctx.steps.get(ctx.steps.size() - 1) == 3, "progress " + ctx.steps);
            return accuracy;
        }
    }

    @Test
    void regressionOnConcrete() throws Exception {
        Split s = split(read("concrete.csv"), 42);
        Map<String, Double> r2 = new HashMap<>();
        for (String algorithm : List.of("linear", "cart", "random-forest")) {
            long t0 = System.nanoTime();
            try (Model m = engine.train(new TrainingRequest(Task.REGRESSION, algorithm, Map.of(), s.train,
                    "compressive_strength", 3), TrainingContext.none())) {
                double seconds = (System.nanoTime() - t0) / 1e9;
                double score = r2(m.predict(s.test), s.test, "compressive_strength");
                System.out.printf("concrete %s: R2 %.4f, training %.2f s%n", algorithm, score, seconds);
                r2.put(algorithm, score);
            }
        }
        assertTrue(r2.get("random-forest") >= 0.7, "random-forest R2 " + r2);
        assertTrue(r2.get("cart") >= 0.6, "cart R2 " + r2);
        assertTrue(r2.get("linear") >= 0.6, "linear R2 " + r2);
    }

    /**
     * Linear regression with its defaults on a target in the thousands: concrete's strength in kPa instead of MPa.
     * Before the target was standardised, SGD with the default learning rate diverged on such a target (R2 below 0).
     */
    @Test
    void linearRegressionWithDefaultsDoesNotCareAboutTheTargetsScale() throws Exception {
        Dataset concrete = read("concrete.csv");
        int t = concrete.schema().indexOf("compressive_strength");
        Schema schema = new Schema(concrete.schema().fields().stream()
                .map(f -> f.name().equals("compressive_strength") ? new org.cogwork.api.data.Field(f.name(), DataType.DOUBLE, f.nullable()) : f)
                .toList());
        List<Row> kpa = new ArrayList<>();
        for (Row r : concrete.toList()) {
            Object[] v = r.values();
            v[t] = ((Number) v[t]).doubleValue() * 1000;
            kpa.add(new Row(schema, v));
        }
        Split mpa = split(concrete, 42);
        Split thousands = split(Dataset.of(schema, kpa), 42);
        try (Model small = engine.train(new TrainingRequest(Task.REGRESSION, "linear", Map.of(), mpa.train, "compressive_strength", 3),
                TrainingContext.none());
             Model large = engine.train(new TrainingRequest(Task.REGRESSION, "linear", Map.of(), thousands.train, "compressive_strength", 3),
                     TrainingContext.none());
             Model loaded = engine.load(new ByteArrayInputStream(save(large)))) {
            double r2Small = r2(small.predict(mpa.test), mpa.test, "compressive_strength");
            double r2Large = r2(large.predict(thousands.test), thousands.test, "compressive_strength");
            System.out.printf("concrete linear, defaults: R2 %.4f in MPa, %.4f in kPa%n", r2Small, r2Large);
            assertTrue(r2Large >= 0.6, "R2 " + r2Large + " on the target in kPa");
            assertEquals(r2Small, r2Large, 0.01, "the target's unit changes nothing");
            assertEquals(large.predict(thousands.test), loaded.predict(thousands.test), "saved with its scaling");
        }
    }

    @Test
    void kmeansOnIris() throws Exception {
        Dataset iris = read("sklearn_iris.csv");
        long t0 = System.nanoTime();
        try (Model m = engine.train(new TrainingRequest(Task.CLUSTERING, "kmeans", Map.of("centroids", 3), iris, "species", 11),
                TrainingContext.none())) {
            double seconds = (System.nanoTime() - t0) / 1e9;
            List<Row> rows = iris.toList();
            List<Prediction> p = m.predict(rows);
            Map<Integer, Map<Object, Integer>> counts = new HashMap<>();
            for (int i = 0; i < rows.size(); i++) {
                counts.computeIfAbsent((Integer) p.get(i).value(), k -> new HashMap<>()).merge(rows.get(i).get("species"), 1, Integer::sum);
            }
            int majority = counts.values().stream().mapToInt(c -> Collections.max(c.values())).sum();
            double purity = majority / (double) rows.size();
            System.out.printf("iris kmeans: purity %.4f, %d clusters, training %.3f s%n", purity, counts.size(), seconds);
            assertEquals(3, counts.size());
            assertTrue(purity >= 0.85, "purity " + purity);
            assertEquals(4, m.descriptor().inputSchema().size(), "the target is not a feature");
            assertEquals(null, m.descriptor().target());
        }
    }

    @Test
    void savedModelsPredictTheSame() throws Exception {
        Split credit = split(read("credit_data.csv"), 1);
        Split concrete = split(read("concrete.csv"), 1);
        Dataset iris = read("sklearn_iris.csv");
        List<TrainingRequest> requests = List.of(
                new TrainingRequest(Task.CLASSIFICATION, "logistic", Map.of(), credit.train, "Status", 5),
                new TrainingRequest(Task.CLASSIFICATION, "random-forest", Map.of("numTrees", 10), credit.train, "Status", 5),
                new TrainingRequest(Task.CLASSIFICATION, "liblinear-logistic", Map.of("C", 0.5), credit.train, "Status", 5),
                new TrainingRequest(Task.REGRESSION, "cart", Map.of(), concrete.train, "compressive_strength", 5),
                new TrainingRequest(Task.REGRESSION, "linear", Map.of(), concrete.train, "compressive_strength", 5),
                new TrainingRequest(Task.CLUSTERING, "kmeans", Map.of(), iris, null, 5));
        for (TrainingRequest r : requests) {
            List<Row> test = r.task() == Task.CLASSIFICATION ? credit.test : r.task() == Task.REGRESSION ? concrete.test : iris.toList();
            try (Model m = engine.train(r, TrainingContext.none()); Model loaded = engine.load(new ByteArrayInputStream(save(m)))) {
                assertEquals(m.predict(test), loaded.predict(test), r.algorithm());
                assertEquals(m.descriptor().inputSchema(), loaded.descriptor().inputSchema());
                assertEquals(m.descriptor().labels(), loaded.descriptor().labels());
                assertEquals(m.descriptor().algorithm(), loaded.descriptor().algorithm());
                assertEquals(m.descriptor().task(), loaded.descriptor().task());
                assertEquals(m.descriptor().target(), loaded.descriptor().target());
                assertEquals(m.descriptor().provenance().get("tribuoVersion"), loaded.descriptor().provenance().get("tribuoVersion"));
                // a loaded model saves again (byte equality is not promised: Tribuo's provenance maps have no fixed order)
                try (Model again = engine.load(new ByteArrayInputStream(save(loaded)))) {
                    assertEquals(m.predict(test), again.predict(test), r.algorithm());
                }
            }
        }
    }

    /**
     * Logistic and linear regression predict through their flat form (FlatLinear): every test row gets exactly what
     * Tribuo's own model answers (label and scores; the regression value before the target is scaled back), also
     * after a save and load.
     */
    @Test
    void linearModelsPredictWhatTribuoPredicts() throws Exception {
        predictAsTribuo("logistic", "linear", m -> {
            assertNotNull(FlatLinear.of(((TribuoModel) m).tribuoModel(), m.descriptor().inputSchema(),
                    m.descriptor().task() == Task.CLASSIFICATION), "the flat form covers it");
            // a row with nothing the model knows is refused, as Tribuo refuses it
            Row nothing = new Row(m.descriptor().inputSchema(), new Object[m.descriptor().inputSchema().fields().size()]);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.predict(List.of(nothing)));
            assertTrue(e.getMessage().contains("no feature value the model was trained on"), e.getMessage());
        });
    }

    /** Trains {@code classifier} on credit_data and {@code regressor} on concrete; each test row as Tribuo answers it. */
    private void predictAsTribuo(String classifier, String regressor, java.util.function.Consumer<Model> check) throws Exception {
        Split credit = split(read("credit_data.csv"), 3);
        Split concrete = split(read("concrete.csv"), 3);
        Map<String, Object> params = Map.of();
        for (TrainingRequest r : List.of(
                new TrainingRequest(Task.CLASSIFICATION, classifier, params, credit.train, "Status", 11),
                new TrainingRequest(Task.REGRESSION, regressor, params, concrete.train, "compressive_strength", 11))) {
            List<Row> test = r.task() == Task.CLASSIFICATION ? credit.test : concrete.test;
            try (Model trained = engine.train(r, TrainingContext.none()); Model loaded = engine.load(new ByteArrayInputStream(save(trained)))) {
                // the trained model's own Tribuo answers, for it and for its saved and loaded form
                org.tribuo.Model<?> tribuo = ((TribuoModel) trained).tribuoModel();
                for (Model m : List.of(trained, loaded)) {
                    check.accept(m);
                    Features features = new Features(m.descriptor().inputSchema());
                    List<Prediction> flat = m.predict(test);
                    double mean = m.descriptor().provenance().get(TribuoModel.TARGET_MEAN) instanceof Number n ? n.doubleValue() : 0;
                    double scale = m.descriptor().provenance().get(TribuoModel.TARGET_SCALE) instanceof Number n ? n.doubleValue() : 1;
                    for (int i = 0; i < test.size(); i++) {
                        if (r.task() == Task.CLASSIFICATION) {
                            @SuppressWarnings("unchecked")
                            org.tribuo.Prediction<org.tribuo.classification.Label> p = ((org.tribuo.Model<org.tribuo.classification.Label>) tribuo)
                                    .predict(features.encode(test.get(i), org.tribuo.classification.LabelFactory.UNKNOWN_LABEL));
                            assertEquals(p.getOutput().getLabel(), flat.get(i).value(), "row " + i);
                            assertEquals(p.getOutputScores().keySet(), flat.get(i).scores().keySet());
                            for (var e : p.getOutputScores().entrySet()) {
                                assertEquals(e.getValue().getScore(), flat.get(i).scores().get(e.getKey()), 1e-12, "row " + i);
                            }
                        } else {
                            @SuppressWarnings("unchecked")
                            org.tribuo.Prediction<org.tribuo.regression.Regressor> p = ((org.tribuo.Model<org.tribuo.regression.Regressor>) tribuo)
                                    .predict(features.encode(test.get(i), org.tribuo.regression.RegressionFactory.UNKNOWN_REGRESSOR));
                            assertEquals(p.getOutput().getValues()[0] * scale + mean, ((Number) flat.get(i).value()).doubleValue(), 1e-9, "row " + i);
                        }
                    }
                }
            }
        }
    }

    /**
     * A forest reports the trees grown so far while it trains (in parts of a tenth), and a cancel stops it between
     * parts instead of after the last tree.
     */
    @Test
    void forestsReportProgressAndStopWhenCancelled() throws Exception {
        Split s = split(read("credit_data.csv"), 42);
        List<Double> trees = Collections.synchronizedList(new ArrayList<>());
        TrainingContext watching = new TrainingContext() {
            @Override
            public boolean isCancelled() {
                return false;
            }

            @Override
            public void progress(long step, long totalSteps, Map<String, Double> metrics) {
                if (metrics.containsKey("trees")) {
                    trees.add(metrics.get("trees"));
                    assertEquals(60, totalSteps);
                }
            }
        };
        try (Model m = engine.train(new TrainingRequest(Task.CLASSIFICATION, "random-forest", Map.of("numTrees", 60), s.train,
                "Status", 3), watching)) {
            assertEquals(10, trees.size(), "one report per part: " + trees);
            assertEquals(List.of(6.0, 12.0, 18.0, 24.0, 30.0, 36.0, 42.0, 48.0, 54.0, 60.0), trees.stream().sorted().toList());
        }

        java.util.concurrent.atomic.AtomicBoolean cancelled = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicInteger reports = new java.util.concurrent.atomic.AtomicInteger();
        TrainingContext cancelling = new TrainingContext() {
            @Override
            public boolean isCancelled() {
                return cancelled.get();
            }

            @Override
            public void progress(long step, long totalSteps, Map<String, Double> metrics) {
                if (metrics.containsKey("trees") && reports.incrementAndGet() == 1) {
                    cancelled.set(true); // after the first part
                }
            }
        };
        EngineException e = assertThrows(EngineException.class, () -> engine.train(new TrainingRequest(Task.CLASSIFICATION,
                "random-forest", Map.of("numTrees", 200), s.train, "Status", 3), cancelling));
        assertTrue(e.getMessage().contains("cancelled"), e.getMessage());
        assertTrue(reports.get() < 10, "stopped between parts, after " + reports.get() + " of 10");
    }

    @Test
    void sameSeedSameModel() throws Exception {
        Split s = split(read("credit_data.csv"), 42);
        for (String algorithm : List.of("logistic", "random-forest")) {
            TrainingRequest r = new TrainingRequest(Task.CLASSIFICATION, algorithm, Map.of("numTrees", 10, "epochs", 3).entrySet().stream()
                    .filter(e -> algorithm.equals("logistic") ? e.getKey().equals("epochs") : e.getKey().equals("numTrees"))
                    .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)), s.train, "Status", 99);
            try (Model a = engine.train(r, TrainingContext.none()); Model b = engine.train(r, TrainingContext.none())) {
                assertEquals(a.predict(s.test), b.predict(s.test), algorithm);
            }
        }
    }

    @Test
    void categoricalsVectorsAndMissingValues() throws Exception {
        // iris with its four measurements as one dense VECTOR column, and again as a sparse one
        Dataset iris = read("sklearn_iris.csv");
        for (boolean sparse : List.of(false, true)) {
            Schema schema = Schema.of(Field.of("x", DataType.VECTOR), Field.of("species", DataType.CATEGORICAL));
            List<Row> rows = new ArrayList<>();
            for (Row r : iris.toList()) {
                double[] v = {(Double) r.get(0), (Double) r.get(1), (Double) r.get(2), (Double) r.get(3)};
                rows.add(new Row(schema, sparse ? Vector.sparse(10, new int[] {1, 3, 5, 7}, v) : Vector.dense(v), r.get("species")));
            }
            try (Model m = engine.train(new TrainingRequest(Task.CLASSIFICATION, "logistic", Map.of(), Dataset.of(schema, rows),
                    "species", 1), TrainingContext.none())) {
                List<Prediction> p = m.predict(rows);
                long right = 0;
                for (int i = 0; i < rows.size(); i++) {
                    right += p.get(i).value().equals(rows.get(i).get("species")) ? 1 : 0;
                }
                assertTrue(right / 150.0 >= 0.9, "vector logistic accuracy " + right / 150.0);
            }
        }
        // an unseen categorical value and missing values are absent features, not errors
        Split s = split(read("credit_data.csv"), 3);
        try (Model m = engine.train(new TrainingRequest(Task.CLASSIFICATION, "cart", Map.of(), s.train, "Status", 1),
                TrainingContext.none())) {
            Schema schema = s.test.get(0).schema();
            Object[] v = s.test.get(0).values();
            v[schema.indexOf("Home")] = "castle";
            v[schema.indexOf("Income")] = null;
            Prediction p = m.predict(List.of(new Row(schema, v))).get(0);
            assertTrue(List.of("good", "bad").contains(p.value()));
            IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class, () -> {
                Object[] w = s.test.get(0).values();
                w[schema.indexOf("Age")] = "thirty";
                m.predict(List.of(new Row(schema, w)));
            });
            assertTrue(wrong.getMessage().startsWith("column 'Age' is INT"), wrong.getMessage());
            Schema without = new Schema(schema.fields().stream().filter(f -> !f.name().equals("Job")).toList());
            assertEquals("missing feature 'Job'", assertThrows(IllegalArgumentException.class,
                    () -> m.predict(List.of(new Row(without, new Object[without.size()])))).getMessage());
        }
    }

    @Test
    void badRequestsNameTheProblem() throws Exception {
        Dataset credit = read("credit_data.csv");
        assertEquals("algorithm 'cart' of engine 'tribuo' has no hyperparameter 'depth'; it has [fractionFeaturesInSplit, maxDepth, minChildWeight]",
                badHyperparameter(Task.CLASSIFICATION, "cart", Map.of("depth", 3), credit, "depth"));
        assertEquals("maxDepth must be an integer in [1, 1000], was 0",
                badHyperparameter(Task.CLASSIFICATION, "cart", Map.of("maxDepth", 0), credit, "maxDepth"));
        assertEquals("maxDepth must be an integer in [1, 1000], was 2.5", badHyperparameter(Task.REGRESSION, "cart", Map.of("maxDepth", 2.5),
                read("concrete.csv"), "maxDepth"));
        assertEquals("learningRate must be a number > 0, was \"fast\"", badHyperparameter(Task.CLASSIFICATION, "logistic",
                Map.of("learningRate", "fast"), credit, "learningRate"));
        assertEquals("fractionFeaturesInSplit must be a number in (0, 1), was 1", badHyperparameter(Task.CLASSIFICATION, "random-forest",
                Map.of("fractionFeaturesInSplit", 1), credit, "fractionFeaturesInSplit"));
        assertEquals("fractionFeaturesInSplit must be a number in (0, 1], was 1.5", badHyperparameter(Task.CLASSIFICATION, "cart",
                Map.of("fractionFeaturesInSplit", 1.5), credit, "fractionFeaturesInSplit"));
        assertEquals("centroids must be an integer in [1, 100000], was \"3\"", badHyperparameter(Task.CLUSTERING, "kmeans",
                Map.of("centroids", "3"), credit, "centroids"));
        assertEquals("engine 'tribuo' has no regression algorithm 'logistic'; use linear, cart, random-forest",
                badRequest(Task.REGRESSION, "logistic", Map.of(), credit, "Amount"));
        assertEquals("regression target 'Status' must be numeric, is CATEGORICAL",
                badRequest(Task.REGRESSION, "cart", Map.of(), credit, "Status"));
        assertEquals("unknown column: status", badRequest(Task.CLASSIFICATION, "cart", Map.of(), credit, "status"));

        List<Row> good = credit.toList().stream().filter(r -> "good".equals(r.get("Status"))).toList();
        assertEquals("target 'Status' has a single class 'good': classification needs at least two",
                badRequest(Task.CLASSIFICATION, "logistic", Map.of(), Dataset.of(credit.schema(), good), "Status"));

        Dataset reviews = read("imdb_reviews_2k.csv", Map.of("review", DataType.TEXT));
        assertEquals("column 'review' is TEXT: add a text extraction transform (e.g. tfidf) before the engine",
                badRequest(Task.CLASSIFICATION, "logistic", Map.of(), reviews, "sentiment"));
        Schema dated = Schema.of(Field.of("day", DataType.DATE), Field.of("y", DataType.DOUBLE));
        Dataset days = Dataset.of(dated, List.of(new Row(dated, LocalDate.of(2026, 1, 1), 1.0)));
        assertEquals("column 'day' is DATE: add time features (e.g. year, month, day of week) before the engine",
                badRequest(Task.REGRESSION, "linear", Map.of(), days, "y"));

        TrainingContext cancelled = new RecordingContext() {
            @Override
            public boolean isCancelled() {
                return true;
            }
        };
        assertEquals("training cancelled", assertThrows(EngineException.class, () -> engine.train(
                new TrainingRequest(Task.CLASSIFICATION, "cart", Map.of(), credit, "Status", 1), cancelled)).getMessage());
        // cancelled while Tribuo trains: noticed as soon as it returns
        AtomicInteger calls = new AtomicInteger();
        TrainingContext cancelledLater = new RecordingContext() {
            @Override
            public boolean isCancelled() {
                return calls.incrementAndGet() > 5;
            }
        };
        assertEquals("training cancelled", assertThrows(EngineException.class, () -> engine.train(
                new TrainingRequest(Task.CLASSIFICATION, "cart", Map.of(), credit, "Status", 1), cancelledLater)).getMessage());
    }

    @Test
    void loadRejectsForeignAndCorruptBytes() throws Exception {
        assertTrue(loadError("engine=baseline\n".getBytes(StandardCharsets.UTF_8)).startsWith("not a Tribuo model of Cogwork"));
        assertTrue(loadError(new byte[0]).startsWith("not a Tribuo model of Cogwork"));
        Split s = split(read("concrete.csv"), 1);
        byte[] saved;
        try (Model m = engine.train(new TrainingRequest(Task.REGRESSION, "cart", Map.of(), s.train, "compressive_strength", 1),
                TrainingContext.none())) {
            saved = save(m);
        }
        assertEquals("corrupt Tribuo model: truncated", loadError(Arrays.copyOf(saved, saved.length - 10)));
        byte[] flipped = saved.clone();
        flipped[flipped.length - 20] ^= 0x5a;
        assertEquals("corrupt Tribuo model: checksum of the model bytes does not match", loadError(flipped));
        byte[] badHeader = saved.clone();
        badHeader[ModelFormat.MAGIC.length + 8] = '#';
        assertTrue(loadError(badHeader).startsWith("corrupt Tribuo model: unreadable header"), loadError(badHeader));
        byte[] future = saved.clone();
        future[ModelFormat.MAGIC.length + 3] = 9;
        assertEquals("Tribuo model format 9 is not supported by this engine (reads formats 1 and 2)", loadError(future));
    }

    /** Left out, a forest's features per split are the square root of them for classification and half for regression. */
    @Test
    void forestsChooseTheSquareRootOfTheFeaturesPerSplitForClassificationAndHalfForRegression() throws Exception {
        Split credit = split(read("credit_data.csv"), 5);
        Split concrete = split(read("concrete.csv"), 5);
        for (Map<String, Object> given : List.<Map<String, Object>>of(Map.of("numTrees", 3), Map.of("numTrees", 3, "fractionFeaturesInSplit", 0.7))) {
            try (Model c = engine.train(new TrainingRequest(Task.CLASSIFICATION, "random-forest", given, credit.train, "Status", 5),
                    TrainingContext.none());
                 Model r = engine.train(new TrainingRequest(Task.REGRESSION, "random-forest", given, concrete.train,
                         "compressive_strength", 5), TrainingContext.none())) {
                int features = ((Number) c.descriptor().provenance().get("features")).intValue();
                double classification = fraction(c);
                if (given.containsKey("fractionFeaturesInSplit")) {
                    assertEquals(0.7, classification);
                    assertEquals(0.7, fraction(r));
                } else {
                    assertTrue(features >= 16, "enough features for the square root to differ from half: " + features);
                    assertEquals(Math.round(Math.sqrt(features)), Math.round(classification * features), classification + " of " + features);
                    assertEquals(0.5, fraction(r));
                }
            }
        }
    }

    private static double fraction(Model m) {
        return ((Number) ((Map<?, ?>) m.descriptor().provenance().get("parameters")).get("fractionFeaturesInSplit")).doubleValue();
    }

    /**
     * A forest saved flat (format 2) is read back only when every reference in it holds: a split's child before or at
     * itself (a walk that would never end), a feature or a leaf's values that are not there, counts beyond the bytes.
     * A forest saved as a Tribuo ensemble in Tribuo's protobuf (format 1, as this engine trained and saved forests
     * before ForestLearner) still loads and answers every test row exactly as Tribuo's ensemble does.
     */
    @Test
    void forestsSaveFlatRefuseBrokenReferencesAndStillLoadAsTribuoSavedThem() throws Exception {
        Split s = split(read("credit_data.csv"), 5);
        try (Model m = engine.train(new TrainingRequest(Task.CLASSIFICATION, "random-forest", Map.of("numTrees", 5), s.train,
                "Status", 5), TrainingContext.none())) {
            byte[] flat = save(m);
            assertEquals(ModelFormat.FLAT_FOREST, java.nio.ByteBuffer.wrap(flat, ModelFormat.MAGIC.length, 4).getInt());
            // a forest as Tribuo's RandomForestTrainer grew them, saved as this engine saved them then
            org.tribuo.Model<org.tribuo.classification.Label> tribuo = new org.tribuo.common.tree.RandomForestTrainer<>(
                    new org.tribuo.classification.dtree.CARTClassificationTrainer(12, 1f, 0f, 0.25f, false,
                            new org.tribuo.classification.dtree.impurity.GiniIndex(), 5),
                    new org.tribuo.classification.ensemble.FullyWeightedVotingCombiner(), 20, 5)
                    .train(ForestLearnerTest.data(s.train, "Status", new org.tribuo.classification.LabelFactory(),
                            v -> new org.tribuo.classification.Label(String.valueOf(v))));
            java.io.ByteArrayOutputStream asTribuo = new java.io.ByteArrayOutputStream();
            ModelFormat.write(asTribuo, m.descriptor(), tribuo);
            try (Model loadedFlat = engine.load(new ByteArrayInputStream(flat));
                 Model loadedTribuo = engine.load(new ByteArrayInputStream(asTribuo.toByteArray()))) {
                assertEquals(m.predict(s.test), loadedFlat.predict(s.test));
                assertNotNull(((TribuoModel) loadedTribuo).tribuoModel(), "format 1 keeps Tribuo's model");
                Features features = new Features(m.descriptor().inputSchema());
                List<Prediction> answers = loadedTribuo.predict(s.test);
                for (int i = 0; i < s.test.size(); i++) {
                    org.tribuo.Prediction<org.tribuo.classification.Label> p = tribuo.predict(
                            features.encode(s.test.get(i), org.tribuo.classification.LabelFactory.UNKNOWN_LABEL));
                    assertEquals(p.getOutput().getLabel(), answers.get(i).value(), "row " + i);
                    for (var e : p.getOutputScores().entrySet()) {
                        assertEquals(e.getValue().getScore(), answers.get(i).scores().get(e.getKey()), 1e-12, "row " + i);
                    }
                }
                loadedFlat.close();
                assertThrows(IllegalStateException.class, () -> loadedFlat.predict(s.test));
            }

            FlatForest forest = FlatForest.of(tribuo);
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            forest.write(new java.io.DataOutputStream(out));
            byte[] good = out.toByteArray();
            java.io.ByteArrayOutputStream again = new java.io.ByteArrayOutputStream();
            FlatForest.read(good).write(new java.io.DataOutputStream(again));
            assertTrue(Arrays.equals(good, again.toByteArray()), "read and written again, the same bytes");
            // the nodes start after the flag, the feature names, the labels and the roots; node 0 is the first tree's root
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(good);
            int at = 1;
            for (int list = 0; list < 2; list++) {
                int n = b.getInt(at);
                at += 4;
                for (int i = 0; i < n; i++) {
                    at += 4 + b.getInt(at);
                }
            }
            at += 4 + 4 * b.getInt(at);
            int node0 = at + 4;
            assertTrue(b.getInt(node0) >= 0, "the first root splits");
            byte[] cycle = good.clone();
            java.nio.ByteBuffer.wrap(cycle).putInt(node0 + 4, 0); // its left child: itself
            assertTrue(assertThrows(IllegalArgumentException.class, () -> FlatForest.read(cycle)).getMessage()
                    .startsWith("split node 0 refers to a feature or node that is not there"));
            byte[] noFeature = good.clone();
            java.nio.ByteBuffer.wrap(noFeature).putInt(node0, 1_000_000);
            assertThrows(IllegalArgumentException.class, () -> FlatForest.read(noFeature));
            byte[] huge = good.clone();
            java.nio.ByteBuffer.wrap(huge).putInt(node0 - 4, Integer.MAX_VALUE); // the node count
            assertTrue(assertThrows(IllegalArgumentException.class, () -> FlatForest.read(huge)).getMessage().contains("cannot hold"));
            assertThrows(IllegalArgumentException.class, () -> FlatForest.read(Arrays.copyOf(good, good.length - 3)));
        }
    }

    private String loadError(byte[] bytes) {
        return assertThrows(EngineException.class, () -> engine.load(new ByteArrayInputStream(bytes))).getMessage();
    }

    /** The message of the 400 a bad hyperparameter gets, checking that it names {@code hyperparameters.<name>}. */
    private String badHyperparameter(Task task, String algorithm, Map<String, Object> params, Dataset data, String name) {
        InvalidFieldException e = assertThrows(InvalidFieldException.class, () -> engine.train(new TrainingRequest(task, algorithm,
                params, data, task == Task.CLUSTERING ? null : task == Task.REGRESSION ? "compressive_strength" : "Status", 1),
                TrainingContext.none()));
        assertEquals("hyperparameters." + name, e.field());
        return e.getMessage();
    }

    private String badRequest(Task task, String algorithm, Map<String, Object> params, Dataset data, String target) {
        return assertThrows(IllegalArgumentException.class, () -> engine.train(
                new TrainingRequest(task, algorithm, params, data, target, 1), TrainingContext.none())).getMessage();
    }

    private static double r2(List<Prediction> p, List<Row> rows, String target) {
        double mean = rows.stream().mapToDouble(r -> ((Number) r.get(target)).doubleValue()).average().orElseThrow();
        double ssRes = 0;
        double ssTot = 0;
        for (int i = 0; i < rows.size(); i++) {
            double y = ((Number) rows.get(i).get(target)).doubleValue();
            ssRes += Math.pow(y - (Double) p.get(i).value(), 2);
            ssTot += Math.pow(y - mean, 2);
        }
        return 1 - ssRes / ssTot;
    }

    private static byte[] save(Model m) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        m.save(out);
        return out.toByteArray();
    }

    private record Split(Dataset train, List<Row> test) {
    }

    /** A seeded 80/20 split. */
    private static Split split(Dataset d, long seed) {
        List<Row> rows = new ArrayList<>(d.toList());
        Collections.shuffle(rows, new Random(seed));
        int n = (int) Math.round(rows.size() * 0.8);
        return new Split(Dataset.of(d.schema(), rows.subList(0, n)), List.copyOf(rows.subList(n, rows.size())));
    }

    private static class RecordingContext implements TrainingContext {
        final List<Long> steps = Collections.synchronizedList(new ArrayList<>());

        @Override
        public boolean isCancelled() {
            return false;
        }

        @Override
        public void progress(long step, long totalSteps, Map<String, Double> metrics) {
            steps.add(step);
        }
    }

    static Dataset read(String file) throws IOException {
        return read(file, Map.of());
    }

    /**
     * Reads one of the shared CSV files: a quoted or non-numeric column is CATEGORICAL, an all-integer column
     * INT, other numeric columns DOUBLE; an empty cell is missing. Commas inside quotes occur only in review
     * texts (declared TEXT by the caller), whose cells are rejoined. The real CSV reader is the file connector's job.
     */
    private static Dataset read(String file, Map<String, DataType> declared) throws IOException {
        List<String> lines = Files.readAllLines(DATA.resolve(file));
        String[] header = lines.get(0).replace("\"", "").split(",");
        List<String[]> cells = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            cells.add(splitCsv(line, header.length));
        }
        List<Field> fields = new ArrayList<>();
        for (int c = 0; c < header.length; c++) {
            DataType type = declared.get(header[c]);
            if (type == null) {
                boolean numeric = true;
                boolean integer = true;
                for (String[] row : cells) {
                    String v = row[c];
                    if (v.isEmpty()) {
                        continue;
                    }
                    if (v.startsWith("\"") || !v.matches("-?[0-9.eE+-]+")) {
                        numeric = false;
                        break;
                    }
                    integer &= v.matches("-?[0-9]+");
                }
                type = !numeric ? DataType.CATEGORICAL : integer ? DataType.INT : DataType.DOUBLE;
            }
            fields.add(Field.of(header[c], type));
        }
        Schema schema = new Schema(fields);
        List<Row> rows = new ArrayList<>();
        for (String[] row : cells) {
            Object[] values = new Object[row.length];
            for (int c = 0; c < row.length; c++) {
                String v = row[c].startsWith("\"") ? row[c].substring(1, row[c].length() - 1).replace("\"\"", "\"") : row[c];
                values[c] = v.isEmpty() ? null : switch (fields.get(c).type()) {
                    case INT -> Long.valueOf(v);
                    case DOUBLE -> Double.valueOf(v);
                    default -> v;
                };
            }
            rows.add(new Row(schema, values));
        }
        return Dataset.of(schema, rows);
    }

    private static String[] splitCsv(String line, int columns) {
        List<String> out = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        for (char ch : line.toCharArray()) {
            if (ch == '"') {
                quoted = !quoted;
            }
            if (ch == ',' && !quoted) {
                out.add(cell.toString());
                cell.setLength(0);
            } else {
                cell.append(ch);
            }
        }
        out.add(cell.toString());
        if (out.size() != columns) {
            throw new IllegalArgumentException("expected " + columns + " cells: " + line);
        }
        return out.toArray(String[]::new);
    }
}
