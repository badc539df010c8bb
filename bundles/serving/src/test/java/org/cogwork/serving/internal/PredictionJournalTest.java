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

    static List<PredictionRecord> records(int n, List<Map<String, Object>> rows) {
        List<PredictionRecord> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(PredictionLogContractTest.record(UUID.randomUUID().toString(), "credit", 1, 1_700_000_000_000L + i,
                    rows.get(i % rows.size()), new Prediction(i % 2 == 0 ? "good" : "bad", Map.of("good", 0.75, "bad", Double.NaN))));
        }
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
        List<PredictionRecord> sent = records(500, PredictionLogContractTest.creditRows(50));
        for (int i = 0; i < sent.size(); i += 50) {
            j.append(sent.subList(i, i + 50));
        }
        for (PredictionRecord r : sent) {
            j.awaitStored(r.id(), 10_000);
            PredictionRecord back = store.find(r.id()).orElseThrow(() -> new AssertionError("not stored: " + r.id()));
            assertEquals(r.input(), back.input());
            assertEquals(r.output().value(), back.output().value());
            assertTrue(back.output().scores().get("bad").isNaN(), back.toString());
        }
        assertEquals(500L, j.written());
        j.close();
        assertEquals(0, segments(), "a stored segment is deleted");
    }

    @Test
    void whatTheStoreDidNotTakeBeforeAStopIsStoredAtTheNextStart() throws Exception {
        Predictions store = store();
        List<PredictionRecord> sent = records(300, PredictionLogContractTest.creditRows(20));
        store.append(sent.subList(0, 100)); // as if stored just before the crash, the journal not yet told
        MetadataStore down = stores.get(0);
        down.close(); // the store goes away: the journal keeps everything
        PredictionJournal first = journal(store, 10_000);
        first.append(sent);
        Thread.sleep(300);
        first.close();
        assertEquals(1, segments(), "kept for the next start");

        // a torn line at the end, as a full disk might leave it: it was never acknowledged, and is skipped
        Path segment;
        try (Stream<Path> s = Files.list(tmp.resolve("journal"))) {
            segment = s.findFirst().orElseThrow();
        }
        Files.writeString(segment, "{\"id\": \"torn", StandardOpenOption.APPEND);

        Predictions again = store();
        PredictionJournal second = journal(again, 10_000);
        for (PredictionRecord r : sent) {
            second.awaitStored(r.id(), 10_000);
            assertEquals(r.output().value(), again.find(r.id()).orElseThrow(() -> new AssertionError("lost: " + r.id())).output().value());
        }
        assertEquals(300L, again.count("credit", 1), "each stored once");
        assertEquals(300L, second.stats().get("recovered"));
    }

    @Test
    void beyondItsLimitTheJournalRefusesInsteadOfAcknowledging() throws Exception {
        Predictions store = store();
        stores.get(0).close(); // nothing drains
        PredictionJournal j = journal(store, 100);
        j.admit();
        j.append(records(100, PredictionLogContractTest.creditRows(5)));
        TooManyRequestsException e = assertThrows(TooManyRequestsException.class, j::admit);
        assertTrue(e.getMessage().contains("100 predictions behind"), e.getMessage());
        assertEquals(1L, j.stats().get("refused"));
    }
}
