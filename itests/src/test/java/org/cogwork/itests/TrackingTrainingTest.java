package org.cogwork.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Training jobs tracked as runs, registered as model versions, and reproduced from their recorded spec. */
class TrackingTrainingTest {
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

    @Test
    void trainedModelIsTrackedRegisteredAndReproducible() throws Exception {
        Cogwork.Response r = TrainingApiTest.submitTo(cogwork, """
                {"name": "credit-logistic", "experiment": "credit", "source": "data", "dataset": "credit_data.csv",
                 "target": "Status",
                 "pipeline": [{"transform": "impute", "params": {"strategy": "median", "indicator": true}},
                              {"transform": "standardize"}],
                 "engine": "tribuo", "algorithm": "logistic", "seed": 42,
                 "register": {"model": "credit-risk", "alias": "staging"}}""");
        assertEquals(202, r.status(), r.body());
        JsonNode job = TrainingApiTest.awaitDone(cogwork, r.json().path("id").asText());
        assertEquals("SUCCEEDED", job.path("status").asText(), job.toString());
        JsonNode tracking = job.path("result").path("tracking");
        String runId = tracking.path("runId").asText();
        assertEquals(32, runId.length(), tracking.toString());
        assertEquals(1, tracking.path("version").asInt());

        JsonNode run = cogwork.get("/api/runs/" + runId).json();
        assertEquals("FINISHED", run.path("status").asText(), run.toString());
        assertTrue(run.toString().contains("accuracy"), run.toString());
        assertEquals("admin", run.path("tags").path("mlflow.user").asText(), "the run's user is the signed-in caller: " + run);
        JsonNode model = cogwork.get("/api/models/credit-risk").json();
        assertTrue(model.toString().contains("staging"), model.toString());
        Cogwork.Response artifact = cogwork.get("/api/runs/" + runId + "/artifacts/model/model.zip");
        assertEquals(200, artifact.status());

        Cogwork.Response again = cogwork.post("/api/runs/" + runId + "/reproduce", new byte[0], "application/json");
        assertEquals(202, again.status(), again.body());
        JsonNode reproduced = TrainingApiTest.awaitDone(cogwork, again.json().path("id").asText());
        assertEquals("SUCCEEDED", reproduced.path("status").asText(), reproduced.toString());
        assertEquals("admin", reproduced.path("user").asText(), reproduced.toString());
        JsonNode check = reproduced.path("result").path("reproduction");
        assertTrue(check.path("metricsMatch").asBoolean(), check.toString());
        assertTrue(check.path("dataMatch").asBoolean(), check.toString());
        assertFalse(reproduced.path("result").path("tracking").has("version"), "reproducing registers nothing");
        assertEquals(404, cogwork.post("/api/runs/0123456789abcdef0123456789abcdef/reproduce", new byte[0], "application/json").status());
    }
}
