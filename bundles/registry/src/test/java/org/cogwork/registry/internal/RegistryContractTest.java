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
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.cogwork.api.engine.Prediction;
import org.cogwork.api.event.Topics;
import org.cogwork.api.feedback.Feedback;
import org.cogwork.api.problem.InvalidFieldException;
import org.cogwork.api.problem.NotFoundException;
import org.cogwork.api.registry.ModelVersion;
import org.cogwork.api.serving.PredictionRecord;
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
import org.cogwork.persistence.Database;
import org.cogwork.persistence.internal.MetadataStore;
import org.cogwork.persistence.internal.MigrationSource;
import org.cogwork.persistence.internal.PersistenceConfig;

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
    Database db;
    final List<Event> events = new CopyOnWriteArrayList<>();
    /** Unique per test run, so reruns against a server never collide. */
    final String u = UUID.randomUUID().toString().substring(0, 8);

    abstract Map<String, Object> dbConfig() throws Exception;

    static PersistenceConfig config(Map<String, Object> m) {
        return Converters.standardConverter().convert(m).to(PersistenceConfig.class);
    }

    /** The store as the registry bundle sees it: its own migrations from target/classes/db/migration. */
    static Database registryDb(MetadataStore store) {
        return store.database("org.cogwork.registry", MigrationSource.of(Path.of("target/classes/db/migration")));
    }

    @BeforeEach
    void open() throws Exception {
        start();
    }

    void start() throws Exception {
        store = new MetadataStore(config(dbConfig()), data);
        db = registryDb(store);
        tracker = new Tracking(db, data, "local");
        registry = new Models(db);
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
        InvalidFieldException taken = assertThrows(InvalidFieldException.class, () -> tracker.createExperiment("exp-" + u, null));
        assertEquals("name", taken.field());
        assertEquals("name", assertThrows(InvalidFieldException.class, () -> tracker.createExperiment(" ", null)).field());
        assertEquals(e.id(), tracker.experimentId("exp-" + u));
        String other = tracker.experimentId("other-" + u);
        assertTrue(tracker.experiment(other).isPresent());
        assertTrue(tracker.experiment("999999999").isEmpty());
        assertThrows(NotFoundException.class, () -> tracker.deleteExperiment("999999999"));
        tracker.deleteExperiment(e.id());
        assertEquals("deleted", tracker.experiment(e.id()).orElseThrow().lifecycleStage());
        assertTrue(tracker.experiments("exp-" + u, false, 10, null).items().isEmpty());
        assertEquals(1, tracker.experiments("exp-" + u, true, 10, null).items().size());
        assertEquals(1, tracker.experiments("name = 'other-" + u + "'", false, 10, null).items().size());
        tracker.restoreExperiment(e.id());
        assertEquals("active", tracker.experiment(e.id()).orElseThrow().lifecycleStage());
        assertThrows(InvalidFieldException.class, () -> tracker.deleteExperiment("0"));
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
        assertEquals("page_token", assertThrows(InvalidFieldException.class, () -> tracker.experiments(null, false, 2, "garbage!")).field());
    }

    @Test
    void runsParamsTagsAndMetrics() {
        String exp = tracker.createExperiment("runs-" + u, null).id();
        Run r = tracker.createRun(exp, "first", 1234L, Map.of("owner", "me"));
        assertTrue(r.id().matches("[0-9a-f]{32}"), r.id());
        assertEquals(RunStatus.RUNNING, r.status());
        assertEquals("cogwork-artifacts:/" + exp + "/" + r.id() + "/artifacts", r.artifactUri());
        assertEquals(Instant.ofEpochMilli(1234), r.start());
        assertThrows(NotFoundException.class, () -> tracker.createRun("424242", null, null, null));
        tracker.logParam(r.id(), "lr", "0.1");
        tracker.logParam(r.id(), "lr", "0.1"); // same value again: fine
        InvalidFieldException changed = assertThrows(InvalidFieldException.class, () -> tracker.logParam(r.id(), "lr", "0.2"));
        assertTrue(changed.field().contains("lr"), changed.field());
        assertEquals("key", assertThrows(InvalidFieldException.class, () -> tracker.logParam(r.id(), "../x", "1")).field());
        assertThrows(NotFoundException.class, () -> tracker.logParam("0123456789abcdef0123456789abcdef", "a", "1"));
        tracker.logMetric(r.id(), m("loss", 0.9, 0));
        tracker.logMetric(r.id(), m("loss", 0.5, 2));
        tracker.logMetric(r.id(), m("loss", 0.7, 1)); // out of order: latest stays step 2
        tracker.logMetric(r.id(), m("nan", Double.NaN, 0));
        assertThrows(InvalidFieldException.class, () -> tracker.logMetric(r.id(), m("inf", Double.POSITIVE_INFINITY, 0)));
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
        assertThrows(NotFoundException.class, () -> tracker.deleteTag(r.id(), "stage"));
        Run ended = tracker.updateRun(r.id(), RunStatus.FINISHED, 5000L, null);
        assertEquals(RunStatus.FINISHED, ended.status());
        assertEquals(Instant.ofEpochMilli(5000), ended.end());
        assertTrue(events.stream().anyMatch(e -> e.getTopic().equals(Topics.RUN_FINISHED)
                && r.id().equals(e.getProperty(Topics.RUN_ID)) && "FINISHED".equals(e.getProperty(Topics.RUN_STATUS))));
        tracker.deleteRun(r.id());
        assertEquals("deleted", tracker.run(r.id()).orElseThrow().lifecycleStage());
        assertThrows(InvalidFieldException.class, () -> tracker.logMetric(r.id(), m("loss", 1, 9)));
        tracker.restoreRun(r.id());
        assertThrows(NotFoundException.class, () -> tracker.metricHistory("nope", "loss"));
    }

    @Test
    void theRunsCreatorIsSetOnceAtCreation() {
        Run r = tracker.createRun(null, null, null, Map.of(Tracking.USER_TAG, "alice"));
        assertEquals("alice", r.tags().get(Tracking.USER_TAG));
        assertEquals("key", assertThrows(InvalidFieldException.class, () -> tracker.setTag(r.id(), Tracking.USER_TAG, "mallory")).field());
        assertEquals("tags." + Tracking.USER_TAG, assertThrows(InvalidFieldException.class,
                () -> tracker.logBatch(r.id(), null, null, Map.of(Tracking.USER_TAG, "mallory"))).field());
        assertEquals("key", assertThrows(InvalidFieldException.class, () -> tracker.deleteTag(r.id(), Tracking.USER_TAG)).field());
        assertEquals("alice", tracker.run(r.id()).orElseThrow().tags().get(Tracking.USER_TAG));
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
        // params logged before with the same values are fine beside new ones
        tracker.logBatch(r.id(), null, Map.of("a", "1", "fixed", "1", "c", "3"), null);
        assertEquals(Map.of("a", "1", "fixed", "1", "c", "3"), tracker.run(r.id()).orElseThrow().params());
        // one invalid metric key: nothing of the batch is stored
        List<MetricPoint> bad = new ArrayList<>(List.of(m("ok", 1, 0), m("ok", 2, 1), m("bad key!", 3, 0)));
        assertThrows(InvalidFieldException.class, () -> tracker.logBatch(r.id(), bad, Map.of("b", "2"), Map.of("u", "y")));
        // a param conflicting with a logged one (found only inside the transaction): nothing stored either
        assertThrows(InvalidFieldException.class, () -> tracker.logBatch(r.id(), List.of(m("ok", 1, 0)), Map.of("b", "2", "fixed", "2"), Map.of("u", "y")));
        Run after = tracker.run(r.id()).orElseThrow();
        assertTrue(tracker.metricHistory(r.id(), "ok").isEmpty());
        assertFalse(after.params().containsKey("b"));
        assertFalse(after.tags().containsKey("u"));
        assertEquals("1", after.params().get("fixed"));
        assertThrows(InvalidFieldException.class, () -> tracker.logBatch(r.id(), new ArrayList<>(java.util.Collections.nCopies(1001, m("x", 1, 0))), null, null));
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
        // MLflow's syntax beyond <entity>.<key>: run_id IN (...), bare attribute names, ordering by attributes
        List<Run> two = tracker.searchRuns(new RunQuery(List.of(exp), "attributes.run_id IN ('" + ids.get(2) + "', '" + ids.get(5)
                + "', '0123456789abcdef0123456789abcdef')", List.of("run_name DESC"), 100, null, false)).items();
        assertEquals(List.of("run5", "run2"), two.stream().map(Run::name).toList());
        assertEquals(8, tracker.searchRuns(new RunQuery(List.of(exp), "run_id NOT IN ('" + ids.get(2) + "', '" + ids.get(5)
                + "') AND run_name LIKE 'run%'", null, 100, null, false)).items().size());
        List<Run> ilike = tracker.searchRuns(new RunQuery(List.of(exp), "run_name ILIKE 'RUN%' AND status = 'RUNNING' AND user_id != 'nobody'",
                List.of("attributes.start_time ASC"), 100, null, false)).items();
        assertEquals(List.of(), ilike, "no run has an mlflow.user tag, so user_id != 'nobody' matches none (as a missing tag never matches)");
        List<Run> byStart = tracker.searchRuns(new RunQuery(List.of(exp), "run_name ILIKE 'RUN%' AND status = 'RUNNING'",
                List.of("attributes.start_time ASC"), 100, null, false)).items();
        assertEquals(10, byStart.size());
        assertEquals(List.of("run0", "run1", "run2"), byStart.subList(0, 3).stream().map(Run::name).toList());
        assertEquals("bare", tracker.searchRuns(new RunQuery(List.of(exp), "created < 1000", List.of("run_name ASC"), 100, null, false))
                .items().stream().map(Run::name).reduce((a, b) -> a + "," + b).orElseThrow());
        assertEquals("filter", assertThrows(InvalidFieldException.class,
                () -> tracker.searchRuns(new RunQuery(List.of(exp), "run_name = 'run1' OR run_name = 'run2'", null, 10, null, false))).field());
        assertEquals("filter", assertThrows(InvalidFieldException.class,
                () -> tracker.searchRuns(new RunQuery(List.of(exp), "metrics.acc >> 1", null, 10, null, false))).field());
        assertEquals("filter", assertThrows(InvalidFieldException.class,
                () -> tracker.searchRuns(new RunQuery(List.of(exp), "metrics.acc > 'x'", null, 10, null, false))).field());
        assertEquals("max_results", assertThrows(InvalidFieldException.class,
                () -> tracker.searchRuns(new RunQuery(List.of(exp), null, null, 0, null, false))).field());
        tracker.deleteRun(ids.get(0));
        assertEquals(10, tracker.searchRuns(new RunQuery(List.of(exp), null, null, 100, null, false)).items().size());
        assertEquals(11, tracker.searchRuns(new RunQuery(List.of(exp), null, null, 100, null, true)).items().size());
    }

    @Test
    void modelsVersionsAliasesAndSoftDeletes() {
        String name = "credit-" + u;
        Run run = tracker.createRun("0", null, null, null);
        registry.createModel(name, "credit scoring", Map.of("domain", "risk"), "dave");
        assertEquals("name", assertThrows(InvalidFieldException.class, () -> registry.createModel(name, null, null, "dave")).field());
        assertEquals("name", assertThrows(InvalidFieldException.class, () -> registry.createModel("a/b", null, null, "dave")).field());
        ModelVersion v1 = registry.createVersion(name, run.id(), run.artifactUri() + "/model", "first",
                Map.of("engine", "tribuo", "seed", 42), Map.of("k", "v"), "dave");
        ModelVersion v2 = registry.createVersion(name, null, "s2", null, null, null, "alice");
        assertEquals(1, v1.version());
        assertEquals(2, v2.version());
        assertEquals("READY", v1.status());
        assertEquals(42, ((Number) v1.provenance().get("seed")).intValue());
        // a version of an unknown model creates the model
        assertEquals(1, registry.createVersion("auto-" + u, null, "s", null, null, null, "alice").version());
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
        assertThrows(NotFoundException.class, () -> registry.setAlias(name, "production", 7, "eve"));
        assertEquals("alias", assertThrows(InvalidFieldException.class, () -> registry.setAlias(name, "latest", 1, "eve")).field());
        assertThrows(NotFoundException.class, () -> registry.setAlias("no-" + u, "production", 1, "eve"));

        ModelVersion approved = registry.updateVersion(name, 2, "better", "approved by carol: AUC 0.81", "carol");
        assertEquals("approved by carol: AUC 0.81", approved.approval());
        assertEquals("better", approved.description());

        registry.setAlias(name, "staging", 2, "alice");
        registry.deleteVersion(name, 2, "dave");
        assertTrue(registry.version(name, 2).isEmpty());
        assertTrue(registry.byAlias(name, "production").isEmpty(), "a deleted version loses its aliases");
        assertEquals(List.of(1), registry.versions(name).stream().map(ModelVersion::version).toList());
        assertEquals(3, registry.createVersion(name, null, "s3", null, null, null, "alice").version(), "numbers are never reused");
        registry.setAlias(name, "production", 3, "alice");
        registry.deleteAlias(name, "production", "alice");
        assertThrows(NotFoundException.class, () -> registry.deleteAlias(name, "production", "alice"));

        List<Map<String, Object>> audit = registry.audit(name, 100);
        assertEquals("delete_alias", audit.get(0).get("action"));
        assertTrue(audit.stream().anyMatch(a -> "delete_version".equals(a.get("action")) && "dave".equals(a.get("actor"))
                && Integer.valueOf(2).equals(a.get("version"))));
        assertTrue(audit.stream().anyMatch(a -> "approve_version".equals(a.get("action")) && "carol".equals(a.get("actor"))));
        assertTrue(audit.stream().anyMatch(a -> "create_model".equals(a.get("action")) && "dave".equals(a.get("actor"))));
        assertTrue(audit.stream().anyMatch(a -> "create_version".equals(a.get("action")) && "alice".equals(a.get("actor"))
                && Integer.valueOf(3).equals(a.get("version"))));

        assertEquals(1, registry.searchModels("credit-" + u, 10, null).items().size());
        assertEquals(2, registry.searchVersions("name='" + name + "'", 10, null).items().size());
        assertEquals(1, registry.searchVersions("run_id='" + run.id() + "'", 10, null).items().size());

        registry.deleteModel(name, "admin");
        assertTrue(registry.model(name).isEmpty());
        assertThrows(NotFoundException.class, () -> registry.versions(name));
        assertEquals("delete_model", registry.audit(name, 1).get(0).get("action"), "the audit outlives the model");
        assertEquals(0, registry.searchModels("credit-" + u, 10, null).items().size());
        // the name can be registered again, from version 1
        assertEquals(1, registry.createVersion(name, null, "new", null, null, null, "alice").version());
    }

    @Test
    void concurrentAliasMovesAreAtomicAndAudited() throws Exception {
        String name = "race-" + u;
        for (int i = 0; i < 4; i++) {
            registry.createVersion(name, null, "s" + i, null, null, null, "alice");
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
        assertEquals("path", assertThrows(InvalidFieldException.class,
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
        Tracking s3less = new Tracking(db, data, "nowhere");
        IOException unavailable = assertThrows(IOException.class, () -> s3less.logArtifact(r.id(), "x", new ByteArrayInputStream(bytes)));
        assertTrue(unavailable.getMessage().contains("nowhere"));
    }

    @Test
    void migrationsApplyOnceAndDataSurvivesRestart() throws Exception {
        List<Integer> all = List.of(1, 2, 3, 4, 5);
        db.jdbi(); // migrations done
        assertEquals(all, store.appliedVersions("org.cogwork.registry"));
        String exp = tracker.createExperiment("durable-" + u, null).id();
        Run r = tracker.createRun(exp, null, null, null);
        tracker.logMetric(r.id(), m("loss", 0.25, 3));
        registry.createVersion("durable-" + u, r.id(), "s", null, null, null, "alice");
        registry.setAlias("durable-" + u, "production", 1, "me");
        close();
        start();
        db.jdbi();
        assertEquals(all, store.appliedVersions("org.cogwork.registry"), "no migration applied twice");
        assertEquals("durable-" + u, tracker.experiment(exp).orElseThrow().name());
        assertEquals(0.25, tracker.run(r.id()).orElseThrow().metrics().get("loss").value());
        assertEquals(1, registry.byAlias("durable-" + u, "production").orElseThrow().version());
    }

    @Test
    void secretsAreNotInMessages() {
        Map<String, Object> cfg = new HashMap<>(Map.of("url", "jdbc:mysql://x/y?password=hunter2", "password", "hunter2"));
        InvalidFieldException e = assertThrows(InvalidFieldException.class, () -> new MetadataStore(config(cfg), data));
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
        assertNotNull(e.field());
    }
}
