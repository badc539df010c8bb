package org.cogwork.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ONNX engine in the assembled runtime: ONNX Runtime's native host is a platform bundle in system/, the adapter
 * starts out in deploy/. A scikit-learn pipeline exported to ONNX (engines/onnx/src/test/python/make_onnx.py) is imported
 * through the training API, evaluated and registered like a trained model, and served through the predict API with
 * the predictions scikit-learn made (stored next to the model); the adapter can be updated while Cogwork runs.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OnnxImportTest {
    static final Path EXPORTS = Path.of("../engines/onnx/src/test/resources").toAbsolutePath().normalize();
    static final Set<String> NUMERIC = Set.of("Seniority", "Time", "Age", "Expenses", "Income", "Assets", "Debt", "Amount", "Price");
    static final List<String> FEATURES = List.of("Seniority", "Time", "Age", "Expenses", "Income", "Assets", "Debt", "Amount",
            "Price", "Home", "Marital", "Records", "Job");
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    static Path tmp;
    static Cogwork cogwork;
    static Path model;

    @BeforeAll
    static void boot() throws Exception {
        cogwork = Cogwork.fresh(tmp).start();
        FileSourceTest.addSharedData(cogwork);
        model = Files.copy(EXPORTS.resolve("credit_logistic.onnx"), tmp.resolve("credit_logistic.onnx")); // tmp is a data root
    }

    @AfterAll
    static void shutdown() throws Exception {
        if (cogwork != null) {
            assertEquals(143, cogwork.stop(), "exit code after SIGTERM");
        }
    }

    @Test
    @Order(1)
    void onnxIsListedWithItsAlgorithmsAndItsHostIsAPlatformBundle() throws Exception {
        JsonNode engines = cogwork.await("/api/engines", e -> HotDeployTest.engine(e, "onnx") != null, Duration.ofSeconds(15));
        List<String> algorithms = new ArrayList<>();
        HotDeployTest.engine(engines, "onnx").path("algorithms").forEach(a -> algorithms.add(a.path("task").asText() + " "
                + a.path("name").asText()));
        assertEquals(List.of("CLASSIFICATION onnx-classifier", "REGRESSION onnx-regressor"), algorithms);
        JsonNode bundles = cogwork.get("/api/bundles").json();
        JsonNode host = HotDeployTest.bundle(bundles, "org.cogwork.onnx.native");
        assertEquals("system", host.path("origin").asText(), host.toString());
        assertEquals("onnxruntime 1.29.0", host.path("native").asText(), host.toString());
        assertEquals("deploy", HotDeployTest.bundle(bundles, "org.cogwork.engine.onnx").path("origin").asText());
        JsonNode health = cogwork.get("/health").json();
        assertEquals("UP", health.path("status").asText(), health.toString());
        assertTrue(health.path("checks").toString().contains("ONNX Runtime loads on first use"), health.toString());
    }

    @Test
    @Order(2)
    void aScikitLearnExportIsImportedRegisteredAndServedWithScikitLearnsPredictions() throws Exception {
        Cogwork.Response r = TrainingApiTest.submitTo(cogwork, """
                {"source": "data", "dataset": "credit_data.csv", "target": "Status",
                 "engine": "onnx", "algorithm": "onnx-classifier", "hyperparameters": {"path": "%s"},
                 "seed": 1, "register": {"model": "credit-onnx", "alias": "production"}}""".formatted(model));
        assertEquals(202, r.status(), r.body());
        JsonNode job = TrainingApiTest.awaitDone(cogwork, r.json().path("id").asText());
        assertEquals("SUCCEEDED", job.path("status").asText(), job.toString());
        double accuracy = job.path("result").path("metrics").path("accuracy").asDouble();
        assertTrue(accuracy >= 0.76, "accuracy " + accuracy); // scikit-learn: 0.796 on its own held-out 20%
        JsonNode provenance = job.path("result").path("provenance").path("model");
        assertEquals("1.29.0", provenance.path("onnxruntimeVersion").asText(), provenance.toString());
        assertEquals("one input per column", provenance.path("inputs").path("layout").asText(), provenance.toString());
        // the native libraries were copied once into the runtime's own data folder and loaded from there
        for (String lib : List.of("libonnxruntime.so", "libonnxruntime4j_jni.so")) {
            assertTrue(Files.isRegularFile(cogwork.home.resolve("data/onnxruntime/1.29.0").resolve(lib)), lib);
        }
        String id = assertServesScikitLearnsPredictions();
        assertTrue(cogwork.get("/health").json().path("checks").toString().contains("ONNX Runtime 1.29.0 loaded"));
        // logged like any prediction (it may still be on its way from the journal: reads wait for it)
        Cogwork.Response logged = cogwork.get("/api/predictions/" + id);
        assertEquals(200, logged.status(), logged.body());
        assertEquals("credit-onnx", logged.json().path("modelName").asText(), logged.body());
        assertEquals(1, logged.json().path("input").path("Seniority").asInt(), logged.body());
    }

    @Test
    @Order(3)
    void whatIsNotAnOnnxModelForTheDataIsRefusedNamingIt() throws Exception {
        Cogwork.Response outside = TrainingApiTest.submitTo(cogwork, """
                {"source": "data", "dataset": "credit_data.csv", "target": "Status",
                 "engine": "onnx", "algorithm": "onnx-classifier", "hyperparameters": {"path": "/etc/passwd"}, "seed": 1}""");
        assertEquals(400, outside.status(), outside.body());
        assertEquals("hyperparameters.path", outside.json().path("field").asText(), outside.body());
        assertTrue(outside.json().path("error").asText().contains("outside the data roots"), outside.body());

        Path fake = Files.writeString(tmp.resolve("fake.onnx"), "not an ONNX model", StandardCharsets.UTF_8);
        JsonNode notOnnx = failedJob("credit_data.csv", "Status", fake);
        assertTrue(notOnnx.path("error").asText().contains("is not an ONNX model"), notOnnx.toString());

        Path iris = Files.copy(EXPORTS.resolve("iris_logistic.onnx"), tmp.resolve("iris_logistic.onnx"));
        JsonNode mismatch = failedJob("credit_data.csv", "Status", iris);
        assertTrue(mismatch.path("error").asText().contains("column 'Home' is CATEGORICAL and the ONNX model's one input 'X'"),
                mismatch.toString());
    }

    @Test
    @Order(4)
    void theAdapterUpdatesWhileRunningAndServesTheSameModel() throws Exception {
        Path deployed;
        try (Stream<Path> s = Files.list(cogwork.home.resolve("deploy"))) {
            deployed = s.filter(p -> p.getFileName().toString().startsWith("org.cogwork.engine.onnx")).findFirst().orElseThrow();
        }
        long before = HotDeployTest.bundle(cogwork.get("/api/bundles").json(), "org.cogwork.engine.onnx").path("lastModified").asLong();
        Files.setLastModifiedTime(deployed, FileTime.from(Instant.now().plusSeconds(5)));
        cogwork.await("/api/bundles", b -> HotDeployTest.bundle(b, "org.cogwork.engine.onnx").path("lastModified").asLong() > before
                && "ACTIVE".equals(HotDeployTest.bundle(b, "org.cogwork.engine.onnx").path("state").asText()), Duration.ofSeconds(15));
        cogwork.await("/api/engines", e -> HotDeployTest.engine(e, "onnx") != null, Duration.ofSeconds(15));
        assertServesScikitLearnsPredictions(); // reloaded from its artifact by the new adapter, on the ONNX Runtime loaded before
        JsonNode host = HotDeployTest.bundle(cogwork.get("/api/bundles").json(), "org.cogwork.onnx.native");
        Cogwork.Response delete = cogwork.delete("/api/bundles/" + host.path("id").asLong());
        assertEquals(403, delete.status(), delete.body());
    }

    private static JsonNode failedJob(String dataset, String target, Path onnx) throws Exception {
        Cogwork.Response r = TrainingApiTest.submitTo(cogwork, """
                {"source": "data", "dataset": "%s", "target": "%s",
                 "engine": "onnx", "algorithm": "onnx-classifier", "hyperparameters": {"path": "%s"}, "seed": 1}"""
                .formatted(dataset, target, onnx));
        assertEquals(202, r.status(), r.body());
        JsonNode job = TrainingApiTest.awaitDone(cogwork, r.json().path("id").asText());
        assertEquals("FAILED", job.path("status").asText(), job.toString());
        return job;
    }

    /** The 200 test rows of credit_logistic.expected.csv through /predict: scikit-learn's labels, its probabilities within 1e-5. */
    private static String assertServesScikitLearnsPredictions() throws Exception {
        List<String> lines = Files.readAllLines(EXPORTS.resolve("credit_logistic.expected.csv"));
        List<String> header = List.of(lines.get(0).split(",", -1));
        ObjectNode body = JSON.createObjectNode();
        ArrayNode rows = body.putArray("rows");
        List<String[]> expected = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split(",", -1);
            expected.add(cells);
            ObjectNode row = rows.addObject();
            for (String feature : FEATURES) {
                String cell = cells[header.indexOf(feature)];
                if (cell.isEmpty()) {
                    row.putNull(feature);
                } else if (NUMERIC.contains(feature)) {
                    row.put(feature, Long.parseLong(cell));
                } else {
                    row.put(feature, cell);
                }
            }
        }
        Cogwork.Response predicted = cogwork.post("/api/models/credit-onnx/predict", JSON.writeValueAsBytes(body), "application/json");
        assertEquals(200, predicted.status(), predicted.body());
        JsonNode predictions = predicted.json().path("predictions");
        assertEquals(expected.size(), predictions.size());
        double worst = 0;
        for (int i = 0; i < expected.size(); i++) {
            JsonNode p = predictions.get(i);
            assertEquals(expected.get(i)[header.indexOf("predicted")], p.path("value").asText(), "row " + i);
            for (String label : List.of("bad", "good")) {
                double want = Double.parseDouble(expected.get(i)[header.indexOf("p_" + label)]);
                worst = Math.max(worst, Math.abs(p.path("scores").path(label).asDouble() - want));
            }
        }
        assertTrue(worst <= 1e-5, "largest probability difference from scikit-learn " + worst);
        return predictions.get(0).path("id").asText();
    }
}
