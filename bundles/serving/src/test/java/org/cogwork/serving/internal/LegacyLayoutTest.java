package org.cogwork.serving.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.cogwork.api.feedback.Feedback;
import org.cogwork.api.serving.PredictionRecord;
import org.cogwork.persistence.Database;
import org.cogwork.persistence.internal.MetadataStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An embedded H2 store made before the persistence bundle (the registry owned the database, its history in
 * {@code cogwork_schema_version}, the prediction log and feedback made by its V3) opens with every prediction and
 * feedback row kept, the registry's history adopted, and serving's V1 recorded without touching the tables.
 */
class LegacyLayoutTest {
    @TempDir
    Path data;

    @Test
    void aStoreFromThePreviousLayoutKeepsEveryPredictionAndFeedbackRow() throws Exception {
        String url = "jdbc:h2:file:" + data.resolve("metadata/cogwork").toAbsolutePath() + ";WRITE_DELAY=0";
        int predictions = 1200;
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE cogwork_schema_version (version INTEGER NOT NULL PRIMARY KEY, description VARCHAR(250) NOT NULL, applied BIGINT NOT NULL)");
            for (String script : List.of("V3__predictions_and_feedback.sql", "V4__health_probe.sql")) {
                for (String sql : statements(script)) {
                    st.execute(sql);
                }
            }
            String[] names = {"tracking and registry", "search indexes", "predictions and feedback", "health probe", "accounts and audit"};
            for (int v = 1; v <= 5; v++) {
                st.execute("INSERT INTO cogwork_schema_version VALUES (" + v + ", '" + names[v - 1] + "', " + (1_700_000_000_000L + v) + ")");
            }
            try (PreparedStatement p = c.prepareStatement("INSERT INTO predictions (id, model_name, ver, at_time, input_json, output_json, "
                    + "latency_micros, shadow, caller_key) VALUES (?, 'credit', ?, ?, ?, ?, 150, ?, NULL)")) {
                for (int i = 0; i < predictions; i++) {
                    p.setString(1, "p-" + i);
                    p.setInt(2, 1 + i % 2);
                    p.setLong(3, 1_700_000_000_000L + i);
                    p.setString(4, "{\"Age\":" + (20 + i % 50) + "}");
                    p.setString(5, "{\"value\":\"" + (i % 3 == 0 ? "bad" : "good") + "\",\"scores\":{\"good\":0.7,\"bad\":0.3}}");
                    p.setBoolean(6, i % 10 == 0);
                    p.addBatch();
                }
                p.executeBatch();
            }
            st.execute("INSERT INTO feedback (id, prediction_id, score, corrected_label, comment_text, author, at_time) VALUES "
                    + "('00000000-0000-0000-0000-000000000001', 'p-3', NULL, 'good', 'was a good payer', 'ann', 1700000001000), "
                    + "('00000000-0000-0000-0000-000000000002', 'p-7', 0.0, NULL, NULL, 'bob', 1700000002000)");
        }

        try (MetadataStore store = new MetadataStore(PredictionLogContractTest.config(Map.of()), data)) {
            Database db = PredictionLogContractTest.servingDb(store);
            Predictions log = new Predictions(db);
            FeedbackStore feedback = new FeedbackStore(db);
            assertEquals(predictions, log.count("credit", null));
            assertEquals(predictions / 2, log.count("credit", 2));
            PredictionRecord p3 = log.find("p-3").orElseThrow();
            assertEquals("bad", p3.output().value());
            assertEquals(23, ((Number) p3.input().get("Age")).intValue());
            List<Feedback> f3 = feedback.forPrediction("p-3");
            assertEquals(1, f3.size());
            assertEquals("good", f3.get(0).correctedLabel());
            assertEquals("ann", f3.get(0).author());
            assertEquals(1, feedback.forPrediction("p-7").size());
            // serving's V2 made the feedback table anew with each row's model version: kept, in order, per model
            assertEquals(List.of("bob", "ann"), feedback.forModel("credit", 10).stream().map(Feedback::author).toList());
            assertEquals(List.of(1, 2, 3, 4, 5), store.appliedVersions("org.cogwork.registry"), "the registry's history is adopted");
            assertEquals(List.of(1, 2), store.appliedVersions("org.cogwork.serving"));
            // still usable: a new prediction and feedback on an old one
            feedback.submit("p-11", 1.0, null, "new", "carol");
            assertEquals(1, feedback.forPrediction("p-11").size());
        }
    }

    private static List<String> statements(String script) throws Exception {
        try (InputStream in = LegacyLayoutTest.class.getResourceAsStream("/legacy-layout/" + script)) {
            return MetadataStore.statements(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }
}
