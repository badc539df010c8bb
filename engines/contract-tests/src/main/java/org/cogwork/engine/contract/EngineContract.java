package org.cogwork.engine.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.cogwork.api.data.Dataset;
import org.cogwork.api.data.Field;
import org.cogwork.api.data.Row;
import org.cogwork.api.data.Schema;
import org.cogwork.api.engine.AlgorithmInfo;
import org.cogwork.api.engine.Engine;
import org.cogwork.api.engine.EngineException;
import org.cogwork.api.engine.Hyperparameter;
import org.cogwork.api.engine.Model;
import org.cogwork.api.engine.ModelDescriptor;
import org.cogwork.api.engine.Prediction;
import org.cogwork.api.engine.Task;
import org.cogwork.api.engine.TrainingContext;
import org.cogwork.api.engine.TrainingRequest;
import org.cogwork.api.problem.InvalidFieldException;
import org.cogwork.connector.file.FileSource;
import org.cogwork.connector.file.FileSourceConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.osgi.util.converter.Converters;

/**
 * What every engine bundle must do, whatever its library: subclass in a test with the engine and the classification
 * algorithm to check (the baseline engine's {@code BaselineContractTest} is the smallest example). The data is real: credit_data.csv (4,454 loan applications, numeric and categorical
 * columns with missing values; 72% "good"), read through the file connector as the platform does, split
 * 80/20 with a fixed seed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class EngineContract {
    /** The system property naming the folder of the shared datasets. */
    public static final String DATA_PROPERTY = "cogwork.data";
    /** The shared datasets: the system property {@value #DATA_PROPERTY}, by default {@code ../../../shared/data}. */
    static final Path DATA = Path.of(System.getProperty(DATA_PROPERTY, "../../../shared/data")).toAbsolutePath().normalize();
    static final String TARGET = "Status";
    private static final ObjectMapper JSON = new ObjectMapper();

    private Dataset train;
    private List<Row> test;
    private Model model;

    /** The engine under test, as constructed outside OSGi. */
    protected abstract Engine engine();

    /** A classification algorithm of the engine. */
    protected abstract String algorithm();

    /** Hyperparameters for a quick but real training run. */
    protected Map<String, Object> hyperparameters() {
        return Map.of();
    }

    /** The held-out accuracy the engine's algorithm must reach on credit data. */
    protected abstract double minimumAccuracy();

    @BeforeAll
    void trainOnce() throws Exception {
        FileSource files = new FileSource(Converters.standardConverter().convert(Map.of("cogwork.source.id", "data",
                "path", data("credit_data.csv").toString())).to(FileSourceConfig.class));
        Dataset all = files.read("credit_data.csv", org.cogwork.api.query.Query.all());
        List<Row> rows = new ArrayList<>(all.toList());
        Collections.shuffle(rows, new Random(7));
        int n = (int) Math.round(rows.size() * 0.8);
        train = Dataset.of(all.schema(), rows.subList(0, n));
        test = List.copyOf(rows.subList(n, rows.size()));
        model = train(42, TrainingContext.none());
    }

    /**
     * A shared dataset by name.
     *
     * @throws IllegalStateException naming the {@value #DATA_PROPERTY} property when the file is not there
     */
    protected static Path data(String name) {
        Path p = DATA.resolve(name);
        if (!java.nio.file.Files.isRegularFile(p)) {
            throw new IllegalStateException(name + " not found in " + DATA + ": set the system property " + DATA_PROPERTY
                    + " to the folder of the shared datasets (e.g. -D" + DATA_PROPERTY + "=/path/to/shared/data, or in the"
                    + " surefire plugin's systemPropertyVariables)");
        }
        return p;
    }

    @AfterAll
    void closeModel() {
        if (model != null) {
            model.close();
        }
    }

    private Model train(long seed, TrainingContext context) throws EngineException {
        return engine().train(new TrainingRequest(Task.CLASSIFICATION, algorithm(), hyperparameters(), train, TARGET, seed),
                context);
    }

    @Test
    void infoNamesTheEngineAndDescribesEveryAlgorithm() {
        var info = engine().info();
        assertFalse(info.name().isBlank());
        assertFalse(info.version().isBlank());
        assertTrue(info.tasks().contains(Task.CLASSIFICATION), "the contract checks a classification algorithm");
        for (AlgorithmInfo a : info.algorithms()) {
            assertFalse(a.name().isBlank());
            assertNotNull(a.description(), a.name());
            for (Hyperparameter h : a.hyperparameters()) {
                assertFalse(h.description().isBlank(), a.name() + "." + h.name() + " is described");
                assertTrue(h.type() != Hyperparameter.Type.ANY, a.name() + "." + h.name() + " is typed");
            }
        }
        assertTrue(info.algorithms().stream().anyMatch(a -> a.name().equals(algorithm()) && a.task() == Task.CLASSIFICATION));
    }

    /**
     * Every declared hyperparameter of every algorithm: its default passes its own check and the engine's submission
     * check; a value just outside its range (or not among its choices) is refused by both, naming
     * {@code hyperparameters.<name>}; an undeclared name is refused too.
     */
    @Test
    void everyDeclaredHyperparameterTakesItsDefaultAndRefusesWhatIsOutOfRange() {
        Engine engine = engine();
        for (AlgorithmInfo a : engine.info().algorithms()) {
            for (Hyperparameter h : a.hyperparameters()) {
                String where = a.task() + " " + a.name() + "." + h.name();
                if (h.defaultValue() != null) {
                    assertEquals(h.defaultValue(), h.check(h.defaultValue()), where + ": the default passes its check");
                    if (a.hyperparameters().stream().noneMatch(Hyperparameter::required)) {
                        engine.checkHyperparameters(a.name(), a.task(), Map.of(h.name(), h.defaultValue()));
                    }
                }
                for (Object outside : outside(h)) {
                    InvalidFieldException e = assertThrows(InvalidFieldException.class, () -> h.check(outside), where + " = " + outside);
                    assertEquals(h.field(), e.field());
                    InvalidFieldException submitted = assertThrows(InvalidFieldException.class,
                            () -> engine.checkHyperparameters(a.name(), a.task(), Map.of(h.name(), outside)), where + " = " + outside);
                    assertEquals("hyperparameters." + h.name(), submitted.field(), submitted.getMessage());
                    assertEquals(e.getMessage(), submitted.getMessage(), "one wording: the declaration's");
                }
            }
            InvalidFieldException unknown = assertThrows(InvalidFieldException.class, () -> engine.checkHyperparameters(a.name(),
                    a.task(), Map.of("noSuchHyperparameter", 1)), a.name());
            assertEquals("hyperparameters.noSuchHyperparameter", unknown.field());
        }
    }

    /** Values just outside a declared range, or not among the choices; none when nothing is declared to refuse. */
    private static List<Object> outside(Hyperparameter h) {
        List<Object> out = new ArrayList<>();
        boolean integer = h.type() == Hyperparameter.Type.INTEGER || h.type() == Hyperparameter.Type.INTEGER_LIST;
        if (h.min() != null) {
            long m = h.min().longValue();
            double d = h.min().doubleValue();
            out.add(integer ? (Object) (h.minInclusive() ? m - 1 : m) : (Object) (h.minInclusive() ? Math.nextDown(d) : d));
        }
        if (h.max() != null) {
            long m = h.max().longValue();
            double d = h.max().doubleValue();
            out.add(integer ? (Object) (h.maxInclusive() ? m + 1 : m) : (Object) (h.maxInclusive() ? Math.nextUp(d) : d));
        }
        if (h.type() == Hyperparameter.Type.INTEGER_LIST) {
            out.replaceAll(v -> List.of(v)); // one element out of range
        }
        if (h.type() == Hyperparameter.Type.CHOICE) {
            out.add("not-" + String.join("-", h.choices()));
        }
        if (h.type() == Hyperparameter.Type.INTEGER) {
            out.add(1.5); // not a whole number, wherever the range is
            out.add("1"); // not coerced from a string
        }
        return out;
    }

    /**
     * Training with no hyperparameters (every declared default) works, and gives the same model as training with every
     * default written out: the declared defaults are the ones the engine uses. An algorithm that requires a
     * hyperparameter (the file an imported model comes from) gets the value {@link #hyperparameters()} gives in both.
     */
    @Test
    void trainsWithItsDeclaredDefaults() throws Exception {
        AlgorithmInfo a = engine().info().algorithm(algorithm(), Task.CLASSIFICATION);
        Map<String, Object> required = new LinkedHashMap<>();
        a.hyperparameters().stream().filter(Hyperparameter::required).forEach(h -> required.put(h.name(),
                java.util.Objects.requireNonNull(hyperparameters().get(h.name()), h.name() + " is required: give it in hyperparameters()")));
        Map<String, Object> defaults = new LinkedHashMap<>(required);
        a.hyperparameters().stream().filter(h -> h.defaultValue() != null).forEach(h -> defaults.put(h.name(), h.defaultValue()));
        try (Model implicit = engine().train(new TrainingRequest(Task.CLASSIFICATION, algorithm(), required, train, TARGET, 11),
                TrainingContext.none());
             Model explicit = engine().train(new TrainingRequest(Task.CLASSIFICATION, algorithm(), defaults, train, TARGET, 11),
                     TrainingContext.none())) {
            List<Prediction> predictions = implicit.predict(test);
            assertEquals(test.size(), predictions.size());
            assertTrue(predictions.stream().allMatch(p -> List.of("bad", "good").contains(p.value())), "predicts the classes");
            assertSamePredictions(predictions, explicit.predict(test));
        }
    }

    @Test
    void predictsHeldOutRowsAboveItsFloor() {
        List<Prediction> predictions = model.predict(test);
        assertEquals(test.size(), predictions.size());
        List<String> labels = model.descriptor().labels();
        assertEquals(List.of("bad", "good"), labels);
        int correct = 0;
        for (int i = 0; i < test.size(); i++) {
            Prediction p = predictions.get(i);
            assertTrue(labels.contains(p.value()), "predicted " + p.value());
            if (!p.scores().isEmpty()) {
                assertEquals(labels.size(), p.scores().size());
                double sum = p.scores().values().stream().mapToDouble(Double::doubleValue).sum();
                assertEquals(1.0, sum, 1e-4, "class scores are probabilities");
                String best = Collections.max(p.scores().entrySet(), Map.Entry.comparingByValue()).getKey();
                assertEquals(best, p.value(), "the predicted class has the highest score");
            }
            if (p.value().equals(test.get(i).get(TARGET))) {
                correct++;
            }
        }
        double accuracy = (double) correct / test.size();
        assertTrue(accuracy >= minimumAccuracy(), engine().info().name() + " " + algorithm() + " accuracy " + accuracy
                + " < " + minimumAccuracy());
    }

    @Test
    void savedModelLoadsAndPredictsTheSame() throws Exception {
        byte[] bytes = save(model);
        assertTrue(bytes.length > 0);
        try (Model loaded = engine().load(new ByteArrayInputStream(bytes))) {
            assertEquals(model.descriptor().labels(), loaded.descriptor().labels());
            assertEquals(model.descriptor().algorithm(), loaded.descriptor().algorithm());
            assertEquals(model.descriptor().inputSchema().fields().stream().map(Field::name).toList(),
                    loaded.descriptor().inputSchema().fields().stream().map(Field::name).toList());
            assertSamePredictions(model.predict(test), loaded.predict(test));
            try (Model again = engine().load(new ByteArrayInputStream(save(loaded)))) {
                assertSamePredictions(model.predict(test), again.predict(test)); // a loaded model saves again
            }
        }
    }

    @Test
    void descriptorCarriesProvenance() throws Exception {
        ModelDescriptor d = model.descriptor();
        assertEquals(engine().info().name(), d.engine());
        assertEquals(engine().info().version(), d.engineVersion());
        assertEquals(algorithm(), d.algorithm());
        assertEquals(Task.CLASSIFICATION, d.task());
        assertEquals(TARGET, d.target());
        List<String> inputs = d.inputSchema().fields().stream().map(Field::name).toList();
        assertFalse(inputs.contains(TARGET), "the target is not an input");
        assertTrue(inputs.containsAll(List.of("Seniority", "Home", "Income", "Amount")), inputs.toString());
        assertFalse(d.provenance().isEmpty(), "provenance present");
        String json = JSON.writeValueAsString(d.provenance());
        assertTrue(json.length() > 2, json);
    }

    @Test
    void sameSeedGivesTheSameModel() throws Exception {
        try (Model again = train(42, TrainingContext.none())) {
            assertSamePredictions(model.predict(test), again.predict(test));
        }
    }

    @Test
    void rowsLackingAFeatureOrOfTheWrongTypeAreRejectedNamingTheColumn() {
        Row good = test.get(0);
        Schema without = new Schema(good.schema().fields().stream().filter(f -> !f.name().equals("Income")).toList());
        Object[] values = without.fields().stream().map(f -> good.get(f.name())).toArray();
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> model.predict(List.of(new Row(without, values))));
        assertTrue(missing.getMessage().contains("Income"), missing.getMessage());

        Object[] wrong = good.values();
        wrong[good.schema().indexOf("Home")] = 42L;
        IllegalArgumentException typed = assertThrows(IllegalArgumentException.class,
                () -> model.predict(List.of(new Row(good.schema(), wrong))));
        assertTrue(typed.getMessage().contains("Home"), typed.getMessage());
    }

    @Test
    void badRequestsAreRejectedNamingWhatIsWrong() {
        IllegalArgumentException algorithm = assertThrows(IllegalArgumentException.class, () -> engine().train(
                new TrainingRequest(Task.CLASSIFICATION, "no-such-algorithm", Map.of(), train, TARGET, 1), TrainingContext.none()));
        assertTrue(algorithm.getMessage().contains("no-such-algorithm"), algorithm.getMessage());
        IllegalArgumentException column = assertThrows(IllegalArgumentException.class, () -> engine().train(
                new TrainingRequest(Task.CLASSIFICATION, algorithm(), hyperparameters(), train, "NoSuchColumn", 1),
                TrainingContext.none()));
        assertTrue(column.getMessage().contains("NoSuchColumn"), column.getMessage());
        EngineException corrupt = assertThrows(EngineException.class,
                () -> engine().load(new ByteArrayInputStream("not a model".getBytes(StandardCharsets.UTF_8))));
        assertNotNull(corrupt.getMessage());
    }

    @Test
    void cancelledTrainingStopsWithAnEngineException() {
        TrainingContext cancelled = new TrainingContext() {
            @Override
            public boolean isCancelled() {
                return true;
            }

            @Override
            public void progress(long step, long totalSteps, Map<String, Double> metrics) {
            }
        };
        EngineException e = assertThrows(EngineException.class, () -> train(1, cancelled).close());
        assertTrue(e.getMessage().toLowerCase().contains("cancel"), e.getMessage());
    }

    @Test
    void cancellingAfterTheFirstProgressReportStopsTraining() {
        AtomicInteger reports = new AtomicInteger();
        TrainingContext context = new TrainingContext() {
            @Override
            public boolean isCancelled() {
                return reports.get() > 0;
            }

            @Override
            public void progress(long step, long totalSteps, Map<String, Double> metrics) {
                reports.incrementAndGet();
            }
        };
        assertThrows(EngineException.class, () -> train(1, context).close());
        assertTrue(reports.get() >= 1, "the engine reports progress");
    }

    @Test
    void closedModelsRefuseToPredictAndCloseTwiceQuietly() throws Exception {
        Model m = engine().load(new ByteArrayInputStream(save(model)));
        m.close();
        m.close();
        assertThrows(IllegalStateException.class, () -> m.predict(test.subList(0, 1)));
    }

    private static byte[] save(Model m) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        m.save(out);
        return out.toByteArray();
    }

    private static void assertSamePredictions(List<Prediction> expected, List<Prediction> actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i).value(), actual.get(i).value(), "row " + i);
            Map<String, Double> e = new LinkedHashMap<>(expected.get(i).scores());
            for (var entry : e.entrySet()) {
                assertEquals(entry.getValue(), actual.get(i).scores().get(entry.getKey()), 1e-5, "row " + i + " " + entry.getKey());
            }
        }
    }
}
