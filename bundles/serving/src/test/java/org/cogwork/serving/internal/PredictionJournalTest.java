package org.cogwork.serving.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.cogwork.api.engine.Prediction;
import org.cogwork.api.problem.TooManyRequestsException;
import org.cogwork.api.serving.PredictionRecord;
import org.cogwork.persistence.internal.MetadataStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal in front of the prediction log, on embedded H2: what it acknowledged reaches the store, also when the
 * store was down and the process stopped before it could store it, and nothing is acknowledged beyond its limit.
 */
class PredictionJournalTest {
    static final long T0 = 1_700_000_000_000L;
    @TempDir
    Path tmp;
    final List<MetadataStore> stores = new ArrayList<>();
    final List<PredictionJournal> journals = new ArrayList<>();

    @AfterEach
    void close() {
        journals.forEach(PredictionJournal::close);
        stores.forEach(MetadataStore::close);
    }

    Predictions store() {
        MetadataStore s = new MetadataStore(PredictionLogContractTest.config(Map.of()), tmp.resolve("data"));
        stores.add(s);
        return new Predictions(PredictionLogContractTest.servingDb(s));
    }

    PredictionJournal journal(Predictions store, int capacity) throws Exception {
        PredictionJournal j = new PredictionJournal(tmp.resolve("journal"), store, capacity);
        journals.add(j);
        return j;
    }

    /** Requests of {@code sizes[i]} rows each (single predictions and requests of several rows, mixed). */
    static List<LoggedRequest> requests(long t0, List<Map<String, Object>> rows, int... sizes) {
        List<LoggedRequest> out = new ArrayList<>();
        int n = 0;
        for (int size : sizes) {
            long t = t0 + out.size();
            List<Map<String, Object>> ins = new ArrayList<>();
            List<Prediction> outs = new ArrayList<>();
            for (int i = 0; i < size; i++, n++) {
                ins.add(rows.get(n % rows.size()));
                outs.add(new Prediction(n % 2 == 0 ? "good" : "bad", Map.of("good", 0.75, "bad", Double.NaN)));
            }
            out.add(LoggedRequest.of(PredictionIds.next(t).toString(), t, "credit", 1, ins, outs, 1500, false, null));
        }
        return out;
    }

    /** Every prediction of the requests, with the id each had when it went back to its caller. */
    static List<PredictionRecord> predictions(List<LoggedRequest> requests) {
        List<PredictionRecord> out = new ArrayList<>();
        for (LoggedRequest r : requests) {
            for (int i = 0; i < r.size(); i++) {
                out.add(r.record(i));
            }
        }
        return out;
    }

    static List<String> ids(List<PredictionRecord> records) {
        return records.stream().map(PredictionRecord::id).toList();
    }

    static int[] sizes(int count, int each) {
        int[] out = new int[count];
        java.util.Arrays.fill(out, each);
        return out;
    }

    long segments() throws Exception {
        try (Stream<Path> s = Files.list(tmp.resolve("journal"))) {
            return s.count();
        }
    }

    @Test
    void whatIsJournaledReachesTheStoreAndItsSegmentGoes() throws Exception {
        Predictions store = store();
        PredictionJournal j = journal(store, 10_000);
        List<LoggedRequest> requests = new ArrayList<>(requests(T0, PredictionLogContractTest.creditRows(50), sizes(250, 1)));
        requests.addAll(requests(T0 + 1000, PredictionLogContractTest.creditRows(50), 50, 100, 2, 98));
        requests.forEach(j::append);
        List<PredictionRecord> sent = predictions(requests);
        assertEquals(500, sent.size());
        for (PredictionRecord r : sent) {
            j.awaitStored(r.id(), 10_000);
            PredictionRecord back = store.find(r.id()).orElseThrow(() -> new AssertionError("not stored: " + r.id()));
            assertEquals(r.input(), back.input());
            assertEquals(r.output().value(), back.output().value());
            assertTrue(back.output().scores().get("bad").isNaN(), back.toString());
            assertEquals(r, back);
        }
        assertEquals(500L, j.written());
        assertEquals(500L, store.count("credit", 1), "a request's predictions count one by one");
        assertEquals(ids(sent), ids(store.list("credit", null, null, 1000)), "listed one by one, in order");
        assertEquals(sent, store.list("credit", null, null, 1000));
        assertEquals(ids(sent.subList(0, 260)), ids(store.list("credit", null, null, 260)), "a request cut at the limit");
        j.close();
        assertEquals(0, segments(), "a stored segment is deleted");
    }

    @Test
    void rolledSegmentsGoOnceStoredWhileTheJournalRuns() throws Exception {
        Predictions store = store();
        PredictionJournal j = new PredictionJournal(tmp.resolve("journal"), store, 10_000, 4096);
        journals.add(j);
        List<LoggedRequest> requests = requests(T0, PredictionLogContractTest.creditRows(50), sizes(300, 1));
        requests.forEach(j::append);
        j.awaitStored(requests.get(requests.size() - 1).id(), 10_000);
        long deadline = System.currentTimeMillis() + 10_000;
        while (segments() > 1 && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(1, segments(), "the rolled segments are deleted once stored; the open one stays");
        assertEquals(300L, store.count("credit", 1));
    }

    @Test
    void whatTheStoreDidNotTakeBeforeAStopIsStoredAtTheNextStart() throws Exception {
        Predictions store = store();
        List<LoggedRequest> requests = new ArrayList<>(requests(T0, PredictionLogContractTest.creditRows(20), 1, 60, 39));
        requests.addAll(requests(T0 + 1000, PredictionLogContractTest.creditRows(20), sizes(100, 1)));
        requests.addAll(requests(T0 + 2000, PredictionLogContractTest.creditRows(20), 100));
        List<PredictionRecord> sent = predictions(requests);
        assertEquals(300, sent.size());
        store.store(requests.subList(0, 3)); // as if stored just before the crash, the journal not yet told
        MetadataStore down = stores.get(0);
        down.close(); // the store goes away: the journal keeps everything
        PredictionJournal first = journal(store, 10_000);
        requests.forEach(first::append);
        Thread.sleep(300);
        first.close();
        assertEquals(1, segments(), "kept for the next start");

        // a torn line at the end, as a full disk might leave it: it was never acknowledged, and is skipped
        Path segment;
        try (Stream<Path> s = Files.list(tmp.resolve("journal"))) {
            segment = s.findFirst().orElseThrow();
        }
        Files.writeString(segment, "{\"id\": \"torn", StandardOpenOption.APPEND);
        // and a segment as the version before requests were journaled whole wrote it: one line per prediction
        String legacyId = UUID.randomUUID().toString();
        Files.writeString(tmp.resolve("journal").resolve("000000000000.jsonl"), "{\"id\":\"" + legacyId + "\",\"t\":1700000000000,"
                + "\"m\":\"credit\",\"v\":1,\"in\":{\"Age\":30},\"out\":\"good\",\"sc\":{\"good\":0.75,\"bad\":\"NaN\"},\"us\":1500,"
                + "\"sh\":false,\"ck\":null}\n");

        Predictions again = store();
        PredictionJournal second = journal(again, 10_000);
        for (PredictionRecord r : sent) {
            second.awaitStored(r.id(), 10_000);
            assertEquals(r.output().value(), again.find(r.id()).orElseThrow(() -> new AssertionError("lost: " + r.id())).output().value());
        }
        second.awaitStored(legacyId, 10_000);
        PredictionRecord legacy = again.find(legacyId).orElseThrow(() -> new AssertionError("the old journal line is lost"));
        assertEquals(Map.of("Age", 30), legacy.input());
        assertTrue(legacy.output().scores().get("bad").isNaN());
        assertEquals(301L, again.count("credit", 1), "each stored once");
        assertEquals(301L, second.stats().get("recovered"));
    }

    @Test
    void beyondItsLimitTheJournalRefusesInsteadOfAcknowledging() throws Exception {
        Predictions store = store();
        stores.get(0).close(); // nothing drains
        PredictionJournal j = journal(store, 100);
        j.admit();
        j.append(requests(T0, PredictionLogContractTest.creditRows(5), 100).get(0));
        TooManyRequestsException e = assertThrows(TooManyRequestsException.class, j::admit);
        assertTrue(e.getMessage().contains("100 predictions behind"), e.getMessage());
        assertEquals(1L, j.stats().get("refused"));
    }
}
