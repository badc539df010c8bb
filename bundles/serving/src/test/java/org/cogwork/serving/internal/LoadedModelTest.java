package org.cogwork.serving.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cogwork.api.data.Row;
import org.cogwork.api.data.RowCursor;
import org.cogwork.api.engine.Engine;
import org.cogwork.api.engine.Prediction;
import org.cogwork.api.query.Query;
import org.cogwork.api.training.JobStatus;
import org.cogwork.connector.file.FileSource;
import org.cogwork.connector.file.FileSourceConfig;
import org.cogwork.engine.tribuo.TribuoEngine;
import org.cogwork.features.internal.BuiltIn;
import org.cogwork.features.internal.PipelineService;
import org.cogwork.runtime.rest.Json;
import org.cogwork.training.internal.TrainingConfig;
import org.cogwork.training.internal.TrainingManager;
import org.junit.jupiter.api.BeforeAll;
import org.cogwork.api.problem.InvalidFieldException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.util.converter.Converters;
import org.cogwork.persistence.internal.MetadataStore;
import org.cogwork.persistence.internal.MigrationSource;

/** A model.zip from a real training job on credit_data.csv, loaded and used as serving will. */
class LoadedModelTest {
    static final Path DATA = Path.of("../../../shared/data").toAbsolutePath().normalize();
    @TempDir
    static Path tmp;
    static Path artifact;
    static final PipelineService PIPELINES = BuiltIn.pipelineService();
    static final Map<String, Engine> ENGINES = Map.of("tribuo", new TribuoEngine("test"));
    static FileSource files;

    @BeforeAll
    static void train() throws Exception {
        MetadataStore store = new MetadataStore(MetadataStore.settings("", "", "", 2), tmp.resolve("metadata-store"));
        TrainingManager m = new TrainingManager(Converters.standardConverter().convert(Map.of("threads", 1)).to(TrainingConfig.class),
                PIPELINES, tmp, Map.of(), store.database("org.cogwork.training", MigrationSource.of(TrainingManager.class)), "test-node");
        files = new FileSource(Converters.standardConverter().convert(Map.of("cogwork.source.id", "data", "path", DATA.toString()))
                .to(FileSourceConfig.class));
        m.addSource(files);
        m.addEngine(ENGINES.get("tribuo"));
        @SuppressWarnings("unchecked")
        Map<String, Object> spec = Json.MAPPER.readValue("""
                {"source": "data", "dataset": "credit_data.csv", "target": "Status",
                 "pipeline": [{"transform": "impute", "params": {"strategy": "median"}},
                              {"transform": "impute", "params": {"strategy": "mode", "columns": ["Home", "Marital", "Job"]}},
                              {"transform": "onehot"}, {"transform": "standardize"}],
                 "engine": "tribuo", "algorithm": "logistic", "seed": 42}""", Map.class);
        String id = m.submit(spec, "test");
        long deadline = System.currentTimeMillis() + 120_000;
        while (!m.status(id).orElseThrow().isFinal() && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(JobStatus.SUCCEEDED, m.status(id).orElseThrow(), String.valueOf(m.job(id)));
        artifact = tmp.resolve(id).resolve("model.zip");
        m.close();
    }

    static LoadedModel load() throws Exception {
        try (InputStream in = Files.newInputStream(artifact)) {
            return LoadedModel.load(in, ENGINES::get, PIPELINES);
        }
    }

    static List<Map<String, Object>> creditRows() throws Exception {
        List<Map<String, Object>> rows = new ArrayList<>();
        try (RowCursor c = files.read("credit_data.csv", Query.all()).open()) {
            while (c.hasNext()) {
                Row r = c.next();
                Map<String, Object> m = new LinkedHashMap<>();
                for (int i = 0; i < r.schema().size(); i++) {
                    m.put(r.schema().fields().get(i).name(), r.get(i));
                }
                rows.add(m);
            }
        }
        return rows;
    }

    @Test
    void predictsLikeTheTrainedModelAndReloadsIdentically() throws Exception {
        List<Map<String, Object>> rows = creditRows();
        List<String> truth = rows.stream().map(r -> (String) r.remove("Status")).toList();
        try (LoadedModel model = load(); LoadedModel again = load()) {
            assertEquals(13, model.features().size(), "every column but the target");
            List<Prediction> p = model.predict(rows);
            long correct = 0;
            for (int i = 0; i < p.size(); i++) {
                if (p.get(i).value().equals(truth.get(i))) {
                    correct++;
                }
                assertEquals(1.0, p.get(i).scores().values().stream().mapToDouble(Double::doubleValue).sum(), 1e-9);
            }
            assertTrue(correct / (double) p.size() > 0.78, "accuracy over all rows " + correct / (double) p.size());
            assertEquals(p, again.predict(rows), "a reloaded model predicts the same");
        }
    }

    @Test
    void badRowsAreNamed() throws Exception {
        List<Map<String, Object>> rows = creditRows().subList(0, 3);
        rows.forEach(r -> r.remove("Status"));
        try (LoadedModel model = load()) {
            List<Map<String, Object>> missing = copy(rows);
            missing.get(1).remove("Age");
            InvalidFieldException noAge = assertThrows(InvalidFieldException.class, () -> model.predict(missing));
            assertEquals("rows[1].Age: missing feature", noAge.getMessage());
            assertEquals("rows[1].Age", noAge.field());
            List<Map<String, Object>> extra = copy(rows);
            extra.get(2).put("Salary", 10);
            InvalidFieldException salary = assertThrows(InvalidFieldException.class, () -> model.predict(extra));
            assertTrue(salary.getMessage().startsWith("rows[2].Salary: unknown feature; the model takes [Seniority"), salary.getMessage());
            assertEquals("rows[2].Salary", salary.field());
            List<Map<String, Object>> wrong = copy(rows);
            wrong.get(0).put("Age", "forty");
            InvalidFieldException forty = assertThrows(InvalidFieldException.class, () -> model.predict(wrong));
            assertEquals("rows[0]: feature 'Age' must be INT, was forty", forty.getMessage());
            assertEquals("rows[0]", forty.field());
            List<Map<String, Object>> json = copy(rows);
            json.get(0).put("Age", 30);
            assertEquals(1, model.predict(json.subList(0, 1)).size(), "JSON integers are fine for INT features");
        }
    }

    @Test
    void everyMissingFeatureIsNamedAndUnknownColumnsCanBeIgnored() throws Exception {
        List<Map<String, Object>> rows = creditRows().subList(0, 2);
        rows.forEach(r -> r.remove("Status"));
        try (LoadedModel model = load()) {
            List<Map<String, Object>> missing = copy(rows);
            missing.get(1).remove("Age");
            missing.get(1).remove("Income");
            missing.get(1).put("Salary", 10);
            InvalidFieldException two = assertThrows(InvalidFieldException.class, () -> model.rows(missing, true));
            assertEquals("rows[1]: missing features Age, Income", two.getMessage());
            assertEquals("rows[1]", two.field());

            List<Map<String, Object>> extra = copy(rows);
            extra.get(0).put("Salary", 10);
            extra.get(0).put("Notes", "long-time customer");
            InvalidFieldException strict = assertThrows(InvalidFieldException.class, () -> model.rows(extra, false));
            assertTrue(strict.field().equals("rows[0].Salary") || strict.field().equals("rows[0].Notes"), strict.field());
            assertEquals(model.predict(rows), model.predictRows(model.rows(extra, true)), "ignored columns change nothing");
        }
    }

    @Test
    void aRetiredModelIsClosedOnlyWhenItsLastRequestEnds() throws Exception {
        List<Map<String, Object>> rows = creditRows().subList(0, 2);
        rows.forEach(r -> r.remove("Status"));
        LoadedModel model = load();
        assertTrue(model.acquire());
        model.retire();
        assertEquals(2, model.predictRows(model.rows(rows, false)).size(), "a running request finishes on a retired model");
        model.release();
        assertFalse(model.acquire(), "closed: the next request loads it again");
        model.retire(); // twice is harmless
    }

    @Test
    void batchedRequestsGetTheirOwnAnswersAndABadRowFailsOnlyItsRequest() throws Exception {
        List<Map<String, Object>> rows = creditRows().subList(0, 64);
        rows.forEach(r -> r.remove("Status"));
        Batcher batcher = new Batcher(new ServingOptions(false, 32, 20_000, null));
        try (LoadedModel model = load()) {
            List<Prediction> alone = model.predict(rows);
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(16);
            try {
                List<java.util.concurrent.Future<List<Prediction>>> answers = new ArrayList<>();
                for (int i = 0; i < rows.size(); i++) {
                    List<Map<String, Object>> one = rows.subList(i, i + 1);
                    answers.add(pool.submit(() -> batcher.predict(model, model.rows(one, false))));
                }
                List<Map<String, Object>> bad = copy(rows.subList(0, 1));
                bad.get(0).put("Age", "forty"); // passes the column check, refused by the pipeline inside the batch
                java.util.concurrent.Future<List<Prediction>> refused = pool.submit(() -> batcher.predict(model,
                        model.rows(bad, false)));
                for (int i = 0; i < rows.size(); i++) {
                    assertEquals(List.of(alone.get(i)), answers.get(i).get(), "row " + i);
                }
                assertTrue(batcher.calls() < rows.size(), batcher.calls() + " engine calls for " + rows.size() + " requests");
                java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class, refused::get);
                assertTrue(e.getCause() instanceof InvalidFieldException, e.getCause().toString());
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void concurrentBatchesBoundsTheEngineCallsRunningAtOnce() throws Exception {
        List<Map<String, Object>> rows = creditRows().subList(0, 48);
        rows.forEach(r -> r.remove("Status"));
        for (int slots : new int[] {1, 2}) {
            // the Tribuo engine, its model's calls counted while they run and made to take 3 ms (as a large network's would)
            java.util.concurrent.atomic.AtomicInteger running = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicInteger peak = new java.util.concurrent.atomic.AtomicInteger();
            Engine tribuo = ENGINES.get("tribuo");
            Engine slow = new Engine() {
                @Override
                public org.cogwork.api.engine.EngineInfo info() {
                    return tribuo.info();
                }

                @Override
                public org.cogwork.api.engine.Model train(org.cogwork.api.engine.TrainingRequest request, org.cogwork.api.engine.TrainingContext context) {
                    throw new UnsupportedOperationException();
                }

                @Override
                public org.cogwork.api.engine.Model load(InputStream in) throws org.cogwork.api.engine.EngineException {
                    org.cogwork.api.engine.Model m = tribuo.load(in);
                    return new org.cogwork.api.engine.Model() {
                        @Override
                        public org.cogwork.api.engine.ModelDescriptor descriptor() {
                            return m.descriptor();
                        }

                        @Override
                        public List<Prediction> predict(List<Row> in) {
                            peak.accumulateAndGet(running.incrementAndGet(), Math::max);
                            try {
                                Thread.sleep(3);
                                return m.predict(in);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                                throw new IllegalStateException(e);
                            } finally {
                                running.decrementAndGet();
                            }
                        }

                        @Override
                        public void save(java.io.OutputStream out) throws java.io.IOException {
                            m.save(out);
                        }

                        @Override
                        public void close() {
                            m.close();
                        }
                    };
                }
            };
            Batcher batcher = new Batcher(new ServingOptions(false, 8, 0, slots));
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(16);
            try (InputStream in = Files.newInputStream(artifact); LoadedModel model = LoadedModel.load(in, Map.of("tribuo", slow)::get, PIPELINES)) {
                List<Prediction> alone = model.predict(rows);
                peak.set(0);
                List<java.util.concurrent.Future<List<Prediction>>> answers = new ArrayList<>();
                for (int i = 0; i < rows.size(); i++) {
                    List<Map<String, Object>> one = rows.subList(i, i + 1);
                    answers.add(pool.submit(() -> batcher.predict(model, model.rows(one, false))));
                }
                for (int i = 0; i < rows.size(); i++) {
                    assertEquals(List.of(alone.get(i)), answers.get(i).get(), "row " + i);
                }
                assertTrue(peak.get() >= 1 && peak.get() <= slots, peak.get() + " engine calls at once with concurrentBatches " + slots);
                assertTrue(batcher.calls() < rows.size(), batcher.calls() + " engine calls for " + rows.size() + " requests");
            } finally {
                pool.shutdownNow();
            }
        }
        InvalidFieldException zero = assertThrows(InvalidFieldException.class, () -> new ServingOptions(false, 8, 0, 0));
        assertEquals("concurrentBatches", zero.field());
        assertEquals(Math.max(1, Runtime.getRuntime().availableProcessors()), ServingOptions.DEFAULT.batchSlots(), "one per core unless set");
        assertEquals(ServingOptions.DEFAULT, ServingOptions.fromTag(ServingOptions.DEFAULT.toJson()), "kept in the model's tag as it was set");
    }

    private static List<Map<String, Object>> copy(List<Map<String, Object>> rows) {
        List<Map<String, Object>> out = new ArrayList<>();
        rows.forEach(r -> out.add(new HashMap<>(r)));
        return out;
    }
}
