package org.cogwork.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * /api/trainings against the assembled runtime: an engine bundle dropped into deploy/ trains at once, jobs
 * report progress and metrics, bad specs are 400s naming the field, and the artifact downloads.
 */
class TrainingApiTest {
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
            cogwork.stop();
        }
    }

    static Cogwork.Response submit(String spec) throws Exception {
        return submitTo(cogwork, spec);
    }

    static Cogwork.Response submitTo(Cogwork c, String spec) throws Exception {
        return c.post("/api/trainings", spec.getBytes(StandardCharsets.UTF_8), "application/json");
    }

    static JsonNode awaitDone(String id) throws Exception {
        return awaitDone(cogwork, id);
    }

    static JsonNode awaitDone(Cogwork c, String id) throws Exception {
        return c.await("/api/trainings/" + id, j -> !j.path("status").asText().matches("QUEUED|RUNNING"), Duration.ofSeconds(120));
    }

    static final String SPEC = """
            {"name": "credit-baseline", "source": "data", "dataset": "credit_data.csv", "target": "Status",
             "engine": "baseline", "algorithm": "majority", "seed": 3}""";

    @Test
    void hotDeployedEngineTrainsAtOnce() throws Exception {
        Cogwork.Response before = submit(SPEC);
        assertEquals(400, before.status(), before.body());
        assertEquals("engine", before.json().path("field").asText());

        Files.copy(Cogwork.testBundle("org.cogwork.engine.baseline"), cogwork.home.resolve("deploy/baseline.jar"));
        cogwork.await("/api/engines", e -> HotDeployTest.engine(e, "baseline") != null, Duration.ofSeconds(15));

        Cogwork.Response r = submit(SPEC);
        assertEquals(202, r.status(), r.body());
        JsonNode job = awaitDone(r.json().path("id").asText());
        assertEquals("SUCCEEDED", job.path("status").asText(), job.toString());
        JsonNode result = job.path("result");
        assertEquals(640 / 891.0, result.path("metrics").path("accuracy").asDouble(), 1e-9, "majority class on the stratified test split");
        assertEquals("[\"bad\",\"good\"]", result.path("confusionMatrix").path("labels").toString());
        assertEquals(4454, result.path("provenance").path("data").path("rows").asInt());
        assertEquals("org.cogwork.engine.baseline", result.path("provenance").path("engine").path("bundle").path("symbolicName").asText());
        assertTrue(result.path("provenance").path("bundles").has("org.cogwork.training"), result.path("provenance").toString());

        Cogwork.Response zip = cogwork.get("/api/trainings/" + job.path("id").asText() + "/artifact");
        assertEquals(200, zip.status());
        JsonNode events = cogwork.get("/api/events?topic=cogwork/training/").json();
        assertEquals("SUCCEEDED", events.get(events.size() - 1).path("job.status").asText());
        assertTrue(cogwork.get("/api/trainings").json().size() >= 1);
    }

    @Test
    void tribuoCreditClassifierInsideTheRuntime() throws Exception {
        Cogwork.Response r = submit("""
                {"source": "data", "dataset": "credit_data.csv", "target": "Status",
                 "pipeline": [{"transform": "impute", "params": {"strategy": "median", "indicator": true}},
                              {"transform": "standardize"}],
                 "engine": "tribuo", "algorithm": "logistic", "seed": 42}""");
        assertEquals(202, r.status(), r.body());
        JsonNode job = awaitDone(r.json().path("id").asText());
        assertEquals("SUCCEEDED", job.path("status").asText(), job.toString());
        double accuracy = job.path("result").path("metrics").path("accuracy").asDouble();
        assertTrue(accuracy >= 0.78, "accuracy " + accuracy);
        assertEquals("4.3.2", job.path("result").path("provenance").path("model").path("tribuoVersion").asText(),
                "Tribuo's own provenance folded into Cogwork's");
    }

    @Test
    void transformFromAPluginBundleIsUsableAtOnce() throws Exception {
        String spec = """
                {"source": "data", "dataset": "credit_data.csv", "target": "Status",
                 "pipeline": [{"transform": "impute", "params": {"strategy": "median"}},
                              {"transform": "winsorize", "params": {"lower": 0.01, "upper": 0.99}},
                              {"transform": "standardize"}],
                 "engine": "tribuo", "algorithm": "logistic", "seed": 42}""";
        Cogwork.Response before = submit(spec);
        assertEquals(400, before.status(), before.body());
        assertEquals("pipeline[1].transform", before.json().path("field").asText());

        Files.copy(Cogwork.testBundle("org.cogwork.features.winsorize"), cogwork.home.resolve("deploy/winsorize.jar"));
        long deadline = System.currentTimeMillis() + 15_000;
        Cogwork.Response r = submit(spec);
        while (r.status() == 400 && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
            r = submit(spec);
        }
        assertEquals(202, r.status(), r.body());
        JsonNode job = awaitDone(r.json().path("id").asText());
        assertEquals("SUCCEEDED", job.path("status").asText(), job.toString());
        assertTrue(job.path("result").path("metrics").path("accuracy").asDouble() >= 0.78, job.path("result").path("metrics").toString());
        assertTrue(job.path("result").path("provenance").path("pipeline").toString().contains("winsorize"));
    }

    @Test
    void timeLimitAndCancelStopJobs() throws Exception {
        String slow = """
                {"source": "data", "dataset": "imdb_reviews_2k.csv", "target": "sentiment", "features": ["review"],
                 "pipeline": [{"transform": "tfidf", "params": {"ngrams": 2}}],
                 "engine": "tribuo", "algorithm": "logistic", "crossValidation": {"folds": 10},
                 "search": {"space": {"epochs": [5, 10, 15, 20, 25]}}, "seed": 1, "timeLimitSeconds": %d}""";
        Cogwork.Response limited = submit(slow.formatted(2));
        assertEquals(202, limited.status(), limited.body());
        JsonNode job = awaitDone(limited.json().path("id").asText());
        assertEquals("TIMED_OUT", job.path("status").asText(), job.toString());

        Cogwork.Response running = submit(slow.formatted(600));
        String id = running.json().path("id").asText();
        cogwork.await("/api/trainings/" + id, j -> "RUNNING".equals(j.path("status").asText()), Duration.ofSeconds(30));
        Cogwork.Response cancel = cogwork.post("/api/trainings/" + id + "/cancel", new byte[0], "application/json");
        assertEquals(202, cancel.status(), cancel.body());
        assertEquals("CANCELLED", awaitDone(id).path("status").asText());
        assertEquals(409, cogwork.post("/api/trainings/" + id + "/cancel", new byte[0], "application/json").status(),
                "a finished job cannot be cancelled again");
    }

    @Test
    void badSpecsAre400sNamingTheField() throws Exception {
        Cogwork.Response target = submit(SPEC.replace("\"Status\"", "\"Sttus\""));
        assertEquals(400, target.status());
        assertEquals("target", target.json().path("field").asText());
        assertTrue(target.json().path("error").asText().startsWith("column 'Sttus' is not in credit_data.csv; columns are [Status"),
                target.body());
        Cogwork.Response malformed = submit("{\"source\": ");
        assertEquals(400, malformed.status());
        Cogwork.Response regression = submit(SPEC.replace("\"seed\": 3", "\"seed\": 3, \"task\": \"regression\""));
        assertEquals(400, regression.status());
        assertEquals("target", regression.json().path("field").asText());
        assertEquals(404, cogwork.get("/api/trainings/nope").status());
        assertEquals(404, cogwork.get("/api/trainings/nope/artifact").status());
    }
}
