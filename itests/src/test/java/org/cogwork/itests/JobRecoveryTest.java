package org.cogwork.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training jobs survive the runtime: a job killed with the process (kill -9 while its forest grows) is INTERRUPTED
 * after the restart, with its tracked run FAILED, instead of RUNNING for ever; finished jobs are still there.
 */
class JobRecoveryTest {
    @TempDir
    Path tmp;

    /**
     * A forest big enough to be still growing a few seconds after it starts (the most trees a forest may have: a minute
     * or more on this machine; it is killed within its first seconds).
     */
    static final String SLOW = """
            {"name": "slow-forest", "source": "data", "dataset": "credit_data.csv", "target": "Status",
             "pipeline": [{"transform": "impute", "params": {"strategy": "median"}},
                          {"transform": "impute", "params": {"strategy": "mode", "columns": ["Home", "Marital", "Job"]}},
                          {"transform": "onehot"}],
             "engine": "tribuo", "algorithm": "random-forest", "hyperparameters": {"numTrees": 100000}, "seed": 5}""";

    @Test
    void aJobKilledWithTheRuntimeIsInterruptedAfterTheRestartWithItsRunFailed() throws Exception {
        try (Cogwork c = Cogwork.fresh(tmp).start()) {
            FileSourceTest.addSharedData(c);
            Cogwork.Response done = TrainingApiTest.submitTo(c, ServingTest.SPEC.formatted("logistic", "production"));
            assertEquals(202, done.status(), done.body());
            String finished = done.json().path("id").asText();
            assertEquals("SUCCEEDED", TrainingApiTest.awaitDone(c, finished).path("status").asText());

            Cogwork.Response slow = TrainingApiTest.submitTo(c, SLOW);
            assertEquals(202, slow.status(), slow.body());
            String id = slow.json().path("id").asText();
            JsonNode running = c.await("/api/trainings/" + id, j -> "RUNNING".equals(j.path("status").asText())
                    && j.hasNonNull("runId") && "training".equals(j.path("progress").path("phase").asText()), Duration.ofSeconds(60));
            String runId = running.path("runId").asText();

            c.kill();
            c.start();

            JsonNode job = c.get("/api/trainings/" + id).json();
            assertEquals("INTERRUPTED", job.path("status").asText(), job.toString());
            assertTrue(job.path("error").asText().startsWith("Cogwork stopped while the job was running"), job.toString());
            assertEquals("admin", job.path("user").asText());
            assertEquals("slow-forest", job.path("name").asText(), "the spec is kept: " + job);
            JsonNode run = c.await("/api/runs/" + runId, r -> "FAILED".equals(r.path("status").asText()), Duration.ofSeconds(30));
            assertEquals("INTERRUPTED", run.path("tags").path("cogwork.training.status").asText(), run.toString());

            // the job that had finished before the kill is still there, with its artifact, read from the artifact store
            assertEquals("SUCCEEDED", c.get("/api/trainings/" + finished).json().path("status").asText());
            Cogwork.Response zip = c.get("/api/trainings/" + finished + "/artifact");
            assertEquals(200, zip.status());
            assertTrue(zip.body().startsWith("PK"), "a zip file");
            JsonNode list = c.get("/api/trainings").json();
            assertTrue(list.toString().contains(id) && list.toString().contains(finished), list.toString());
        }
    }

    @Test
    void jobsBeyondTheRetentionPolicyAreGoneAndSay404() throws Exception {
        try (Cogwork c = Cogwork.fresh(tmp)) {
            Files.writeString(c.home.resolve("config/org.cogwork.training.cfg"), "jobs.retain.count=1\n");
            // FileInstall reads config/ in its own thread, so on a first start the training component may be active
            // (with the defaults) before the file is applied; after a restart Config Admin has it from the outset
            c.start();
            c.stop();
            c.start();
            FileSourceTest.addSharedData(c);
            String[] ids = new String[2];
            for (int i = 0; i < ids.length; i++) {
                Cogwork.Response r = TrainingApiTest.submitTo(c, ServingTest.SPEC.formatted("logistic", "production"));
                assertEquals(202, r.status(), r.body());
                ids[i] = r.json().path("id").asText();
                assertEquals("SUCCEEDED", TrainingApiTest.awaitDone(c, ids[i]).path("status").asText());
            }
            // a job shows it has ended only once it is stored and the retention policy applied (stop 28's CI read the
            // older job in between, when the status was shown first)
            Cogwork.Response gone = c.get("/api/trainings/" + ids[0]);
            assertEquals(404, gone.status(), gone.body());
            assertTrue(gone.json().hasNonNull("error"), "a JSON error: " + gone.body());
            assertEquals(404, c.get("/api/trainings/" + ids[0] + "/artifact").status());
            assertEquals(200, c.get("/api/trainings/" + ids[1]).status());
            JsonNode list = c.get("/api/trainings").json();
            assertEquals(1, list.size(), list.toString());
            // the model it registered stays: retention is about jobs, not runs or versions
            assertEquals(200, c.get("/api/models/credit-risk/versions/1").status());
        }
    }
}
