package org.cogwork.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tracking and the model registry in the assembled runtime, over /api/...: what was acknowledged survives a
 * clean restart and a {@code kill -9}.
 */
class RegistryTest {
    @TempDir
    Path tmp;

    static byte[] json(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static Cogwork.Response post(Cogwork c, String path, String body) throws IOException, InterruptedException {
        return c.post(path, json(body), "application/json");
    }

    @Test
    void everythingSurvivesARestart() throws Exception {
        try (Cogwork c = Cogwork.fresh(tmp).start()) {
            Cogwork.Response exp = post(c, "/api/experiments", "{\"name\": \"credit\", \"tags\": {\"team\": \"risk\"}}");
            assertEquals(201, exp.status(), exp.body());
            String expId = exp.json().path("id").asText();
            Cogwork.Response run = post(c, "/api/runs", "{\"experimentId\": \"" + expId + "\", \"name\": \"logistic\"}");
            assertEquals(201, run.status(), run.body());
            String runId = run.json().path("id").asText();
            assertTrue(runId.matches("[0-9a-f]{32}"), runId);
            assertEquals(201, post(c, "/api/runs/" + runId + "/params", "{\"key\": \"lr\", \"value\": \"0.1\"}").status());
            Cogwork.Response changed = post(c, "/api/runs/" + runId + "/params", "{\"key\": \"lr\", \"value\": \"0.2\"}");
            assertEquals(400, changed.status(), changed.body());
            assertEquals("params.lr", changed.json().path("field").asText());
            assertEquals(201, post(c, "/api/runs/" + runId + "/metrics", "{\"key\": \"auc\", \"value\": 0.81, \"step\": 1}").status());
            Cogwork.Response art = c.put("/api/runs/" + runId + "/artifacts/model/model.zip", json("zip bytes"), "application/octet-stream");
            assertEquals(201, art.status(), art.body());
            assertEquals("cogwork-artifacts:/" + expId + "/" + runId + "/artifacts/model/model.zip", art.json().path("uri").asText());
            Cogwork.Response v = post(c, "/api/models/credit-model/versions", "{\"runId\": \"" + runId + "\", \"source\": \""
                    + art.json().path("uri").asText() + "\", \"provenance\": {\"engine\": \"tribuo\", \"seed\": 42}}");
            assertEquals(201, v.status(), v.body());
            assertEquals(1, v.json().path("version").asInt());
            Cogwork.Response alias = c.put("/api/models/credit-model/aliases/production", json("{\"version\": 1}"), "application/json");
            assertEquals(200, alias.status(), alias.body());
            // the traffic policy is a tag, but a caller cannot write it (or any cogwork.* tag) past /traffic
            Cogwork.Response reserved = post(c, "/api/models", "{\"name\": \"tagged\", \"tags\": {\"cogwork.traffic\": \"{}\"}}");
            assertEquals(400, reserved.status(), reserved.body());
            assertEquals("tags.cogwork.traffic", reserved.json().path("field").asText(), reserved.body());
            Cogwork.Response viaMlflow = post(c, "/api/2.0/mlflow/registered-models/set-tag",
                    "{\"name\": \"credit-model\", \"key\": \"cogwork.traffic\", \"value\": \"{\\\"split\\\": []}\"}");
            assertEquals(400, viaMlflow.status(), viaMlflow.body());
            assertEquals("INVALID_PARAMETER_VALUE", viaMlflow.json().path("error_code").asText(), viaMlflow.body());
            assertEquals(200, post(c, "/api/2.0/mlflow/registered-models/set-tag",
                    "{\"name\": \"credit-model\", \"key\": \"team\", \"value\": \"risk\"}").status());
            assertEquals("{\"team\":\"risk\"}", c.get("/api/models/credit-model").json().path("tags").toString());
            assertEquals(404, c.get("/api/models/nope").status());
            assertEquals(404, c.get("/api/runs/0123456789abcdef0123456789abcdef").status());
            JsonNode events = c.await("/api/events", e -> e.toString().contains("cogwork/model/ALIAS_MOVED"), java.time.Duration.ofSeconds(10));
            assertTrue(events.toString().contains("cogwork/model/VERSION_CREATED"), events.toString());
            c.stop(); // SIGTERM: the shutdown hook stops the framework (exit 143)

            c.start();
            JsonNode r = c.get("/api/runs/" + runId).json();
            assertEquals("logistic", r.path("name").asText());
            assertEquals("0.1", r.path("params").path("lr").asText());
            assertEquals(0.81, r.path("metrics").path("auc").path("value").asDouble());
            assertEquals("credit", c.get("/api/experiments/" + expId).json().path("name").asText());
            Cogwork.Response download = c.get("/api/runs/" + runId + "/artifacts/model/model.zip");
            assertEquals(200, download.status());
            assertEquals("zip bytes", download.body());
            assertEquals(9, c.get("/api/runs/" + runId + "/artifacts").json().path("model/model.zip").asInt());
            JsonNode model = c.get("/api/models/credit-model").json();
            assertEquals(1, model.path("aliases").path("production").asInt(), model.toString());
            assertEquals(42, model.path("versions").get(0).path("provenance").path("seed").asInt());
            assertEquals(1, c.get("/api/models/credit-model/aliases/production").json().path("version").asInt());
            assertEquals("set_alias", c.get("/api/models/credit-model/audit").json().get(0).path("action").asText());
            JsonNode found = c.get("/api/runs?experiment=" + expId + "&filter=metrics.auc%20%3E%200.8").json();
            assertEquals(1, found.path("runs").size());
        }
    }

    @Test
    void acknowledgedMetricsSurviveKill9() throws Exception {
        try (Cogwork c = Cogwork.fresh(tmp).start()) {
            String runId = post(c, "/api/runs", "{\"name\": \"killed\"}").json().path("id").asText();
            List<Long> acknowledged = new ArrayList<>();
            AtomicBoolean stop = new AtomicBoolean();
            Thread logger = new Thread(() -> {
                for (long step = 0; !stop.get(); step++) {
                    try {
                        Cogwork.Response r = post(c, "/api/runs/" + runId + "/metrics",
                                "{\"key\": \"loss\", \"value\": " + (1.0 / (step + 1)) + ", \"step\": " + step + "}");
                        if (r.status() / 100 == 2) {
                            synchronized (acknowledged) {
                                acknowledged.add(step);
                            }
                        }
                    } catch (IOException e) {
                        return; // the server died mid-request: not acknowledged
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            logger.start();
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (System.nanoTime() < deadline) {
                synchronized (acknowledged) {
                    if (acknowledged.size() >= 300) {
                        break;
                    }
                }
                Thread.sleep(5);
            }
            c.kill(); // mid-stream: the logger is still posting
            stop.set(true);
            logger.join(30_000);
            List<Long> acked;
            synchronized (acknowledged) {
                acked = new ArrayList<>(acknowledged);
            }
            assertTrue(acked.size() >= 300, "acknowledged before the kill: " + acked.size());

            c.start();
            JsonNode history = c.get("/api/runs/" + runId + "/metrics/loss").json().path("history");
            Set<Long> stored = new HashSet<>();
            history.forEach(p -> stored.add(p.path("step").asLong()));
            List<Long> lost = acked.stream().filter(s -> !stored.contains(s)).toList();
            assertTrue(lost.isEmpty(), "acknowledged but lost after kill -9: " + lost + " (acknowledged " + acked.size()
                    + ", stored " + stored.size() + ")");
            System.out.println("kill -9: " + acked.size() + " metrics acknowledged, " + stored.size() + " stored, none lost");
        }
    }
}
