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
import org.cogwork.api.training.JobStatus;
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
            Map<String, Object> job = h.run(String.format(CREDIT, ""), Duration.ofSeconds(60));
            assertEquals(JobStatus.SUCCEEDED, Harness.status(job), String.valueOf(job.get("error")));
            @SuppressWarnings("unchecked")
            Map<String, Object> result = (Map<String, Object>) job.get("result");
            @SuppressWarnings("unchecked")
            Map<String, Double> m = (Map<String, Double>) result.get("metrics");
            // Stratified 20% test split of 3200 good / 1254 bad: 640 good, 251 bad; majority says "good".
            assertEquals(640 / 891.0, m.get("accuracy"), 1e-9);
            assertEquals(0.5, m.get("roc_auc"), 1e-9, "constant scores rank nothing");
            @SuppressWarnings("unchecked")
            Map<String, Object> cm = (Map<String, Object>) result.get("confusionMatrix");
            assertEquals(List.of("bad", "good"), cm.get("labels"));
            assertEquals(List.of(List.of(0L, 251L), List.of(0L, 640L)), cm.get("matrix"));
            @SuppressWarnings("unchecked")
            Map<String, Object> prov = (Map<String, Object>) result.get("provenance");
            assertEquals(7L, prov.get("seed"));
            @SuppressWarnings("unchecked")
            Map<String, Object> data = (Map<String, Object>) prov.get("data");
            assertEquals(4454, data.get("rows"));
            assertEquals(64, ((String) data.get("sha256")).length());
            assertEquals(10, ((List<?>) result.get("worstPredictions")).size());
            Path zip = tmp.resolve(job.get("id") + "/model.zip");
            try (ZipFile z = new ZipFile(zip.toFile())) {
                assertTrue(z.getEntry("manifest.json") != null && z.getEntry("model.bin") != null && z.getEntry("pipeline.json") != null);
            }

            Map<String, Object> again = h.run(String.format(CREDIT, ""), Duration.ofSeconds(60));
            @SuppressWarnings("unchecked")
            Map<String, Object> r2 = (Map<String, Object>) again.get("result");
            assertEquals(result.get("metrics"), r2.get("metrics"), "same spec, same seed, same data → same metrics");
            assertEquals(data.get("sha256"), ((Map<?, ?>) ((Map<?, ?>) r2.get("provenance")).get("data")).get("sha256"));
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

    private static void assertField(Harness h, String json, String field, String message) {
        SpecException e = assertThrows(SpecException.class, () -> h.manager.submitJson(org.cogwork.runtime.rest.Json.MAPPER.readTree(json)));
        assertEquals(field, e.field(), e.getMessage());
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void queuedJobsCanBeCancelledAndFailuresAreReported() throws Exception {
        try (Harness h = new Harness(tmp, 1, new BaselineEngine("1.0.0"))) {
            String first = h.manager.submitJson(org.cogwork.runtime.rest.Json.MAPPER.readTree(CREDIT.formatted(", \"crossValidation\": {\"folds\": 10}")));
            String second = h.manager.submitJson(org.cogwork.runtime.rest.Json.MAPPER.readTree(CREDIT.formatted("")));
            assertTrue(h.manager.cancel(second));
            assertEquals(JobStatus.CANCELLED, Harness.status(h.await(second, Duration.ofSeconds(60))));
            Map<String, Object> done = h.await(first, Duration.ofSeconds(60));
            assertEquals(JobStatus.SUCCEEDED, Harness.status(done), String.valueOf(done.get("error")));
            @SuppressWarnings("unchecked")
            Map<String, Object> cv = (Map<String, Object>) ((Map<String, Object>) done.get("result")).get("crossValidation");
            assertEquals(10, cv.get("folds"));
            assertTrue(!h.manager.cancel(first), "a finished job cannot be cancelled");
            assertTrue(Files.exists(tmp.resolve(first + "/model.zip")));
        }
    }
}
