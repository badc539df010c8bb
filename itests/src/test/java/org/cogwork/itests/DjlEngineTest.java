package org.cogwork.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
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
 * The DJL engine in the assembled runtime: the native host (DJL + libtorch) is a platform bundle in system/,
 * the adapter starts out in deploy/. PyTorch loads offline from the host's jar into the home's data/djl on the
 * first training; the adapter can be removed, put back and updated while Cogwork runs, and the engine keeps
 * training without a restart; the native host refuses to be removed or replaced over the API.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DjlEngineTest {
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
    void djlIsListedWithItsAlgorithmsAndHealthy() throws Exception {
        JsonNode djl = cogwork.await("/api/engines", e -> HotDeployTest.engine(e, "djl") != null, Duration.ofSeconds(15));
        List<String> algorithms = new ArrayList<>();
        HotDeployTest.engine(djl, "djl").path("algorithms").forEach(a -> algorithms.add(a.path("task").asText() + " "
                + a.path("name").asText()));
        assertEquals(List.of("CLASSIFICATION mlp", "REGRESSION mlp-regression", "CLASSIFICATION text-embedding",
                "CLASSIFICATION torchscript", "REGRESSION torchscript-regression"), algorithms);
        JsonNode bundles = cogwork.get("/api/bundles").json();
        JsonNode host = HotDeployTest.bundle(bundles, "org.cogwork.djl.native");
        assertEquals("system", host.path("origin").asText(), host.toString());
        assertEquals("libtorch 2.7.1 (DJL 0.35.1)", host.path("native").asText(), host.toString());
        assertEquals("deploy", HotDeployTest.bundle(bundles, "org.cogwork.engine.djl").path("origin").asText());
        JsonNode health = cogwork.get("/health").json();
        assertEquals("UP", health.path("status").asText(), health.toString());
        assertTrue(health.path("checks").toString().contains("PyTorch loads on first use"), health.toString());
    }

    @Test
    @Order(2)
    void mlpTrainsOnCreditDataRegistersAndServes() throws Exception {
        Cogwork.Response r = TrainingApiTest.submitTo(cogwork, """
                {"source": "data", "dataset": "credit_data.csv", "target": "Status",
                 "engine": "djl", "algorithm": "mlp", "hyperparameters": {"hidden": [32], "epochs": 12},
                 "seed": 42, "register": {"model": "credit-djl", "alias": "production"}}""");
        assertEquals(202, r.status(), r.body());
        JsonNode job = TrainingApiTest.awaitDone(cogwork, r.json().path("id").asText());
        assertEquals("SUCCEEDED", job.path("status").asText(), job.toString());
        double accuracy = job.path("result").path("metrics").path("accuracy").asDouble();
        assertTrue(accuracy >= 0.76, "accuracy " + accuracy);
        JsonNode model = job.path("result").path("provenance").path("model");
        assertEquals("2.7.1", model.path("pytorchVersion").asText(), model.toString());
        assertEquals("0.35.1", model.path("djlVersion").asText(), model.toString());
        assertTrue(model.path("samplesPerSecond").asLong() > 0, model.toString());

        // libtorch was unpacked into the runtime's own data folder, offline
        try (Stream<Path> s = Files.walk(cogwork.home.resolve("data/djl"))) {
            assertTrue(s.anyMatch(p -> p.getFileName().toString().startsWith("libtorch")), "libtorch in data/djl");
        }
        assertTrue(cogwork.log().contains("PyTorch 2.7.1 loaded by DJL 0.35.1"), cogwork.log());

        Cogwork.Response predicted = cogwork.post("/api/models/credit-djl/predict", """
                {"rows": [{"Seniority": 9, "Home": "rent", "Time": 60, "Age": 30, "Marital": "married", "Records": "no",
                  "Job": "freelance", "Expenses": 73, "Income": 129, "Assets": 0, "Debt": 0, "Amount": 800, "Price": 846}]}"""
                .getBytes(StandardCharsets.UTF_8), "application/json");
        assertEquals(200, predicted.status(), predicted.body());
        JsonNode p = predicted.json().path("predictions").get(0);
        assertTrue(p.path("value").asText().matches("good|bad"), p.toString());
        double sum = p.path("scores").path("good").asDouble() + p.path("scores").path("bad").asDouble();
        assertEquals(1.0, sum, 1e-4, p.toString());

        Cogwork.Response wrong = cogwork.post("/api/models/credit-djl/predict", "{\"rows\": [{\"Seniority\": \"nine\"}]}"
                .getBytes(StandardCharsets.UTF_8), "application/json");
        assertEquals(400, wrong.status(), wrong.body());

        // seeded everywhere: retraining from the recorded spec gives the same metrics
        Cogwork.Response again = cogwork.post("/api/runs/" + job.path("runId").asText() + "/reproduce", new byte[0],
                "application/json");
        assertEquals(202, again.status(), again.body());
        JsonNode reproduced = TrainingApiTest.awaitDone(cogwork, again.json().path("id").asText());
        assertEquals("SUCCEEDED", reproduced.path("status").asText(), reproduced.toString());
        JsonNode reproduction = reproduced.path("result").path("reproduction");
        assertTrue(reproduction.path("metricsMatch").asBoolean() && reproduction.path("dataMatch").asBoolean(),
                reproduction.toString());
    }

    @Test
    @Order(3)
    void textEmbeddingOverTokensLearnsImdbSentiment() throws Exception {
        Cogwork.Response r = TrainingApiTest.submitTo(cogwork, """
                {"source": "data", "dataset": "imdb_reviews_2k.csv", "target": "sentiment", "features": ["review"],
                 "pipeline": [{"transform": "tokens", "params": {"maxLength": 300, "maxFeatures": 10000}}],
                 "engine": "djl", "algorithm": "text-embedding", "hyperparameters": {"epochs": 8}, "seed": 7}""");
        assertEquals(202, r.status(), r.body());
        JsonNode job = TrainingApiTest.awaitDone(cogwork, r.json().path("id").asText());
        assertEquals("SUCCEEDED", job.path("status").asText(), job.toString());
        double accuracy = job.path("result").path("metrics").path("accuracy").asDouble();
        assertTrue(accuracy >= 0.75, "accuracy " + accuracy);
    }

    @Test
    @Order(4)
    void progressIsReportedPerEpochAndCancelAndTimeLimitStopTraining() throws Exception {
        String spec = """
                {"source": "data", "dataset": "credit_data.csv", "target": "Status",
                 "engine": "djl", "algorithm": "mlp", "hyperparameters": {"hidden": [64], "epochs": 5000},
                 "seed": 1, "timeLimitSeconds": %d}""";
        Cogwork.Response running = TrainingApiTest.submitTo(cogwork, spec.formatted(600));
        assertEquals(202, running.status(), running.body());
        String id = running.json().path("id").asText();
        // the job first reports rows read, then the engine's epochs
        JsonNode during = cogwork.await("/api/trainings/" + id, j -> j.path("progress").path("total").asLong() == 5000
                && j.path("progress").path("step").asLong() >= 2, Duration.ofSeconds(60));
        assertTrue(during.path("progress").path("metrics").path("loss").isNumber(), during.toString());
        Cogwork.Response cancel = cogwork.post("/api/trainings/" + id + "/cancel", new byte[0], "application/json");
        assertEquals(202, cancel.status(), cancel.body());
        assertEquals("CANCELLED", TrainingApiTest.awaitDone(cogwork, id).path("status").asText());

        Cogwork.Response limited = TrainingApiTest.submitTo(cogwork, spec.formatted(3));
        assertEquals(202, limited.status(), limited.body());
        assertEquals("TIMED_OUT", TrainingApiTest.awaitDone(cogwork, limited.json().path("id").asText()).path("status").asText());
    }

    @Test
    @Order(5)
    void adapterLeavesComesBackAndUpdatesWhileRunning() throws Exception {
        Path deployed;
        try (Stream<Path> s = Files.list(cogwork.home.resolve("deploy"))) {
            deployed = s.filter(p -> p.getFileName().toString().startsWith("org.cogwork.engine.djl")).findFirst().orElseThrow();
        }
        Path kept = tmp.resolve("djl-adapter.jar");
        Files.copy(deployed, kept);

        Files.delete(deployed);
        cogwork.await("/api/engines", e -> HotDeployTest.engine(e, "djl") == null, Duration.ofSeconds(15));
        Cogwork.Response refused = TrainingApiTest.submitTo(cogwork, IRIS_SPEC);
        assertEquals(400, refused.status(), refused.body());
        assertEquals("engine", refused.json().path("field").asText());

        Files.copy(kept, deployed);
        cogwork.await("/api/engines", e -> HotDeployTest.engine(e, "djl") != null, Duration.ofSeconds(15));
        trainIris();

        long before = HotDeployTest.bundle(cogwork.get("/api/bundles").json(), "org.cogwork.engine.djl").path("lastModified").asLong();
        Files.setLastModifiedTime(deployed, FileTime.from(Instant.now().plusSeconds(5)));
        cogwork.await("/api/bundles", b -> HotDeployTest.bundle(b, "org.cogwork.engine.djl").path("lastModified").asLong() > before
                && "ACTIVE".equals(HotDeployTest.bundle(b, "org.cogwork.engine.djl").path("state").asText()), Duration.ofSeconds(15));
        cogwork.await("/api/engines", e -> HotDeployTest.engine(e, "djl") != null, Duration.ofSeconds(15));
        trainIris(); // the updated adapter trains with the PyTorch the native host loaded before: no restart
        JsonNode health = cogwork.get("/health").json();
        assertEquals("UP", health.path("status").asText(), health.toString());
        assertTrue(health.path("checks").toString().contains("PyTorch loaded"), health.toString());
    }

    @Test
    @Order(6)
    void nativeHostCannotBeRemovedStoppedOrUploaded() throws Exception {
        JsonNode host = HotDeployTest.bundle(cogwork.get("/api/bundles").json(), "org.cogwork.djl.native");
        long id = host.path("id").asLong();
        Cogwork.Response delete = cogwork.delete("/api/bundles/" + id);
        assertEquals(403, delete.status(), delete.body());
        assertTrue(delete.json().path("error").asText().contains("a JVM can load only once"), delete.body());
        Cogwork.Response stop = cogwork.post("/api/bundles/" + id + "/stop", new byte[0], "application/json");
        assertEquals(403, stop.status(), stop.body());

        Path jar;
        try (Stream<Path> s = Files.list(cogwork.home.resolve("system"))) {
            jar = s.filter(p -> p.getFileName().toString().startsWith("org.cogwork.djl.native")).findFirst().orElseThrow();
        }
        Cogwork.Response upload = cogwork.post("/api/bundles", Files.readAllBytes(jar), "application/java-archive");
        assertEquals(422, upload.status(), upload.body());
        assertEquals("Cogwork-Native", upload.json().path("field").asText(), upload.body());
        assertNotNull(HotDeployTest.engine(cogwork.get("/api/engines").json(), "djl"), "the engine is still there");
        assertNull(cogwork.get("/health").json().path("problems").get(0), "no problems after the refusals");
    }

    @Test
    @Order(7)
    void unknownHyperparametersAre400sNamingThem() throws Exception {
        Cogwork.Response typo = TrainingApiTest.submitTo(cogwork, IRIS_SPEC.replace("\"hidden\"", "\"layers\""));
        assertEquals(400, typo.status(), typo.body());
        assertEquals("hyperparameters.layers", typo.json().path("field").asText(), typo.body());
        assertTrue(typo.json().path("error").asText().contains("[batchSize, dropout, epochs, hidden, learningRate, standardize, "
                + "weightDecay]"), typo.body());
        Cogwork.Response space = TrainingApiTest.submitTo(cogwork, IRIS_SPEC.replace("\"seed\": 5",
                "\"seed\": 5, \"search\": {\"space\": {\"depth\": [2, 3]}}"));
        assertEquals(400, space.status(), space.body());
        assertEquals("search.space.depth", space.json().path("field").asText(), space.body());
    }

    private static final String IRIS_SPEC = """
            {"source": "data", "dataset": "sklearn_iris.csv", "target": "species",
             "engine": "djl", "algorithm": "mlp", "hyperparameters": {"hidden": [16], "epochs": 150, "learningRate": 0.01},
             "seed": 5}""";

    private static void trainIris() throws Exception {
        Cogwork.Response r = TrainingApiTest.submitTo(cogwork, IRIS_SPEC);
        assertEquals(202, r.status(), r.body());
        JsonNode job = TrainingApiTest.awaitDone(cogwork, r.json().path("id").asText());
        assertEquals("SUCCEEDED", job.path("status").asText(), job.toString());
        assertTrue(job.path("result").path("metrics").path("accuracy").asDouble() >= 0.85, job.path("result").toString());
    }
}
