package org.cogwork.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every platform topic reaches a real Event Admin subscriber with its documented properties: the runtime's
 * {@code RecentEvents} handler (subscribed to {@code cogwork/*}), read back over {@code GET /api/events}. The
 * actions are the ones people take: train and register, predict, send feedback, set and clear a traffic policy,
 * reconfigure serving, stop an engine bundle.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EventsTest {
    static final String MODEL = "events-credit";
    static final String SPEC = """
            {"source": "data", "dataset": "credit_data.csv", "target": "Status",
             "engine": "baseline", "algorithm": "majority", "seed": 3,
             "register": {"model": "%s", "alias": "%s"}}""";

    @TempDir
    static Path tmp;
    static Cogwork cogwork;
    static long baselineBundle;
    static JsonNode job1;
    static ObjectNode row;
    /** An integrator and a data scientist, so the events' user is seen to be the caller, not the admin. */
    static Cogwork.Client ivy;
    static Cogwork.Client dana;

    @BeforeAll
    static void boot() throws Exception {
        cogwork = Cogwork.fresh(tmp).start();
        Cogwork.Response up = cogwork.post("/api/bundles", Files.readAllBytes(Cogwork.testBundle("org.cogwork.engine.baseline")),
                "application/java-archive");
        assertEquals(201, up.status(), up.body());
        baselineBundle = up.json().path("id").asLong();
        FileSourceTest.addSharedData(cogwork);
        job1 = train("production");
        assertEquals(2, train("staging").path("result").path("tracking").path("version").asInt());

        JsonNode page = FileSourceTest.query(cogwork, "data", "credit_data.csv", "{\"limit\": 1}").json();
        List<String> names = page.path("columns").findValuesAsText("name");
        row = Cogwork.JSON.createObjectNode();
        for (int i = 0; i < names.size(); i++) {
            if (!names.get(i).equals("Status")) {
                row.set(names.get(i), page.path("rows").get(0).get(i));
            }
        }
        ivy = user("ivy", "integrator");
        dana = user("dana", "data-scientist");
    }

    @AfterAll
    static void shutdown() throws Exception {
        if (cogwork != null) {
            cogwork.stop();
        }
    }

    static JsonNode train(String alias) throws Exception {
        Cogwork.Response r = TrainingApiTest.submitTo(cogwork, SPEC.formatted(MODEL, alias));
        assertEquals(202, r.status(), r.body());
        JsonNode job = TrainingApiTest.awaitDone(cogwork, r.json().path("id").asText());
        assertEquals("SUCCEEDED", job.path("status").asText(), job.toString());
        return job;
    }

    static Cogwork.Client user(String name, String role) throws Exception {
        String password = "pw-" + name + "-events-secret";
        Cogwork.Response r = cogwork.as(Cogwork.ADMIN).post("/api/users",
                "{\"name\": \"" + name + "\", \"role\": \"" + role + "\", \"password\": \"" + password + "\"}");
        assertEquals(201, r.status(), r.body());
        return cogwork.as(Cogwork.basic(name, password));
    }

    /** Predicts in a loop on its own thread, keeping every status other than 200 and 503-with-Retry-After. */
    static final class PredictLoop {
        final java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
        final java.util.Map<Integer, Integer> statuses = new java.util.concurrent.ConcurrentHashMap<>();
        final List<String> wrong = java.util.Collections.synchronizedList(new ArrayList<>());
        final Thread thread;

        PredictLoop(Cogwork.Client as) throws Exception {
            ObjectNode body = Cogwork.JSON.createObjectNode();
            body.putArray("rows").add(row);
            java.net.http.HttpRequest req = java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create("http://127.0.0.1:" + as.port() + "/api/models/" + MODEL + "/predict?version=2"))
                    .header("Authorization", as.authorization()).header("Content-Type", "application/json")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(Cogwork.JSON.writeValueAsBytes(body))).build();
            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            thread = new Thread(() -> {
                while (running.get()) {
                    try {
                        java.net.http.HttpResponse<String> r = http.send(req, java.net.http.HttpResponse.BodyHandlers.ofString());
                        statuses.merge(r.statusCode(), 1, Integer::sum);
                        boolean retry = r.headers().firstValue("Retry-After").isPresent();
                        if (r.statusCode() != 200 && !(r.statusCode() == 503 && retry && r.body().contains("restarting"))) {
                            wrong.add(r.statusCode() + " " + r.headers().map() + " " + r.body());
                        }
                    } catch (Exception e) {
                        wrong.add(e.toString());
                    }
                }
            }, "predict-loop");
            thread.start();
        }

        void stopAndCheck() throws InterruptedException {
            int answered = statuses.getOrDefault(200, 0);
            long until = System.currentTimeMillis() + 30_000;
            while (statuses.getOrDefault(200, 0) < answered + 5 && System.currentTimeMillis() < until) {
                Thread.sleep(20);
            }
            running.set(false);
            thread.join(10_000);
            System.out.println("predicting while serving restarted: statuses " + statuses);
            assertTrue(wrong.isEmpty(), "only 200 or 503 with Retry-After while serving restarts: " + wrong);
            assertTrue(statuses.getOrDefault(200, 0) > 0, statuses.toString());
        }
    }

    static Cogwork.Response predict(Cogwork.Client as, String query) throws Exception {
        ObjectNode body = Cogwork.JSON.createObjectNode();
        body.putArray("rows").add(row);
        return as.post("/api/models/" + MODEL + "/predict" + query, Cogwork.JSON.writeValueAsString(body));
    }

    /** The events kept by the runtime on {@code topic} (exact), oldest first. */
    static List<JsonNode> events(String topic) throws Exception {
        Cogwork.Response r = cogwork.get("/api/events?topic=" + topic);
        assertEquals(200, r.status(), r.body());
        List<JsonNode> out = new ArrayList<>();
        r.json().forEach(e -> {
            if (e.path("topic").asText().equals(topic)) {
                out.add(e);
            }
        });
        return out;
    }

    /** Waits for the first event on {@code topic} that {@code which} accepts (delivery is asynchronous). */
    static JsonNode await(String topic, Predicate<JsonNode> which) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        List<JsonNode> seen = List.of();
        while (System.nanoTime() < deadline) {
            seen = events(topic);
            for (JsonNode e : seen) {
                if (which.test(e)) {
                    return e;
                }
            }
            Thread.sleep(25);
        }
        throw new AssertionError("no matching " + topic + " event within 20 s; events on the topic: " + seen);
    }

    /** Every event carries the time it was published, in epoch milliseconds. */
    static void assertStamped(JsonNode e, long notBefore) {
        assertTrue(e.path("timestamp").isIntegralNumber(), e.toString());
        long t = e.path("timestamp").asLong();
        assertTrue(t >= notBefore && t <= System.currentTimeMillis(), "timestamp " + t + " of " + e);
    }

    /** An event about {@code version} of the test's model. */
    static boolean is(JsonNode e, int version) {
        return MODEL.equals(e.path("model.name").asText()) && e.path("model.version").asInt() == version;
    }

    @Test
    @Order(1)
    void trainingRegistrationAndAliasEvents() throws Exception {
        String jobId = job1.path("id").asText();
        String runId = job1.path("result").path("tracking").path("runId").asText();
        JsonNode finished = await("cogwork/training/FINISHED", e -> jobId.equals(e.path("job.id").asText()));
        assertEquals("SUCCEEDED", finished.path("job.status").asText(), finished.toString());
        assertEquals("baseline", finished.path("engine.name").asText(), finished.toString());
        assertEquals(runId, finished.path("run.id").asText(), finished.toString());
        assertEquals(MODEL, finished.path("model.name").asText(), finished.toString());
        assertEquals(1, finished.path("model.version").asInt(), finished.toString());
        assertEquals("admin", finished.path("user").asText(), finished.toString());
        assertFalse(finished.has("reason"), "a job that succeeded has no reason: " + finished);
        assertStamped(finished, 0);
        JsonNode started = await("cogwork/training/STARTED", e -> jobId.equals(e.path("job.id").asText()));
        assertEquals(runId, started.path("run.id").asText(), started.toString());
        assertEquals("baseline", started.path("engine.name").asText(), started.toString());
        assertEquals("admin", started.path("user").asText(), started.toString());
        assertTrue(started.path("timestamp").asLong() <= finished.path("timestamp").asLong(), started + " / " + finished);

        JsonNode created = await("cogwork/model/VERSION_CREATED", e -> is(e, 1));
        assertEquals(runId, created.path("run.id").asText(), created.toString());
        JsonNode run = await("cogwork/run/FINISHED", e -> runId.equals(e.path("run.id").asText()));
        assertEquals("FINISHED", run.path("run.status").asText(), run.toString());
        JsonNode moved = await("cogwork/model/ALIAS_MOVED", e -> "staging".equals(e.path("alias").asText()));
        assertEquals(MODEL, moved.path("model.name").asText());
        assertEquals(2, moved.path("model.version").asInt(), moved.toString());
        assertFalse(moved.has("model.previousVersion"), "a new alias had no previous version: " + moved);

        JsonNode source = await("cogwork/connector/ADDED", e -> "data".equals(e.path("source.id").asText()));
        assertEquals("file", source.path("source.kind").asText(), source.toString());
    }

    @Test
    @Order(2)
    void feedbackNamesThePredictionsModelVersionAndItsAuthor() throws Exception {
        long t0 = System.currentTimeMillis();
        Cogwork.Response p = predict(ivy, "?version=2");
        assertEquals(200, p.status(), p.body());
        String predictionId = p.json().path("predictions").get(0).path("id").asText();
        cogwork.await("/api/predictions/" + predictionId, x -> x.path("version").asInt() == 2, Duration.ofSeconds(10));

        // refused feedback is no feedback: nothing is published for it
        assertEquals(404, ivy.post("/api/predictions/no-such-prediction/feedback", "{\"score\": 1}").status());
        assertEquals(400, ivy.post("/api/predictions/" + predictionId + "/feedback", "{\"comment\": \"no score, no label\"}").status());

        Cogwork.Response fb = ivy.post("/api/predictions/" + predictionId + "/feedback", "{\"correctedLabel\": \"bad\"}");
        assertEquals(201, fb.status(), fb.body());
        String feedbackId = fb.json().path("id").asText();
        JsonNode e = await("cogwork/feedback/RECEIVED", x -> feedbackId.equals(x.path("feedback.id").asText()));
        assertEquals(predictionId, e.path("prediction.id").asText(), e.toString());
        assertEquals(MODEL, e.path("model.name").asText(), e.toString());
        assertEquals(2, e.path("model.version").asInt(), "the version that made the prediction: " + e);
        assertTrue(e.path("model.version").isInt(), e.toString());
        assertEquals("ivy", e.path("user").asText(), "the author is the caller: " + e);
        assertStamped(e, t0);

        Cogwork.Response second = dana.post("/api/predictions/" + predictionId + "/feedback", "{\"score\": -1}");
        assertEquals(201, second.status(), second.body());
        String secondId = second.json().path("id").asText();
        assertEquals("dana", await("cogwork/feedback/RECEIVED", x -> secondId.equals(x.path("feedback.id").asText()))
                .path("user").asText());
        assertEquals(2, events("cogwork/feedback/RECEIVED").size(), "one event per stored feedback, none for refusals: "
                + events("cogwork/feedback/RECEIVED"));
    }

    @Test
    @Order(3)
    void trafficPolicySetAndClearedNamesWhoAndWhat() throws Exception {
        long t0 = System.currentTimeMillis();
        String policy = "{\"split\": [{\"version\": 1, \"weight\": 3}, {\"version\": 2, \"weight\": 1}], \"shadow\": [2]}";
        Cogwork.Response set = dana.put("/api/models/" + MODEL + "/traffic", policy.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                "application/json");
        assertEquals(200, set.status(), set.body());
        Cogwork.Response bad = dana.put("/api/models/" + MODEL + "/traffic",
                "{\"split\": [{\"version\": 9, \"weight\": 1}]}".getBytes(java.nio.charset.StandardCharsets.UTF_8), "application/json");
        assertEquals(400, bad.status(), bad.body());
        assertEquals(200, cogwork.delete("/api/models/" + MODEL + "/traffic").status());

        JsonNode cleared = await("cogwork/model/TRAFFIC_CHANGED", e -> !e.has("policy"));
        List<JsonNode> changes = events("cogwork/model/TRAFFIC_CHANGED");
        assertEquals(2, changes.size(), "one per change, none for the refused policy: " + changes);
        JsonNode changed = changes.get(0);
        assertEquals(MODEL, changed.path("model.name").asText(), changed.toString());
        assertEquals("dana", changed.path("user").asText(), changed.toString());
        assertEquals(Cogwork.JSON.readTree("{\"split\": [{\"version\": 1, \"weight\": 3.0}, {\"version\": 2, \"weight\": 1.0}], "
                + "\"shadow\": [2]}"), Cogwork.JSON.readTree(changed.path("policy").asText()), changed.toString());
        assertEquals(set.json(), Cogwork.JSON.readTree(changed.path("policy").asText()), "the policy as the API answered it");
        assertStamped(changed, t0);

        assertEquals(MODEL, cleared.path("model.name").asText(), cleared.toString());
        assertEquals("admin", cleared.path("user").asText(), cleared.toString());
        assertFalse(cleared.has("policy"), "a cleared policy has none: " + cleared);
        assertTrue(cleared.path("timestamp").asLong() >= changed.path("timestamp").asLong());
    }

    @Test
    @Order(4)
    void modelsLoadedEvictedStoppedAndUnloadedWithTheirEngine() throws Exception {
        // version 2 is loaded (order 2 predicted with it); version 1 loads now
        assertEquals(200, predict(ivy, "?version=1").status());
        JsonNode loaded = await("cogwork/model/LOADED", e -> is(e, 1));
        assertEquals("baseline", loaded.path("engine.name").asText(), loaded.toString());
        assertEquals("baseline", await("cogwork/model/LOADED", e -> is(e, 2)).path("engine.name").asText());

        // reconfiguring serving restarts it: whatever it had loaded is unloaded as "stopped"; a client predicting
        // all the while gets answers or 503 with Retry-After (serving restarting), never a 404 (no such model)
        PredictLoop loop = new PredictLoop(ivy);
        long t1 = System.currentTimeMillis();
        Path cfg = cogwork.home.resolve("config/org.cogwork.serving.cfg");
        Files.writeString(cfg, "cache.size=1\n");
        for (int v = 1; v <= 2; v++) {
            int version = v;
            JsonNode stopped = await("cogwork/model/UNLOADED", e -> is(e, version) && e.path("timestamp").asLong() >= t1);
            assertEquals("stopped", stopped.path("reason").asText(), stopped.toString());
        }
        loop.stopAndCheck(); // once the restarted serving has answered it (with version 2: version 1 stays unloaded)

        // one model kept: loading version 2 evicts version 1
        long t2 = System.currentTimeMillis();
        cogwork.await("/api/serving", s -> {
            try {
                return predict(ivy, "?version=1").status() == 200;
            } catch (Exception e) {
                return false;
            }
        }, Duration.ofSeconds(10));
        await("cogwork/model/LOADED", e -> is(e, 1) && e.path("timestamp").asLong() >= t2);
        assertEquals(200, predict(ivy, "?version=2").status());
        JsonNode evicted = await("cogwork/model/UNLOADED", e -> is(e, 1) && e.path("timestamp").asLong() >= t2);
        assertEquals("evicted", evicted.path("reason").asText(), evicted.toString());
        JsonNode loaded2 = await("cogwork/model/LOADED", e -> is(e, 2) && e.path("timestamp").asLong() >= t2);
        assertEquals("baseline", loaded2.path("engine.name").asText());
        assertFalse(loaded2.has("reason"), loaded2.toString());

        // the engine's bundle stops: its models leave serving with it
        long t3 = System.currentTimeMillis();
        Cogwork.Response stop = cogwork.post("/api/bundles/" + baselineBundle + "/stop", new byte[0], "application/json");
        assertEquals(200, stop.status(), stop.body());
        JsonNode gone = await("cogwork/model/UNLOADED", e -> is(e, 2) && e.path("timestamp").asLong() >= t3);
        assertEquals("engine-gone", gone.path("reason").asText(), gone.toString());
        assertStamped(gone, t3);
        JsonNode removed = await("cogwork/engine/REMOVED", e -> "baseline".equals(e.path("engine.name").asText())
                && e.path("timestamp").asLong() >= t3);
        assertEquals("org.cogwork.engine.baseline", removed.path("bundle.symbolicName").asText(), removed.toString());
        List<JsonNode> unloads = events("cogwork/model/UNLOADED").stream()
                .filter(e -> e.path("timestamp").asLong() >= t3).toList();
        assertEquals(1, unloads.size(), "only the loaded version 2 was unloaded: " + unloads);

        // back: the engine returns and the model loads again on its next request
        long t4 = System.currentTimeMillis();
        assertEquals(200, cogwork.post("/api/bundles/" + baselineBundle + "/start", new byte[0], "application/json").status());
        await("cogwork/engine/ADDED", e -> "baseline".equals(e.path("engine.name").asText()) && e.path("timestamp").asLong() >= t4);
        assertEquals(200, predict(ivy, "?version=2").status());
        await("cogwork/model/LOADED", e -> is(e, 2) && e.path("timestamp").asLong() >= t4);
        // back to the defaults: serving restarts once more (FileInstall applies the deletion in its own thread);
        // waited for here, or its "stopped" could land in the next test's window (seen in CI)
        long t5 = System.currentTimeMillis();
        Files.delete(cfg);
        JsonNode restarted = await("cogwork/model/UNLOADED", e -> is(e, 2) && e.path("timestamp").asLong() >= t5);
        assertEquals("stopped", restarted.path("reason").asText(), restarted.toString());
    }

    @Test
    @Order(5)
    void aDeletedVersionAndModelAreAnnouncedAndLeaveServing() throws Exception {
        // loaded again by the restarted serving (its routes return with it: until then predict is a 404)
        cogwork.await("/api/serving", s -> {
            try {
                return predict(ivy, "?version=2").status() == 200;
            } catch (Exception e) {
                return false;
            }
        }, Duration.ofSeconds(10));
        long t = System.currentTimeMillis();
        Cogwork.Response del = dana.delete("/api/models/" + MODEL + "/versions/2");
        assertEquals(200, del.status(), del.body());
        JsonNode deleted = await("cogwork/model/DELETED", e -> is(e, 2));
        assertEquals("dana", deleted.path("user").asText(), deleted.toString());
        assertStamped(deleted, t);
        JsonNode unloaded = await("cogwork/model/UNLOADED", e -> is(e, 2) && e.path("timestamp").asLong() >= t);
        assertEquals("deleted", unloaded.path("reason").asText(), unloaded.toString());
        assertEquals(404, predict(ivy, "?version=2").status());

        assertEquals(200, dana.delete("/api/models/" + MODEL).status());
        JsonNode model = await("cogwork/model/DELETED", e -> MODEL.equals(e.path("model.name").asText()) && !e.has("model.version"));
        assertEquals("dana", model.path("user").asText(), model.toString());
        assertEquals(404, predict(ivy, "").status());
    }
}
