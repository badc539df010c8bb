package org.cogwork.serving.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import java.io.IOException;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.cogwork.api.engine.Prediction;
import org.cogwork.api.event.Topics;
import org.cogwork.api.feedback.Feedback;
import org.cogwork.api.problem.InvalidFieldException;
import org.cogwork.api.problem.NotFoundException;
import org.cogwork.api.serving.PredictionRecord;
import org.cogwork.persistence.Database;
import org.cogwork.persistence.internal.MetadataStore;
import org.cogwork.persistence.internal.MigrationSource;
import org.cogwork.persistence.internal.PersistenceConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;
import org.osgi.util.converter.Converters;

/**
 * The prediction log and the feedback store (serving's tables, its own migrations) on a real database: embedded H2
 * and PostgreSQL (subclasses), the components constructed directly as DS would.
 */
abstract class PredictionLogContractTest {
    @TempDir
    Path data;
    MetadataStore store;
    Database db;
    Predictions predictions;
    FeedbackStore feedback;
    /** Unique per test run, so reruns against a server never collide. */
    final String u = UUID.randomUUID().toString().substring(0, 8);

    abstract Map<String, Object> dbConfig() throws Exception;

    static PersistenceConfig config(Map<String, Object> m) {
        return Converters.standardConverter().convert(m).to(PersistenceConfig.class);
    }

    /** The store as the serving bundle sees it: its own migrations from target/classes/db/migration. */
    static Database servingDb(MetadataStore store) {
        return store.database("org.cogwork.serving", MigrationSource.of(Path.of("target/classes/db/migration")));
    }

    @BeforeEach
    void start() throws Exception {
        store = new MetadataStore(config(dbConfig()), data);
        db = servingDb(store);
        predictions = new Predictions(db);
        feedback = new FeedbackStore(db);
    }

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
        }
    }

    @Test
    void migrationsApplyOnceAndRowsSurviveRestart() throws Exception {
        db.jdbi();
        assertEquals(List.of(1, 2), store.appliedVersions("org.cogwork.serving"));
        PredictionRecord logged = record("durable-p-" + u, "durable-" + u, 1, 5_000L, Map.of("a", 1), new Prediction("x", Map.of("x", 1.0)));
        predictions.append(List.of(logged));
        Feedback fb = feedback.submit(logged.id(), 1.0, null, null, "me");
        close();
        start();
        db.jdbi();
        assertEquals(List.of(1, 2), store.appliedVersions("org.cogwork.serving"), "no migration applied twice");
        assertEquals(logged, predictions.find(logged.id()).orElseThrow());
        assertEquals(List.of(fb), feedback.forPrediction(logged.id()));
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

        assertEquals("limit", assertThrows(InvalidFieldException.class, () -> predictions.list(model, null, null, 0)).field());
        assertEquals("to", assertThrows(InvalidFieldException.class,
                () -> predictions.list(model, Instant.ofEpochMilli(T0 + 1), Instant.ofEpochMilli(T0), 10)).field());
        assertEquals("model_name", assertThrows(InvalidFieldException.class, () -> predictions.count(" ", null)).field());

        // a batch with a logged id, a repeated id or an invalid record: nothing of it is stored
        PredictionRecord fresh = record("fresh-" + u, model, 1, T0, Map.of(), new Prediction("good", null));
        assertEquals("id", assertThrows(InvalidFieldException.class, () -> predictions.append(List.of(fresh, all.get(3)))).field());
        assertEquals("id", assertThrows(InvalidFieldException.class, () -> predictions.append(List.of(fresh, fresh))).field());
        assertEquals("version", assertThrows(InvalidFieldException.class,
                () -> predictions.append(List.of(fresh, record("v0-" + u, model, 0, T0, Map.of(), new Prediction("good", null))))).field());
        assertEquals("time", assertThrows(InvalidFieldException.class, () -> predictions.append(List.of(
                new PredictionRecord("t-" + u, null, model, 1, null, new Prediction("good", null), 0, false, null)))).field());
        assertEquals("output", assertThrows(InvalidFieldException.class, () -> predictions.append(List.of(
                new PredictionRecord("o-" + u, Instant.now(), model, 1, null, null, 0, false, null)))).field());
        assertEquals("name", assertThrows(InvalidFieldException.class,
                () -> predictions.append(List.of(record("n-" + u, "a/b", 1, T0, Map.of(), new Prediction("good", null))))).field());
        assertEquals("id", assertThrows(InvalidFieldException.class,
                () -> predictions.append(List.of(record(" ", model, 1, T0, Map.of(), new Prediction("good", null))))).field());
        assertEquals("records", assertThrows(InvalidFieldException.class, () -> predictions.append(null)).field());
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
    void feedbackOnARowOfAStoredRequestKnowsItsModelVersion() throws IOException {
        String model = "rows-fb-" + u;
        List<LoggedRequest> requests = PredictionJournalTest.requests(T0, creditRows(3), 3);
        LoggedRequest three = new LoggedRequest(requests.get(0).id(), T0, model, 4, 3, requests.get(0).input(), requests.get(0).output(),
                10, false, null);
        predictions.store(List.of(three));
        Feedback onRow2 = feedback.submit(three.id(2), -1.0, "bad", null, "dana");
        assertEquals(List.of(onRow2), feedback.forPrediction(three.id(2)));
        assertEquals(List.of(onRow2), feedback.forModel(model, 10), "listed under the model that made the prediction");
        assertTrue(feedback.forPrediction(three.id(1)).isEmpty());
        assertThrows(NotFoundException.class, () -> feedback.submit(PredictionIds.of(UUID.fromString(three.id()), 3), 1.0, null, null, "dana"),
                "row 3 of a request of three rows");
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
        assertThrows(NotFoundException.class, () -> feedback.submit("no-such-" + u, 1.0, null, null, "alice"));
        assertThrows(NotFoundException.class, () -> feedback.forPrediction("no-such-" + u));
        assertEquals("score", assertThrows(InvalidFieldException.class, () -> feedback.submit(p0, null, null, "just a comment", "alice")).field());
        assertEquals("score", assertThrows(InvalidFieldException.class, () -> feedback.submit(p0, null, "  ", null, "alice")).field());
        assertEquals("score", assertThrows(InvalidFieldException.class, () -> feedback.submit(p0, Double.NaN, null, null, "alice")).field());
        assertEquals("author", assertThrows(InvalidFieldException.class, () -> feedback.submit(p0, 1.0, null, null, null)).field());
        assertEquals("author", assertThrows(InvalidFieldException.class, () -> feedback.submit(p0, 1.0, null, null, " ")).field());
        assertEquals(3, feedback.forPrediction(p0).size(), "nothing stored by the failed submits");

        // forModel: newest first across the model's predictions, limited, other models' feedback excluded
        Feedback later = feedback.submit(recs.get(2).id(), 1.0, null, null, "dave");
        Feedback otherFb = feedback.submit(other.id(), null, "good", null, "erin");
        Feedback last = feedback.submit(recs.get(1).id(), null, "bad", null, "frank");
        assertEquals(List.of(last, later, both, fix, up), feedback.forModel(model, 100));
        assertEquals(List.of(last, later), feedback.forModel(model, 2));
        assertEquals(List.of(otherFb), feedback.forModel(other.modelName(), 10));
        assertTrue(feedback.forModel("never-" + u, 10).isEmpty());
        assertEquals("limit", assertThrows(InvalidFieldException.class, () -> feedback.forModel(model, 0)).field());
    }

    @Test
    void aRequestOfSeveralRowsIsOneStoredRowAndEachOfItsPredictionsIsFoundByItsId() throws IOException {
        String model = "req-" + u;
        List<Map<String, Object>> credit = creditRows(100);
        List<Prediction> outs = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            outs.add(new Prediction(i % 3 == 0 ? "bad" : "good", Map.of("good", i / 100.0, "bad", 1 - i / 100.0)));
        }
        LoggedRequest big = LoggedRequest.of(PredictionIds.next(T0).toString(), T0, model, 2, credit, outs, 420, false, "caller-9");
        LoggedRequest shadow = LoggedRequest.of(PredictionIds.next(T0).toString(), T0, model, 3, credit.subList(0, 2), outs.subList(0, 2),
                99, true, "caller-9");
        predictions.store(List.of(big, shadow));
        assertEquals(1L, (long) db.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM predictions WHERE model_name = ? AND ver = 2")
                .bind(0, model).mapTo(Long.class).one()), "one stored row for the request");
        assertEquals(102, predictions.count(model, null));
        assertEquals(100, predictions.count(model, 2));
        assertEquals(2, predictions.count(model, 3));
        for (int i : new int[] {0, 1, 57, 99}) {
            PredictionRecord r = predictions.find(big.id(i)).orElseThrow(() -> new AssertionError("row " + i));
            assertEquals(big.record(i), r);
            assertEquals(credit.get(i).get("Income"), r.input().get("Income"));
            assertEquals(outs.get(i), r.output());
        }
        assertTrue(predictions.find(big.id(0)).orElseThrow().id().endsWith("0000"), "row 0 has the base id");
        assertTrue(predictions.find(shadow.id(1)).orElseThrow().shadow());
        assertTrue(predictions.find(shadow.id(2)).isEmpty(), "a row the request does not have");
        assertTrue(predictions.find(big.id(0).toUpperCase(java.util.Locale.ROOT)).isEmpty(), "ids are as they were given out");
        List<PredictionRecord> listed = predictions.list(model, null, null, 1000);
        assertEquals(102, listed.size());
        assertEquals(big.id(0).compareTo(shadow.id(0)) < 0 ? big.record(0) : shadow.record(0), listed.get(0));
        assertEquals(30, predictions.list(model, null, null, 30).size());

        // feedback on any row; listed per model without the request being a row of its own
        Feedback f57 = feedback.submit(big.id(57), null, "bad", null, "gail");
        Feedback f1 = feedback.submit(shadow.id(1), 1.0, null, null, "hal");
        assertEquals(List.of(f57), feedback.forPrediction(big.id(57)));
        assertTrue(feedback.forPrediction(big.id(58)).isEmpty());
        assertThrows(NotFoundException.class, () -> feedback.submit(shadow.id(2), 1.0, null, null, "hal"));
        assertThrows(NotFoundException.class, () -> feedback.forPrediction(big.id(100)));
        assertEquals(List.of(f1, f57), feedback.forModel(model, 10));

        // the journal's retry after a crash stores only what is missing
        LoggedRequest more = LoggedRequest.of(PredictionIds.next(T0 + 1).toString(), T0 + 1, model, 2, credit.subList(0, 3), outs.subList(0, 3),
                5, false, null);
        predictions.storeMissing(List.of(big, more, shadow));
        assertEquals(105, predictions.count(model, null));
    }

    @Test
    void storedFeedbackIsAnnouncedWithThePredictionsModelVersion() {
        PredictionRecord p = record("ev-" + u, "ev-model-" + u, 3, T0, Map.of("a", 1), new Prediction("good", null));
        predictions.append(List.of(p));
        List<Event> posted = Collections.synchronizedList(new ArrayList<>());
        feedback.events = recorder(posted::add);

        long before = System.currentTimeMillis();
        Feedback f = feedback.submit(p.id(), null, "bad", "late payments", "ivy");
        assertEquals(1, posted.size(), posted.toString());
        Event e = posted.get(0);
        assertEquals(Topics.FEEDBACK_RECEIVED, e.getTopic());
        assertEquals(f.id(), e.getProperty(Topics.FEEDBACK_ID));
        assertEquals(p.id(), e.getProperty(Topics.PREDICTION_ID));
        assertEquals("ev-model-" + u, e.getProperty(Topics.MODEL_NAME));
        assertEquals(3, e.getProperty(Topics.MODEL_VERSION));
        assertEquals("ivy", e.getProperty(Topics.USER));
        long at = (Long) e.getProperty(Topics.TIMESTAMP);
        assertTrue(at >= before && at <= System.currentTimeMillis(), "timestamp " + at);

        // refused feedback stores nothing and announces nothing
        assertThrows(NotFoundException.class, () -> feedback.submit("ev-missing-" + u, 1.0, null, null, "ivy"));
        assertThrows(InvalidFieldException.class, () -> feedback.submit(p.id(), null, null, "no score", "ivy"));
        assertEquals(1, posted.size(), posted.toString());

        // an Event Admin that fails does not fail the write: the feedback is stored
        feedback.events = recorder(ev -> {
            throw new IllegalStateException("event admin is stopping");
        });
        Feedback kept = feedback.submit(p.id(), 1.0, null, null, "ivy");
        assertEquals(List.of(f, kept), feedback.forPrediction(p.id()));
    }

    private static EventAdmin recorder(java.util.function.Consumer<Event> sink) {
        return new EventAdmin() {
            @Override
            public void postEvent(Event event) {
                sink.accept(event);
            }

            @Override
            public void sendEvent(Event event) {
                throw new AssertionError("events are posted, never sent synchronously");
            }
        };
    }
}
