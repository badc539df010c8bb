package org.cogwork.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Serving a Tribuo model trained on credit_data.csv: predictions, schema, bad input, feedback, rollback. */
class ServingTest {
    @TempDir
    static Path tmp;
    static Cogwork cogwork;
    static List<ObjectNode> creditRows;

    static final String SPEC = """
            {"source": "data", "dataset": "credit_data.csv", "target": "Status",
             "pipeline": [{"transform": "impute", "params": {"strategy": "median", "indicator": true}},
                          {"transform": "standardize"}],
             "engine": "tribuo", "algorithm": "%s", "seed": 42,
             "register": {"model": "credit-risk", "alias": "%s"}}""";

    @BeforeAll
    static void boot() throws Exception {
        cogwork = Cogwork.fresh(tmp).start();
        FileSourceTest.addSharedData(cogwork);
        train("logistic", "production");
        JsonNode page = FileSourceTest.query(cogwork, "data", "credit_data.csv", "{\"limit\": 200}").json();
        List<String> names = page.path("columns").findValuesAsText("name");
        creditRows = new java.util.ArrayList<>();
        for (JsonNode r : page.path("rows")) {
            ObjectNode row = Cogwork.JSON.createObjectNode();
            for (int i = 0; i < names.size(); i++) {
                if (!names.get(i).equals("Status")) {
                    row.set(names.get(i), r.get(i));
                }
            }
            creditRows.add(row);
        }
    }

    @AfterAll
    static void shutdown() throws Exception {
        if (cogwork != null) {
            cogwork.stop();
        }
    }

    static int train(String algorithm, String alias) throws Exception {
        Cogwork.Response r = TrainingApiTest.submitTo(cogwork, SPEC.formatted(algorithm, alias));
        assertEquals(202, r.status(), r.body());
        JsonNode job = TrainingApiTest.awaitDone(cogwork, r.json().path("id").asText());
        assertEquals("SUCCEEDED", job.path("status").asText(), job.toString());
        return job.path("result").path("tracking").path("version").asInt();
    }

    static Cogwork.Response predict(String query, List<ObjectNode> rows) throws Exception {
        ObjectNode body = Cogwork.JSON.createObjectNode();
        ArrayNode a = body.putArray("rows");
        rows.forEach(a::add);
        return cogwork.post("/api/models/credit-risk/predict" + query, Cogwork.JSON.writeValueAsBytes(body), "application/json");
    }

    @Test
    void predictionsSchemaAndFeedback() throws Exception {
        JsonNode schema = cogwork.get("/api/models/credit-risk/schema").json();
        assertEquals(13, schema.path("features").size(), schema.toString());
        assertEquals("[\"bad\",\"good\"]", schema.path("labels").toString());

        Cogwork.Response one = predict("", creditRows.subList(0, 1));
        assertEquals(200, one.status(), one.body());
        JsonNode p = one.json().path("predictions").get(0);
        assertEquals(1, one.json().path("version").asInt());
        assertTrue(List.of("good", "bad").contains(p.path("value").asText()), p.toString());
        assertEquals(1.0, p.path("scores").path("good").asDouble() + p.path("scores").path("bad").asDouble(), 1e-9);
        String id = p.path("id").asText();

        Cogwork.Response batch = predict("", creditRows);
        assertEquals(200, batch.status());
        assertEquals(200, batch.json().path("predictions").size());
        long good = 0;
        for (JsonNode x : batch.json().path("predictions")) {
            good += x.path("value").asText().equals("good") ? 1 : 0;
        }
        assertTrue(good > 100 && good < 200, "a sensible mix of classes: " + good + " good of 200");
        // the 200 rows are logged as one request, and each prediction is still found, with its row, by its own id
        JsonNode p137 = batch.json().path("predictions").get(137);
        JsonNode logged = cogwork.await("/api/predictions/" + p137.path("id").asText(), x -> x.has("input"), Duration.ofSeconds(10));
        assertEquals(creditRows.get(137).path("Income").asDouble(), logged.path("input").path("Income").asDouble(), logged.toString());
        assertEquals(p137.path("value").asText(), logged.path("output").path("value").asText());
        assertEquals(201, cogwork.post("/api/predictions/" + p137.path("id").asText() + "/feedback",
                "{\"correctedLabel\": \"bad\"}".getBytes(StandardCharsets.UTF_8), "application/json").status());

        cogwork.await("/api/predictions/" + id, x -> x.path("modelName").asText().equals("credit-risk"), Duration.ofSeconds(10));
        Cogwork.Response fb = cogwork.post("/api/predictions/" + id + "/feedback",
                "{\"score\": -1, \"correctedLabel\": \"bad\", \"comment\": \"defaulted in March\"}"
                        .getBytes(StandardCharsets.UTF_8), "application/json");
        assertEquals(201, fb.status(), fb.body());
        JsonNode list = cogwork.get("/api/predictions/" + id + "/feedback").json();
        assertEquals("bad", list.get(0).path("correctedLabel").asText());
        assertEquals("admin", list.get(0).path("author").asText(), "the author is the caller");
        Cogwork.Response named = cogwork.post("/api/predictions/" + id + "/feedback",
                "{\"score\": 1, \"author\": \"itest\"}".getBytes(StandardCharsets.UTF_8), "application/json");
        assertEquals(400, named.status(), "an author field is not taken: " + named.body());
        assertEquals("author", named.json().path("field").asText());
        assertEquals(1, cogwork.get("/api/predictions/" + id + "/feedback").json().size());
        assertEquals(404, cogwork.post("/api/predictions/nope/feedback", "{\"score\": 1}".getBytes(StandardCharsets.UTF_8),
                "application/json").status());

        JsonNode stats = cogwork.await("/api/serving", s -> s.path("log").path("written").asLong() >= 201, Duration.ofSeconds(10));
        assertEquals(0, stats.path("log").path("dropped").asLong());
        assertEquals(2, stats.path("versions").path("credit-risk@1").path("requests").asLong());

        // a reply larger than the server's buffer goes out whole with its length: an HTTP/1.0 client keeps its
        // connection (streamed, it had no length and the server closed the connection after every such reply)
        ObjectNode body = Cogwork.JSON.createObjectNode();
        creditRows.forEach(body.putArray("rows")::add);
        byte[] bytes = Cogwork.JSON.writeValueAsBytes(body);
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", cogwork.port)) {
            socket.setSoTimeout(30_000);
            java.io.DataInputStream in = new java.io.DataInputStream(new java.io.BufferedInputStream(socket.getInputStream()));
            for (int i = 0; i < 2; i++) {
                socket.getOutputStream().write(("POST /api/models/credit-risk/predict HTTP/1.0\r\nHost: 127.0.0.1:" + cogwork.port + "\r\nConnection: keep-alive\r\n"
                        + "Authorization: " + Cogwork.ADMIN + "\r\nContent-Type: application/json\r\nContent-Length: " + bytes.length
                        + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                socket.getOutputStream().write(bytes);
                socket.getOutputStream().flush();
                java.util.Map<String, String> head = new java.util.HashMap<>();
                String status = readLine(in);
                for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
                    head.put(line.substring(0, line.indexOf(':')).toLowerCase(java.util.Locale.ROOT), line.substring(line.indexOf(':') + 1).strip());
                }
                assertTrue(status.contains(" 200 "), status);
                assertTrue(head.containsKey("content-length"), "reply " + i + " has its length: " + head);
                byte[] reply = new byte[Integer.parseInt(head.get("content-length"))];
                in.readFully(reply);
                assertEquals(200, Cogwork.JSON.readTree(reply).path("predictions").size());
                assertTrue(!"close".equalsIgnoreCase(head.get("connection")), "the connection stays open: " + head);
            }
        }
    }

    private static String readLine(java.io.DataInputStream in) throws java.io.IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new java.io.EOFException("the server closed the connection after: " + line);
            }
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    @Test
    void badInputIsA4xxNamingTheField() throws Exception {
        ObjectNode missing = creditRows.get(0).deepCopy();
        missing.remove("Age");
        Cogwork.Response r = predict("", List.of(missing));
        assertEquals(400, r.status(), r.body());
        assertEquals("rows[0].Age", r.json().path("field").asText());
        ObjectNode extra = creditRows.get(0).deepCopy();
        extra.put("Salary", 1);
        assertEquals("rows[0].Salary", predict("", List.of(extra)).json().path("field").asText());
        ObjectNode wrong = creditRows.get(0).deepCopy();
        wrong.put("Age", "forty");
        Cogwork.Response w = predict("", List.of(wrong));
        assertEquals(400, w.status());
        assertTrue(w.json().path("error").asText().contains("'Age' must be INT"), w.body());
        assertEquals(400, predict("", List.of()).status(), "empty batch");
        assertEquals(400, cogwork.post("/api/models/credit-risk/predict", "{\"rows\": [".getBytes(StandardCharsets.UTF_8),
                "application/json").status(), "malformed JSON");
        assertEquals(404, cogwork.post("/api/models/nope/predict", "{\"rows\": [{}]}".getBytes(StandardCharsets.UTF_8),
                "application/json").status());
        assertEquals(404, predict("?alias=canary", creditRows.subList(0, 1)).status());
        assertEquals(400, predict("?version=x", creditRows.subList(0, 1)).status());

        // the body limit is live configuration: lower it, a 200-row request gets 413 naming the body, raise it again
        Path cfg = cogwork.home.resolve("config/org.cogwork.serving.cfg");
        Files.writeString(cfg, "max.body.bytes=2000\n");
        cogwork.await("/api/serving", x -> {
            try {
                return predict("", creditRows).status() == 413;
            } catch (Exception e) {
                return false;
            }
        }, Duration.ofSeconds(10));
        Cogwork.Response big = predict("", creditRows);
        assertEquals("body", big.json().path("field").asText(), big.body());
        assertEquals(200, predict("", creditRows.subList(0, 1)).status(), "small requests still pass");
        Files.delete(cfg);
        cogwork.await("/api/serving", x -> {
            try {
                return predict("", creditRows).status() == 200;
            } catch (Exception e) {
                return false;
            }
        }, Duration.ofSeconds(10));
    }

    @Test
    void batchingIsSetPerModelOverRestAndAnswersAsUnbatched() throws Exception {
        String options = "/api/models/credit-risk/serving-options";
        byte[] bad = "{\"maxBatch\": 16, \"concurrentBatches\": 0}".getBytes(StandardCharsets.UTF_8);
        Cogwork.Response refused = cogwork.put(options, bad, "application/json");
        assertEquals(400, refused.status(), refused.body());
        assertEquals("concurrentBatches", refused.json().path("field").asText(), refused.body());
        List<ObjectNode> rows = creditRows.subList(0, 40);
        JsonNode alone = predict("", rows).json().path("predictions");
        byte[] on = "{\"maxBatch\": 16, \"maxDelayMicros\": 2000, \"concurrentBatches\": 1}".getBytes(StandardCharsets.UTF_8);
        try {
            Cogwork.Response set = cogwork.put(options, on, "application/json");
            assertEquals(200, set.status(), set.body());
            assertEquals(1, cogwork.get(options).json().path("concurrentBatches").asInt(), "read back as set");
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
            try {
                List<java.util.concurrent.Future<Cogwork.Response>> answers = new java.util.ArrayList<>();
                for (int i = 0; i < rows.size(); i++) {
                    List<ObjectNode> one = rows.subList(i, i + 1);
                    answers.add(pool.submit(() -> predict("", one)));
                }
                for (int i = 0; i < rows.size(); i++) {
                    Cogwork.Response r = answers.get(i).get();
                    assertEquals(200, r.status(), r.body());
                    assertEquals(alone.get(i).path("value"), r.json().path("predictions").get(0).path("value"), "row " + i);
                    assertEquals(alone.get(i).path("scores"), r.json().path("predictions").get(0).path("scores"), "row " + i);
                }
            } finally {
                pool.shutdownNow();
            }
            // /api/serving counts the batcher's requests and its engine calls (fewer, or equal when none met company)
            // (per version: the alias may point at another version while other tests of this class run)
            JsonNode batching = cogwork.get("/api/serving").json().path("batching");
            long requests = 0;
            long calls = 0;
            for (JsonNode v : batching) {
                requests += v.path("requests").asLong();
                calls += v.path("engineCalls").asLong();
            }
            assertTrue(requests >= rows.size(), batching.toString());
            assertTrue(calls >= 1 && calls <= requests, batching.toString());
        } finally {
            assertEquals(200, cogwork.delete(options).status(), "back to the defaults");
        }
    }

    /** Version 2 (a CART tree, alias staging) next to version 1, trained once for the tests that need both. */
    static synchronized void ensureVersion2() throws Exception {
        if (cogwork.get("/api/models/credit-risk/versions/2").status() != 200) {
            assertEquals(2, train("cart", "staging"));
        }
    }

    @Test
    void abSplitShadowAndAliasSwapUnderLoad() throws Exception {
        ensureVersion2();
        byte[] policy = "{\"split\": [{\"version\": 1, \"weight\": 80}, {\"version\": 2, \"weight\": 20}], \"shadow\": [2]}"
                .getBytes(StandardCharsets.UTF_8);
        assertEquals(200, cogwork.put("/api/models/credit-risk/traffic", policy, "application/json").status());
        Cogwork.Response bad = cogwork.put("/api/models/credit-risk/traffic",
                "{\"split\": [{\"version\": 9, \"weight\": 1}]}".getBytes(StandardCharsets.UTF_8), "application/json");
        assertEquals(400, bad.status(), bad.body());
        assertEquals("split[0].version", bad.json().path("field").asText());

        long before = cogwork.get("/api/serving").json().path("versions").path("credit-risk@2").path("requests").asLong();
        int[] served = new int[3];
        for (int i = 0; i < 2000; i++) {
            served[predict("", creditRows.subList(i % 50, i % 50 + 1)).json().path("version").asInt()]++;
        }
        // 80/20 over 2000 requests: expected 1600, standard deviation ~18; allow 5 sigma
        assertTrue(Math.abs(served[1] - 1600) < 90, "version 1 served " + served[1] + " of 2000");
        ObjectNode keyed = Cogwork.JSON.createObjectNode();
        keyed.putArray("rows").add(creditRows.get(0));
        keyed.put("callerKey", "customer-42");
        int first = cogwork.post("/api/models/credit-risk/predict", Cogwork.JSON.writeValueAsBytes(keyed), "application/json")
                .json().path("version").asInt();
        for (int i = 0; i < 20; i++) {
            assertEquals(first, cogwork.post("/api/models/credit-risk/predict", Cogwork.JSON.writeValueAsBytes(keyed),
                    "application/json").json().path("version").asInt(), "sticky per caller key");
        }
        // every request was mirrored to the shadow version 2: its counters grew by the 2000 + 21 requests, the
        // ones it served itself included, though callers only ever saw version 1 answers for the rest
        JsonNode stats = cogwork.await("/api/serving", st -> st.path("versions").path("credit-risk@2").path("requests").asLong()
                >= before + 2021, Duration.ofSeconds(20));
        assertEquals(0, stats.path("shadowDropped").asLong() + stats.path("log").path("dropped").asLong());
        assertEquals(200, cogwork.delete("/api/models/credit-risk/traffic").status());

        // swap the production alias back and forth under concurrent load: no request may fail
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        java.util.concurrent.atomic.AtomicInteger failures = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger ok = new java.util.concurrent.atomic.AtomicInteger();
        java.util.List<java.util.concurrent.Future<?>> clients = new java.util.ArrayList<>();
        for (int c = 0; c < 4; c++) {
            clients.add(pool.submit(() -> {
                for (int i = 0; i < 150; i++) {
                    try {
                        Cogwork.Response r = predict("", creditRows.subList(i % 100, i % 100 + 1));
                        if (r.status() == 200) {
                            ok.incrementAndGet();
                        } else {
                            failures.incrementAndGet();
                        }
                    } catch (Exception e) {
                        failures.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        for (int swap = 0; swap < 20; swap++) {
            byte[] to = ("{\"version\": " + (swap % 2 + 1) + "}").getBytes(StandardCharsets.UTF_8);
            assertEquals(200, cogwork.put("/api/models/credit-risk/aliases/production", to, "application/json").status());
            Thread.sleep(20);
        }
        for (java.util.concurrent.Future<?> f : clients) {
            f.get();
        }
        pool.shutdown();
        assertEquals(0, failures.get(), "requests failed during alias swaps");
        assertEquals(600, ok.get());
        assertEquals(200, cogwork.put("/api/models/credit-risk/aliases/production", "{\"version\": 1}".getBytes(StandardCharsets.UTF_8),
                "application/json").status());
    }

    /**
     * Retraining under one alias: once the new version loads, the version the alias left (which nothing routes to
     * any more) leaves memory, while versions that other aliases name stay loaded; asked for by number, it loads again.
     */
    @Test
    void aVersionNoAliasRoutesToLeavesMemoryWhenItsSuccessorLoads() throws Exception {
        ensureVersion2();
        assertEquals(1, predict("", creditRows.subList(0, 1)).json().path("version").asInt(), "production");
        assertEquals(2, predict("?alias=staging", creditRows.subList(0, 1)).json().path("version").asInt());
        int old = train("logistic", "candidate");
        assertEquals(old, predict("?alias=candidate", creditRows.subList(0, 1)).json().path("version").asInt());
        assertTrue(loaded().contains("credit-risk@" + old), loaded().toString());

        int next = train("logistic", "candidate"); // the alias moves: version old is no alias's any more
        assertEquals(next, predict("?alias=candidate", creditRows.subList(0, 1)).json().path("version").asInt());
        List<String> now = loaded();
        assertTrue(now.contains("credit-risk@" + next), now.toString());
        assertFalse(now.contains("credit-risk@" + old), "the version the alias left is unloaded: " + now);
        assertTrue(now.contains("credit-risk@1") && now.contains("credit-risk@2"), "versions other aliases name stay: " + now);

        assertEquals(old, predict("?version=" + old, creditRows.subList(0, 1)).json().path("version").asInt());
        assertTrue(loaded().contains("credit-risk@" + old), "loaded again when asked for: " + loaded());
        assertEquals(200, cogwork.delete("/api/models/credit-risk/aliases/candidate").status());
    }

    static List<String> loaded() throws Exception {
        List<String> out = new java.util.ArrayList<>();
        cogwork.get("/api/serving").json().path("loadedModels").forEach(n -> out.add(n.asText()));
        return out;
    }

    @Test
    void rollbackIsMovingTheAliasBack() throws Exception {
        ensureVersion2();
        assertEquals(2, predict("?alias=staging", creditRows.subList(0, 3)).json().path("version").asInt());
        byte[] to2 = "{\"version\": 2}".getBytes(StandardCharsets.UTF_8);
        assertEquals(200, cogwork.put("/api/models/credit-risk/aliases/production", to2, "application/json").status());
        assertEquals(2, predict("", creditRows.subList(0, 3)).json().path("version").asInt());
        byte[] to1 = "{\"version\": 1}".getBytes(StandardCharsets.UTF_8);
        assertEquals(200, cogwork.put("/api/models/credit-risk/aliases/production", to1, "application/json").status());
        assertEquals(1, predict("", creditRows.subList(0, 3)).json().path("version").asInt(), "rolled back");
        assertEquals(1, predict("?version=1", creditRows.subList(0, 1)).json().path("version").asInt());
    }
}
