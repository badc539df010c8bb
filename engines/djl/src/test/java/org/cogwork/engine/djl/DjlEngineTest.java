package org.cogwork.engine.djl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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

/** The DJL engine on real data from ../shared/data (see its README.md), on CPU, offline. */
class DjlEngineTest {
    static final Path DATA = Path.of("../../../shared/data");
    private final DjlEngine engine = new DjlEngine("1.0.0-test");

    @Test
    void fashionMnistMlpReachesEightyFivePercentInFiveEpochs() throws Exception {
        Dataset train = FashionMnist.read("train", Integer.MAX_VALUE);
        Dataset test = FashionMnist.read("t10k", Integer.MAX_VALUE);
        Recording progress = new Recording();
        try (Model model = engine.train(new TrainingRequest(Task.CLASSIFICATION, "mlp",
                Map.of("hidden", List.of(256), "epochs", 5, "batchSize", 128), train, "label", 42), progress)) {
            double accuracy = accuracy(model, test.toList(), "label");
            System.out.printf("Fashion-MNIST MLP: test accuracy %.4f, %s samples/s, %s ms%n", accuracy,
                    model.descriptor().provenance().get("samplesPerSecond"), model.descriptor().provenance().get("trainingMillis"));
            assertTrue(accuracy >= 0.85, "test accuracy " + accuracy);
            assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L), progress.steps, "one progress report per epoch");
            assertTrue(progress.last.get("loss") < 0.5, "loss reported: " + progress.last);
            assertEquals(FashionMnist.CLASSES.stream().sorted().toList(), model.descriptor().labels());
        }
    }

    @Test
    void textEmbeddingOnImdbReviewsLearnsSentiment() throws Exception {
        Dataset imdb = read("imdb_reviews_2k.csv");
        Schema text = Schema.of(imdb.schema().require("review"), imdb.schema().require("sentiment"));
        List<Row> rows = new ArrayList<>(imdb.map(text, r -> new Row(text, r.get("review"), r.get("sentiment"))).toList());
        Collections.shuffle(rows, new Random(11));
        int n = (int) (rows.size() * 0.8);
        Dataset train = Dataset.of(rows.get(0).schema(), rows.subList(0, n));
        FittedPipeline pipeline = BuiltIn.pipelineService().fit(train, "sentiment", List.of(
                new PipelineStep("tokens", Map.of("columns", List.of("review"), "maxLength", 300, "maxFeatures", 10000))));
        Dataset trainFeatures = pipeline.applyToTraining(train);
        List<Row> testFeatures = pipeline.apply(Dataset.of(train.schema(), rows.subList(n, rows.size()))).toList();
        try (Model model = engine.train(new TrainingRequest(Task.CLASSIFICATION, "text-embedding", Map.of("epochs", 8),
                trainFeatures, "sentiment", 7), TrainingContext.none())) {
            double accuracy = accuracy(model, testFeatures, "sentiment");
            System.out.printf("IMDB 2k text-embedding: test accuracy %.4f%n", accuracy);
            assertTrue(accuracy >= 0.75, "test accuracy " + accuracy);
            try (Model loaded = engine.load(new ByteArrayInputStream(save(model)))) {
                assertEquals(accuracy, accuracy(loaded, testFeatures, "sentiment"), 1e-9);
            }
        }
    }

    @Test
    void mlpRegressionOnConcreteStrength() throws Exception {
        List<Row> rows = new ArrayList<>(read("concrete.csv").toList());
        Collections.shuffle(rows, new Random(5));
        int n = (int) (rows.size() * 0.8);
        Dataset train = Dataset.of(rows.get(0).schema(), rows.subList(0, n));
        List<Row> test = rows.subList(n, rows.size());
        String target = rows.get(0).schema().fields().get(rows.get(0).schema().size() - 1).name();
        try (Model model = engine.train(new TrainingRequest(Task.REGRESSION, "mlp-regression",
                Map.of("hidden", List.of(64, 32), "epochs", 150), train, target, 3), TrainingContext.none())) {
            List<Prediction> p = model.predict(test);
            double mean = test.stream().mapToDouble(r -> ((Number) r.get(target)).doubleValue()).average().orElseThrow();
            double ssRes = 0;
            double ssTot = 0;
            for (int i = 0; i < test.size(); i++) {
                double y = ((Number) test.get(i).get(target)).doubleValue();
                ssRes += Math.pow(y - (Double) p.get(i).value(), 2);
                ssTot += Math.pow(y - mean, 2);
            }
            double r2 = 1 - ssRes / ssTot;
            System.out.printf("concrete mlp-regression: R2 %.4f%n", r2);
            assertTrue(r2 >= 0.8, "R2 " + r2);
        }
    }

    /** The platform trains on job threads and predicts on HTTP threads, never on the thread that loaded PyTorch. */
    @Test
    void trainsAndPredictsOnThreadsOtherThanTheOneThatLoadedPyTorch() throws Exception {
        Dataset iris = read("sklearn_iris.csv");
        engine.train(new TrainingRequest(Task.CLASSIFICATION, "mlp", Map.of("epochs", 1), iris, "species", 1),
                TrainingContext.none()).close();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 3; round++) {
                Model m = pool.submit(() -> engine.train(new TrainingRequest(Task.CLASSIFICATION, "mlp",
                        Map.of("hidden", List.of(16), "epochs", 150, "learningRate", 0.01), iris, "species", 9), TrainingContext.none())).get();
                try (m) {
                    double accuracy = pool.submit(() -> accuracy(m, iris.toList(), "species")).get();
                    assertTrue(accuracy > 0.9, "training accuracy " + accuracy);
                }
            }
        } finally {
            pool.shutdown();
        }
    }

    /**
     * A TorchScript file made elsewhere (src/test/resources/iris_linear.pt: a softmax regression, written by
     * src/test/python/make_torchscript.py) is used as a model: its outputs become class scores, it saves into the
     * model's bytes and loads back without the file.
     */
    @Test
    void torchScriptModelIsImportedEvaluatedAndSavedWithItsBytes() throws Exception {
        Path script = Path.of("src/test/resources/iris_linear.pt").toAbsolutePath();
        Dataset iris = read("sklearn_iris.csv");
        try (Model model = engine.train(new TrainingRequest(Task.CLASSIFICATION, "torchscript",
                Map.of("path", script.toString()), iris, "species", 1), TrainingContext.none())) {
            double accuracy = accuracy(model, iris.toList(), "species");
            assertTrue(accuracy >= 0.95, "accuracy " + accuracy);
            assertEquals(List.of("setosa", "versicolor", "virginica"), model.descriptor().labels());
            assertEquals(Files.size(script), ((Number) model.descriptor().provenance().get("torchScriptBytes")).longValue());
            byte[] saved = save(model);
            try (Model loaded = engine.load(new ByteArrayInputStream(saved))) {
                List<Prediction> a = model.predict(iris.toList());
                List<Prediction> b = loaded.predict(iris.toList());
                for (int i = 0; i < a.size(); i++) {
                    assertEquals(a.get(i).value(), b.get(i).value());
                    assertEquals(a.get(i).scores().get("setosa"), b.get(i).scores().get("setosa"), 1e-6);
                }
            }
        }
        InvalidFieldException missing = assertThrows(InvalidFieldException.class, () -> engine.train(new TrainingRequest(
                Task.CLASSIFICATION, "torchscript", Map.of("path", "/no/such/model.pt"), iris, "species", 1), TrainingContext.none()));
        assertEquals("hyperparameters.path", missing.field());
        assertTrue(missing.getMessage().contains("'path'"), missing.getMessage());
        Dataset wine = read("sklearn_wine.csv");
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class, () -> engine.train(new TrainingRequest(
                Task.CLASSIFICATION, "torchscript", Map.of("path", script.toString()), wine, "cultivar", 1), TrainingContext.none()));
        assertTrue(shape.getMessage().contains("does not accept these 13 input values"), shape.getMessage());
    }

    /**
     * A path outside the data roots is refused; inside them (here: all of /), a device or a folder fails at once, naming
     * the hyperparameter; nothing is read unboundedly.
     */
    @Test
    void torchScriptPathMustBeABoundedRegularFile() throws Exception {
        Dataset iris = read("sklearn_iris.csv");
        InvalidFieldException outside = assertThrows(InvalidFieldException.class, () -> engine.train(new TrainingRequest(
                Task.CLASSIFICATION, "torchscript", Map.of("path", "/dev/zero"), iris, "species", 1), TrainingContext.none()));
        assertTrue(outside.getMessage().contains("outside the data roots"), outside.getMessage());
        InvalidFieldException atSubmission = assertThrows(InvalidFieldException.class,
                () -> engine.checkHyperparameters("torchscript", Task.CLASSIFICATION, Map.of("path", "/dev/zero")));
        assertTrue(atSubmission.getMessage().contains("hyperparameter 'path'"), atSubmission.getMessage());
        DjlEngine everywhere = new DjlEngine("1.0.0-test", org.cogwork.api.security.DataRoots.of(List.of(Path.of("/"))));
        assertEquals("hyperparameters.path", atSubmission.field());
        assertEquals("hyperparameters.path", assertThrows(InvalidFieldException.class,
                () -> everywhere.checkHyperparameters("torchscript", Task.CLASSIFICATION, Map.of("path", "/tmp"))).field());
        everywhere.checkHyperparameters("mlp", Task.CLASSIFICATION, Map.of("epochs", 3));
        // the declared checks come first: a path left out or not a string is refused before any file is looked at
        assertEquals("path is required: the TorchScript file (.pt) on the server, inside the data roots (the file is copied into the model)",
                assertThrows(InvalidFieldException.class, () -> everywhere.checkHyperparameters("torchscript", Task.CLASSIFICATION,
                        Map.of())).getMessage());
        assertEquals("path must be a file path (a non-blank string), was 42", assertThrows(InvalidFieldException.class,
                () -> everywhere.checkHyperparameters("torchscript", Task.CLASSIFICATION, Map.of("path", 42))).getMessage());
        assertEquals("hyperparameters.outputs", assertThrows(InvalidFieldException.class, () -> everywhere.checkHyperparameters(
                "torchscript", Task.CLASSIFICATION, Map.of("path", "/tmp", "outputs", "scores"))).field());
        for (String path : List.of("/dev/zero", "/tmp")) {
            InvalidFieldException e = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(30),
                    () -> assertThrows(InvalidFieldException.class, () -> everywhere.train(new TrainingRequest(
                            Task.CLASSIFICATION, "torchscript", Map.of("path", path), iris, "species", 1), TrainingContext.none())));
            assertTrue(e.getMessage().contains("hyperparameter 'path'") && e.getMessage().contains("is not a regular file: " + path),
                    e.getMessage());
        }
    }

    /** The regression twin: concrete_linear.pt, a least-squares line over concrete.csv's eight columns. */
    @Test
    void torchScriptRegressionModelPredictsItsValues() throws Exception {
        Path script = Path.of("src/test/resources/concrete_linear.pt").toAbsolutePath();
        Dataset concrete = read("concrete.csv");
        try (Model model = engine.train(new TrainingRequest(Task.REGRESSION, "torchscript-regression",
                Map.of("path", script.toString()), concrete, "compressive_strength", 1), TrainingContext.none())) {
            List<Row> rows = concrete.toList();
            List<Prediction> p = model.predict(rows);
            // the first row (cement 540, ..., age 28) by the fitted line (make_torchscript.py): 53.463 MPa
            assertEquals(53.463, (Double) p.get(0).value(), 0.01);
            double mean = rows.stream().mapToDouble(r -> ((Number) r.get("compressive_strength")).doubleValue()).average().orElseThrow();
            double ssRes = 0;
            double ssTot = 0;
            for (int i = 0; i < rows.size(); i++) {
                double y = ((Number) rows.get(i).get("compressive_strength")).doubleValue();
                ssRes += Math.pow(y - (Double) p.get(i).value(), 2);
                ssTot += Math.pow(y - mean, 2);
            }
            assertTrue(1 - ssRes / ssTot > 0.55, "R2 of the linear fit " + (1 - ssRes / ssTot));
            try (Model loaded = engine.load(new ByteArrayInputStream(save(model)))) {
                assertEquals((Double) p.get(0).value(), (Double) loaded.predict(rows.subList(0, 1)).get(0).value(), 1e-9);
            }
        }
        IllegalArgumentException classifier = assertThrows(IllegalArgumentException.class, () -> engine.train(new TrainingRequest(
                Task.REGRESSION, "torchscript-regression", Map.of("path", Path.of("src/test/resources/iris_linear.pt")
                .toAbsolutePath().toString()), read("sklearn_iris.csv"), "sepal_length", 1), TrainingContext.none()));
        assertTrue(classifier.getMessage().contains("1 output"), classifier.getMessage());
    }

    @Test
    void hyperparametersAreCheckedByName() throws Exception {
        Dataset iris = read("sklearn_iris.csv");
        Map<String, Object> bad = Map.of("hidden", List.of(0), "epochs", "many", "learningRate", -1, "dropout", 1.5, "layers", 3);
        for (Map.Entry<String, Object> one : bad.entrySet()) {
            InvalidFieldException e = assertThrows(InvalidFieldException.class, () -> engine.train(new TrainingRequest(
                    Task.CLASSIFICATION, "mlp", Map.of(one.getKey(), one.getValue()), iris, "species", 1), TrainingContext.none()));
            assertEquals("hyperparameters." + one.getKey(), e.field(), e.getMessage());
        }
        assertEquals("hidden must be a list of integers, each in [1, 65536], was [0]", assertThrows(InvalidFieldException.class,
                () -> engine.checkHyperparameters("mlp", Task.CLASSIFICATION, Map.of("hidden", List.of(0)))).getMessage());
        assertEquals("algorithm 'mlp' of engine 'djl' has no hyperparameter 'layers'; it has [batchSize, dropout, epochs, hidden, "
                + "learningRate, standardize, weightDecay]", assertThrows(InvalidFieldException.class,
                () -> engine.checkHyperparameters("mlp", Task.CLASSIFICATION, Map.of("layers", 3))).getMessage());
        IllegalArgumentException text = assertThrows(IllegalArgumentException.class, () -> engine.train(
                new TrainingRequest(Task.CLASSIFICATION, "text-embedding", Map.of(), iris, "species", 1), TrainingContext.none()));
        assertTrue(text.getMessage().contains("tokens"), text.getMessage());
    }

    /**
     * Native memory is released: training, saving, loading and closing a network of about 270k parameters
     * 120 times leaves the process's resident memory where it was after 30 warm-up rounds.
     */
    @Test
    void trainingAndClosingManyTimesKeepsResidentMemoryFlat() throws Exception {
        Dataset iris = read("sklearn_iris.csv");
        Map<String, Object> params = Map.of("hidden", List.of(512, 512), "epochs", 2, "batchSize", 16);
        long warm = 0;
        for (int i = 1; i <= 150; i++) {
            try (Model m = engine.train(new TrainingRequest(Task.CLASSIFICATION, "mlp", params, iris, "species", i),
                    TrainingContext.none());
                 Model loaded = engine.load(new ByteArrayInputStream(save(m)))) {
                loaded.predict(iris.toList());
            }
            if (i == 30) {
                warm = settledRssKb();
            }
        }
        long end = settledRssKb();
        System.out.printf("leak test: RSS after 30 rounds %d MB, after 150 rounds %d MB%n", warm / 1024, end / 1024);
        // A leaked model of this size holds about 1 MB of parameters plus 2 MB of Adam state: 120 leaks would add 360 MB.
        assertTrue(end - warm < 40 * 1024, "RSS grew from " + warm / 1024 + " MB to " + end / 1024 + " MB");
    }

    /** RSS once garbage (and the direct buffers DJL copies arrays through) has been collected. */
    static long settledRssKb() throws Exception {
        for (int k = 0; k < 2; k++) {
            System.gc();
            Thread.sleep(300);
        }
        return rssKb();
    }

    static long rssKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        throw new IOException("no VmRSS in /proc/self/status");
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
            if (p.get(i).value().equals(rows.get(i).get(target))) {
                correct++;
            }
        }
        return (double) correct / rows.size();
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
            last = metrics;
        }
    }
}
