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

    /** Waits for the job's end as a client would: in calls that each wait up to 20 s for it (no polling). */
    static JsonNode awaitDone(Cogwork c, String id) throws Exception {
        return c.await("/api/trainings/" + id + "?waitSeconds=20", j -> !j.path("status").asText().matches("QUEUED|RUNNING"),
                Duration.ofSeconds(120));
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
        Cogwork.Response tooLong = cogwork.get("/api/trainings/" + r.json().path("id").asText() + "?waitSeconds=61");
        assertEquals(400, tooLong.status(), tooLong.body());
        assertEquals("waitSeconds", tooLong.json().path("field").asText());
        JsonNode job = awaitDone(r.json().path("id").asText());
        assertEquals("SUCCEEDED", job.path("status").asText(), job.toString());
        assertEquals("admin", job.path("user").asText(), "the signed-in caller is the job's user");
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

    /** A spec refused at submission, before any job exists: 400 naming the JSON path. */
    static void assertField(Cogwork.Response r, String field) throws Exception {
        assertEquals(400, r.status(), r.body());
        assertEquals(field, r.json().path("field").asText(), r.body());
    }

    static final String FOREST = """
            {"source": "data", "dataset": "credit_data.csv", "target": "Status",
             "engine": "tribuo", "algorithm": "random-forest", "seed": 3 %s}""";

    /**
     * Hyperparameters are checked at submission against the engine's typed declarations, which /api/engines lists:
     * a value out of range, of the wrong JSON type or under an unknown name is a 400 naming it, and no job is made.
     */
    @Test
    void hyperparametersAreCheckedAgainstWhatTheEngineDeclares() throws Exception {
        JsonNode forest = null;
        for (JsonNode a : cogwork.get("/api/engines/tribuo").json().path("algorithms")) {
            if (a.path("name").asText().equals("random-forest") && a.path("task").asText().equals("CLASSIFICATION")) {
                forest = a;
            }
        }
        assertEquals("""
                [{"name":"numTrees","type":"INTEGER","required":false,"default":50,"min":1,"minInclusive":true,"max":100000,\
                "maxInclusive":true,"description":"number of trees"},\
                {"name":"maxDepth","type":"INTEGER","required":false,"default":12,"min":1,"minInclusive":true,"max":1000,\
                "maxInclusive":true,"description":"maximum depth of each tree"},\
                {"name":"fractionFeaturesInSplit","type":"NUMBER","required":false,"min":0.0,"minInclusive":false,\
                "max":1.0,"maxInclusive":false,"description":"fraction of features considered per split, below 1 (a forest \
                needs subsampling; when left out: the square root of the features for classification, as scikit-learn's \
                and the xgboost engine's forests choose, half of them for regression)"}]""",
                String.valueOf(forest == null ? null : forest.path("hyperparameters")));
        int jobs = cogwork.get("/api/trainings").json().size();

        Cogwork.Response zero = submit(FOREST.formatted(", \"hyperparameters\": {\"numTrees\": 0}"));
        assertField(zero, "hyperparameters.numTrees");
        assertEquals("numTrees must be an integer in [1, 100000], was 0", zero.json().path("error").asText());
        assertEquals("numTrees must be an integer in [1, 100000], was 1.5",
                errorOf(FOREST.formatted(", \"hyperparameters\": {\"numTrees\": 1.5}"), "hyperparameters.numTrees"));
        assertEquals("numTrees must be an integer in [1, 100000], was \"abc\"",
                errorOf(FOREST.formatted(", \"hyperparameters\": {\"numTrees\": \"abc\"}"), "hyperparameters.numTrees"));
        assertEquals("numTrees must be an integer in [1, 100000], was null",
                errorOf(FOREST.formatted(", \"hyperparameters\": {\"numTrees\": null}"), "hyperparameters.numTrees"));
        assertEquals("fractionFeaturesInSplit must be a number in (0, 1), was 1",
                errorOf(FOREST.formatted(", \"hyperparameters\": {\"fractionFeaturesInSplit\": 1}"), "hyperparameters.fractionFeaturesInSplit"));
        assertEquals("algorithm 'random-forest' of engine 'tribuo' has no hyperparameter 'numTree'; it has "
                        + "[fractionFeaturesInSplit, maxDepth, numTrees]",
                errorOf(FOREST.formatted(", \"hyperparameters\": {\"numTree\": 10}"), "hyperparameters.numTree"));
        // each value of a search space, and a candidate's, are checked the same way, named where they stand in the spec
        assertEquals("numTrees must be an integer in [1, 100000], was 0",
                errorOf(FOREST.formatted(", \"search\": {\"space\": {\"numTrees\": [10, 0]}}"), "search.space.numTrees"));
        assertEquals("numTrees must be an integer in [1, 100000], was 0", errorOf("""
                {"source": "data", "dataset": "credit_data.csv", "target": "Status", "seed": 3,
                 "candidates": [{"engine": "tribuo", "algorithm": "logistic"},
                                {"engine": "tribuo", "algorithm": "random-forest", "hyperparameters": {"numTrees": 0}}]}""",
                "candidates[1].hyperparameters.numTrees"));
        assertEquals(jobs, cogwork.get("/api/trainings").json().size(), "no job was made for a refused spec");

        Cogwork.Response fine = submit(FOREST.formatted(", \"hyperparameters\": {\"numTrees\": 5.0, \"maxDepth\": 4}"));
        assertEquals(202, fine.status(), fine.body());
        JsonNode job = awaitDone(fine.json().path("id").asText());
        assertEquals("SUCCEEDED", job.path("status").asText(), job.toString());
        JsonNode parameters = job.path("result").path("provenance").path("model").path("parameters");
        assertEquals("{\"numTrees\":5,\"maxDepth\":4}", ((com.fasterxml.jackson.databind.node.ObjectNode) parameters.deepCopy())
                .without("fractionFeaturesInSplit").toString(), "the engine trained with the checked values");
        // left out, the features per split are the square root of the features the forest saw
        int features = job.path("result").path("provenance").path("model").path("features").asInt();
        assertEquals(Math.round(Math.sqrt(features)), Math.round(parameters.path("fractionFeaturesInSplit").asDouble() * features),
                parameters + " over " + features + " features");
    }

    private static String errorOf(String spec, String field) throws Exception {
        Cogwork.Response r = submit(spec);
        assertField(r, field);
        return r.json().path("error").asText();
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
        assertField(submit(SPEC.replace("\"seed\": 3", "\"seed\": \"abc\"")), "seed");
        assertField(submit(SPEC.replace("\"seed\": 3", "\"seed\": 3, \"split\": {\"testFracton\": 0.3}")), "split.testFracton");
        assertField(submit(SPEC.replace("\"seed\": 3", "\"seed\": 3, \"split\": {\"testFraction\": 1.5}")), "split.testFraction");
        assertField(submit(SPEC.replace("\"seed\": 3", "\"seed\": 3, \"author\": \"mallory\"")), "author");
        assertField(submit("""
                {"source": "data", "dataset": "imdb_reviews_2k.csv", "target": "sentiment", "features": ["review"],
                 "pipeline": [{"transform": "tfidf", "params": {"maxFeatures": "lots"}}],
                 "engine": "tribuo", "algorithm": "logistic"}"""), "pipeline[0].params.maxFeatures");
        assertEquals(404, cogwork.get("/api/trainings/nope").status());
        assertEquals(404, cogwork.get("/api/trainings/nope/artifact").status());
    }
}
