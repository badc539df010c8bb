package org.cogwork.serving.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.cogwork.api.feedback.Feedback;
import org.cogwork.persistence.Database;
import org.cogwork.persistence.internal.MetadataStore;
import org.cogwork.persistence.internal.MigrationSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Serving's V2 on the embedded store, stopped after each of its statements as a kill -9 would leave it: H2 commits
 * each DDL statement as it goes, so such a store has the first {@code k} statements done and version 2 not
 * recorded. The next start runs the script again; every feedback row survives, in order, with its model version,
 * and the schema is the one a run without a kill makes.
 */
class MigrationResumeTest {
    private static final Path SCRIPTS = Path.of("target/classes/db/migration");
    private static final int FEEDBACK = 40;

    @TempDir
    Path temp;

    @Test
    void version2StoppedAfterAnyStatementCompletesOnTheNextStartAndLosesNoFeedback() throws Exception {
        List<String> v2 = MetadataStore.statements(Files.readString(SCRIPTS.resolve("V2__one_row_per_request.sql")));
        assertTrue(v2.size() >= 8, "the script is split into its statements: " + v2.size());
        for (int k = 0; k <= v2.size(); k++) {
            Path data = temp.resolve("stop-after-" + k);
            String url = "jdbc:h2:file:" + data.resolve("metadata/cogwork").toAbsolutePath() + ";WRITE_DELAY=0";
            // a store at serving's version 1, with predictions and feedback on them
            try (MetadataStore store = new MetadataStore(PredictionLogContractTest.config(Map.of()), data)) {
                store.database("org.cogwork.serving", onlyVersion1()).jdbi().useHandle(h -> h.execute("SELECT 1"));
            }
            try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
                try (PreparedStatement p = c.prepareStatement("INSERT INTO predictions (id, model_name, ver, at_time, input_json, "
                        + "output_json, latency_micros, shadow, caller_key) VALUES (?, 'credit', ?, ?, '{}', '{\"value\":\"good\"}', 9, FALSE, NULL)")) {
                    for (int i = 0; i < FEEDBACK; i++) {
                        p.setString(1, "p-" + i);
                        p.setInt(2, 1 + i % 3);
                        p.setLong(3, 1_700_000_000_000L + i);
                        p.addBatch();
                    }
                    p.executeBatch();
                }
                try (PreparedStatement f = c.prepareStatement("INSERT INTO feedback (id, prediction_id, score, corrected_label, "
                        + "comment_text, author, at_time) VALUES (?, ?, NULL, 'bad', NULL, ?, 1700000000000)")) {
                    for (int i = 0; i < FEEDBACK; i++) {
                        f.setString(1, String.format("00000000-0000-0000-0000-%012d", i));
                        f.setString(2, "p-" + i);
                        f.setString(3, "author-" + i);
                        f.addBatch();
                    }
                    f.executeBatch();
                }
                // the kill: the first k statements of V2 done (each commits), the version not recorded
                for (String sql : v2.subList(0, k)) {
                    st.execute(sql);
                }
            }

            try (MetadataStore store = new MetadataStore(PredictionLogContractTest.config(Map.of()), data)) {
                Database db = PredictionLogContractTest.servingDb(store);
                FeedbackStore feedback = new FeedbackStore(db);
                db.jdbi(); // waits for the migrations
                assertEquals(List.of(1, 2), store.appliedVersions("org.cogwork.serving"), "stopped after " + k);
                List<Feedback> all = feedback.forModel("credit", 1000);
                assertEquals(FEEDBACK, all.size(), "every feedback row kept, stopped after statement " + k);
                for (int i = 0; i < FEEDBACK; i++) {
                    // newest first; equal times keep the order they were given in
                    Feedback f = all.get(FEEDBACK - 1 - i);
                    assertEquals("author-" + i, f.author(), "order kept, stopped after statement " + k);
                    assertEquals("p-" + i, f.predictionId());
                    assertEquals(1, feedback.forPrediction("p-" + i).size());
                }
                List<Integer> versions = db.jdbi().withHandle(h -> h.createQuery("SELECT ver FROM feedback ORDER BY seq")
                        .mapTo(Integer.class).list());
                for (int i = 0; i < FEEDBACK; i++) {
                    assertEquals(1 + i % 3, versions.get(i), "the model version of each feedback row, stopped after " + k);
                }
                assertEquals(1, (int) db.jdbi().withHandle(h -> h.createQuery("SELECT row_count FROM predictions WHERE id = 'p-0'")
                        .mapTo(Integer.class).one()));
                // the schema a run without a kill makes: no foreign key, the id unique, one table of feedback
                db.jdbi().useHandle(h -> h.execute("INSERT INTO feedback (id, prediction_id, model_name, ver, score, author, at_time) "
                        + "VALUES ('10000000-0000-0000-0000-000000000001', 'row-3-of-a-request', 'credit', 1, 1.0, 'x', 1)"));
                db.jdbi().useHandle(h -> assertThrows(RuntimeException.class, () -> h.execute(
                        "INSERT INTO feedback (id, prediction_id, model_name, ver, score, author, at_time) "
                                + "VALUES ('00000000-0000-0000-0000-000000000001', 'p-1', 'credit', 1, 1.0, 'x', 1)"),
                        "feedback ids stay unique"));
                long stray = db.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM INFORMATION_SCHEMA.TABLES "
                        + "WHERE LOWER(TABLE_NAME) = 'feedback_v2'").mapTo(Long.class).one());
                assertEquals(0, stray, "no copy left behind, stopped after statement " + k);
            }
        }
    }

    /** Serving's scripts as they were at version 1. */
    private static MigrationSource onlyVersion1() {
        MigrationSource all = MigrationSource.of(SCRIPTS);
        return new MigrationSource() {
            @Override
            public List<String> names() {
                return all.names().stream().filter(n -> n.startsWith("V1__")).toList();
            }

            @Override
            public String read(String name) {
                return all.read(name);
            }
        };
    }
}
