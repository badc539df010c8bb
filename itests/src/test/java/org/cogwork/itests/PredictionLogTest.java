package org.cogwork.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The prediction log loses nothing acknowledged: every prediction id a client received is in the log after a
 * {@code kill -9} in the middle of a load, with its input and output, and accepts feedback.
 */
class PredictionLogTest {
    @TempDir
    Path tmp;

    @Test
    void everyAcknowledgedPredictionSurvivesKill9WhileFourClientsPredict() throws Exception {
        try (Cogwork c = Cogwork.fresh(tmp).start()) {
            FileSourceTest.addSharedData(c);
            Cogwork.Response job = TrainingApiTest.submitTo(c, ServingTest.SPEC.formatted("logistic", "production"));
            assertEquals(202, job.status(), job.body());
            assertEquals("SUCCEEDED", TrainingApiTest.awaitDone(c, job.json().path("id").asText()).path("status").asText());
            ObjectNode body = Cogwork.JSON.createObjectNode();
            ObjectNode row = body.putArray("rows").addObject();
            row.put("Seniority", 9).put("Home", "rent").put("Time", 60).put("Age", 30).put("Marital", "married")
                    .put("Records", "no").put("Job", "freelance").put("Expenses", 73).put("Income", 129).put("Assets", 0)
                    .put("Debt", 0).put("Amount", 800).put("Price", 846);
            byte[] request = Cogwork.JSON.writeValueAsBytes(body);

            Set<String> acked = ConcurrentHashMap.newKeySet();
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> clients = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                clients.add(new Thread(() -> {
                    while (!stop.get()) {
                        try {
                            Cogwork.Response r = c.post("/api/models/credit-risk/predict", request, "application/json");
                            if (r.status() == 200) {
                                r.json().path("predictions").forEach(p -> acked.add(p.path("id").asText()));
                            }
                        } catch (Exception e) {
                            return; // the server died mid-request: nothing acknowledged
                        }
                    }
                }));
            }
            clients.forEach(Thread::start);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (acked.size() < 1500 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            c.kill();
            stop.set(true);
            for (Thread t : clients) {
                t.join(30_000);
            }
            assertTrue(acked.size() >= 1500, "predictions acknowledged before the kill: " + acked.size());

            c.start();
            List<String> ids = new ArrayList<>(acked);
            ExecutorService readers = Executors.newFixedThreadPool(4);
            try {
                List<Future<String>> checks = new ArrayList<>();
                for (String id : ids) {
                    checks.add(readers.submit(() -> {
                        Cogwork.Response r = c.get("/api/predictions/" + id);
                        if (r.status() != 200) {
                            return id + ": " + r.status() + " " + r.body();
                        }
                        JsonNode p = r.json();
                        boolean whole = p.path("input").path("Income").asInt() == 129 && !p.path("output").path("value").asText().isEmpty()
                                && "credit-risk".equals(p.path("modelName").asText()) && !p.path("shadow").asBoolean();
                        return whole ? null : id + ": incomplete " + p;
                    }));
                }
                List<String> lost = new ArrayList<>();
                for (Future<String> f : checks) {
                    if (f.get() != null) {
                        lost.add(f.get());
                    }
                }
                assertTrue(lost.isEmpty(), lost.size() + " of " + ids.size() + " acknowledged predictions lost after kill -9, e.g. "
                        + lost.subList(0, Math.min(5, lost.size())));
            } finally {
                readers.shutdownNow();
            }
            for (String id : ids.subList(0, 20)) {
                Cogwork.Response fb = c.post("/api/predictions/" + id + "/feedback", "{\"score\": 1}".getBytes(), "application/json");
                assertEquals(201, fb.status(), fb.body());
            }
            JsonNode log = c.get("/api/serving").json().path("log");
            System.out.println("kill -9 under load: " + ids.size() + " predictions acknowledged, none lost; after restart " + log);
        }
    }
}
