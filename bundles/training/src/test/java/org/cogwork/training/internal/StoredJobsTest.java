package org.cogwork.training.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.cogwork.api.engine.Task;
import org.cogwork.api.training.JobStatus;
import org.cogwork.api.training.TrainingJob;
import org.cogwork.api.training.TrainingResult;
import org.cogwork.engine.baseline.BaselineEngine;
import org.cogwork.engine.tribuo.TribuoEngine;
import org.cogwork.runtime.rest.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Jobs as the previous version stored them ({@code training_jobs.view_json}, the map it built, written as JSON; the
 * fixtures in {@code stored-jobs/} were written by it) read back as {@link TrainingJob}s and are written out again as
 * the same JSON; and the same specs trained now give the same JSON as then, but for what changes from run to run.
 */
class StoredJobsTest {

    @TempDir
    Path tmp;

    static String fixture(String name) throws IOException {
        try (InputStream in = StoredJobsTest.class.getResourceAsStream("/stored-jobs/" + name + ".json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** JSON as a client reads it (numbers as parsed from text, so an int field and a long one compare alike). */
    static JsonNode asClientSees(Object value) throws IOException {
        return Json.MAPPER.readTree(Json.MAPPER.writeValueAsString(value));
    }

    @ParameterizedTest
    @ValueSource(strings = {"classification", "regression", "clustering", "search-cv", "validation-split", "test-set",
            "failed", "abandoned", "interrupted-queued", "tracked-reproduction"})
    void aJobStoredByThePreviousVersionReadsBackAndWritesTheSameJson(String name) throws IOException {
        String stored = fixture(name);
        TrainingJob job = JobStore.view(stored);
        assertEquals(Json.MAPPER.readTree(stored), asClientSees(job));
        assertEquals(Json.MAPPER.readTree(stored), asClientSees(JobStore.asJson(job)), "a live job's shape");
        assertEquals(job, JobStore.view(JobStore.json(job)), "stored by this version, read back alike");
    }

    @Test
    void everyFieldIsBound() throws IOException {
        TrainingJob t = JobStore.view(fixture("tracked-reproduction"));
        assertEquals("ada", t.user());
        assertEquals(JobStatus.SUCCEEDED, t.status());
        assertEquals("0f3c2b1a9d8e4f7a", t.runId());
        assertEquals("9a8b7c6d5e4f3a2b", t.reproduces());
        TrainingResult r = t.result();
        assertEquals(Task.CLASSIFICATION, r.task());
        assertEquals(new TrainingResult.Tracking("0f3c2b1a9d8e4f7a", "3", "cogwork-artifacts:/3/0f3c2b1a9d8e4f7a/artifacts/model/model.zip",
                "credit", 2, "staging"), r.tracking());
        assertEquals(new TrainingResult.Reproduction("9a8b7c6d5e4f3a2b", false, true, Map.of(
                "accuracy", new TrainingResult.Difference(0.7, 0.7182940516273849),
                "log_loss", new TrainingResult.Difference("missing", 0.6))), r.reproduction());
        assertEquals(new TrainingResult.Rows(4454, 0, 3563, 891, null), r.rows());
        assertEquals(List.of("bad", "good"), r.confusionMatrix().labels());
        assertEquals(640.0, r.perClass().get("good").support());
        assertEquals(10, r.worstPredictions().size());
        assertEquals(7, ((Number) r.provenance().get("seed")).intValue());
        assertEquals("credit", t.spec().path("name").asText());

        TrainingResult cv = JobStore.view(fixture("search-cv")).result();
        assertEquals(3, cv.crossValidation().folds());
        assertEquals(new TrainingResult.Selection("cross-validation", 3, null, "roc_auc", 3), cv.selection());
        assertEquals(List.of("roc_auc", "roc_auc", "roc_auc"), cv.search().stream().map(TrainingResult.SearchTrial::metric).toList());
        assertEquals(Map.of("maxDepth", 2), cv.search().get(0).hyperparameters());
        assertEquals(0.5, cv.search().get(2).score());

        TrainingResult regression = JobStore.view(fixture("regression")).result();
        assertNull(regression.perClass());
        assertNull(regression.worstPredictions().get(0).logLoss());
        assertTrue(regression.worstPredictions().get(0).absoluteError() > 0);
        TrainingResult clustering = JobStore.view(fixture("clustering")).result();
        assertNull(clustering.metrics());
        assertNull(clustering.worstPredictions());
        assertEquals(2761L, JobStore.view(fixture("test-set")).result().rows().used());
        assertEquals(0L, JobStore.view(fixture("test-set")).result().rows().testWithoutTarget());
        TrainingJob abandoned = JobStore.view(fixture("abandoned"));
        assertEquals(Instant.parse("2026-12-02T04:21:07.100Z"), abandoned.released());
        assertNull(JobStore.view(fixture("interrupted-queued")).user());
    }

    @Test
    void notANumberSurvivesTheStore() throws IOException {
        TrainingJob job = JobStore.view(fixture("search-cv"));
        TrainingResult r = job.result();
        Map<String, Double> metrics = new java.util.LinkedHashMap<>(r.metrics());
        metrics.put("r2", Double.NaN);
        TrainingResult nan = new TrainingResult(r.task(), r.engine(), r.algorithm(), r.hyperparameters(), r.selectionMetric(), r.selection(),
                metrics, r.perClass(), r.confusionMatrix(), r.crossValidation(),
                List.of(new TrainingResult.SearchTrial("tribuo", "cart", Map.of(), "roc_auc", Double.NaN)), r.rows(), r.worstPredictions(),
                r.provenance(), r.artifact(), null, new TrainingResult.Reproduction("x", false, true,
                        Map.of("r2", new TrainingResult.Difference(Double.NaN, Double.NaN))));
        TrainingJob back = JobStore.view(JobStore.json(new TrainingJob(job.id(), job.name(), job.user(), job.status(), job.created(),
                job.started(), job.finished(), job.progress(), null, null, null, null, nan, job.spec())));
        assertTrue(back.result().metrics().get("r2").isNaN());
        assertTrue(Double.isNaN(back.result().search().get(0).score()));
        assertTrue(back.result().reproduction().differences().get("r2").reproduced().isNaN());
    }

    @Test
    void aStoredJobWithAFieldOfANewerVersionStillReadsButBrokenOnesSayWhy() throws IOException {
        ObjectNode newer = (ObjectNode) Json.MAPPER.readTree(fixture("failed"));
        newer.put("priority", 3);
        assertEquals(JobStatus.FAILED, JobStore.view(newer.toString()).status());
        ObjectNode wrong = (ObjectNode) Json.MAPPER.readTree(fixture("failed"));
        wrong.put("status", "SOMEWHERE");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> JobStore.view(wrong.toString()));
        assertTrue(e.getMessage().startsWith("a stored job cannot be read"), e.getMessage());
        ObjectNode twoScores = (ObjectNode) Json.MAPPER.readTree(fixture("search-cv"));
        ((ObjectNode) twoScores.path("result").path("search").get(0)).put("accuracy", 0.5);
        assertThrows(IllegalStateException.class, () -> JobStore.view(twoScores.toString()));
    }

    /**
     * The fixtures' specs trained again give the JSON the previous version gave, but for what differs between two runs
     * (ids, times, the artifact's path and hash, timings reported by the engine, the engine's own record of the model,
     * the Java and operating system versions of the machine).
     */
    @Test
    void theSameSpecsTrainedNowGiveTheSameJson() throws Exception {
        try (Harness h = new Harness(tmp, 1, new BaselineEngine("1.0.0"), new TribuoEngine("test"))) {
            for (String name : List.of("classification", "regression", "clustering", "search-cv", "validation-split", "test-set", "failed")) {
                ObjectNode before = (ObjectNode) Json.MAPPER.readTree(fixture(name));
                String id = h.submit(before.get("spec").toString());
                TrainingJob now = h.await(id, Duration.ofSeconds(120));
                ObjectNode after = (ObjectNode) asClientSees(now);
                assertEquals(stable(before), stable(after), name);
            }
        }
    }

    private static JsonNode stable(ObjectNode job) {
        ObjectNode j = job.deepCopy();
        for (String f : List.of("id", "created", "started", "finished")) {
            assertTrue(j.has(f), f);
            j.remove(f);
        }
        ObjectNode progress = (ObjectNode) j.get("progress");
        progress.remove("metrics"); // the engine's timings
        if (j.get("result") instanceof ObjectNode r) {
            ((ObjectNode) r.get("artifact")).remove(List.of("path", "sha256", "bytes"));
            ObjectNode provenance = (ObjectNode) r.get("provenance");
            // seconds: where the run's time went (newer than the fixtures); model: the engine's own record, with its times;
            // java and os: the machine it ran on
            provenance.remove(List.of("started", "finished", "seconds", "model", "java", "os"));
        }
        return j;
    }
}
