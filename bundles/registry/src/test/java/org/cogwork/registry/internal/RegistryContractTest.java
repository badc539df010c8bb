package org.cogwork.registry.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Random;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.cogwork.api.engine.Prediction;
import org.cogwork.api.event.Topics;
import org.cogwork.api.feedback.Feedback;
import org.cogwork.api.serving.PredictionRecord;
import org.cogwork.api.registry.ModelVersion;
import org.cogwork.api.tracking.Experiment;
import org.cogwork.api.tracking.MetricPoint;
import org.cogwork.api.tracking.Page;
import org.cogwork.api.tracking.Run;
import org.cogwork.api.tracking.RunQuery;
import org.cogwork.api.tracking.RunStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;
import org.osgi.util.converter.Converters;

/**
 * The tracker and registry behaviour, run against every database (H2 here, PostgreSQL in the subclass), with
 * the components constructed directly as DS would.
 */
abstract class RegistryContractTest {
    @TempDir
    Path data;
    MetadataStore store;
    Tracking tracker;
    Models registry;
    Predictions predictions;
    FeedbackStore feedback;
    final List<Event> events = new CopyOnWriteArrayList<>();
    /** Unique per test run, so reruns against a server never collide. */
    final String u = UUID.randomUUID().toString().substring(0, 8);

    abstract Map<String, Object> dbConfig() throws Exception;

    static RegistryConfig config(Map<String, Object> m) {
        return Converters.standardConverter().convert(m).to(RegistryConfig.class);
    }

    @BeforeEach
    void open() throws Exception {
        start();
    }

    void start() throws Exception {
        store = new MetadataStore(config(dbConfig()), data);
        tracker = new Tracking(store, data, "local");
        registry = new Models(store);
        predictions = new Predictions(store);
        feedback = new FeedbackStore(store);
        EventAdmin ea = new EventAdmin() {
            @Override
            public void postEvent(Event event) {
                events.add(event);
            }

            @Override
            public void sendEvent(Event event) {
                events.add(event);
            }
        };
        tracker.events = ea;
        registry.events = ea;
    }

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
        }
    }

    MetricPoint m(String key, double v, long step) {
        return new MetricPoint(key, v, step, Instant.ofEpochMilli(1_000_000 + step));
    }

    @Test
    void experiments() {
        Experiment def = tracker.experiment("0").orElseThrow();
        assertEquals("Default", def.name());
        Experiment e = tracker.createExperiment("exp-" + u, Map.of("team", "risk"));
        assertTrue(e.id().matches("\\d+") && !e.id().equals("0"), e.id());
        assertEquals("cogwork-artifacts:/" + e.id(), e.artifactLocation());
        assertEquals(Map.of("team", "risk"), e.tags());
        InvalidField taken = assertThrows(InvalidField.class, () -> tracker.createExperiment("exp-" + u, null));
        assertEquals("name", taken.field());
        assertEquals("name", assertThrows(InvalidField.class, () -> tracker.createExperiment(" ", null)).field());
        assertEquals(e.id(), tracker.experimentId("exp-" + u));
        String other = tracker.experimentId("other-" + u);
        assertTrue(tracker.experiment(other).isPresent());
        assertTrue(tracker.experiment("999999999").isEmpty());
        assertThrows(NoSuchElementException.class, () -> tracker.deleteExperiment("999999999"));
        tracker.deleteExperiment(e.id());
        assertEquals("deleted", tracker.experiment(e.id()).orElseThrow().lifecycleStage());
        assertTrue(tracker.experiments("exp-" + u, false, 10, null).items().isEmpty());
        assertEquals(1, tracker.experiments("exp-" + u, true, 10, null).items().size());
        assertEquals(1, tracker.experiments("name = 'other-" + u + "'", false, 10, null).items().size());
        tracker.restoreExperiment(e.id());
        assertEquals("active", tracker.experiment(e.id()).orElseThrow().lifecycleStage());
        assertThrows(InvalidField.class, () -> tracker.deleteExperiment("0"));
        // pages
        for (int i = 0; i < 5; i++) {
            tracker.createExperiment("page-" + u + "-" + i, null);
        }
        Set<String> seen = new HashSet<>();
        String token = null;
        do {
            Page<Experiment> p = tracker.experiments("page-" + u, false, 2, token);
            p.items().forEach(x -> assertTrue(seen.add(x.id())));
            token = p.nextPageToken();
        } while (token != null);
        assertEquals(5, seen.size());
        assertEquals("page_token", assertThrows(InvalidField.class, () -> tracker.experiments(null, false, 2, "garbage!")).field());
    }

    @Test
    void runsParamsTagsAndMetrics() {
        String exp = tracker.createExperiment("runs-" + u, null).id();
        Run r = tracker.createRun(exp, "first", 1234L, Map.of("owner", "me"));
        assertTrue(r.id().matches("[0-9a-f]{32}"), r.id());
        assertEquals(RunStatus.RUNNING, r.status());
        assertEquals("cogwork-artifacts:/" + exp + "/" + r.id() + "/artifacts", r.artifactUri());
        assertEquals(Instant.ofEpochMilli(1234), r.start());
        assertThrows(NoSuchElementException.class, () -> tracker.createRun("424242", null, null, null));
        tracker.logParam(r.id(), "lr", "0.1");
        tracker.logParam(r.id(), "lr", "0.1"); // same value again: fine
        InvalidField changed = assertThrows(InvalidField.class, () -> tracker.logParam(r.id(), "lr", "0.2"));
        assertTrue(changed.field().contains("lr"), changed.field());
        assertEquals("key", assertThrows(InvalidField.class, () -> tracker.logParam(r.id(), "../x", "1")).field());
        assertThrows(NoSuchElementException.class, () -> tracker.logParam("0123456789abcdef0123456789abcdef", "a", "1"));
        tracker.logMetric(r.id(), m("loss", 0.9, 0));
        tracker.logMetric(r.id(), m("loss", 0.5, 2));
        tracker.logMetric(r.id(), m("loss", 0.7, 1)); // out of order: latest stays step 2
        tracker.logMetric(r.id(), m("nan", Double.NaN, 0));
        assertThrows(InvalidField.class, () -> tracker.logMetric(r.id(), m("inf", Double.POSITIVE_INFINITY, 0)));
        List<MetricPoint> h = tracker.metricHistory(r.id(), "loss");
        assertEquals(List.of(0L, 1L, 2L), h.stream().map(MetricPoint::step).toList());
        assertEquals(List.of(0.9, 0.7, 0.5), h.stream().map(MetricPoint::value).toList());
        tracker.setTag(r.id(), "stage", "a");
        tracker.setTag(r.id(), "stage", "b");
        Run got = tracker.run(r.id()).orElseThrow();
        assertEquals(Map.of("lr", "0.1"), got.params());
        assertEquals("b", got.tags().get("stage"));
        assertEquals(0.5, got.metrics().get("loss").value());
        assertEquals(2, got.metrics().get("loss").step());
        assertTrue(Double.isNaN(got.metrics().get("nan").value()));
        tracker.deleteTag(r.id(), "stage");
        assertThrows(NoSuchElementException.class, () -> tracker.deleteTag(r.id(), "stage"));
        Run ended = tracker.updateRun(r.id(), RunStatus.FINISHED, 5000L, null);
        assertEquals(RunStatus.FINISHED, ended.status());
        assertEquals(Instant.ofEpochMilli(5000), ended.end());
        assertTrue(events.stream().anyMatch(e -> e.getTopic().equals(Topics.RUN_FINISHED)
                && r.id().equals(e.getProperty(Topics.RUN_ID)) && "FINISHED".equals(e.getProperty(Topics.RUN_STATUS))));
        tracker.deleteRun(r.id());
        assertEquals("deleted", tracker.run(r.id()).orElseThrow().lifecycleStage());
        assertThrows(InvalidField.class, () -> tracker.logMetric(r.id(), m("loss", 1, 9)));
        tracker.restoreRun(r.id());
        assertThrows(NoSuchElementException.class, () -> tracker.metricHistory("nope", "loss"));
    }

    @Test
    void logBatchIsAllOrNothing() {
        Run r = tracker.createRun(tracker.createExperiment("batch-" + u, null).id(), null, null, null);
        tracker.logParam(r.id(), "fixed", "1");
        List<MetricPoint> ms = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            ms.add(m("acc", i / 1000.0, i));
        }
        tracker.logBatch(r.id(), ms, Map.of("a", "1"), Map.of("t", "x"));
        assertEquals(1000, tracker.metricHistory(r.id(), "acc").size());
        assertEquals(0.999, tracker.run(r.id()).orElseThrow().metrics().get("acc").value());
        // one invalid metric key: nothing of the batch is stored
        List<MetricPoint> bad = new ArrayList<>(List.of(m("ok", 1, 0), m("ok", 2, 1), m("bad key!", 3, 0)));
        assertThrows(InvalidField.class, () -> tracker.logBatch(r.id(), bad, Map.of("b", "2"), Map.of("u", "y")));
        // a param conflicting with a logged one (found only inside the transaction): nothing stored either
        assertThrows(InvalidField.class, () -> tracker.logBatch(r.id(), List.of(m("ok", 1, 0)), Map.of("b", "2", "fixed", "2"), Map.of("u", "y")));
        Run after = tracker.run(r.id()).orElseThrow();
        assertTrue(tracker.metricHistory(r.id(), "ok").isEmpty());
        assertFalse(after.params().containsKey("b"));
        assertFalse(after.tags().containsKey("u"));
        assertEquals("1", after.params().get("fixed"));
        assertThrows(InvalidField.class, () -> tracker.logBatch(r.id(), new ArrayList<>(java.util.Collections.nCopies(1001, m("x", 1, 0))), null, null));
    }

    @Test
    void searchRuns() {
        String exp = tracker.createExperiment("search-" + u, null).id();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Run r = tracker.createRun(exp, "run" + i, 1000L + i, Map.of("parity", i % 2 == 0 ? "even" : "odd"));
            tracker.logBatch(r.id(), List.of(m("acc", i / 10.0, 0)), Map.of("depth", Integer.toString(i)), null);
            ids.add(r.id());
        }
        Run noMetric = tracker.createRun(exp, "bare", 999L, null);
        List<Run> all = tracker.searchRuns(new RunQuery(List.of(exp), null, null, 100, null, false)).items();
        assertEquals(11, all.size());
        assertEquals(ids.get(9), all.get(0).id(), "newest first by default");
        List<Run> good = tracker.searchRuns(new RunQuery(List.of(exp), "metrics.acc >= 0.5 and tags.parity = 'even'",
                List.of("metrics.acc DESC"), 100, null, false)).items();
        assertEquals(List.of("run8", "run6"), good.stream().map(Run::name).toList());
        assertEquals(1, tracker.searchRuns(new RunQuery(List.of(exp), "params.depth = '3'", null, 10, null, false)).items().size());
        assertEquals(1, tracker.searchRuns(new RunQuery(List.of(exp), "attributes.run_name = 'run4'", null, 10, null, false)).items().size());
        assertEquals(11, tracker.searchRuns(new RunQuery(List.of(exp), "attributes.status = 'RUNNING'", null, 100, null, false)).items().size());
        // ascending by metric: runs without it come last
        List<Run> asc = tracker.searchRuns(new RunQuery(List.of(exp), null, List.of("metrics.acc ASC"), 100, null, false)).items();
        assertEquals("run0", asc.get(0).name());
        assertEquals(noMetric.id(), asc.get(10).id());
        // pages cover everything once
        Set<String> seen = new HashSet<>();
        String token = null;
        int pages = 0;
        do {
            Page<Run> p = tracker.searchRuns(new RunQuery(List.of(exp), null, List.of("metrics.acc DESC"), 3, token, false));
            p.items().forEach(x -> assertTrue(seen.add(x.id())));
            token = p.nextPageToken();
            pages++;
        } while (token != null);
        assertEquals(11, seen.size());
        assertEquals(4, pages);
        assertEquals("filter", assertThrows(InvalidField.class,
                () -> tracker.searchRuns(new RunQuery(List.of(exp), "metrics.acc >> 1", null, 10, null, false))).field());
        assertEquals("filter", assertThrows(InvalidField.class,
                () -> tracker.searchRuns(new RunQuery(List.of(exp), "metrics.acc > 'x'", null, 10, null, false))).field());
        assertEquals("max_results", assertThrows(InvalidField.class,
                () -> tracker.searchRuns(new RunQuery(List.of(exp), null, null, 0, null, false))).field());
        tracker.deleteRun(ids.get(0));
        assertEquals(10, tracker.searchRuns(new RunQuery(List.of(exp), null, null, 100, null, false)).items().size());
        assertEquals(11, tracker.searchRuns(new RunQuery(List.of(exp), null, null, 100, null, true)).items().size());
    }

    @Test
    void modelsVersionsAliasesAndSoftDeletes() {
        String name = "credit-" + u;
        Run run = tracker.createRun("0", null, null, null);
        registry.createModel(name, "credit scoring", Map.of("domain", "risk"));
        assertEquals("name", assertThrows(InvalidField.class, () -> registry.createModel(name, null, null)).field());
        assertEquals("name", assertThrows(InvalidField.class, () -> registry.createModel("a/b", null, null)).field());
        ModelVersion v1 = registry.createVersion(name, run.id(), run.artifactUri() + "/model", "first",
                Map.of("engine", "tribuo", "seed", 42), Map.of("k", "v"));
        ModelVersion v2 = registry.createVersion(name, null, "s2", null, null, null);
        assertEquals(1, v1.version());
        assertEquals(2, v2.version());
        assertEquals("READY", v1.status());
        assertEquals(42, ((Number) v1.provenance().get("seed")).intValue());
        // a version of an unknown model creates the model
        assertEquals(1, registry.createVersion("auto-" + u, null, "s", null, null, null).version());
        assertTrue(registry.model("auto-" + u).isPresent());
        assertTrue(events.stream().anyMatch(e -> e.getTopic().equals(Topics.MODEL_VERSION_CREATED) && name.equals(e.getProperty(Topics.MODEL_NAME))
                && Integer.valueOf(1).equals(e.getProperty(Topics.MODEL_VERSION)) && run.id().equals(e.getProperty(Topics.RUN_ID))));

        registry.setAlias(name, "production", 1, "alice");
        registry.setAlias(name, "production", 2, "bob");
        assertEquals(2, registry.byAlias(name, "production").orElseThrow().version());
        assertEquals(Map.of("production", 2), registry.model(name).orElseThrow().aliases());
        assertEquals(Set.of("production"), registry.version(name, 2).orElseThrow().aliases());
        assertTrue(registry.version(name, 1).orElseThrow().aliases().isEmpty());
        Event moved = events.stream().filter(e -> e.getTopic().equals(Topics.MODEL_ALIAS_MOVED)).reduce((a, b) -> b).orElseThrow();
        assertEquals(2, moved.getProperty(Topics.MODEL_VERSION));
        assertEquals(1, moved.getProperty(Topics.PREVIOUS_VERSION));
        assertThrows(NoSuchElementException.class, () -> registry.setAlias(name, "production", 7, "eve"));
        assertEquals("alias", assertThrows(InvalidField.class, () -> registry.setAlias(name, "latest", 1, "eve")).field());
        assertThrows(NoSuchElementException.class, () -> registry.setAlias("no-" + u, "production", 1, "eve"));

        ModelVersion approved = registry.updateVersion(name, 2, "better", "approved by carol: AUC 0.81", "carol");
        assertEquals("approved by carol: AUC 0.81", approved.approval());
        assertEquals("better", approved.description());

        registry.setAlias(name, "staging", 2, "alice");
        registry.deleteVersion(name, 2, "dave");
        assertTrue(registry.version(name, 2).isEmpty());
        assertTrue(registry.byAlias(name, "production").isEmpty(), "a deleted version loses its aliases");
        assertEquals(List.of(1), registry.versions(name).stream().map(ModelVersion::version).toList());
        assertEquals(3, registry.createVersion(name, null, "s3", null, null, null).version(), "numbers are never reused");
        registry.setAlias(name, "production", 3, "alice");
        registry.deleteAlias(name, "production", "alice");
        assertThrows(NoSuchElementException.class, () -> registry.deleteAlias(name, "production", "alice"));

        List<Map<String, Object>> audit = registry.audit(name, 100);
        assertEquals("delete_alias", audit.get(0).get("action"));
        assertTrue(audit.stream().anyMatch(a -> "delete_version".equals(a.get("action")) && "dave".equals(a.get("actor"))
                && Integer.valueOf(2).equals(a.get("version"))));
        assertTrue(audit.stream().anyMatch(a -> "approve_version".equals(a.get("action")) && "carol".equals(a.get("actor"))));

        assertEquals(1, registry.searchModels("credit-" + u, 10, null).items().size());
        assertEquals(2, registry.searchVersions("name='" + name + "'", 10, null).items().size());
        assertEquals(1, registry.searchVersions("run_id='" + run.id() + "'", 10, null).items().size());

        registry.deleteModel(name, "admin");
        assertTrue(registry.model(name).isEmpty());
        assertThrows(NoSuchElementException.class, () -> registry.versions(name));
        assertEquals("delete_model", registry.audit(name, 1).get(0).get("action"), "the audit outlives the model");
        assertEquals(0, registry.searchModels("credit-" + u, 10, null).items().size());
        // the name can be registered again, from version 1
        assertEquals(1, registry.createVersion(name, null, "new", null, null, null).version());
    }

    @Test
    void concurrentAliasMovesAreAtomicAndAudited() throws Exception {
        String name = "race-" + u;
        for (int i = 0; i < 4; i++) {
            registry.createVersion(name, null, "s" + i, null, null, null);
        }
        int threads = 8;
        int moves = 50;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> fs = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int tt = t;
            fs.add(pool.submit(() -> {
                for (int i = 0; i < moves; i++) {
                    registry.setAlias(name, "production", 1 + (tt + i) % 4, "t" + tt);
                }
                return null;
            }));
        }
        for (Future<?> f : fs) {
            f.get();
        }
        pool.shutdown();
        int holders = 0;
        for (ModelVersion v : registry.versions(name)) {
            holders += v.aliases().contains("production") ? 1 : 0;
        }
        assertEquals(1, holders, "exactly one version holds the alias");
        List<Map<String, Object>> audit = registry.audit(name, 10_000);
        List<Map<String, Object>> sets = audit.stream().filter(a -> "set_alias".equals(a.get("action"))).toList();
        assertEquals(threads * moves, sets.size(), "every move is audited");
        // the audit is a consistent chain: each move's previous version is the version set by the move before it
        for (int i = 0; i < sets.size() - 1; i++) {
            assertEquals(sets.get(i + 1).get("version"), sets.get(i).get("previousVersion"), "move " + i);
        }
        assertEquals(sets.get(0).get("version"), registry.byAlias(name, "production").orElseThrow().version());
    }

    @Test
    void artifactsAreChecksummed() throws Exception {
        Run r = tracker.createRun("0", null, null, null);
        byte[] bytes = "model bytes ".repeat(1000).getBytes(StandardCharsets.UTF_8);
        String uri = tracker.logArtifact(r.id(), "model/model.zip", new ByteArrayInputStream(bytes));
        assertEquals("cogwork-artifacts:/0/" + r.id() + "/artifacts/model/model.zip", uri);
        assertEquals(Map.of("model/model.zip", (long) bytes.length), tracker.listArtifacts(r.id()));
        try (InputStream in = tracker.openArtifact(r.id(), "model/model.zip")) {
            assertArrayEquals(bytes, in.readAllBytes());
        }
        assertEquals("path", assertThrows(InvalidField.class,
                () -> tracker.logArtifact(r.id(), "../escape", new ByteArrayInputStream(bytes))).field());
        Path file = data.resolve("artifacts/0/" + r.id() + "/artifacts/model/model.zip");
        assertTrue(Files.exists(file));
        bytes[10] ^= 1;
        Files.write(file, bytes);
        IOException corrupt = assertThrows(IOException.class, () -> tracker.openArtifact(r.id(), "model/model.zip"));
        assertTrue(corrupt.getMessage().contains("model/model.zip") && corrupt.getMessage().contains("corrupt"), corrupt.getMessage());
        Files.delete(file);
        IOException missing = assertThrows(IOException.class, () -> tracker.openArtifact(r.id(), "model/model.zip"));
        assertTrue(missing.getMessage().contains("model/model.zip"), missing.getMessage());
        assertThrows(IOException.class, () -> tracker.openArtifact(r.id(), "never/written"));
        // an unavailable storage is named
        Tracking s3less = new Tracking(store, data, "nowhere");
        IOException unavailable = assertThrows(IOException.class, () -> s3less.logArtifact(r.id(), "x", new ByteArrayInputStream(bytes)));
        assertTrue(unavailable.getMessage().contains("nowhere"));
    }

    @Test
    void migrationsApplyOnceAndDataSurvivesRestart() throws Exception {
        assertEquals(List.of(1, 2, 3, 4), store.appliedVersions());
        String exp = tracker.createExperiment("durable-" + u, null).id();
        Run r = tracker.createRun(exp, null, null, null);
        tracker.logMetric(r.id(), m("loss", 0.25, 3));
        registry.createVersion("durable-" + u, r.id(), "s", null, null, null);
        registry.setAlias("durable-" + u, "production", 1, "me");
        PredictionRecord logged = record("durable-p-" + u, "durable-" + u, 1, 5_000L, Map.of("a", 1), new Prediction("x", Map.of("x", 1.0)));
        predictions.append(List.of(logged));
        Feedback fb = feedback.submit(logged.id(), 1.0, null, null, "me");
        close();
        start();
        assertEquals(List.of(1, 2, 3, 4), store.appliedVersions(), "no migration applied twice");
        assertEquals("durable-" + u, tracker.experiment(exp).orElseThrow().name());
        assertEquals(0.25, tracker.run(r.id()).orElseThrow().metrics().get("loss").value());
        assertEquals(1, registry.byAlias("durable-" + u, "production").orElseThrow().version());
        assertEquals(logged, predictions.find(logged.id()).orElseThrow());
        assertEquals(List.of(fb), feedback.forPrediction(logged.id()));
    }

    @Test
    void secretsAreNotInMessages() {
        Map<String, Object> cfg = new HashMap<>(Map.of("url", "jdbc:mysql://x/y?password=hunter2", "password", "hunter2"));
        InvalidField e = assertThrows(InvalidField.class, () -> new MetadataStore(config(cfg), data));
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
        assertNotNull(e.field());
        assertNull(null);
    }

    // ---------------------------------------------------------------- prediction log and feedback

    static final Path DATA = Path.of("../../../shared/data").toAbsolutePath().normalize();
    static final long T0 = 1_700_000_000_000L;

    /**
     * The first {@code n} rows of credit_data.csv as the caller would send them (strings, integers, null for a
     * missing value); where the
     * shared data is absent, its first three rows.
     */
    static List<Map<String, Object>> creditRows(int n) throws IOException {
        Path csv = DATA.resolve("credit_data.csv");
        List<String> lines = Files.exists(csv) ? Files.readAllLines(csv).subList(0, n + 1) : List.of(
                "\"Status\",\"Seniority\",\"Home\",\"Time\",\"Age\",\"Marital\",\"Records\",\"Job\",\"Expenses\",\"Income\",\"Assets\",\"Debt\",\"Amount\",\"Price\"",
                "\"good\",9,\"rent\",60,30,\"married\",\"no\",\"freelance\",73,129,0,0,800,846",
                "\"good\",17,\"rent\",60,58,\"widow\",\"no\",\"fixed\",48,131,0,0,1000,1658",
                "\"bad\",10,\"owner\",36,46,\"married\",\"yes\",\"freelance\",90,200,3000,0,2000,2985");
        String[] head = lines.get(0).replace("\"", "").split(",");
        List<Map<String, Object>> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split(",", -1);
            Map<String, Object> row = new LinkedHashMap<>();
            for (int i = 0; i < head.length; i++) {
                String c = cells[i];
                // an empty cell is a missing value: JSON null
                row.put(head[i], c.isEmpty() ? null : c.startsWith("\"") ? c.substring(1, c.length() - 1) : (Object) Integer.valueOf(c));
            }
            rows.add(row);
        }
        return rows;
    }

    static PredictionRecord record(String id, String model, int version, long time, Map<String, Object> input, Prediction out) {
        return new PredictionRecord(id, Instant.ofEpochMilli(time), model, version, input, out, 1500, false, null);
    }

    @Test
    void predictionLogAppendsFindsListsAndCounts() throws IOException {
        String model = "credit-" + u;
        List<Map<String, Object>> credit = creditRows(50);
        List<PredictionRecord> all = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            Map<String, Object> row = new LinkedHashMap<>(credit.get(i % credit.size()));
            String truth = (String) row.remove("Status");
            double good = (i % 10) / 10.0;
            all.add(new PredictionRecord(String.format("%s-%04d", u, i), Instant.ofEpochMilli(T0 + i * 1000L), model,
                    i % 3 == 0 ? 2 : 1, row, new Prediction(good >= 0.5 ? "good" : "bad", Map.of("good", good, "bad", 1 - good)),
                    100L + i, i % 10 == 0, i % 5 == 0 ? null : "caller-" + (i % 7)));
            assertNotNull(truth);
        }
        // appended in 10 batches of 100, out of time order: listing orders by time, not by arrival
        List<PredictionRecord> shuffled = new ArrayList<>(all);
        Collections.shuffle(shuffled, new Random(42));
        for (int b = 0; b < 10; b++) {
            predictions.append(shuffled.subList(b * 100, b * 100 + 100));
        }
        predictions.append(List.of());
        predictions.append(List.of(record("other-" + u, "other-" + u, 1, T0, Map.of(), new Prediction(1.5, null))));

        assertEquals(1000, predictions.count(model, null));
        assertEquals(334, predictions.count(model, 2));
        assertEquals(666, predictions.count(model, 1));
        assertEquals(0, predictions.count(model, 3));
        assertEquals(1, predictions.count("other-" + u, null));
        assertEquals(0, predictions.count("never-" + u, null));

        for (int i : new int[] {0, 5, 500, 999}) {
            assertEquals(all.get(i), predictions.find(all.get(i).id()).orElseThrow(), "record " + i);
        }
        PredictionRecord p7 = predictions.find(all.get(7).id()).orElseThrow();
        assertEquals("caller-0", p7.callerKey());
        assertNull(predictions.find(all.get(5).id()).orElseThrow().callerKey());
        assertTrue(predictions.find(all.get(10).id()).orElseThrow().shadow());
        assertEquals(107, p7.latencyMicros());
        assertEquals(credit.get(7).get("Income"), p7.input().get("Income"));
        assertFalse(p7.input().containsKey("Status"));
        if (Files.exists(DATA.resolve("credit_data.csv"))) { // row 29 has missing cells: stored as JSON nulls
            Map<String, Object> withGaps = predictions.find(all.get(29).id()).orElseThrow().input();
            assertTrue(withGaps.containsKey("Home") && withGaps.get("Home") == null, withGaps.toString());
        }
        assertTrue(predictions.find("missing-" + u).isEmpty());
        assertTrue(predictions.find("x".repeat(500)).isEmpty());

        // [from, to): from inclusive, to exclusive, oldest first, limited
        List<PredictionRecord> range = predictions.list(model, Instant.ofEpochMilli(T0 + 100_000), Instant.ofEpochMilli(T0 + 200_000), 1000);
        assertEquals(all.subList(100, 200), range);
        assertEquals(all.subList(100, 110), predictions.list(model, Instant.ofEpochMilli(T0 + 100_000), Instant.ofEpochMilli(T0 + 200_000), 10));
        assertEquals(all.subList(100, 101), predictions.list(model, Instant.ofEpochMilli(T0 + 99_001), Instant.ofEpochMilli(T0 + 100_001), 10));
        assertEquals(all.subList(0, 1000), predictions.list(model, null, null, 5000));
        assertEquals(all.subList(990, 1000), predictions.list(model, Instant.ofEpochMilli(T0 + 990_000), null, 100));
        assertEquals(all.subList(0, 3), predictions.list(model, null, Instant.ofEpochMilli(T0 + 3000), 100));
        assertTrue(predictions.list(model, Instant.ofEpochMilli(T0 + 5000), Instant.ofEpochMilli(T0 + 5000), 10).isEmpty());
        assertTrue(predictions.list(model, Instant.ofEpochMilli(T0 + 2_000_000), null, 10).isEmpty());
        assertTrue(predictions.list("never-" + u, null, null, 10).isEmpty());

        assertEquals("limit", assertThrows(InvalidField.class, () -> predictions.list(model, null, null, 0)).field());
        assertEquals("to", assertThrows(InvalidField.class,
                () -> predictions.list(model, Instant.ofEpochMilli(T0 + 1), Instant.ofEpochMilli(T0), 10)).field());
        assertEquals("model_name", assertThrows(InvalidField.class, () -> predictions.count(" ", null)).field());

        // a batch with a logged id, a repeated id or an invalid record: nothing of it is stored
        PredictionRecord fresh = record("fresh-" + u, model, 1, T0, Map.of(), new Prediction("good", null));
        assertEquals("id", assertThrows(InvalidField.class, () -> predictions.append(List.of(fresh, all.get(3)))).field());
        assertEquals("id", assertThrows(InvalidField.class, () -> predictions.append(List.of(fresh, fresh))).field());
        assertEquals("version", assertThrows(InvalidField.class,
                () -> predictions.append(List.of(fresh, record("v0-" + u, model, 0, T0, Map.of(), new Prediction("good", null))))).field());
        assertEquals("time", assertThrows(InvalidField.class, () -> predictions.append(List.of(
                new PredictionRecord("t-" + u, null, model, 1, null, new Prediction("good", null), 0, false, null)))).field());
        assertEquals("output", assertThrows(InvalidField.class, () -> predictions.append(List.of(
                new PredictionRecord("o-" + u, Instant.now(), model, 1, null, null, 0, false, null)))).field());
        assertEquals("name", assertThrows(InvalidField.class,
                () -> predictions.append(List.of(record("n-" + u, "a/b", 1, T0, Map.of(), new Prediction("good", null))))).field());
        assertEquals("id", assertThrows(InvalidField.class,
                () -> predictions.append(List.of(record(" ", model, 1, T0, Map.of(), new Prediction("good", null))))).field());
        assertEquals("records", assertThrows(InvalidField.class, () -> predictions.append(null)).field());
        assertTrue(predictions.find(fresh.id()).isEmpty());
        assertEquals(1000, predictions.count(model, null));
    }

    @Test
    void predictionJsonRoundTrip() {
        String model = "json-" + u;
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("text", "naïve \"quoted\" \\ back\nslash ☃");
        input.put("empty", "");
        input.put("int", 42);
        input.put("negative", -7);
        input.put("long", 9_000_000_000L);
        input.put("double", 0.1);
        input.put("whole_double", 3.0);
        input.put("tiny", 1e-300);
        input.put("yes", true);
        input.put("no", false);
        input.put("missing", null);
        input.put("list", List.of(1, "two", 3.5));
        input.put("nested", Map.of("k", "v"));
        Map<String, Double> scores = new LinkedHashMap<>();
        scores.put("good", 0.8125);
        scores.put("bad", 0.1875);
        scores.put("unsure", 0.0);
        scores.put("certain", 1.0);
        List<PredictionRecord> recs = List.of(
                new PredictionRecord("json-label-" + u, Instant.ofEpochMilli(T0), model, 1, input, new Prediction("good", scores), 12, true, "k1"),
                new PredictionRecord("json-regression-" + u, Instant.ofEpochMilli(T0 + 1), model, 1, Map.of("x", 1.25), new Prediction(1234.5, null), 0, false, null),
                new PredictionRecord("json-cluster-" + u, Instant.ofEpochMilli(T0 + 2), model, 2, Map.of(), new Prediction(3, Map.of()), 1, false, null),
                new PredictionRecord("json-null-" + u, Instant.ofEpochMilli(T0 + 3), model, 2, null, new Prediction(null, null), 1, false, null));
        predictions.append(recs);
        for (PredictionRecord r : recs) {
            assertEquals(r, predictions.find(r.id()).orElseThrow());
        }
        PredictionRecord got = predictions.find(recs.get(0).id()).orElseThrow();
        assertEquals(List.copyOf(input.keySet()), List.copyOf(got.input().keySet()), "columns keep their order");
        assertTrue(got.input().containsKey("missing"));
        assertNull(got.input().get("missing"));
        assertEquals(Integer.class, got.input().get("int").getClass());
        assertEquals(Long.class, got.input().get("long").getClass());
        assertEquals(Double.class, got.input().get("whole_double").getClass());
        assertEquals(Boolean.FALSE, got.input().get("no"));
        assertEquals(scores, got.output().scores());
        assertEquals(Double.class, predictions.find(recs.get(1).id()).orElseThrow().output().value().getClass());
        assertEquals(Integer.valueOf(3), predictions.find(recs.get(2).id()).orElseThrow().output().value());
        assertNull(predictions.find(recs.get(3).id()).orElseThrow().output().value());
        assertEquals(recs, predictions.list(model, null, null, 10));
    }

    @Test
    void feedbackRoundTripAndOrdering() throws IOException {
        String model = "fb-" + u;
        List<Map<String, Object>> credit = creditRows(3);
        List<PredictionRecord> recs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            recs.add(record("fb-" + u + "-" + i, model, 1, T0 + i, credit.get(i), new Prediction("good", Map.of("good", 0.7, "bad", 0.3))));
        }
        PredictionRecord other = record("fb-other-" + u, "fb-other-" + u, 1, T0, credit.get(0), new Prediction("bad", null));
        recs.add(other);
        predictions.append(recs);
        String p0 = recs.get(0).id();

        long before = System.currentTimeMillis();
        Feedback up = feedback.submit(p0, 1.0, null, null, "alice");
        Feedback fix = feedback.submit(p0, null, "bad", "income was misread", "bob");
        Feedback both = feedback.submit(p0, -1.0, "bad", null, "carol");
        assertTrue(UUID.fromString(up.id()).toString().equals(up.id()), up.id());
        assertEquals(p0, up.predictionId());
        assertEquals(1.0, up.score());
        assertNull(up.correctedLabel());
        assertNull(up.comment());
        assertTrue(!up.time().isBefore(Instant.ofEpochMilli(before)) && !up.time().isAfter(Instant.now()), up.time().toString());
        assertEquals(3, Set.of(up.id(), fix.id(), both.id()).size());
        assertEquals(List.of(up, fix, both), feedback.forPrediction(p0), "round trip, oldest first");
        assertTrue(feedback.forPrediction(recs.get(1).id()).isEmpty());

        // validation: unknown prediction, neither score nor label, no author
        assertThrows(NoSuchElementException.class, () -> feedback.submit("no-such-" + u, 1.0, null, null, "alice"));
        assertThrows(NoSuchElementException.class, () -> feedback.forPrediction("no-such-" + u));
        assertEquals("score", assertThrows(InvalidField.class, () -> feedback.submit(p0, null, null, "just a comment", "alice")).field());
        assertEquals("score", assertThrows(InvalidField.class, () -> feedback.submit(p0, null, "  ", null, "alice")).field());
        assertEquals("score", assertThrows(InvalidField.class, () -> feedback.submit(p0, Double.NaN, null, null, "alice")).field());
        assertEquals("author", assertThrows(InvalidField.class, () -> feedback.submit(p0, 1.0, null, null, null)).field());
        assertEquals("author", assertThrows(InvalidField.class, () -> feedback.submit(p0, 1.0, null, null, " ")).field());
        assertEquals(3, feedback.forPrediction(p0).size(), "nothing stored by the failed submits");

        // forModel: newest first across the model's predictions, limited, other models' feedback excluded
        Feedback later = feedback.submit(recs.get(2).id(), 1.0, null, null, "dave");
        Feedback otherFb = feedback.submit(other.id(), null, "good", null, "erin");
        Feedback last = feedback.submit(recs.get(1).id(), null, "bad", null, "frank");
        assertEquals(List.of(last, later, both, fix, up), feedback.forModel(model, 100));
        assertEquals(List.of(last, later), feedback.forModel(model, 2));
        assertEquals(List.of(otherFb), feedback.forModel(other.modelName(), 10));
        assertTrue(feedback.forModel("never-" + u, 10).isEmpty());
        assertEquals("limit", assertThrows(InvalidField.class, () -> feedback.forModel(model, 0)).field());
    }
}
