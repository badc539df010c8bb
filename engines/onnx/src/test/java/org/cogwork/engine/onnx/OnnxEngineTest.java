package org.cogwork.engine.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.cogwork.api.data.Dataset;
import org.cogwork.api.data.Field;
import org.cogwork.api.data.Row;
import org.cogwork.api.data.Schema;
import org.cogwork.api.engine.Model;
import org.cogwork.api.engine.Prediction;
import org.cogwork.api.engine.Task;
import org.cogwork.api.engine.TrainingContext;
import org.cogwork.api.engine.TrainingRequest;
import org.cogwork.api.problem.InvalidFieldException;
import org.cogwork.api.query.Query;
import org.cogwork.api.security.DataRoots;
import org.cogwork.connector.file.FileSource;
import org.cogwork.connector.file.FileSourceConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.util.converter.Converters;

/**
 * The committed exports (made by src/test/python/make_onnx.py) reproduce the predictions their own libraries made for
 * their test rows, stored next to them; and what is not an ONNX model, or not one for the data, fails naming why.
 */
class OnnxEngineTest {
    static final Path RESOURCES = OnnxContractTest.RESOURCES;
    static final double TOLERANCE = 1e-5;
    private final OnnxEngine engine = new OnnxEngine("1.29.0-test", DataRoots.of(List.of(RESOURCES)));

    @Test
    void scikitLearnIrisExportGivesScikitLearnsLabelsAndProbabilities() throws Exception {
        Dataset expected = csv("iris_logistic.expected.csv");
        List<String> features = List.of("sepal_length", "sepal_width", "petal_length", "petal_width");
        Dataset data = project(expected, features, "species");
        try (Model model = importModel(Task.CLASSIFICATION, "onnx-classifier", "iris_logistic.onnx", data, "species", Map.of())) {
            assertEquals(List.of("setosa", "versicolor", "virginica"), model.descriptor().labels());
            assertEquals(features, model.descriptor().inputSchema().fields().stream().map(Field::name).toList());
            assertReproduces(expected, data.toList(), model, model.descriptor().labels());
            assertReproduces(expected, data.toList(), reload(model), model.descriptor().labels());
        }
    }

    @Test
    void scikitLearnCreditExportWithOneInputPerColumnAndZipMapGivesScikitLearnsPredictions() throws Exception {
        Dataset expected = csv("credit_logistic.expected.csv");
        List<String> features = List.of("Seniority", "Time", "Age", "Expenses", "Income", "Assets", "Debt", "Amount", "Price",
                "Home", "Marital", "Records", "Job");
        Dataset data = project(expected, features, "Status");
        try (Model model = importModel(Task.CLASSIFICATION, "onnx-classifier", "credit_logistic.onnx", data, "Status", Map.of())) {
            assertEquals(List.of("bad", "good"), model.descriptor().labels());
            assertReproduces(expected, data.toList(), model, model.descriptor().labels());
            assertTrue(data.toList().stream().anyMatch(r -> r.get("Income") == null), "rows with missing values are among them");
            Map<String, Object> inputs = castMap(model.descriptor().provenance().get("inputs"));
            assertEquals("one input per column", inputs.get("layout"));
        }
    }

    @Test
    void pyTorchClassifierGivingLogitsOnlyIsLabelledWithTheTrainingLabelsAndSoftmaxed() throws Exception {
        Dataset expected = csv("iris_torch.expected.csv");
        List<String> features = List.of("sepal_length", "sepal_width", "petal_length", "petal_width");
        Dataset data = project(expected, features, "species");
        try (Model model = importModel(Task.CLASSIFICATION, "onnx-classifier", "iris_torch.onnx", data, "species",
                Map.of("outputs", "logits"))) {
            assertEquals(List.of("setosa", "versicolor", "virginica"), model.descriptor().labels());
            assertReproduces(expected, data.toList(), model, model.descriptor().labels());
            assertReproduces(expected, data.toList(), reload(model), model.descriptor().labels());
        }
    }

    @Test
    void aVectorColumnFillsItsSlotsOfTheRowTensor() throws Exception {
        Dataset expected = csv("iris_logistic.expected.csv");
        Schema schema = new Schema(List.of(Field.of("measurements", org.cogwork.api.data.DataType.VECTOR),
                Field.of("species", org.cogwork.api.data.DataType.CATEGORICAL)));
        List<Row> rows = new ArrayList<>();
        for (Row r : expected.toList()) {
            double[] v = List.of("sepal_length", "sepal_width", "petal_length", "petal_width").stream()
                    .mapToDouble(c -> ((Number) r.get(c)).doubleValue()).toArray();
            rows.add(new Row(schema, org.cogwork.api.data.Vector.dense(v), r.get("species")));
        }
        try (Model model = importModel(Task.CLASSIFICATION, "onnx-classifier", "iris_logistic.onnx", Dataset.of(schema, rows),
                "species", Map.of())) {
            assertReproduces(expected, rows, model, model.descriptor().labels());
        }
    }

    @Test
    void pyTorchConcreteExportGivesPyTorchsValues() throws Exception {
        Dataset expected = csv("concrete_mlp.expected.csv");
        List<String> features = List.of("cement", "blast_furnace_slag", "fly_ash", "water", "superplasticizer",
                "coarse_aggregate", "fine_aggregate", "age");
        Dataset data = project(expected, features, "compressive_strength");
        try (Model model = importModel(Task.REGRESSION, "onnx-regressor", "concrete_mlp.onnx", data, "compressive_strength", Map.of())) {
            List<Row> rows = data.toList();
            List<Row> want = expected.toList();
            for (Model m : List.of(model, reload(model))) {
                List<Prediction> got = m.predict(rows);
                double worst = 0;
                for (int i = 0; i < rows.size(); i++) {
                    double e = ((Number) want.get(i).get("predicted")).doubleValue();
                    double g = (Double) got.get(i).value();
                    worst = Math.max(worst, Math.abs(g - e) / Math.max(1, Math.abs(e)));
                }
                System.out.printf("concrete_mlp.onnx: %d rows, largest relative difference from PyTorch %.3g%n", rows.size(), worst);
                assertTrue(worst <= TOLERANCE, "largest relative difference from PyTorch " + worst);
            }
        }
    }

    @Test
    void aFileThatIsNotOnnxIsRefusedNamingThePath(@TempDir Path dir) throws Exception {
        Path fake = Files.writeString(dir.resolve("model.onnx"), "this is not an ONNX model", StandardCharsets.UTF_8);
        OnnxEngine anywhere = new OnnxEngine("test", DataRoots.of(List.of(dir)));
        Dataset data = project(csv("iris_logistic.expected.csv"), List.of("sepal_length", "sepal_width", "petal_length",
                "petal_width"), "species");
        InvalidFieldException e = assertThrows(InvalidFieldException.class, () -> anywhere.train(new TrainingRequest(
                Task.CLASSIFICATION, "onnx-classifier", Map.of("path", fake.toString()), data, "species", 1), TrainingContext.none()));
        assertEquals("hyperparameters.path", e.field());
        assertTrue(e.getMessage().contains("is not an ONNX model"), e.getMessage());
        Path empty = Files.createFile(dir.resolve("empty.onnx"));
        e = assertThrows(InvalidFieldException.class, () -> anywhere.train(new TrainingRequest(Task.CLASSIFICATION,
                "onnx-classifier", Map.of("path", empty.toString()), data, "species", 1), TrainingContext.none()));
        assertEquals("hyperparameters.path", e.field());
    }

    @Test
    void aPathOutsideTheDataRootsOrNamingNoFileIsA400NamingThePath(@TempDir Path elsewhere) throws Exception {
        Path outside = Files.copy(RESOURCES.resolve("iris_logistic.onnx"), elsewhere.resolve("iris.onnx"));
        for (String path : List.of(outside.toString(), RESOURCES.resolve("../resources/../../../pom.xml").toString())) {
            InvalidFieldException e = assertThrows(InvalidFieldException.class,
                    () -> engine.checkHyperparameters("onnx-classifier", Task.CLASSIFICATION, Map.of("path", path)));
            assertEquals("hyperparameters.path", e.field());
            assertTrue(e.getMessage().contains("outside the data roots"), e.getMessage());
        }
        InvalidFieldException missing = assertThrows(InvalidFieldException.class, () -> engine.checkHyperparameters(
                "onnx-regressor", Task.REGRESSION, Map.of("path", RESOURCES.resolve("no-such.onnx").toString())));
        assertEquals("hyperparameters.path", missing.field());
        assertTrue(missing.getMessage().contains("names no file"), missing.getMessage());
        InvalidFieldException required = assertThrows(InvalidFieldException.class,
                () -> engine.checkHyperparameters("onnx-classifier", Task.CLASSIFICATION, Map.of()));
        assertEquals("hyperparameters.path", required.field());
        InvalidFieldException directory = assertThrows(InvalidFieldException.class, () -> engine.checkHyperparameters(
                "onnx-classifier", Task.CLASSIFICATION, Map.of("path", RESOURCES.toString())));
        assertTrue(directory.getMessage().contains("not a regular file"), directory.getMessage());
    }

    @Test
    void aModelWhoseInputsDoNotMatchTheDatasetFailsNamingTheMismatch() throws Exception {
        Dataset concrete = project(csv("concrete_mlp.expected.csv"), List.of("cement", "blast_furnace_slag", "fly_ash", "water",
                "superplasticizer", "coarse_aggregate", "fine_aggregate", "age"), "compressive_strength");
        Dataset iris = project(csv("iris_logistic.expected.csv"), List.of("sepal_length", "sepal_width", "petal_length",
                "petal_width"), "species");
        // one input [N, 4], eight features
        IllegalArgumentException width = assertThrows(IllegalArgumentException.class,
                () -> importModel(Task.REGRESSION, "onnx-regressor", "iris_logistic.onnx", concrete, "compressive_strength", Map.of()));
        assertTrue(width.getMessage().contains("input 'X' takes 4 values per row, the features give 8"), width.getMessage());
        // one input per column, named after columns the dataset does not have
        IllegalArgumentException names = assertThrows(IllegalArgumentException.class,
                () -> importModel(Task.CLASSIFICATION, "onnx-classifier", "credit_logistic.onnx", iris, "species", Map.of()));
        assertTrue(names.getMessage().contains("Seniority") && names.getMessage().contains("name no feature column"),
                names.getMessage());
        // a categorical column cannot go into a float row tensor
        Dataset withCategory = project(csv("credit_logistic.expected.csv"), List.of("Seniority", "Time", "Age", "Home"), "Status");
        IllegalArgumentException category = assertThrows(IllegalArgumentException.class,
                () -> importModel(Task.CLASSIFICATION, "onnx-classifier", "iris_logistic.onnx", withCategory, "Status", Map.of()));
        assertTrue(category.getMessage().contains("column 'Home' is CATEGORICAL"), category.getMessage());
        // the model's classes are not the target's
        Dataset irisAsCredit = project(csv("credit_logistic.expected.csv"), List.of("Seniority", "Time", "Age", "Expenses"), "Status");
        IllegalArgumentException classes = assertThrows(IllegalArgumentException.class,
                () -> importModel(Task.CLASSIFICATION, "onnx-classifier", "iris_logistic.onnx", irisAsCredit, "Status", Map.of()));
        assertTrue(classes.getMessage().contains("3 scores per row and target 'Status' has 2 classes"), classes.getMessage());
        // labels given in the wrong number
        InvalidFieldException labels = assertThrows(InvalidFieldException.class, () -> importModel(Task.CLASSIFICATION,
                "onnx-classifier", "iris_logistic.onnx", iris, "species", Map.of("labels", "setosa,virginica")));
        assertEquals("hyperparameters.labels", labels.field());
        // labels in an order that contradicts the model's own label output
        IllegalArgumentException order = assertThrows(IllegalArgumentException.class, () -> importModel(Task.CLASSIFICATION,
                "onnx-classifier", "iris_logistic.onnx", iris, "species", Map.of("labels", "virginica,versicolor,setosa")));
        assertTrue(order.getMessage().contains("in the order of the model's scores"), order.getMessage());
    }

    @Test
    void aCorruptSavedModelIsAnEngineException() throws Exception {
        Dataset iris = project(csv("iris_logistic.expected.csv"), List.of("sepal_length", "sepal_width", "petal_length",
                "petal_width"), "species");
        byte[] saved;
        try (Model model = importModel(Task.CLASSIFICATION, "onnx-classifier", "iris_logistic.onnx", iris, "species", Map.of())) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            model.save(out);
            saved = out.toByteArray();
        }
        byte[] truncated = java.util.Arrays.copyOf(saved, saved.length - 100);
        assertThrows(org.cogwork.api.engine.EngineException.class, () -> engine.load(new ByteArrayInputStream(truncated)));
        byte[] garbled = saved.clone();
        for (int i = saved.length - 300; i < saved.length; i++) {
            garbled[i] = (byte) 0xff;
        }
        assertThrows(org.cogwork.api.engine.EngineException.class, () -> engine.load(new ByteArrayInputStream(garbled)));
    }

    private Model importModel(Task task, String algorithm, String file, Dataset data, String target, Map<String, Object> more)
            throws Exception {
        Map<String, Object> params = new HashMap<>(more);
        params.put("path", RESOURCES.resolve(file).toString());
        engine.checkHyperparameters(algorithm, task, params);
        return engine.train(new TrainingRequest(task, algorithm, params, data, target, 0), TrainingContext.none());
    }

    private Model reload(Model model) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        model.save(out);
        return engine.load(new ByteArrayInputStream(out.toByteArray()));
    }

    private static void assertReproduces(Dataset expected, List<Row> rows, Model model, List<String> labels) {
        List<Row> want = expected.toList();
        List<Prediction> got = model.predict(rows);
        assertEquals(want.size(), got.size());
        double worst = 0;
        for (int i = 0; i < want.size(); i++) {
            assertEquals(want.get(i).get("predicted"), got.get(i).value(), "row " + i);
            for (String label : labels) {
                double e = ((Number) want.get(i).get("p_" + label)).doubleValue();
                worst = Math.max(worst, Math.abs(got.get(i).scores().get(label) - e));
            }
        }
        System.out.printf("%s: %d rows, labels equal, largest probability difference from the library that made it %.3g%n",
                model.descriptor().provenance().get("modelSha256").toString().substring(0, 12), want.size(), worst);
        assertTrue(worst <= TOLERANCE, "largest probability difference from the library that made it " + worst);
    }

    /** A CSV of the test resources, read by the file connector as the platform reads a source (types inferred). */
    static Dataset csv(String name) throws Exception {
        FileSource files = new FileSource(Converters.standardConverter().convert(Map.of("cogwork.source.id", "resources",
                "path", RESOURCES.toString())).to(FileSourceConfig.class));
        return files.read(name, Query.all());
    }

    /** The features and the target only, as the training bundle hands them to an engine. */
    static Dataset project(Dataset data, List<String> features, String target) {
        List<String> names = new ArrayList<>(features);
        names.add(target);
        Schema schema = new Schema(names.stream().map(n -> data.schema().require(n)).toList());
        List<Row> rows = new ArrayList<>();
        for (Row r : data.toList()) {
            rows.add(new Row(schema, names.stream().map(r::get).toArray()));
        }
        return Dataset.of(schema, rows);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Object o) {
        return (Map<String, Object>) o;
    }
}
