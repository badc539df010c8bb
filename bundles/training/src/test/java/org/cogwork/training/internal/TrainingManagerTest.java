package org.cogwork.training.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipFile;
import org.cogwork.api.problem.ApiException;
import org.cogwork.api.training.JobStatus;
import org.cogwork.api.training.TrainingJob;
import org.cogwork.api.training.TrainingResult;
import org.cogwork.engine.baseline.BaselineEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Training jobs with the baseline engine on credit_data.csv: the job mechanics, metrics and every bad spec. */
class TrainingManagerTest {
    static final String CREDIT = """
            {"source": "data", "dataset": "credit_data.csv", "target": "Status",
             "pipeline": [{"transform": "impute", "params": {"strategy": "median"}}],
             "engine": "baseline", "algorithm": "majority", "seed": 7 %s}""";

    @TempDir
    Path tmp;

    @Test
    void majorityBaselineOnCreditWithMetricsProvenanceAndArtifact() throws Exception {
        try (Harness h = new Harness(tmp, 2, new BaselineEngine("1.0.0"))) {
            TrainingJob job = h.run(String.format(CREDIT, ""), Duration.ofSeconds(60));
            assertEquals(JobStatus.SUCCEEDED, Harness.status(job), job.error());
            TrainingResult result = job.result();
            Map<String, Double> m = result.metrics();
            // Stratified 20% test split of 3200 good / 1254 bad: 640 good, 251 bad; majority says "good".
            assertEquals(640 / 891.0, m.get("accuracy"), 1e-9);
            assertEquals(0.5, m.get("roc_auc"), 1e-9, "constant scores rank nothing");
            TrainingResult.ConfusionMatrix cm = result.confusionMatrix();
            assertEquals(List.of("bad", "good"), cm.labels());
            assertEquals(List.of(List.of(0L, 251L), List.of(0L, 640L)), cm.matrix());
            assertEquals(new TrainingResult.ClassMetrics(640 / 891.0, 1, 2 * (640 / 891.0) / (640 / 891.0 + 1), 640), result.perClass().get("good"));
            assertEquals(new TrainingResult.Rows(4454, 0, 3563, 891, null), result.rows());
            assertEquals(new TrainingResult.Selection("none", null, null, null, 1), result.selection());
            Map<String, Object> prov = result.provenance();
            assertEquals(7, ((Number) prov.get("seed")).intValue());
            @SuppressWarnings("unchecked")
            Map<String, Object> data = (Map<String, Object>) prov.get("data");
            assertEquals(4454, data.get("rows"));
            assertEquals(64, ((String) data.get("sha256")).length());
            // where the run's time went, phase by phase, within the job's own time
            @SuppressWarnings("unchecked")
            Map<String, Number> seconds = (Map<String, Number>) prov.get("seconds");
            assertEquals(List.of("read", "split", "pipeline", "train", "evaluate"), List.copyOf(seconds.keySet()));
            double sum = seconds.values().stream().mapToDouble(Number::doubleValue).sum();
            double wall = Duration.between(job.started(), job.finished()).toNanos() / 1e9;
            assertTrue(seconds.values().stream().allMatch(v -> v.doubleValue() >= 0) && seconds.get("read").doubleValue() > 0
                    && sum <= wall, seconds + " within " + wall + " s");
            assertEquals(10, result.worstPredictions().size());
            TrainingResult.WorstPrediction worst = result.worstPredictions().get(0);
            assertEquals("bad", worst.actual());
            assertEquals("good", worst.predicted());
            assertEquals(-Math.log(worst.scores().get("bad")), worst.logLoss(), 1e-12);
            assertEquals(null, worst.absoluteError());
            assertEquals(null, result.tracking(), "no tracker");
            assertEquals("/api/trainings/" + job.id() + "/artifact", result.artifact().path());
            Path zip = tmp.resolve(job.id() + "/model.zip");
            assertEquals(Files.size(zip), result.artifact().bytes());
            try (ZipFile z = new ZipFile(zip.toFile())) {
                assertTrue(z.getEntry("manifest.json") != null && z.getEntry("model.bin") != null && z.getEntry("pipeline.json") != null);
            }

            TrainingJob again = h.run(String.format(CREDIT, ""), Duration.ofSeconds(60));
            TrainingResult r2 = again.result();
            assertEquals(result.metrics(), r2.metrics(), "same spec, same seed, same data → same metrics");
            assertEquals(data.get("sha256"), ((Map<?, ?>) r2.provenance().get("data")).get("sha256"));
        }
    }

    @Test
    void badSpecsNameTheirField() throws Exception {
        try (Harness h = new Harness(tmp, 1, new BaselineEngine("1.0.0"))) {
            assertField(h, CREDIT.formatted("").replace("\"Status\"", "\"Sttus\""), "target", "column 'Sttus' is not in credit_data.csv");
            assertField(h, CREDIT.formatted("").replace("\"baseline\"", "\"tensorflow\""), "engine", "unknown engine 'tensorflow'; engines are [baseline]");
            assertField(h, CREDIT.formatted("").replace("\"majority\"", "\"forest\""), "algorithm",
                    "engine 'baseline' has no classification algorithm 'forest'; use one of [majority]");
            assertField(h, CREDIT.formatted(", \"task\": \"regression\""), "target",
                    "regression needs a numeric target; 'Status' is CATEGORICAL");
            assertField(h, CREDIT.formatted(", \"query\": {\"where\": {\"column\": \"Status\", \"op\": \"=\", \"value\": \"good\"}}"),
                    "target", "target 'Status' has a single class 'good': classification needs at least two classes");
            assertField(h, CREDIT.formatted("").replace("\"impute\"", "\"pca\""), "pipeline[0].transform", "unknown transform 'pca'");
            assertField(h, CREDIT.formatted("").replace("\"data\"", "\"warehouse\""), "source", "no data source 'warehouse'; sources are [data]");
            assertField(h, CREDIT.formatted(", \"split\": {\"testFraction\": 1.5}"), "split.testFraction", "between 0 and 1");
            assertField(h, CREDIT.formatted(", \"query\": {\"where\": {\"column\": \"Age\", \"op\": \">\", \"value\": \"old\"}}"),
                    "query", "value 'old' does not match column 'Age' of type INT");
            assertField(h, CREDIT.formatted(", \"epochs\": 3"), "epochs", "unknown field 'epochs'");
        }
    }

    @Test
    void nothingTheClientSentIsCoercedOrReplacedByADefault() throws Exception {
        try (Harness h = new Harness(tmp, 1, new BaselineEngine("1.0.0"))) {
            assertField(h, CREDIT.formatted("").replace("\"seed\": 7", "\"seed\": \"abc\""), "seed", "expected a number");
            assertField(h, CREDIT.formatted("").replace("\"seed\": 7", "\"seed\": 7.5"), "seed", "expected a number");
            assertField(h, CREDIT.formatted(", \"split\": {\"testFracton\": 0.3}"), "split.testFracton", "unknown field 'testFracton'");
            assertField(h, CREDIT.formatted(", \"split\": {\"testFraction\": \"0.3\"}"), "split.testFraction", "expected a number");
            assertField(h, CREDIT.formatted(", \"split\": {\"method\": \"time\"}"), "split.timeColumn", "needs split.timeColumn");
            assertField(h, CREDIT.formatted(", \"crossValidation\": {\"folds\": 1}"), "crossValidation.folds", ">= 2, was 1");
            assertField(h, CREDIT.formatted(", \"search\": {\"trials\": 0}"), "search.trials", ">= 1, was 0");
            assertField(h, CREDIT.formatted(", \"timeLimitSeconds\": \"600\""), "timeLimitSeconds", "expected a number");
            assertField(h, CREDIT.formatted(", \"register\": {\"model\": \"m\", \"author\": \"mallory\"}"), "register.author",
                    "unknown field 'author'");
            assertField(h, CREDIT.formatted(", \"features\": [\"Age\", 7]"), "features[1]", "expected a string");
            assertField(h, CREDIT.formatted(", \"hyperparameters\": {\"epochs\": 3}"), "hyperparameters.epochs",
                    "algorithm 'majority' of engine 'baseline' has no hyperparameter 'epochs'");
            assertField(h, CREDIT.formatted(", \"candidates\": [{\"engine\": \"baseline\", \"algorithm\": \"majority\"}]"),
                    "engine", "not beside them");
            assertField(h, CREDIT.formatted(", \"task\": \"classifcation\""), "task", "must be classification, regression or clustering");
        }
    }

    @Test
    void pipelineParametersAreCheckedAtSubmission() throws Exception {
        try (Harness h = new Harness(tmp, 1, new BaselineEngine("1.0.0"))) {
            String tfidf = CREDIT.replace("{\"transform\": \"impute\", \"params\": {\"strategy\": \"median\"}}",
                    "{\"transform\": \"impute\"}, {\"transform\": \"tfidf\", \"params\": %s}");
            assertField(h, tfidf.formatted("{\"maxFeatures\": \"lots\"}", ""), "pipeline[1].params.maxFeatures",
                    "tfidf.maxFeatures: must be a whole number >= 1, was 'lots'");
            assertField(h, tfidf.formatted("{\"maxFeatures\": 0}", ""), "pipeline[1].params.maxFeatures", "was 0");
            assertField(h, tfidf.formatted("{\"maxFeatres\": 100}", ""), "pipeline[1].params.maxFeatres", "unknown parameter 'maxFeatres'");
            assertField(h, tfidf.formatted("{\"stopWords\": \"french\"}", ""), "pipeline[1].params.stopWords", "one of english, none");
            assertField(h, tfidf.formatted("{\"hashing\": \"yes\"}", ""), "pipeline[1].params.hashing", "true or false");
            assertField(h, CREDIT.formatted(", \"pipeline\": [{\"transform\": \"impute\", \"params\": 3}]"), "pipeline[0].params",
                    "expected an object");
        }
    }

    @Test
    void theSubmitterIsRecordedOnTheJobAndAsItsRunsUser() throws Exception {
        try (Harness h = new Harness(tmp, 1, new BaselineEngine("1.0.0"))) {
            String id = h.submit(CREDIT.formatted(""));
            assertEquals(Harness.USER, h.manager.job(id).orElseThrow().user());
            Map<String, String> tags = new java.util.HashMap<>();
            org.cogwork.api.tracking.ExperimentTracker tracker = (org.cogwork.api.tracking.ExperimentTracker) java.lang.reflect.Proxy.newProxyInstance(
                    getClass().getClassLoader(), new Class<?>[] {org.cogwork.api.tracking.ExperimentTracker.class}, (proxy, m, args) -> switch (m.getName()) {
                        case "experimentId" -> "1";
                        case "createRun" -> {
                            @SuppressWarnings("unchecked")
                            Map<String, String> given = (Map<String, String>) args[3];
                            tags.putAll(given);
                            yield new org.cogwork.api.tracking.Run("r1", "1", (String) args[1], null, null, null, null, "active", null, given, null);
                        }
                        default -> throw new UnsupportedOperationException(m.getName());
                    });
            Job job = new Job(java.util.UUID.randomUUID().toString(), Spec.of(TrainingManager.bind(org.cogwork.runtime.rest.Json.MAPPER.readTree(CREDIT.formatted(""))), 60),
                    Harness.USER, null);
            assertEquals("r1", Tracking.start(tracker, job).id());
            assertEquals(Harness.USER, tags.get("mlflow.user"));
            h.await(id, Duration.ofSeconds(60));
        }
    }

    private static void assertField(Harness h, String json, String field, String message) {
        ApiException e = assertThrows(ApiException.class, () -> h.submit(json));
        assertEquals(400, e.status(), e.getMessage());
        assertEquals(field, e.field(), e.getMessage());
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void queuedJobsCanBeCancelledAndFailuresAreReported() throws Exception {
        try (Harness h = new Harness(tmp, 1, new BaselineEngine("1.0.0"))) {
            String first = h.submit(CREDIT.formatted(", \"crossValidation\": {\"folds\": 10}"));
            String second = h.submit(CREDIT.formatted(""));
            assertTrue(h.manager.cancel(second));
            assertEquals(JobStatus.CANCELLED, Harness.status(h.await(second, Duration.ofSeconds(60))));
            TrainingJob done = h.await(first, Duration.ofSeconds(60));
            assertEquals(JobStatus.SUCCEEDED, Harness.status(done), done.error());
            TrainingResult.CrossValidationScores cv = done.result().crossValidation();
            assertEquals(10, cv.folds());
            assertEquals(new TrainingResult.Selection("cross-validation", 10, null, "accuracy", 1), done.result().selection());
            assertEquals(List.of("accuracy"), done.result().search().stream().map(TrainingResult.SearchTrial::metric).toList());
            assertEquals(cv.mean().get("accuracy"), done.result().search().get(0).score());
            assertTrue(!h.manager.cancel(first), "a finished job cannot be cancelled");
            assertTrue(Files.exists(tmp.resolve(first + "/model.zip")));
        }
    }
}
