package org.cogwork.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 2xx means the write survives {@code kill -9} at any moment, also after a quiet period and also after a clean
 * restart (H2 2.5.252 lost every write made after reopening a cleanly closed store once the process was killed:
 * its recovery ignored the newest chunks; the registry pins H2 2.3.232, see ARCHITECTURE.md). Every kind of
 * metadata write is checked: experiment, run, metric, tag, feedback; on the embedded store and on PostgreSQL.
 */
class DurabilityTest {
    @TempDir
    Path tmp;

    /** What one round wrote and had acknowledged, to be found again after the kill. */
    record Written(String experimentId, String experimentName, String runId, String feedbackComment) {
    }

    @Test
    void idleWritesSurviveKill9OnH2() throws Exception {
        try (Cogwork c = Cogwork.fresh(tmp)) {
            roundsWithKills(c);
        }
    }

    @Test
    void idleWritesSurviveKill9OnPostgres() throws Exception {
        String schema = "durability_" + Long.toHexString(System.nanoTime());
        try (Connection pg = JdbcSourceTest.connectOrSkip(); Statement st = pg.createStatement()) {
            st.execute("CREATE SCHEMA " + schema);
            try (Cogwork c = Cogwork.fresh(tmp)) {
                Files.writeString(c.home.resolve("config/org.cogwork.persistence.cfg"),
                        "url=jdbc:postgresql://127.0.0.1:5432/test?currentSchema=" + schema + "\nuser=postgres\n");
                roundsWithKills(c);
                assertTrue(c.get("/health").body().contains("postgresql"), "the registry ran on PostgreSQL");
            } finally {
                st.execute("DROP SCHEMA " + schema + " CASCADE");
            }
        }
    }

    /**
     * Feedback from 4 clients while 2 others send 50-row predictions, killed mid-stream: every feedback that was
     * answered 201 is there after the restart. (The prediction log's own durability is the serving issue's.)
     */
    @Test
    void feedbackUnderLoadSurvivesKill9() throws Exception {
        try (Cogwork c = Cogwork.fresh(tmp).start()) {
            FileSourceTest.addSharedData(c);
            Cogwork.Response job = TrainingApiTest.submitTo(c, ServingTest.SPEC.formatted("logistic", "production"));
            assertEquals(202, job.status(), job.body());
            assertEquals("SUCCEEDED", TrainingApiTest.awaitDone(c, job.json().path("id").asText()).path("status").asText());
            String predictionId = predictOne(c);
            byte[] fifty = fiftyRows();

            java.util.Set<String> acked = java.util.concurrent.ConcurrentHashMap.newKeySet();
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            List<Thread> clients = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                int client = t;
                clients.add(new Thread(() -> {
                    for (int i = 0; !stop.get(); i++) {
                        try {
                            if (client < 4) {
                                String comment = "c" + client + "-" + i;
                                if (post(c, "/api/predictions/" + predictionId + "/feedback",
                                        "{\"score\": 1, \"comment\": \"" + comment + "\"}").status() == 201) {
                                    acked.add(comment);
                                }
                            } else {
                                c.post("/api/models/credit-risk/predict", fifty, "application/json");
                            }
                        } catch (Exception e) {
                            return; // the server died mid-request: not acknowledged
                        }
                    }
                }));
            }
            clients.forEach(Thread::start);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (acked.size() < 400 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            c.kill();
            stop.set(true);
            for (Thread t : clients) {
                t.join(30_000);
            }
            assertTrue(acked.size() >= 400, "feedback acknowledged before the kill: " + acked.size());

            c.start();
            List<String> stored = c.get("/api/predictions/" + predictionId + "/feedback").json().findValuesAsText("comment");
            List<String> lost = acked.stream().filter(a -> !stored.contains(a)).sorted().toList();
            assertTrue(lost.isEmpty(), "acknowledged feedback lost after kill -9: " + lost);
            System.out.println("kill -9 under load: " + acked.size() + " feedback acknowledged, none lost");
        }
    }

    /** A 50-row predict body (one credit applicant, 50 times). */
    private static byte[] fiftyRows() throws Exception {
        ObjectNode body = Cogwork.JSON.createObjectNode();
        com.fasterxml.jackson.databind.node.ArrayNode rows = body.putArray("rows");
        for (int i = 0; i < 50; i++) {
            rows.add(applicant());
        }
        return Cogwork.JSON.writeValueAsBytes(body);
    }

    private static ObjectNode applicant() {
        ObjectNode row = Cogwork.JSON.createObjectNode();
        row.put("Seniority", 9).put("Home", "rent").put("Time", 60).put("Age", 30).put("Marital", "married")
                .put("Records", "no").put("Job", "freelance").put("Expenses", 73).put("Income", 129).put("Assets", 0)
                .put("Debt", 0).put("Amount", 800).put("Price", 846);
        return row;
    }

    /**
     * Rounds of: start, check everything acknowledged so far, write, stay quiet, then {@code kill -9} or SIGTERM.
     * The order matters: H2 2.5.252 lost the writes made after a store that had been recovered from a kill was
     * closed cleanly and opened again (in this order the fourth round's writes were lost).
     */
    private void roundsWithKills(Cogwork c) throws Exception {
        c.start();
        FileSourceTest.addSharedData(c);
        Cogwork.Response job = TrainingApiTest.submitTo(c, ServingTest.SPEC.formatted("logistic", "production"));
        assertEquals(202, job.status(), job.body());
        JsonNode done = TrainingApiTest.awaitDone(c, job.json().path("id").asText());
        assertEquals("SUCCEEDED", done.path("status").asText(), done.toString());
        String predictionId = predictOne(c);

        List<Written> acked = new ArrayList<>();
        boolean[] killAfter = {true, false, true, true};
        for (int round = 0; round < killAfter.length; round++) {
            if (round > 0) {
                c.start();
                checkAll(c, acked, predictionId);
            }
            acked.add(write(c, "round-" + round, predictionId));
            Thread.sleep(2000); // a quiet period: nothing else is written before the kill or stop
            if (killAfter[round]) {
                c.kill();
            } else {
                assertEquals(143, c.stop(), "SIGTERM stops cleanly");
            }
        }
        c.start();
        checkAll(c, acked, predictionId);
    }

    private static String predictOne(Cogwork c) throws Exception {
        ObjectNode body = Cogwork.JSON.createObjectNode();
        body.putArray("rows").add(applicant());
        Cogwork.Response r = c.post("/api/models/credit-risk/predict", Cogwork.JSON.writeValueAsBytes(body), "application/json");
        assertEquals(200, r.status(), r.body());
        String id = r.json().path("predictions").get(0).path("id").asText();
        // the prediction log writes off the request path; feedback needs the logged prediction
        c.await("/api/predictions/" + id, p -> p.path("modelName").asText().equals("credit-risk"), Duration.ofSeconds(10));
        return id;
    }

    private static Written write(Cogwork c, String name, String predictionId) throws Exception {
        Cogwork.Response e = post(c, "/api/experiments", "{\"name\": \"" + name + "\"}");
        assertEquals(201, e.status(), e.body());
        String expId = e.json().path("id").asText();
        Cogwork.Response r = post(c, "/api/runs", "{\"experimentId\": \"" + expId + "\", \"name\": \"" + name + "-run\"}");
        assertEquals(201, r.status(), r.body());
        String runId = r.json().path("id").asText();
        assertEquals(201, post(c, "/api/runs/" + runId + "/metrics", "{\"key\": \"auc\", \"value\": 0.8, \"step\": 1}").status());
        assertEquals(201, post(c, "/api/runs/" + runId + "/tags", "{\"key\": \"round\", \"value\": \"" + name + "\"}").status());
        Cogwork.Response f = post(c, "/api/predictions/" + predictionId + "/feedback",
                "{\"score\": 1, \"comment\": \"" + name + "\"}");
        assertEquals(201, f.status(), f.body());
        return new Written(expId, name, runId, name);
    }

    private static void checkAll(Cogwork c, List<Written> acked, String predictionId) throws Exception {
        JsonNode feedback = c.get("/api/predictions/" + predictionId + "/feedback").json();
        List<String> comments = feedback.findValuesAsText("comment");
        for (Written w : acked) {
            Cogwork.Response e = c.get("/api/experiments/" + w.experimentId());
            assertEquals(200, e.status(), "experiment of round " + w.experimentName() + " lost: " + e.body());
            assertEquals(w.experimentName(), e.json().path("name").asText());
            JsonNode run = c.get("/api/runs/" + w.runId()).json();
            assertEquals(w.experimentName() + "-run", run.path("name").asText(), "run lost: " + run);
            assertEquals(0.8, run.path("metrics").path("auc").path("value").asDouble(), "metric lost: " + run);
            assertEquals(w.experimentName(), run.path("tags").path("round").asText(), "tag lost: " + run);
            assertTrue(comments.contains(w.feedbackComment()), "feedback of round " + w.experimentName() + " lost: " + feedback);
        }
    }

    private static Cogwork.Response post(Cogwork c, String path, String body) throws Exception {
        return c.post(path, body.getBytes(StandardCharsets.UTF_8), "application/json");
    }
}
