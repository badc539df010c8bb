package org.cogwork.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults inside a training job stay inside it: a cancel or a time limit leaves the metadata store writable and
 * the run ended, and a job always ends in a terminal state with its reason.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class JobFaultsTest {
    @TempDir
    static Path tmp;
    static Cogwork cogwork;

    /** The reproduction: Tribuo's SGD runs its epochs without looking at a cancel (tens of seconds). */
    static final String SLOW_TRIBUO = """
            {"name": "cancelled", "experiment": "faults", "source": "data", "dataset": "credit_data.csv", "target": "Status",
             "pipeline": [{"transform": "impute", "params": {"strategy": "median"}}, {"transform": "standardize"}],
             "engine": "tribuo", "algorithm": "logistic", "hyperparameters": {"epochs": 2000}, "seed": 1}""";
    /** DJL looks at the stop between batches: this one ends by its time limit. */
    static final String SLOW_DJL = """
            {"name": "timed-out", "experiment": "faults", "source": "data", "dataset": "credit_data.csv", "target": "Status",
             "engine": "djl", "algorithm": "mlp", "hyperparameters": {"hidden": [64], "epochs": 5000}, "seed": 1,
             "timeLimitSeconds": 10}""";

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
    @Order(1)
    void cancelAndTimeLimitLeaveTheRegistryWritableAndTheRunsEnded() throws Exception {
        String cancelled = submit(SLOW_TRIBUO);
        awaitTraining(cancelled);
        Cogwork.Response c = cogwork.post("/api/trainings/" + cancelled + "/cancel", new byte[0], "application/json");
        assertEquals(202, c.status(), c.body());
        JsonNode job = TrainingApiTest.awaitDone(cogwork, cancelled);
        // CANCELLED if Tribuo finished its epochs within the grace period, else ABANDONED (see the test below)
        assertTrue(job.path("status").asText().matches("CANCELLED|ABANDONED"), job.toString());
        assertRegistryWritable();
        assertRun(job, "KILLED");

        String timedOut = submit(SLOW_DJL);
        JsonNode late = TrainingApiTest.awaitDone(cogwork, timedOut);
        // TIMED_OUT between two batches, or ABANDONED if the limit came while libtorch was still loading (the first use)
        assertTrue(late.path("status").asText().matches("TIMED_OUT|ABANDONED"), late.toString());
        assertTrue(late.path("error").asText().startsWith("time limit reached (10 s)"), late.toString());
        assertRegistryWritable();
        assertRun(late, "KILLED");

        assertEquals(143, cogwork.stop(), "exit code after SIGTERM\n" + cogwork.log());
        cogwork.start();
        assertRegistryWritable();
        assertRun(job, "KILLED");
        assertRun(late, "KILLED");
    }

    /** The faulty test engine (itests/faulty-engine) on credit data: it fails, or hangs ignoring stops. */
    static final String FAULTY = """
            {"name": "%s", "experiment": "faults", "source": "data", "dataset": "credit_data.csv", "target": "Status",
             "engine": "faulty", "algorithm": "%s", "seed": 1 %s}""";

    @Test
    @Order(2)
    void aJobWhoseEngineThrowsOrHangsEndsFailedOrAbandonedAndTheNextJobRuns() throws Exception {
        Files.copy(Cogwork.testBundle("org.cogwork.itests.faulty-engine"), cogwork.home.resolve("deploy/faulty.jar"));
        cogwork.await("/api/engines", e -> HotDeployTest.engine(e, "faulty") != null, Duration.ofSeconds(15));

        JsonNode failed = TrainingApiTest.awaitDone(cogwork, submit(FAULTY.formatted("fails", "fail", "")));
        assertEquals("FAILED", failed.path("status").asText(), failed.toString());
        assertTrue(failed.path("error").asText().contains("the faulty engine fails on purpose"), failed.toString());
        assertRun(failed, "FAILED");

        // both workers (the default 2) taken by engines that ignore the stop: one cancelled, one past its time limit
        String cancelled = submit(FAULTY.formatted("hangs-cancelled", "hang", ", \"hyperparameters\": {\"seconds\": 40}"));
        String late = submit(FAULTY.formatted("hangs-late", "hang", ", \"hyperparameters\": {\"seconds\": 40}, \"timeLimitSeconds\": 2"));
        awaitTraining(cancelled);
        long t0 = System.nanoTime();
        assertEquals(202, cogwork.post("/api/trainings/" + cancelled + "/cancel", new byte[0], "application/json").status());
        JsonNode abandoned = TrainingApiTest.awaitDone(cogwork, cancelled);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals("ABANDONED", abandoned.path("status").asText(), abandoned.toString());
        assertTrue(ms < 15_000, "abandoned within the 5 s grace (and polling), took " + ms + " ms");
        assertTrue(abandoned.path("error").asText().startsWith("cancelled, and engine 'faulty' did not stop within 5 s"), abandoned.toString());
        JsonNode timedOut = TrainingApiTest.awaitDone(cogwork, late);
        assertEquals("ABANDONED", timedOut.path("status").asText(), timedOut.toString());
        assertTrue(timedOut.path("error").asText().startsWith("time limit reached (2 s), and engine 'faulty' did not stop within 5 s"), timedOut.toString());
        assertRun(abandoned, "KILLED");
        assertRun(timedOut, "KILLED");
        assertRegistryWritable();

        // the workers are free while both engines still hang
        JsonNode next = TrainingApiTest.awaitDone(cogwork, submit(TrainingApiTest.SPEC.replace("\"baseline\", \"algorithm\": \"majority\"",
                "\"tribuo\", \"algorithm\": \"logistic\"")));
        assertEquals("SUCCEEDED", next.path("status").asText(), next.toString());
        assertTrue(cogwork.get("/api/trainings/" + cancelled).json().path("released").isMissingNode(), "the engine still hangs");

        // and when the engines give up at last, what they held is released
        for (String id : new String[] {cancelled, late}) {
            JsonNode j = cogwork.await("/api/trainings/" + id, x -> x.has("released"), Duration.ofSeconds(60));
            assertEquals("ABANDONED", j.path("status").asText(), j.toString());
        }
        assertTrue(cogwork.log().contains("its engine returned after all; what it held is released"), cogwork.log());
    }

    @Test
    @Order(3)
    void aTorchScriptPathOutsideTheRootsOrNotARegularFileIsRefusedAtSubmission() throws Exception {
        Cogwork.Response outside = TrainingApiTest.submitTo(cogwork, """
                {"name": "dev-zero", "source": "data", "dataset": "sklearn_iris.csv", "target": "species",
                 "engine": "djl", "algorithm": "torchscript", "hyperparameters": {"path": "/dev/zero"}, "seed": 1}""");
        assertEquals(400, outside.status(), outside.body());
        assertEquals("hyperparameters.path", outside.json().path("field").asText(), outside.body());
        assertTrue(outside.json().path("error").asText().contains("outside the data roots"), outside.body());
        Path folder = java.nio.file.Files.createDirectories(tmp.resolve("not-a-script"));
        Cogwork.Response notAFile = TrainingApiTest.submitTo(cogwork, """
                {"name": "folder", "source": "data", "dataset": "sklearn_iris.csv", "target": "species",
                 "engine": "djl", "algorithm": "torchscript", "hyperparameters": {"path": "%s"}, "seed": 1}""".formatted(folder));
        assertEquals(400, notAFile.status(), notAFile.body());
        assertEquals("hyperparameters.path", notAFile.json().path("field").asText(), notAFile.body());
        assertEquals("hyperparameter 'path' of djl torchscript is not a regular file: " + folder, notAFile.json().path("error").asText());
        assertRegistryWritable();
    }

    @Test
    @Order(4)
    void aJobRunningWhenTheRuntimeStopsHasItsRunEnded() throws Exception {
        String id = submit(SLOW_DJL.replace("\"timed-out\"", "\"at-shutdown\"").replace("\"timeLimitSeconds\": 10", "\"timeLimitSeconds\": 600"));
        awaitTraining(id);
        String runId = cogwork.get("/api/trainings/" + id).json().path("runId").asText();
        assertEquals(143, cogwork.stop(), "exit code after SIGTERM\n" + cogwork.log());
        String stopLog = cogwork.log();
        cogwork.start();
        Cogwork.Response r = cogwork.get("/api/runs/" + runId);
        assertEquals("KILLED", r.json().path("status").asText(), r.body() + "\nlog of the stopped runtime:\n" + stopLog);
        assertEquals("CANCELLED", r.json().path("tags").path("cogwork.training.status").asText(), r.body());
        assertTrue(r.json().path("tags").path("cogwork.training.error").asText().startsWith("Cogwork stopped while the job was queued or running"),
                r.body());
    }

    static String submit(String spec) throws Exception {
        Cogwork.Response r = TrainingApiTest.submitTo(cogwork, spec);
        assertEquals(202, r.status(), r.body());
        return r.json().path("id").asText();
    }

    /** Waits until the engine is training (its progress reported), so a cancel reaches the engine's own work. */
    static void awaitTraining(String id) throws Exception {
        cogwork.await("/api/trainings/" + id, j -> j.path("status").asText().equals("RUNNING")
                && j.path("progress").path("phase").asText().equals("training") && j.path("progress").path("step").asLong() > 0,
                Duration.ofSeconds(60));
    }

    static void assertRegistryWritable() throws Exception {
        Cogwork.Response runs = cogwork.get("/api/runs?experiment=0");
        assertEquals(200, runs.status(), runs.body());
        String name = "after-" + UUID.randomUUID();
        Cogwork.Response e = cogwork.post("/api/experiments", ("{\"name\": \"" + name + "\"}").getBytes(StandardCharsets.UTF_8),
                "application/json");
        assertEquals(201, e.status(), e.body());
        Cogwork.Response health = cogwork.get("/health");
        assertEquals(200, health.status(), health.body());
    }

    /** The job's tracked run has ended with {@code status} and says why. */
    static void assertRun(JsonNode job, String status) throws Exception {
        String runId = job.path("runId").asText();
        assertEquals(32, runId.length(), job.toString());
        Cogwork.Response r = cogwork.get("/api/runs/" + runId);
        assertEquals(200, r.status(), r.body());
        assertEquals(status, r.json().path("status").asText(), r.body());
        assertTrue(r.json().hasNonNull("end"), r.body());
        assertTrue(r.body().contains("cogwork.training.error"), "the run says why it ended: " + r.body());
    }
}
