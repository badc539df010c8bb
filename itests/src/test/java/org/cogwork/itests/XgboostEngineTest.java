package org.cogwork.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The XGBoost engine in the assembled runtime: the native host (XGBoost4J + libxgboost4j) is a platform bundle in
 * system/, the adapter starts out in deploy/. A gradient-boosted model trains through the REST API, registers and
 * serves through /api/models/{name}/predict; the adapter is updated, removed and put back while Cogwork runs, and the
 * registered model still predicts (reloaded from its bytes through the new adapter, the native library untouched).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class XgboostEngineTest {
    private static final String ADAPTER = "org.cogwork.engine.xgboost";
    private static final String HOST = "org.cogwork.xgboost.native";
    /** A credit applicant whose income is unknown: the missing value goes to XGBoost as missing. */
    private static final String ROW = """
            {"rows": [{"Seniority": 9, "Home": "rent", "Time": 60, "Age": 30, "Marital": "married", "Records": "no",
              "Job": "freelance", "Expenses": 73, "Income": null, "Assets": 0, "Debt": 0, "Amount": 800, "Price": 846}]}""";
    @TempDir
    static Path tmp;
    static Cogwork cogwork;

    @BeforeAll
    static void boot() throws Exception {
        cogwork = Cogwork.fresh(tmp).start();
        FileSourceTest.addSharedData(cogwork);
    }

    @AfterAll
    static void shutdown() throws Exception {
        if (cogwork != null) {
            assertEquals(143, cogwork.stop(), "exit code after SIGTERM");
        }
    }

    @Test
    @Order(1)
    void xgboostIsListedWithItsAlgorithmsAndLoadsNothingBeforeFirstUse() throws Exception {
        JsonNode engines = cogwork.await("/api/engines", e -> HotDeployTest.engine(e, "xgboost") != null, Duration.ofSeconds(15));
        List<String> algorithms = new ArrayList<>();
        HotDeployTest.engine(engines, "xgboost").path("algorithms").forEach(a -> algorithms.add(a.path("task").asText() + " "
                + a.path("name").asText()));
        assertEquals(List.of("CLASSIFICATION gbtree", "REGRESSION gbtree", "CLASSIFICATION random-forest",
                "REGRESSION random-forest"), algorithms);
        JsonNode bundles = cogwork.get("/api/bundles").json();
        JsonNode host = HotDeployTest.bundle(bundles, HOST);
        assertEquals("system", host.path("origin").asText(), host.toString());
        assertEquals("libxgboost4j 3.4.0", host.path("native").asText(), host.toString());
        assertEquals("deploy", HotDeployTest.bundle(bundles, ADAPTER).path("origin").asText());
        JsonNode health = cogwork.get("/health").json();
        assertEquals("UP", health.path("status").asText(), health.toString());
        assertTrue(health.path("checks").toString().contains("XGBoost loads on first use"), health.toString());
    }

    @Test
    @Order(2)
    void boostedTreesTrainOnCreditDataRegisterAndServe() throws Exception {
        JsonNode job = train("""
                {"source": "data", "dataset": "credit_data.csv", "target": "Status",
                 "engine": "xgboost", "algorithm": "gbtree", "seed": 42,
                 "register": {"model": "credit-xgb", "alias": "production"}}""");
        double accuracy = job.path("result").path("metrics").path("accuracy").asDouble();
        assertTrue(accuracy >= 0.78, "accuracy " + accuracy);
        JsonNode model = job.path("result").path("provenance").path("model");
        assertEquals("3.4.0", model.path("xgboostVersion").asText(), model.toString());
        assertEquals(200, model.path("rounds").asInt(), model.toString());
        JsonNode importance = model.path("featureImportance");
        assertTrue(importance.has("Income") && importance.has("Seniority"), importance.toString());
        assertTrue(cogwork.log().contains("XGBoost 3.4.0 loaded"), cogwork.log());

        JsonNode p = predict();
        assertTrue(p.path("value").asText().matches("good|bad"), p.toString());
        assertEquals(1.0, p.path("scores").path("good").asDouble() + p.path("scores").path("bad").asDouble(), 1e-6, p.toString());

        Cogwork.Response wrong = cogwork.post("/api/models/credit-xgb/predict", "{\"rows\": [{\"Seniority\": \"nine\"}]}"
                .getBytes(StandardCharsets.UTF_8), "application/json");
        assertEquals(400, wrong.status(), wrong.body());
    }

    /** XGBoost's forest mode through REST: trained, registered and served like any model. */
    @Test
    @Order(3)
    void randomForestTrainsOnCreditDataAndServes() throws Exception {
        JsonNode job = train("""
                {"source": "data", "dataset": "credit_data.csv", "target": "Status",
                 "engine": "xgboost", "algorithm": "random-forest", "hyperparameters": {"trees": 100}, "seed": 42,
                 "register": {"model": "credit-xgb-forest", "alias": "production"}}""");
        double accuracy = job.path("result").path("metrics").path("accuracy").asDouble();
        assertTrue(accuracy >= 0.76, "accuracy " + accuracy);
        JsonNode model = job.path("result").path("provenance").path("model");
        assertEquals("random-forest", job.path("result").path("provenance").path("algorithm").asText(), job.toString());
        assertEquals(100, model.path("parameters").path("trees").asInt(), model.toString());
        assertEquals(10, model.path("forestParts").asInt(), "grown in ten parts and joined, inside the bundle: " + model);
        assertTrue(model.path("featureImportance").has("Income"), model.toString());
        Cogwork.Response predicted = cogwork.post("/api/models/credit-xgb-forest/predict", ROW.getBytes(StandardCharsets.UTF_8),
                "application/json");
        assertEquals(200, predicted.status(), predicted.body());
        JsonNode p = predicted.json().path("predictions").get(0);
        assertTrue(p.path("value").asText().matches("good|bad"), p.toString());
    }

    @Test
    @Order(4)
    void regressionWithEarlyStoppingOnConcrete() throws Exception {
        JsonNode job = train("""
                {"source": "data", "dataset": "concrete.csv", "target": "compressive_strength",
                 "engine": "xgboost", "algorithm": "gbtree",
                 "hyperparameters": {"rounds": 3000, "earlyStoppingRounds": 50, "validationFraction": 0.15}, "seed": 3}""");
        double rmse = job.path("result").path("metrics").path("rmse").asDouble();
        assertTrue(rmse < 6, "RMSE " + rmse);
        JsonNode model = job.path("result").path("provenance").path("model");
        int run = model.path("roundsRun").asInt();
        assertTrue(run < 3000 && model.path("rounds").asInt() == run - 50, model.toString());
        Cogwork.Response typo = TrainingApiTest.submitTo(cogwork, """
                {"source": "data", "dataset": "concrete.csv", "target": "compressive_strength",
                 "engine": "xgboost", "algorithm": "gbtree", "hyperparameters": {"maxDepth": 0}}""");
        assertEquals(400, typo.status(), typo.body());
        assertEquals("hyperparameters.maxDepth", typo.json().path("field").asText(), typo.body());
    }

    @Test
    @Order(5)
    void adapterUpdatesLeavesAndComesBackWhileTheModelKeepsServing() throws Exception {
        Path deployed;
        try (Stream<Path> s = Files.list(cogwork.home.resolve("deploy"))) {
            deployed = s.filter(p -> p.getFileName().toString().startsWith(ADAPTER)).findFirst().orElseThrow();
        }
        long before = HotDeployTest.bundle(cogwork.get("/api/bundles").json(), ADAPTER).path("lastModified").asLong();
        Files.setLastModifiedTime(deployed, FileTime.from(Instant.now().plusSeconds(5)));
        cogwork.await("/api/bundles", b -> HotDeployTest.bundle(b, ADAPTER).path("lastModified").asLong() > before
                && "ACTIVE".equals(HotDeployTest.bundle(b, ADAPTER).path("state").asText()), Duration.ofSeconds(15));
        cogwork.await("/api/engines", e -> HotDeployTest.engine(e, "xgboost") != null, Duration.ofSeconds(15));
        predict(); // the registered model, loaded again through the updated adapter

        Path kept = tmp.resolve("xgboost-adapter.jar");
        Files.copy(deployed, kept);
        Files.delete(deployed);
        cogwork.await("/api/engines", e -> HotDeployTest.engine(e, "xgboost") == null, Duration.ofSeconds(15));
        Files.copy(kept, deployed);
        cogwork.await("/api/engines", e -> HotDeployTest.engine(e, "xgboost") != null, Duration.ofSeconds(15));
        predict(); // and through a reinstalled one
        train("""
                {"source": "data", "dataset": "sklearn_iris.csv", "target": "species",
                 "engine": "xgboost", "algorithm": "gbtree", "hyperparameters": {"rounds": 50}, "seed": 5}""");
        JsonNode health = cogwork.get("/health").json();
        assertEquals("UP", health.path("status").asText(), health.toString());
        assertTrue(health.path("checks").toString().contains("XGBoost loaded"), health.toString());
        assertEquals(1, count(cogwork.log(), "XGBoost 3.4.0 loaded"), "the native library loaded once: " + cogwork.log());
    }

    @Test
    @Order(6)
    void nativeHostCannotBeRemoved() throws Exception {
        long id = HotDeployTest.bundle(cogwork.get("/api/bundles").json(), HOST).path("id").asLong();
        Cogwork.Response delete = cogwork.delete("/api/bundles/" + id);
        assertEquals(403, delete.status(), delete.body());
        predict();
    }

    private static JsonNode train(String spec) throws Exception {
        Cogwork.Response r = TrainingApiTest.submitTo(cogwork, spec);
        assertEquals(202, r.status(), r.body());
        JsonNode job = TrainingApiTest.awaitDone(cogwork, r.json().path("id").asText());
        assertEquals("SUCCEEDED", job.path("status").asText(), job.toString());
        return job;
    }

    private static JsonNode predict() throws Exception {
        Cogwork.Response predicted = cogwork.post("/api/models/credit-xgb/predict", ROW.getBytes(StandardCharsets.UTF_8),
                "application/json");
        assertEquals(200, predicted.status(), predicted.body());
        return predicted.json().path("predictions").get(0);
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }
}
