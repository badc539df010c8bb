package org.cogwork.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One engine per name, decided once: a second bundle registering an engine name that is taken is not used (and
 * says so in /api/bundles, /health and /api/engines) while training and serving keep the first; when the first
 * leaves, the second takes over without a restart; a model behind an alias whose engine is gone is a /health
 * warning while the platform stays UP.
 */
class EngineNamesTest {
    private static final Duration DEPLOY = Duration.ofSeconds(15);
    private static final String TRIBUO_BUNDLE = "org.cogwork.engine.tribuo";
    private static final String IMPOSTOR_BUNDLE = "org.cogwork.itests.impostor-engine";
    private static final String BASELINE_BUNDLE = "org.cogwork.engine.baseline";
    private static final String COPY_BUNDLE = "org.cogwork.itests.baseline-copy";

    @TempDir
    Path tmp;

    static final String CREDIT = """
            {"source": "data", "dataset": "credit_data.csv", "target": "Status",
             "pipeline": [{"transform": "impute", "params": {"strategy": "median"}},
                          {"transform": "impute", "params": {"strategy": "mode", "columns": ["Home", "Marital", "Job"]}}],
             "engine": "tribuo", "algorithm": "logistic", "seed": 42,
             "register": {"model": "credit", "alias": "production"}}""";
    static final byte[] CREDIT_ROW = ("{\"rows\": [{\"Seniority\": 9, \"Home\": \"rent\", \"Time\": 60, \"Age\": 30, "
            + "\"Marital\": \"married\", \"Records\": \"no\", \"Job\": \"freelance\", \"Expenses\": 73, \"Income\": 129, "
            + "\"Assets\": 0, \"Debt\": 0, \"Amount\": 800, \"Price\": 846}]}").getBytes(StandardCharsets.UTF_8);

    static final String STRENGTH = """
            {"source": "data", "dataset": "concrete.csv", "target": "compressive_strength",
             "engine": "baseline", "algorithm": "mean", "seed": 1,
             "register": {"model": "strength", "alias": "production"}}""";
    static final byte[] STRENGTH_ROW = ("{\"rows\": [{\"cement\": 540, \"blast_furnace_slag\": 0, \"fly_ash\": 0, \"water\": 162, "
            + "\"superplasticizer\": 2.5, \"coarse_aggregate\": 1040, \"fine_aggregate\": 676, \"age\": 28}]}")
            .getBytes(StandardCharsets.UTF_8);

    /** The case: a plugin registering {@code tribuo} took training over and broke serving of every Tribuo model. */
    @Test
    void aSecondEngineUnderATakenNameIsReportedAndNotUsed() throws Exception {
        try (Cogwork cogwork = Cogwork.fresh(tmp).start()) {
            FileSourceTest.addSharedData(cogwork);
            JsonNode first = train(cogwork, CREDIT);
            assertEquals(TRIBUO_BUNDLE, engineBundle(first));
            assertEquals(200, predict(cogwork, "credit", CREDIT_ROW).status());

            Path impostor = cogwork.home.resolve("deploy/impostor.jar");
            Files.copy(Cogwork.testBundle(IMPOSTOR_BUNDLE), impostor);
            String why = "engine name 'tribuo' is already provided by bundle " + TRIBUO_BUNDLE;
            JsonNode bundle = HotDeployTest.bundle(cogwork.await("/api/bundles", b -> {
                JsonNode x = HotDeployTest.bundle(b, IMPOSTOR_BUNDLE);
                return x != null && "ACTIVE".equals(x.path("state").asText()) && x.has("problem");
            }, DEPLOY), IMPOSTOR_BUNDLE);
            assertTrue(bundle.path("problem").asText().contains(why) && bundle.path("problem").asText().endsWith("this one is not used"),
                    bundle.toString());

            Cogwork.Response health = cogwork.get("/health");
            assertEquals(200, health.status(), health.body());
            assertEquals("UP", health.json().path("status").asText(), health.body());
            assertTrue(health.json().path("warnings").toString().contains(IMPOSTOR_BUNDLE), health.body());
            assertTrue(health.json().path("warnings").toString().contains(why), health.body());

            // /api/engines: the name means the original; the impostor is listed after it, not used, with the reason
            List<JsonNode> tribuos = named(cogwork.get("/api/engines").json(), "tribuo");
            assertEquals(2, tribuos.size(), tribuos.toString());
            assertEquals("AVAILABLE", tribuos.get(0).path("status").asText());
            assertEquals(TRIBUO_BUNDLE, tribuos.get(0).path("bundle").path("symbolicName").asText());
            assertEquals("NOT_USED", tribuos.get(1).path("status").asText());
            assertTrue(tribuos.get(1).path("problem").asText().contains(why), tribuos.get(1).toString());
            assertEquals(TRIBUO_BUNDLE, cogwork.get("/api/engines/tribuo").json().path("bundle").path("symbolicName").asText());

            // training and serving agree: a new version trains with the original and loads (fresh, not cached) with it
            JsonNode second = train(cogwork, CREDIT);
            assertEquals(TRIBUO_BUNDLE, engineBundle(second));
            Cogwork.Response p = predict(cogwork, "credit", CREDIT_ROW);
            assertEquals(200, p.status(), p.body());
            assertEquals(second.path("result").path("tracking").path("version").asInt(), p.json().path("version").asInt(), p.body());
            assertEquals(200, cogwork.post("/api/models/credit/predict?version=1", CREDIT_ROW, "application/json").status());

            // removing the impostor changes nothing for users and clears the warning
            Files.delete(impostor);
            cogwork.await("/api/bundles", b -> HotDeployTest.bundle(b, IMPOSTOR_BUNDLE) == null, DEPLOY);
            health = cogwork.get("/health");
            assertEquals(List.of(), warnings(health), health.body());
            assertEquals(1, named(cogwork.get("/api/engines").json(), "tribuo").size());
            assertEquals(200, predict(cogwork, "credit", CREDIT_ROW).status());
        }
    }

    @Test
    void whenTheEngineInUseLeavesTheNextTakesOverAndAModelWithoutEngineIsAHealthWarning() throws Exception {
        try (Cogwork cogwork = Cogwork.fresh(tmp).start()) {
            FileSourceTest.addSharedData(cogwork);
            Path original = cogwork.home.resolve("deploy/baseline.jar");
            Files.copy(Cogwork.testBundle(BASELINE_BUNDLE), original);
            cogwork.await("/api/engines", e -> HotDeployTest.engine(e, "baseline") != null, DEPLOY);
            JsonNode job = train(cogwork, STRENGTH);
            assertEquals(BASELINE_BUNDLE, engineBundle(job));
            Cogwork.Response first = predict(cogwork, "strength", STRENGTH_ROW);
            assertEquals(200, first.status(), first.body());
            double mean = first.json().path("predictions").get(0).path("value").asDouble();

            // the same engine in a second bundle: not used while the first is there
            Path copy = cogwork.home.resolve("deploy/baseline-copy.jar");
            Files.copy(Jars.withHeaders(Cogwork.testBundle(BASELINE_BUNDLE), tmp.resolve("copy.jar"),
                    Map.of("Bundle-SymbolicName", COPY_BUNDLE)), copy);
            JsonNode listed = HotDeployTest.bundle(cogwork.await("/api/bundles", b -> {
                JsonNode x = HotDeployTest.bundle(b, COPY_BUNDLE);
                return x != null && "ACTIVE".equals(x.path("state").asText()) && x.has("problem");
            }, DEPLOY), COPY_BUNDLE);
            assertTrue(listed.path("problem").asText().contains("engine name 'baseline' is already provided by bundle " + BASELINE_BUNDLE),
                    listed.toString());
            assertEquals(BASELINE_BUNDLE, engineBundle(train(cogwork, STRENGTH)));

            // the first leaves: the copy takes the name over at once, no restart, and the copy's problem is gone
            Files.delete(original);
            JsonNode engines = cogwork.await("/api/engines", e -> {
                JsonNode b = HotDeployTest.engine(e, "baseline");
                return b != null && COPY_BUNDLE.equals(b.path("bundle").path("symbolicName").asText());
            }, DEPLOY);
            assertEquals(1, named(engines, "baseline").size(), engines.toString());
            assertEquals("AVAILABLE", HotDeployTest.engine(engines, "baseline").path("status").asText());
            cogwork.await("/api/bundles", b -> HotDeployTest.bundle(b, BASELINE_BUNDLE) == null, DEPLOY);
            assertFalse(HotDeployTest.bundle(cogwork.get("/api/bundles").json(), COPY_BUNDLE).has("problem"));
            Cogwork.Response served = predict(cogwork, "strength", STRENGTH_ROW);
            assertEquals(200, served.status(), "the model reloads through the engine now holding the name: " + served.body());
            assertEquals(mean, served.json().path("predictions").get(0).path("value").asDouble());
            JsonNode retrained = train(cogwork, STRENGTH);
            assertEquals(COPY_BUNDLE, engineBundle(retrained));
            assertEquals(List.of(), warnings(cogwork.get("/health")));

            // no provider left: the production version cannot be served, /health says which and stays UP
            Files.delete(copy);
            cogwork.await("/api/engines", e -> HotDeployTest.engine(e, "baseline") == null, DEPLOY);
            int version = retrained.path("result").path("tracking").path("version").asInt();
            String expected = "model 'strength' version " + version + " (alias production) cannot be served: its engine 'baseline' is not installed";
            JsonNode health = cogwork.await("/health", h -> h.path("warnings").toString().contains(expected), Duration.ofSeconds(10));
            assertEquals("UP", health.path("status").asText(), health.toString());
            assertEquals(1, health.path("warnings").size(), health.toString());
            Cogwork.Response unservable = predict(cogwork, "strength", STRENGTH_ROW);
            assertEquals(503, unservable.status(), unservable.body());
        }
    }

    static JsonNode train(Cogwork cogwork, String spec) throws Exception {
        Cogwork.Response r = TrainingApiTest.submitTo(cogwork, spec);
        assertEquals(202, r.status(), r.body());
        JsonNode job = TrainingApiTest.awaitDone(cogwork, r.json().path("id").asText());
        assertEquals("SUCCEEDED", job.path("status").asText(), job.toString());
        return job;
    }

    static String engineBundle(JsonNode job) {
        return job.path("result").path("provenance").path("engine").path("bundle").path("symbolicName").asText();
    }

    static Cogwork.Response predict(Cogwork cogwork, String model, byte[] body) throws Exception {
        return cogwork.post("/api/models/" + model + "/predict", body, "application/json");
    }

    static List<JsonNode> named(JsonNode engines, String name) {
        return StreamSupport.stream(engines.spliterator(), false).filter(e -> name.equals(e.path("name").asText())).toList();
    }

    static List<String> warnings(Cogwork.Response health) {
        assertEquals(200, health.status(), health.body());
        assertNotNull(health.json().get("warnings"), health.body());
        return StreamSupport.stream(health.json().path("warnings").spliterator(), false).map(JsonNode::asText).toList();
    }
}
